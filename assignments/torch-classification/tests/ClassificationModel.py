import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "ClassificationModel"

LAYERS = ("layer_1", "layer_2", "layer_3")


def expected_shapes(in_features, out_features, hidden_units):
    """The state_dict's keys and shapes for ClassificationModel(in_features, out_features, hidden_units)."""
    sizes = [(hidden_units, in_features), (hidden_units, hidden_units), (out_features, hidden_units)]
    shapes = {}
    for layer, (rows, cols) in zip(LAYERS, sizes):
        shapes[f"{layer}.weight"], shapes[f"{layer}.bias"] = (rows, cols), (rows,)
    return shapes


def random_state(rng, in_features, out_features, hidden_units):
    """A state_dict of float32 normal(0, 1) values: large enough for many ReLUs to be off and on."""
    return {
        k: torch.from_numpy(rng.normal(size=s).astype("float32"))
        for k, s in expected_shapes(in_features, out_features, hidden_units).items()
    }


@test_case(points=1, hidden=False)
def test_layers_and_logits_shape(ClassificationModel, torch):
    model = ClassificationModel(in_features=2, out_features=3, hidden_units=8)
    state = model.state_dict()
    assert sorted(state) == [
        "layer_1.bias", "layer_1.weight", "layer_2.bias", "layer_2.weight", "layer_3.bias", "layer_3.weight",
    ], "the state_dict should hold layer_1, layer_2 and layer_3's weight and bias"
    assert tuple(state["layer_1.weight"].shape) == (8, 2), "layer_1 should be nn.Linear(in_features, hidden_units)"
    assert tuple(model(torch.zeros(5, 2)).shape) == (5, 3), "forward of an (N, 2) input should give (N, out_features) logits"


@test_case(points=1, hidden=False)
def test_forward_is_not_linear(ClassificationModel, torch):
    """A stack of linear layers without activations is one linear map f, with f(x) + f(-x) = 2 f(0)."""
    torch.manual_seed(0)
    model = ClassificationModel(in_features=2, out_features=3, hidden_units=8)
    x = torch.randn(6, 2)
    twice_at_zero = 2 * model(torch.zeros(1, 2)).detach()
    assert not torch.allclose(model(x).detach() + model(-x).detach(), twice_at_zero.expand(6, 3), atol=1e-6), (
        "forward is a linear map (model(x) + model(-x) == 2 * model(0)): put a ReLU between the layers "
        "(self.relu = nn.ReLU()), or the three layers collapse into one"
    )


@test_case(points=1, hidden=True)
def test_state_dict_names_and_shapes(ClassificationModel, rng):
    in_features, out_features, hidden_units = (int(v) for v in rng.integers(2, 9, size=3))
    for args, what in (
        ((), "ClassificationModel()"),
        ((in_features, out_features, hidden_units), f"ClassificationModel({in_features}, {out_features}, {hidden_units})"),
    ):
        state = ClassificationModel(*args).state_dict()
        want = expected_shapes(*(args or (2, 1, 10)))
        assert isinstance(state, dict) and sorted(state) == sorted(want), (
            f"{what}.state_dict() should hold exactly {sorted(want)}: three nn.Linear attributes named layer_1, "
            f"layer_2 and layer_3 (and a parameter-free nn.ReLU), got {sorted(state) if isinstance(state, dict) else state}"
        )
        for key, shape in want.items():
            got = tuple(state[key].shape)
            assert got == shape, (
                f"{what}: {key} has shape {got}, expected {shape} (defaults in_features=2, out_features=1, "
                "hidden_units=10; layer_1: in_features -> hidden_units, layer_2: hidden_units -> hidden_units, "
                "layer_3: hidden_units -> out_features)"
            )
            assert state[key].dtype == torch.float32, f"{what}: {key} should be float32, got {state[key].dtype}"


@test_case(points=2, hidden=True)
def test_forward_values(ClassificationModel, rng):
    from assignment import solution as ref

    in_features, out_features, hidden_units = 2, int(rng.integers(1, 5)), int(rng.integers(4, 12))
    state = random_state(rng, in_features, out_features, hidden_units)
    model = ClassificationModel(in_features, out_features, hidden_units)
    model.load_state_dict(state)
    X = torch.from_numpy(rng.normal(size=(40, in_features)).astype("float32"))
    logits = model(X)
    want_shape = (40, out_features)
    assert isinstance(logits, torch.Tensor) and tuple(logits.shape) == want_shape, (
        f"model(X) for X of shape (40, 2) should be logits of shape {want_shape}, got "
        f"{tuple(logits.shape) if isinstance(logits, torch.Tensor) else type(logits).__name__}"
    )
    reference = ref.ClassificationModel(in_features, out_features, hidden_units)
    reference.load_state_dict(state)
    with torch.no_grad():
        want = reference(X)
    assert torch.allclose(logits, want, rtol=1e-5, atol=1e-5), (
        "forward(x) differs from layer_3(relu(layer_2(relu(layer_1(x))))): apply the ReLU after layer_1 and after "
        "layer_2 (not after layer_3: the model returns logits)"
    )
