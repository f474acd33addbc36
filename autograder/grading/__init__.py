"""The trusted side: starts sandboxes, runs the tests, computes scores.

Student code never runs in this process; it only sees data decoded by ``autograder.protocol``.
"""
