import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "softmax_loss"

GRADCHECK_THRESHOLD = 1e-6
"""rel_error allowed between the student's dx and centered differences (h = 1e-5) of the student's
own loss, for N = 8 examples and C = 5 classes with scores of scale 1: for the reference, the median
over seeds 0-99 is 1.6e-9 and the worst 3.5e-8 (tests/test_reference_fc_layers.py asserts 5x under
the threshold on those seeds and 10x on this test's own data); a sum instead of a mean gives a dx N
times too large, an error near 1."""

VALUE_TOLERANCE = 1e-9
"""rel_error allowed against the reference's loss and dx (rounding is ~1e-15)."""


def loss_and_dx(softmax_loss, x, y):
    """(loss, dx) of the student's softmax_loss, checked for form, finiteness and shapes."""
    from autograder.testing import check_array, check_scalar

    result = softmax_loss(x, y)
    assert isinstance(result, tuple) and len(result) == 2, "softmax_loss should return a tuple (loss, dx)"
    return check_scalar(result[0], "loss"), check_array(result[1], x.shape, "dx")


def large_scores_cause(loss, dx):
    """Why softmax_loss gave NaN or inf for large scores: exp overflowing, or log of an underflowed probability."""
    if np.all(np.isfinite(loss)) and np.all(np.isfinite(dx)):
        return "for scores as large as +-1000 the loss and dx should be finite"
    if np.all(~np.isnan(loss)) and np.all(np.isfinite(dx)) and np.allclose(np.sum(dx, axis=-1), 0.0):
        # dx (from the stable softmax) is right, the loss is not: log(probs) of an underflowed probability
        return (
            f"for scores as large as +-1000 your loss is {loss} while dx is finite: the log of a probability that "
            "underflowed to 0 is -inf. Compute the log-probabilities directly with log-sum-exp, "
            "log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True)), instead of np.log(probs)"
        )
    return (
        "for scores as large as +-1000 your loss or dx is NaN or inf: np.exp(1000) overflows to inf; "
        "subtract each row's maximum from the scores first (it does not change the softmax): each row's own maximum, "
        "np.max(x, axis=1, keepdims=True), not the maximum of the whole array, which leaves rows far below the "
        "others to underflow"
    )


@test_case(points=1, hidden=False)
def test_uniform_scores(softmax_loss, np):
    x, y = np.zeros((4, 10)), np.array([0, 3, 9, 3])
    result = softmax_loss(x, y)
    assert isinstance(result, tuple) and len(result) == 2, "softmax_loss should return a tuple (loss, dx)"
    loss, dx = result
    assert np.ndim(loss) == 0, "loss should be a single number"
    assert np.isclose(loss, np.log(10)), "with equal scores every class has probability 1/10: the loss is log(10)"
    assert np.shape(dx) == (4, 10), "dx should have the shape of x, (N, C)"
    assert np.allclose(dx.sum(axis=1), 0.0), "adding a constant to a row of scores does not change the loss: rows of dx sum to 0"
    assert np.isclose(dx[0, 0], (0.1 - 1) / 4), "dx = (softmax(x) - onehot(y)) / N"
    with np.errstate(all="ignore"):
        loss, dx = softmax_loss(np.array([[1000.0, 0.0, -1000.0]]), np.array([1]))
    assert np.isfinite(loss) and np.all(np.isfinite(dx)), (
        f"for scores [1000, 0, -1000] your loss is {loss}: " + (
            "the log of a probability that underflowed to 0 is -inf; compute the log-probabilities with log-sum-exp, "
            "shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True)), not np.log(probs)"
            if np.isinf(loss) and np.all(np.isfinite(dx)) and np.allclose(np.sum(dx, axis=-1), 0.0) else
            "np.exp(1000) overflows to inf; subtract each row's maximum from the scores first"
        )
    )
    assert np.isclose(loss, 1000.0) and np.allclose(dx, [[1.0, -1.0, 0.0]]), (
        "for scores [1000, 0, -1000] and label 1 the loss is 1000 and dx is [[1, -1, 0]]"
    )
    with np.errstate(all="ignore"):
        loss, dx = softmax_loss(np.array([[0.0, 0.0], [-2000.0, -2000.0]]), np.array([0, 1]))
    assert np.isclose(loss, np.log(2)) and np.all(np.isfinite(dx)), (
        f"for scores [[0, 0], [-2000, -2000]] (equal scores in each row) the loss is log(2), got {loss}: subtract each "
        "row's own maximum, np.max(x, axis=1, keepdims=True), not the maximum of the whole array, which leaves the "
        "second row to underflow to 0 / 0"
    )


@test_case(points=2, hidden=True)
def test_against_reference(softmax_loss, rng):
    """CS231n's check (N = 50, C = 10, scores of scale 1e-3: loss about log(10)), and scores of scale 3."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    for scale in (1e-3, 3.0):
        x, y = rng.normal(scale=scale, size=(50, 10)), rng.integers(10, size=50)
        loss, dx = loss_and_dx(softmax_loss, x.copy(), y)
        want_loss, want_dx = ref.softmax_loss(x, y)
        err = rel_error(loss, want_loss)
        assert err < VALUE_TOLERANCE, (
            f"the loss is wrong for scores of scale {scale:g} (relative error {err:.1e}): it should be the MEAN over the "
            "batch of -log(softmax(x[i])[y[i]])"
        )
        err = rel_error(dx, want_dx)
        assert err < VALUE_TOLERANCE, (
            f"dx is wrong for scores of scale {scale:g} (relative error {err:.1e}): it should be "
            "(softmax(x) - onehot(y)) / N, the gradient of the mean loss"
        )


@test_case(points=2, hidden=True)
def test_numerical_gradient_check(softmax_loss, rng):
    """dx against centered differences of your own loss."""
    from autograder.testing import check_scalar, eval_numerical_gradient, rel_error

    x, y = rng.normal(size=(8, 5)), rng.integers(5, size=8)
    _, dx = loss_and_dx(softmax_loss, x.copy(), y)

    def loss_at(value):
        result = softmax_loss(value, y)
        assert isinstance(result, tuple) and len(result) == 2, "softmax_loss should return a tuple (loss, dx)"
        return check_scalar(result[0], "loss")

    err = rel_error(dx, eval_numerical_gradient(loss_at, x.copy()))
    assert err < GRADCHECK_THRESHOLD, (
        f"gradient check failed: relative error {err:.1e} between your dx and centered differences of your loss "
        f"(threshold {GRADCHECK_THRESHOLD:.0e})"
    )


@test_case(points=1, hidden=True)
def test_large_scores(softmax_loss, rng):
    """Scores up to +-1000, where exp overflows: the loss and dx must stay finite and correct."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    x, y = rng.uniform(-1000, 1000, size=(6, 4)), rng.integers(4, size=6)
    # Two rows of ordinary scores far below the others: shifting by the maximum of the whole array
    # instead of each row's own underflows them to exp(-2000) = 0 and log(0).
    x[1:3] = rng.normal(size=(2, 4)) - np.array([[2000.0], [3000.0]])
    with np.errstate(all="ignore"):
        result = softmax_loss(x.copy(), y)
    assert isinstance(result, tuple) and len(result) == 2, "softmax_loss should return a tuple (loss, dx)"
    numbers = [np.asarray(v, dtype=np.float64) for v in result if isinstance(v, (np.ndarray, np.generic, float, int))]
    assert len(numbers) == 2 and all(np.all(np.isfinite(v)) for v in numbers), (
        large_scores_cause(*numbers) if len(numbers) == 2 else "softmax_loss should return a tuple (loss, dx) of numbers"
    )
    loss, dx = loss_and_dx(softmax_loss, x.copy(), y)
    want_loss, want_dx = ref.softmax_loss(x, y)
    err = max(rel_error(loss, want_loss), rel_error(dx, want_dx))
    assert err < VALUE_TOLERANCE, f"for scores as large as +-1000 the loss or dx is wrong (relative error {err:.1e})"
