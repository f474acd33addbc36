import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "softmax"


@test_case(points=1, hidden=False)
def test_rows_are_distributions(softmax, np):
    X = np.random.default_rng(0).normal(size=(5, 10))
    P = softmax(X)
    assert isinstance(P, np.ndarray) and P.shape == (5, 10), "softmax(X) should have the shape of X"
    assert np.all(P >= 0), "probabilities must be non-negative"
    assert np.allclose(P.sum(axis=1), 1.0), "each row of softmax(X) must sum to 1"


@test_case(points=1, hidden=False)
def test_worked_example_and_logits_of_1000(softmax, np):
    """softmax([0, ln 3]) = [1/4, 3/4]; softmax([1000, 1000]) = [1/2, 1/2] (exp(1000) overflows)."""
    with np.errstate(all="ignore"):
        P = softmax(np.array([[0.0, np.log(3.0)], [1000.0, 1000.0]]))
    assert np.allclose(P[0], [0.25, 0.75]), f"softmax([0, ln 3]) should be [0.25, 0.75], got {P[0]}"
    assert np.allclose(P[1], [0.5, 0.5]), (
        f"softmax([1000, 1000]) should be [0.5, 0.5], got {P[1]}: exp(1000) overflows; subtract each row's "
        "maximum before np.exp (softmax(x) = softmax(x - max(x)))"
    )


def dtype_cause(raw):
    """The likely cause of a small relative error: a result computed in a lower precision than float64."""
    if isinstance(raw, np.ndarray) and raw.dtype in (np.float32, np.float16):
        return (
            f": your softmax returns {raw.dtype}, whose ~{np.finfo(raw.dtype).precision} significant digits cannot meet "
            "the threshold; compute in float64 (the logits are float64: do not cast them with astype(np.float32))"
        )
    return ""


@test_case(points=1, hidden=True)
def test_values_against_reference(softmax, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    X = rng.normal(scale=3.0, size=(64, 10))
    raw = softmax(X.copy())
    P = check_array(raw, (64, 10), "softmax(X)")
    err = rel_error(P, ref.softmax(X))
    assert err < 1e-7, f"softmax values differ from the reference: relative error {err:.1e} (threshold 1e-7){dtype_cause(raw)}"


@test_case(points=1, hidden=True)
def test_stable_for_logits_of_1000(softmax, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    X = rng.uniform(-1000.0, 1000.0, size=(32, 10))
    X[0] = 1000.0  # a row of equal, huge logits
    # Rows of ordinary logits far below the others: shifting by the maximum of the whole array
    # instead of each row's own underflows them to exp(-2000) = 0 and 0 / 0.
    X[1:4] = rng.normal(size=(3, 10)) - np.array([[1000.0], [2000.0], [3000.0]])
    with np.errstate(all="ignore"):
        raw = softmax(X.copy())
    if isinstance(raw, np.ndarray) and raw.shape == X.shape:
        bad = ~np.all(np.isfinite(raw), axis=1)
        assert not bad[0] and not bad[4:].any(), (
            "softmax of logits in [-1000, 1000] contains NaN: np.exp(1000) overflows to inf and inf / inf is NaN; "
            "subtract each row's maximum before exponentiating"
        )
        assert not bad[1:4].any(), (
            "softmax gives NaN or infinite values for rows whose logits are all far below the other rows' (logits near "
            "-2000 beside rows near 1000): subtract each row's own maximum (np.max(X, axis=1, keepdims=True)), not the "
            "maximum of the whole array"
        )
    P = check_array(raw, (32, 10), "softmax of logits in [-1000, 1000]")
    err = rel_error(P, ref.softmax(X))
    assert err < 1e-7, f"softmax differs from the reference for logits of +-1000 (relative error {err:.1e}){dtype_cause(raw)}"
