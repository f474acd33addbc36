"""``dlgrade build``: an assignment folder and its reference → student notebook + autograder zip."""
