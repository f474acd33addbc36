"""dlgrade: a secure autograder for deep-learning courses.

Subpackages mirror the architecture (see docs/ARCHITECTURE.md): ``sandbox`` is the untrusted side that
runs student code; ``grading`` is the trusted side that runs hidden tests; ``build`` turns an
assignment into a student notebook and an autograder bundle; ``reports`` renders feedback.
``protocol`` is the one data-only message format between the two sides.
"""

__version__ = "0.1.0"
