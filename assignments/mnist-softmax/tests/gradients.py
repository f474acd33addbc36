import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "gradients"

GRADCHECK_THRESHOLD = 1e-6
"""rel_error allowed between the analytic and the centered-difference gradient (h = 1e-5)."""


@test_case(points=1, hidden=False)
def test_shapes(gradients, np):
    rng = np.random.default_rng(0)
    images, labels = rng.uniform(size=(6, 784)), np.eye(10)[rng.integers(0, 10, size=6)]
    grads = gradients(images, labels, np.zeros((784, 10)), np.zeros(10))
    assert isinstance(grads, tuple) and len(grads) == 2, "gradients should return a tuple (gradW, gradb)"
    assert np.shape(grads[0]) == (784, 10), "gradW should have the shape of W, (784, 10)"
    assert np.shape(grads[1]) == (10,), "gradb should have the shape of b, (10,)"


@test_case(points=1, hidden=False)
def test_worked_example_at_zero(gradients, np):
    """W = 0, b = 0: every probability is 1/10, so dlogits = (1/10 - labels) / N with N = 2."""
    images = np.zeros((2, 784))
    images[0, 0] = images[1, 1] = 1.0
    labels = np.eye(10)[[0, 1]]
    gradW, gradb = gradients(images, labels, np.zeros((784, 10)), np.zeros(10))
    want_b = np.array([-0.4, -0.4] + [0.1] * 8)
    assert np.allclose(gradb, want_b), (
        f"gradb should be {want_b} here, got {np.round(gradb, 3)}: the loss is the MEAN over the batch, "
        "so the gradients are divided by N (and only once)"
    )
    assert np.allclose(np.asarray(gradW)[0], [-0.45] + [0.05] * 9) and np.allclose(np.asarray(gradW)[1], [0.05, -0.45] + [0.05] * 8), (
        "gradW should be images.T @ dlogits with dlogits = (probs - labels) / N: row 0 is "
        "[-0.45, 0.05, ...] here"
    )


@test_case(points=2, hidden=True)
def test_against_reference(gradients, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    images, labels = rng.uniform(size=(30, 784)), np.eye(10)[rng.integers(0, 10, size=30)]
    W, b = rng.normal(scale=0.05, size=(784, 10)), rng.normal(scale=0.5, size=10)
    grads = gradients(images, labels, W, b)
    assert isinstance(grads, tuple) and len(grads) == 2, "gradients should return a tuple (gradW, gradb)"
    ref_W, ref_b = ref.gradients(images, labels, W, b)
    for what, got, want in (("gradW", grads[0], ref_W), ("gradb", grads[1], ref_b)):
        err = rel_error(check_array(got, want.shape, what), want)
        assert err < 1e-7, f"{what} differs from the reference gradient: relative error {err:.1e} (threshold 1e-7){batch_scale_hint(got, want, len(images))}"


def batch_scale_hint(got, want, n):
    """Why a gradient differs when it is the right one times N or divided by N again, else ""."""
    scale = float(np.sum(got * want) / np.sum(want * want))
    if np.isclose(scale, n, rtol=1e-3):
        return f": it is {n} times too large (N = {n}): the loss is the mean over the batch, so divide by N"
    if np.isclose(scale, 1 / n, rtol=1e-3):
        return f": it is {n} times too small (N = {n}): divide by N only once (dlogits already is / N)"
    return ""


@test_case(points=2, hidden=True)
def test_numerical_gradient_check(gradients, rng):
    """Centered differences (CS231n gradient check) of the contract's loss: the reference forward +
    cross_entropy, not the student's. Differentiating the student's own loss would give points to
    a constant loss with zero gradients, and charge a forward or cross_entropy bug a second time."""
    from autograder.testing import check_array, eval_numerical_gradient_at, rel_error, sample_indices
    from assignment import solution as ref

    images, labels = rng.uniform(size=(8, 784)), np.eye(10)[rng.integers(0, 10, size=8)]
    W, b = rng.normal(scale=0.05, size=(784, 10)), rng.normal(scale=0.5, size=10)
    grads = gradients(images, labels, W.copy(), b.copy())
    assert isinstance(grads, tuple) and len(grads) == 2, "gradients should return a tuple (gradW, gradb)"
    gradW, gradb = check_array(grads[0], (784, 10), "gradW"), check_array(grads[1], (10,), "gradb")

    def loss_W(W_):
        return ref.cross_entropy(ref.forward(images, W_, b), labels)

    def loss_b(b_):
        return ref.cross_entropy(ref.forward(images, W, b_), labels)

    w_idx = sample_indices(W.shape, 15, rng)
    b_idx = sample_indices(b.shape, 10, rng)
    checks = (
        ("gradW", np.array([gradW[i] for i in w_idx]), eval_numerical_gradient_at(loss_W, W, w_idx)),
        ("gradb", np.array([gradb[i] for i in b_idx]), eval_numerical_gradient_at(loss_b, b, b_idx)),
    )
    for what, analytic, numeric in checks:
        err = rel_error(analytic, numeric)
        assert err < GRADCHECK_THRESHOLD, (
            f"gradient check failed for {what}: relative error {err:.1e} between your gradient and centered "
            f"differences of the mean cross-entropy of softmax(images @ W + b) (threshold {GRADCHECK_THRESHOLD:.0e})"
        )
