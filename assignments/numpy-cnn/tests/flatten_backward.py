import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "flatten_backward"

TRAIN_STEPS = 25
"""SGD steps of the tiny network (6 calls into student code each). With the reference layers, on 50
seeds: 100% training accuracy on every seed after 15 steps already; after 25 steps the final loss
is at most 0.15 of the initial one (the test asks for 100% and less than half)."""

LEARNING_RATE = 0.1


def train_tiny_convnet(conv_forward_naive, conv_backward_naive, max_pool_forward_naive, max_pool_backward_naive,
                       flatten_forward, flatten_backward, rng):
    """Train conv(4 filters 3x3, pad 1) -> max pool 2x2 -> flatten -> affine -> softmax on 10 images.

    The first three layers are the given functions; the affine layer and the softmax loss are NumPy
    here. Returns (training accuracy after TRAIN_STEPS SGD steps, list of the losses).
    """
    from autograder.testing import check_array

    N, C, H, W, F, K = 10, 1, 8, 8, 4, 2
    x = rng.normal(size=(N, C, H, W))
    y = rng.permutation(np.arange(N) % K)
    w1, b1 = 0.3 * rng.normal(size=(F, C, 3, 3)), np.zeros(F)
    w2, b2 = 0.1 * rng.normal(size=(F * (H // 2) * (W // 2), K)), np.zeros(K)
    conv_param = {"stride": 1, "pad": 1}
    pool_param = {"pool_height": 2, "pool_width": 2, "stride": 2}

    def pair(result, what):
        assert isinstance(result, tuple) and len(result) == 2, f"{what} should return a tuple (out, cache)"
        return result

    def forward():
        a1, conv_cache = pair(conv_forward_naive(x, w1, b1, conv_param), "conv_forward_naive")
        a1 = check_array(a1, (N, F, H, W), "out of conv_forward_naive in the tiny network")
        a2, pool_cache = pair(max_pool_forward_naive(a1, pool_param), "max_pool_forward_naive")
        a2 = check_array(a2, (N, F, H // 2, W // 2), "out of max_pool_forward_naive in the tiny network")
        a3, flat_cache = pair(flatten_forward(a2), "flatten_forward")
        a3 = check_array(a3, (N, w2.shape[0]), "out of flatten_forward in the tiny network")
        scores = a3 @ w2 + b2
        return a3, scores, (conv_cache, pool_cache, flat_cache)

    losses = []
    for _ in range(TRAIN_STEPS):
        a3, scores, (conv_cache, pool_cache, flat_cache) = forward()
        shifted = scores - scores.max(axis=1, keepdims=True)
        probs = np.exp(shifted) / np.exp(shifted).sum(axis=1, keepdims=True)
        losses.append(float(-np.mean(np.log(probs[np.arange(N), y]))))
        dscores = probs
        dscores[np.arange(N), y] -= 1
        dscores /= N
        dw2, db2 = a3.T @ dscores, dscores.sum(axis=0)
        da3 = dscores @ w2.T
        da2 = check_array(flatten_backward(da3, flat_cache), (N, F, H // 2, W // 2), "dx of flatten_backward in the tiny network")
        da1 = check_array(max_pool_backward_naive(da2, pool_cache), (N, F, H, W), "dx of max_pool_backward_naive in the tiny network")
        grads = conv_backward_naive(da1, conv_cache)
        assert isinstance(grads, tuple) and len(grads) == 3, "conv_backward_naive should return a tuple (dx, dw, db)"
        dw1 = check_array(grads[1], w1.shape, "dw of conv_backward_naive in the tiny network")
        db1 = check_array(grads[2], b1.shape, "db of conv_backward_naive in the tiny network")
        w1, b1 = w1 - LEARNING_RATE * dw1, b1 - LEARNING_RATE * db1
        w2, b2 = w2 - LEARNING_RATE * dw2, b2 - LEARNING_RATE * db2
    _, scores, _ = forward()
    return float(np.mean(np.argmax(scores, axis=1) == y)), losses


@test_case(points=1, hidden=False)
def test_round_trip(flatten_forward, flatten_backward, np):
    x = np.arange(60, dtype=np.float64).reshape(3, 4, 5, 1)
    out, cache = flatten_forward(x)
    dx = flatten_backward(out * 2.0, cache)
    assert isinstance(dx, np.ndarray) and dx.shape == x.shape, "dx should have the shape of the x given to flatten_forward"
    assert np.array_equal(dx, 2.0 * x), "flatten_backward undoes the reshape of flatten_forward: dx[n] is row n of dout, reshaped"


@test_case(points=1, hidden=True)
def test_against_torch_autograd(flatten_forward, flatten_backward, rng):
    import torch
    from autograder.testing import check_array

    for shape in ((3, 2, 4, 5), (2, 4, 1, 3)):
        x = rng.normal(size=shape)
        xt = torch.tensor(x, requires_grad=True)
        outt = torch.flatten(xt, start_dim=1)
        dout = rng.normal(size=tuple(outt.shape))
        (outt * torch.from_numpy(dout)).sum().backward()
        result = flatten_forward(x.copy())
        assert isinstance(result, tuple) and len(result) == 2, "flatten_forward should return a tuple (out, cache)"
        dx = check_array(flatten_backward(dout, result[1]), shape, f"dx of flatten_backward for x of shape {shape}")
        assert np.array_equal(dx, xt.grad.numpy()), (
            f"dx of flatten_backward for x of shape {shape} is not dout reshaped back to the shape of x in the order "
            "flatten_forward used: keep x's shape in the cache and reshape dout to it"
        )


@test_case(points=2, hidden=True)
def test_tiny_convnet_overfits(conv_forward_naive, conv_backward_naive, max_pool_forward_naive, max_pool_backward_naive,
                               flatten_forward, flatten_backward, rng):
    acc, losses = train_tiny_convnet(
        conv_forward_naive, conv_backward_naive, max_pool_forward_naive, max_pool_backward_naive,
        flatten_forward, flatten_backward, rng,
    )
    assert acc == 1.0 and losses[-1] < 0.5 * losses[0], (
        f"a tiny network conv (3x3, pad 1) -> max pool 2x2 -> flatten -> affine -> softmax built from your four layers "
        f"reached {acc:.0%} training accuracy on 10 random 1x8x8 images with random labels after {TRAIN_STEPS} SGD steps "
        f"(loss {losses[0]:.3f} at the start, {losses[-1]:.3f} at the end); correct layers fit them all: check that "
        "your layers pass the tests above and that each backward pass uses the cache of its own forward pass"
    )
