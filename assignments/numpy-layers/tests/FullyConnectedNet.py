import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "FullyConnectedNet"

GRADCHECK_THRESHOLD = 1e-3
"""rel_error allowed between the student's grads and centered differences (h = 1e-5) of the
network's loss at the parameters the student's net holds (N = 3, D = 15, hidden [20, 30], C = 10,
weight_scale 0.2, reg 0 and 3.14). rel_error is elementwise, and rounding in the loss (~1e-11 after
dividing by 2h) dominates for gradient entries near 1e-8: for the reference, the median over seeds
0-99 is 7.6e-7, the worst 1.2e-4 (one seed in 100 above 1e-4), and 7.1e-7 on this test's own data
(tests/test_reference_fc_layers.py asserts 100x under the threshold on this test's data and 20x on
seeds 0-9). A missing regularization gradient or a wrong backward pass gives errors near 1.
(CS231n's weight_scale 5e-2 makes hidden units so small that a step of h crosses a ReLU kink for
about 1 problem in 100, with errors up to 0.2.)"""

VALUE_TOLERANCE = 1e-9
"""rel_error allowed between the student's scores or loss and the reference network's at the same
parameters (rounding is ~1e-14)."""

GRAD_TOLERANCE = 1e-7
"""rel_error allowed between the student's grads and the reference network's at the same
parameters: elementwise relative error of two correct computations of gradient entries close to 0
(tests/test_reference_fc_layers.py asserts the reference within 1e-10 of torch autograd)."""

REG = 3.14
"""The regularization strength CS231n's gradient check uses."""


def param_shapes(input_dim, hidden_dims, num_classes):
    """{"W1": (input_dim, h1), "b1": (h1,), ...} for a network of these sizes."""
    dims = [input_dim, *hidden_dims, num_classes]
    shapes = {}
    for i in range(1, len(dims)):
        shapes[f"W{i}"], shapes[f"b{i}"] = (dims[i - 1], dims[i]), (dims[i],)
    return shapes


def read_params(net, shapes):
    """The student's net.params, checked for keys and shapes, as float64 arrays."""
    from autograder.testing import check_array

    params = net.params
    assert isinstance(params, dict), "net.params should be a dict of arrays"
    missing = [k for k in shapes if k not in params]
    assert not missing, (
        f"net.params has no {', '.join(repr(k) for k in missing)}: store W1, b1 for the first layer, "
        "W2, b2 for the second, and so on"
    )
    return {k: check_array(params[k], shape, f'net.params["{k}"]') for k, shape in shapes.items()}


def read_loss_and_grads(net, X, y, shapes):
    """(loss, grads) of the student's net.loss(X, y), checked for form, keys and shapes."""
    from autograder.testing import check_array, check_scalar

    result = net.loss(X, y)
    assert isinstance(result, tuple) and len(result) == 2, "net.loss(X, y) should return a tuple (loss, grads)"
    loss, grads = result
    assert isinstance(grads, dict) and all(k in grads for k in shapes), (
        "grads should be a dict with the keys of net.params (W1, b1, W2, b2, ...)"
    )
    return check_scalar(loss, "the loss"), {k: check_array(grads[k], s, f'grads["{k}"]') for k, s in shapes.items()}


def reference_at(params, hidden_dims, input_dim, num_classes, reg):
    """The reference network holding the given parameters."""
    from assignment import solution as ref

    net = ref.FullyConnectedNet(list(hidden_dims), input_dim=input_dim, num_classes=num_classes, reg=reg)
    net.params = {k: v.copy() for k, v in params.items()}
    return net


def problem(rng, N, input_shape, num_classes):
    """Inputs X of shape (N, *input_shape) and labels y in [0, num_classes)."""
    return rng.normal(size=(N, *input_shape)), rng.integers(num_classes, size=N)


def kink_free_problem(rng, params, num_hidden, N, input_dim, num_classes):
    """problem(rng, N, (input_dim,), num_classes), drawn again until no hidden unit's input is exactly
    0 at ``params``: where a whole layer's ReLUs are off, the next affine output is its bias, 0 at
    initialisation, and the derivative at the kink (x > 0 or x >= 0) is relu_backward's test to
    charge, not the network's."""
    for _ in range(100):
        X, y = problem(rng, N, (input_dim,), num_classes)
        h, kink = X, False
        for i in range(1, num_hidden + 1):
            a = h @ params[f"W{i}"] + params[f"b{i}"]
            kink, h = kink or bool(np.any(a == 0)), np.maximum(a, 0)
        if not kink:
            return X, y
    raise AssertionError("every input drawn puts a hidden unit exactly at the ReLU kink: check the initial parameters")


@test_case(points=1, hidden=False)
def test_shapes_and_initial_loss(FullyConnectedNet, np):
    net = FullyConnectedNet([5, 4], input_dim=6, num_classes=3, weight_scale=1e-3, seed=0)
    shapes = {"W1": (6, 5), "b1": (5,), "W2": (5, 4), "b2": (4,), "W3": (4, 3), "b3": (3,)}
    params = net.params
    assert isinstance(params, dict) and all(k in params for k in shapes), "net.params should hold W1, b1, W2, b2, W3, b3"
    for key, shape in shapes.items():
        assert np.shape(params[key]) == shape, f"{key} should have shape {shape}"
    assert not np.any(params["b1"]), "the biases start at zero"
    rng = np.random.default_rng(1)
    X, y = rng.normal(size=(7, 6)), rng.integers(3, size=7)
    assert np.shape(net.loss(X)) == (7, 3), "net.loss(X) should return the scores, of shape (N, C)"
    result = net.loss(X, y)
    assert isinstance(result, tuple) and len(result) == 2, "net.loss(X, y) should return a tuple (loss, grads)"
    loss, grads = result
    assert abs(loss - np.log(3)) < 1e-3, "with tiny weights every class is about equally likely: the loss should be about log(C)"
    assert isinstance(grads, dict) and all(np.shape(grads.get(k)) == s for k, s in shapes.items()), (
        "grads should have the keys of net.params, each gradient of the shape of its parameter"
    )
    # The same weights with and without L2 regularization: the loss grows by 0.5 * reg * sum(W ** 2), each
    # weight's gradient by reg * W, and the biases' gradients do not change.
    plain = FullyConnectedNet([5], input_dim=6, num_classes=3, weight_scale=0.5, reg=0.0, seed=0)
    regularized = FullyConnectedNet([5], input_dim=6, num_classes=3, weight_scale=0.5, reg=0.2, seed=0)
    (loss0, grads0), (loss1, grads1) = plain.loss(X, y), regularized.loss(X, y)
    W1, W2 = regularized.params["W1"], regularized.params["W2"]
    penalty = 0.5 * 0.2 * (np.sum(W1 ** 2) + np.sum(W2 ** 2))
    assert np.isclose(loss1 - loss0, penalty), (
        f"with reg = 0.2 the loss should grow by 0.5 * reg * sum(W ** 2) = {penalty:.4f}, it grew by {loss1 - loss0:.4f}: "
        "add 0.5 * reg * sum(W ** 2) for every weight matrix (the 0.5 is the convention)"
    )
    assert np.allclose(grads1["W1"] - grads0["W1"], 0.2 * W1) and np.allclose(grads1["W2"] - grads0["W2"], 0.2 * W2), (
        "with reg = 0.2 the loss adds reg * W to the gradient of each weight matrix (the derivative of 0.5 * reg * W ** 2)"
    )


@test_case(points=2, hidden=True)
def test_initialization(FullyConnectedNet, rng):
    """Weights weight_scale * rng.standard_normal((fan_in, fan_out)) from rng = np.random.default_rng(seed), biases zero."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    hidden_dims, seed = [7, 5], int(rng.integers(2**31))
    shapes = param_shapes(9, hidden_dims, 4)
    params = read_params(FullyConnectedNet(hidden_dims, input_dim=9, num_classes=4, weight_scale=0.3, seed=seed), shapes)
    want = ref.FullyConnectedNet(hidden_dims, input_dim=9, num_classes=4, weight_scale=0.3, seed=seed).params
    for key in shapes:
        if key.startswith("b"):
            assert not np.any(params[key]), f"{key} should start at zero"
        err = rel_error(params[key], want[key])
        assert err < 1e-12, (
            f"{key} is not the expected initial value: with rng = np.random.default_rng(seed), draw each W{{i}} in turn, "
            "W1 first, as weight_scale * rng.standard_normal((fan_in, fan_out)); use the seed argument"
        )
    W1 = FullyConnectedNet([3], input_dim=4, num_classes=2, dtype="float32", seed=0).params["W1"]
    assert isinstance(W1, np.ndarray) and W1.dtype == np.float32, 'with dtype="float32" the parameters should be float32'


@test_case(points=2, hidden=True)
def test_scores_at_your_parameters(FullyConnectedNet, rng):
    """net.loss(X) for inputs of shape (N, 3, 2, 2), against the reference network holding your net's parameters."""
    from autograder.testing import check_array, rel_error

    hidden_dims = [10, 8]
    net = FullyConnectedNet(hidden_dims, input_dim=12, num_classes=5, weight_scale=0.5, seed=int(rng.integers(2**31)))
    params = read_params(net, param_shapes(12, hidden_dims, 5))
    X, _ = problem(rng, 6, (3, 2, 2), 5)
    scores = check_array(net.loss(X.copy()), (6, 5), "the scores net.loss(X) returns")
    err = rel_error(scores, reference_at(params, hidden_dims, 12, 5, 0.0).loss(X))
    assert err < VALUE_TOLERANCE, (
        f"net.loss(X) returns wrong scores (relative error {err:.1e}): affine then ReLU for each hidden layer, then a "
        "last affine layer with no ReLU and no softmax after it; flatten inputs of shape (N, d_1, ..., d_k)"
    )


@test_case(points=2, hidden=True)
def test_loss_at_your_parameters(FullyConnectedNet, rng):
    """The loss without and with regularization, against the reference network holding your net's parameters."""
    from autograder.testing import rel_error

    hidden_dims, seed = [10, 8], int(rng.integers(2**31))
    shapes = param_shapes(12, hidden_dims, 5)
    X, y = problem(rng, 6, (12,), 5)
    for reg in (0.0, REG):
        net = FullyConnectedNet(hidden_dims, input_dim=12, num_classes=5, weight_scale=0.5, reg=reg, seed=seed)
        params = read_params(net, shapes)
        loss, _ = read_loss_and_grads(net, X.copy(), y, shapes)
        err = rel_error(loss, reference_at(params, hidden_dims, 12, 5, reg).loss(X, y)[0])
        hint = (
            "it should be the softmax loss (the mean cross-entropy) of the scores"
            if reg == 0 else
            "add 0.5 * reg * sum(W ** 2) for every weight matrix W1, W2, ... (not the biases) to the softmax loss"
        )
        assert err < VALUE_TOLERANCE, f"with reg = {reg:g}, the loss is wrong (relative error {err:.1e}): {hint}"


@test_case(points=3, hidden=True)
def test_numerical_gradient_check(FullyConnectedNet, rng):
    """CS231n's check: your grads against centered differences of the loss at your net's parameters, reg 0 and 3.14
    (the loss of the network as specified, computed by the grader with your net's parameters)."""
    from autograder.testing import eval_numerical_gradient, rel_error

    hidden_dims, seed = [20, 30], int(rng.integers(2**31))
    shapes = param_shapes(15, hidden_dims, 10)
    X, y = problem(rng, 3, (15,), 10)
    for reg in (0.0, REG):
        net = FullyConnectedNet(hidden_dims, input_dim=15, num_classes=10, weight_scale=0.2, reg=reg, seed=seed)
        params = read_params(net, shapes)
        _, grads = read_loss_and_grads(net, X.copy(), y, shapes)
        oracle = reference_at(params, hidden_dims, 15, 10, reg)
        for key in shapes:
            numeric = eval_numerical_gradient(lambda _: oracle.loss(X, y)[0], oracle.params[key])
            err = rel_error(grads[key], numeric)
            hint = (
                "check the backward pass through the layers"
                if reg == 0 else
                "the penalty 0.5 * reg * sum(W ** 2) adds reg * W to the gradient of each weight matrix, and nothing to the biases"
            )
            assert err < GRADCHECK_THRESHOLD, (
                f"gradient check failed for grads['{key}'] with reg = {reg:g}: relative error {err:.1e} between your "
                f"gradient and centered differences of the loss (threshold {GRADCHECK_THRESHOLD:.0e}); {hint}"
            )


@test_case(points=2, hidden=True)
def test_any_depth(FullyConnectedNet, rng):
    """No hidden layer (softmax regression) and three hidden layers: loss and grads at your net's parameters,
    without and with regularization."""
    from autograder.testing import rel_error

    for hidden_dims in ([], [6, 5, 4]):
        shapes = param_shapes(8, hidden_dims, 4)
        seed = int(rng.integers(2**31))
        depth = f"with hidden_dims = {hidden_dims} ({len(hidden_dims) + 1} layers)"
        X = y = None
        for reg in (0.0, 0.7):
            net = FullyConnectedNet(hidden_dims, input_dim=8, num_classes=4, weight_scale=0.5, reg=reg, seed=seed)
            params = read_params(net, shapes)
            if X is None:
                X, y = kink_free_problem(rng, params, len(hidden_dims), 5, 8, 4)
            loss, grads = read_loss_and_grads(net, X.copy(), y, shapes)
            want_loss, want_grads = reference_at(params, hidden_dims, 8, 4, reg).loss(X, y)
            hint = (
                "the net must work for any depth: L - 1 affine - relu layers, then one affine layer (this test runs "
                "your affine_forward/backward, relu_forward/backward and softmax_loss: if one of them fails its own "
                "tests, fix it first)"
                if reg == 0 else
                "the loss and grads are right without regularization: add 0.5 * reg * sum(W ** 2) to the loss and "
                "reg * W to the gradient of every weight matrix, for all the layers"
            )
            err = rel_error(loss, want_loss)
            assert err < VALUE_TOLERANCE, f"{depth} and reg = {reg:g}, the loss is wrong (relative error {err:.1e}): {hint}"
            for key in shapes:
                err = rel_error(grads[key], want_grads[key])
                assert err < GRAD_TOLERANCE, (
                    f"{depth} and reg = {reg:g}, grads['{key}'] is wrong (relative error {err:.1e}): {hint}"
                )
