import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "clip_grad_norm"

KEYS = ("Wx", "Wh", "b", "W_out", "b_out")
SHAPES = {"Wx": (1, 6), "Wh": (6, 6), "b": (6,), "W_out": (6, 1), "b_out": (1,)}

CLIP_RTOL = 1e-6
"""rel_error allowed between the clipped gradients and the reference's. The contract allows an eps in
the denominator (PyTorch's clip_grad_norm_ computes max_norm / (norm + 1e-6)): on these gradients
(norm about 3.5) that is at most 9e-8 (200 seeds); clipping per gradient or by the wrong factor is
off by more than 1e-2."""


@test_case(points=1, hidden=False)
def test_small_example(clip_grad_norm, np):
    grads = {"a": np.array([3.0, 0.0]), "b": np.array([[0.0], [4.0]])}  # global norm 5
    clipped = clip_grad_norm(grads, 1.0)
    assert isinstance(clipped, dict) and set(clipped) == {"a", "b"}, "clip_grad_norm should return a dict with the keys of grads"
    assert np.allclose(clipped["a"], [0.6, 0.0]) and np.allclose(clipped["b"], [[0.0], [0.8]]), (
        "with a global norm of 5 and max_norm = 1, every gradient should be multiplied by 1 / 5"
    )
    same = clip_grad_norm(grads, 10.0)
    assert np.allclose(same["a"], grads["a"]) and np.allclose(same["b"], grads["b"]), (
        "gradients whose global norm is at most max_norm should be returned unchanged"
    )


def call_clip(clip_grad_norm, grads, max_norm):
    from autograder.testing import check_array

    clipped = clip_grad_norm(grads, max_norm)
    assert isinstance(clipped, dict) and all(k in clipped for k in grads), "clip_grad_norm should return a dict with the keys of grads"
    return {k: check_array(clipped[k], grads[k].shape, f'the clipped "{k}"') for k in grads}


@test_case(points=2, hidden=True)
def test_global_norm_clipping(clip_grad_norm, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    grads = {k: rng.normal(size=s) for k, s in SHAPES.items()}
    norm = float(np.sqrt(sum(np.sum(g ** 2) for g in grads.values())))
    # Between the largest gradient's own norm and the global norm: only clipping by the global norm scales them.
    max_norm = (max(float(np.sqrt(np.sum(g ** 2))) for g in grads.values()) + norm) / 2
    clipped = call_clip(clip_grad_norm, grads, max_norm)
    want = ref.clip_grad_norm(grads, max_norm)
    for key in KEYS:
        err = rel_error(clipped[key], want[key])
        assert err < CLIP_RTOL, (
            f'the clipped "{key}" differs from the expected values (relative error {err:.1e}): the norm is global, '
            "sqrt of the sum of squares of every entry of every gradient together, and when it exceeds max_norm every "
            "gradient is multiplied by max_norm / norm"
        )
    unchanged = call_clip(clip_grad_norm, grads, norm * 1.01)
    for key in KEYS:
        assert np.array_equal(unchanged[key], grads[key]), (
            "gradients whose global norm is at most max_norm should be returned unchanged"
        )
