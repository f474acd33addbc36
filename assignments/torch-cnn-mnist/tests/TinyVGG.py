import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "TinyVGG"

KEYS = [f"{block}.{i}.{p}" for block in ("block_1", "block_2") for i in (0, 2) for p in ("weight", "bias")] + [
    "classifier.1.weight", "classifier.1.bias",
]
"""The state_dict keys of the course's TinyVGG, in order."""

LAYERS = "Conv2d(3×3, padding=1) → ReLU → Conv2d(3×3, padding=1) → ReLU → MaxPool2d(kernel_size=2, stride=2)"


def reference_model(rng, input_shape, hidden_units, output_shape):
    """The reference TinyVGG with weights drawn from a torch seed taken from ``rng``."""
    from assignment import solution as ref

    torch.manual_seed(int(rng.integers(2**31)))
    return ref.TinyVGG(input_shape=input_shape, hidden_units=hidden_units, output_shape=output_shape)


def check_state_dict(state, want, what):
    """Assert that a student's state_dict has the reference's keys and shapes, naming the first difference."""
    assert isinstance(state, dict), f"{what}.state_dict() should be a dict of tensors, got {type(state).__name__}"
    missing = [k for k in want if k not in state]
    extra = [k for k in state if k not in want]
    assert not missing and not extra, (
        f"{what}.state_dict() has the keys {sorted(state)}; expected {list(want)}"
        + (f" (missing {missing}, unexpected {extra})" if state else "")
        + ": block_1 and block_2 are nn.Sequential(Conv2d, ReLU, Conv2d, ReLU, MaxPool2d), classifier is "
        "nn.Sequential(Flatten, Linear), with these attribute names and in this order"
    )
    for key, value in want.items():
        got = state[key]
        shape = tuple(got.shape) if isinstance(got, torch.Tensor) else None
        hint = ""
        if key == "classifier.1.weight":
            hint = (": with padding=1 each Conv2d keeps 28×28 and each MaxPool2d(2) halves it, 28 → 14 → 7, "
                    "so the Linear layer takes hidden_units * 7 * 7 features")
        elif key.endswith("weight"):
            hint = ": Conv2d(in_channels, out_channels=hidden_units, kernel_size=3) has weight (out, in, 3, 3)"
        assert shape == tuple(value.shape), f"{what}: {key} has shape {shape}, expected {tuple(value.shape)}{hint}"


@test_case(points=1, hidden=False)
def test_layers_and_forward_shape(TinyVGG, torch):
    model = TinyVGG(input_shape=1, hidden_units=10, output_shape=10)
    keys = [f"{b}.{i}.{p}" for b in ("block_1", "block_2") for i in (0, 2) for p in ("weight", "bias")]
    keys += ["classifier.1.weight", "classifier.1.bias"]
    state = model.state_dict()
    assert list(state) == keys, f"the state_dict keys should be {keys}"
    assert tuple(state["block_1.0.weight"].shape) == (10, 1, 3, 3), "block_1's first Conv2d: 1 -> 10 channels, 3×3"
    assert tuple(state["classifier.1.weight"].shape) == (10, 490), "the Linear layer maps 10 * 7 * 7 = 490 features to 10"
    logits = model(torch.zeros(2, 1, 28, 28))
    assert tuple(logits.shape) == (2, 10), "model(x) for x of shape (2, 1, 28, 28) should be logits of shape (2, 10)"


@test_case(points=1, hidden=False)
def test_blocks_are_conv_relu_conv_relu_maxpool(TinyVGG, torch):
    """Each block on a small input, against Conv2d -> ReLU -> Conv2d -> ReLU -> MaxPool2d computed here
    with torch.nn.functional from the block's own weights (keys block_k.0 and block_k.2)."""
    F = torch.nn.functional
    torch.manual_seed(0)
    model = TinyVGG(input_shape=1, hidden_units=3, output_shape=10)
    state = model.state_dict()
    x = torch.randn(2, 1, 28, 28)
    for block in ("block_1", "block_2"):
        w0, b0, w2, b2 = (state[f"{block}.{i}.{p}"] for i in (0, 2) for p in ("weight", "bias"))
        conv = F.conv2d(F.relu(F.conv2d(x, w0, b0, padding=1)), w2, b2, padding=1)
        got, want = getattr(model, block)(x), F.max_pool2d(F.relu(conv), kernel_size=2, stride=2)
        assert isinstance(got, torch.Tensor) and got.shape == want.shape, (
            f"{block} should map {tuple(x.shape)} to {tuple(want.shape)}: two 3×3 Conv2d with padding=1, then "
            "MaxPool2d(kernel_size=2, stride=2)"
        )
        assert not bool((got < 0).any()), (
            f"{block}'s output has negative values: a ReLU is missing after its second Conv2d (before the MaxPool2d)"
        )
        avg = F.avg_pool2d(F.relu(conv), kernel_size=2, stride=2)
        assert not torch.allclose(got, avg, atol=1e-5), (
            f"{block} averages each 2×2 window: pool with nn.MaxPool2d(kernel_size=2, stride=2), not AvgPool2d"
        )
        assert torch.allclose(got, want, atol=1e-5), (
            f"{block} computes something else than Conv2d(3×3, padding=1) → ReLU → Conv2d(3×3, padding=1) → ReLU → "
            "MaxPool2d(kernel_size=2, stride=2), in this order"
        )
        x = want


@test_case(points=2, hidden=True)
def test_state_dict_keys_and_shapes(TinyVGG, rng):
    for input_shape, hidden_units, output_shape in ((1, 10, 10), (3, int(rng.integers(4, 9)), int(rng.integers(2, 8)))):
        what = f"TinyVGG(input_shape={input_shape}, hidden_units={hidden_units}, output_shape={output_shape})"
        model = TinyVGG(input_shape=input_shape, hidden_units=hidden_units, output_shape=output_shape)
        want = reference_model(rng, input_shape, hidden_units, output_shape).state_dict()
        check_state_dict(model.state_dict(), want, what)


@test_case(points=1, hidden=True)
def test_forward_shape_is_n_by_classes(TinyVGG, rng):
    from autograder.grading.failures import CallError

    n, classes = int(rng.integers(3, 9)), int(rng.integers(3, 8))
    model = TinyVGG(input_shape=1, hidden_units=6, output_shape=classes)
    x = torch.from_numpy(rng.uniform(0, 1, size=(n, 1, 28, 28)).astype("float32"))
    try:
        logits = model(x)
    except CallError as exc:
        raise AssertionError(
            f"TinyVGG(input_shape=1, hidden_units=6, output_shape={classes}) raised {exc.type_name} on x of shape "
            f"{(n, 1, 28, 28)}: {exc.message[:300]}. With padding=1 each Conv2d keeps 28×28 and each MaxPool2d(2) "
            "halves it (28 → 14 → 7), so classifier's Linear takes hidden_units * 7 * 7 features"
        ) from None
    got = tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__
    assert got == (n, classes), f"model(x) for x of shape {(n, 1, 28, 28)} should be logits of shape {(n, classes)}, got {got}"


@test_case(points=3, hidden=True)
def test_forward_values_block_by_block(TinyVGG, rng):
    """The student's model with the reference's weights, block by block: same outputs."""
    ref_model = reference_model(rng, 1, 8, 10)
    model = TinyVGG(input_shape=1, hidden_units=8, output_shape=10)
    check_state_dict(model.state_dict(), ref_model.state_dict(), "TinyVGG(input_shape=1, hidden_units=8, output_shape=10)")
    model.load_state_dict(ref_model.state_dict())
    x = torch.from_numpy(rng.uniform(0, 1, size=(5, 1, 28, 28)).astype("float32"))
    with torch.no_grad():
        h1 = ref_model.block_1(x)
        h2 = ref_model.block_2(h1)
        logits = ref_model.classifier(h2)
    for block, inp, want, layers in (
        ("block_1", x, h1, LAYERS),
        ("block_2", h1, h2, LAYERS),
        ("classifier", h2, logits, "Flatten → Linear"),
    ):
        got = getattr(model, block)(inp)
        ok = isinstance(got, torch.Tensor) and got.shape == want.shape and torch.allclose(got, want, rtol=1e-4, atol=1e-5)
        shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        assert ok, f"{block} of your TinyVGG computes something else than {layers} with the same weights" + (
            f" (its output has shape {shape}, expected {tuple(want.shape)})" if shape != tuple(want.shape) else ""
        )
    got = model(x)
    assert isinstance(got, torch.Tensor) and got.shape == logits.shape and torch.allclose(got, logits, rtol=1e-4, atol=1e-5), (
        "each block is right but forward(x) is not classifier(block_2(block_1(x)))"
    )
