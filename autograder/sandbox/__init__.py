"""The untrusted side: code that runs inside the sandbox, next to the student's code.

Nothing here may import the trusted side (``autograder.grading``); the only shared piece is
``autograder.protocol``.
"""
