"""Reference solutions for dlgrade's assignments.

Solution regions are marked ``# BEGIN SOLUTION`` / ``# END SOLUTION``; ``dlgrade build``
turns them into stubs in the student notebook. The code runs and is tested as-is.
"""
