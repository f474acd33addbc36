"""Grader-only helpers of torch-workflow's hidden tests (imported as ``assignment.grading``).

One bug, one charge: the parameters' names (``weights`` and ``bias``, the keys of the
``state_dict``) are checked by ``LinearRegressionModel.test_state_dict_names_shapes_and_dtype``
alone. Every other hidden test reads and writes a student's model through these helpers, which
fall back to the documented order (weights first, then bias) when the names differ, so a model
with ``self.weight`` is charged once for the name, not again in every test that uses it.
"""

from __future__ import annotations

NAMES = ("weights", "bias")
"""The contract's parameter names, in the documented order."""


def _student_names(state) -> list[str]:
    assert isinstance(state, dict) and len(state) == 2, (
        "the model's state_dict should hold exactly two parameters, 'weights' and 'bias' (if LinearRegressionModel "
        "fails its own tests, fix it first)"
    )
    return list(NAMES) if sorted(state) == sorted(NAMES) else list(state)


def contract_state(model) -> dict:
    """``model.state_dict()`` keyed by the contract's names: as it is when the keys are 'weights'
    and 'bias', else its two entries in their order. Raises AssertionError (for the student) when
    it does not hold two entries."""
    state = dict(model.state_dict())
    return {name: state[key] for name, key in zip(NAMES, _student_names(state))}


def load_contract_state(model, state: dict) -> None:
    """``model.load_state_dict`` of ``state`` (keyed by the contract's names) under the names the
    student's model uses (see ``contract_state``)."""
    keys = _student_names(dict(model.state_dict()))
    model.load_state_dict({key: state[name] for name, key in zip(NAMES, keys)})
