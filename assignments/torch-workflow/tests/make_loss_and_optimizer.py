import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "make_loss_and_optimizer"


@test_case(points=1, hidden=False)
def test_returns_loss_and_optimizer(make_loss_and_optimizer, LinearRegressionModel, torch):
    result = make_loss_and_optimizer(LinearRegressionModel(), 0.01)
    assert isinstance(result, tuple) and len(result) == 2, "make_loss_and_optimizer should return (loss_fn, optimizer)"
    loss_fn, optimizer = result
    loss = loss_fn(torch.tensor([[1.0], [2.0]]), torch.tensor([[2.0], [4.0]]))
    assert abs(float(loss) - 1.5) < 1e-6, "the mean absolute error of errors 1 and 2 is 1.5"
    assert optimizer.param_groups[0]["lr"] == 0.01, "the optimizer's learning rate should be lr"


@test_case(points=1, hidden=True)
def test_loss_is_mean_absolute_error(make_loss_and_optimizer, LinearRegressionModel, rng):
    result = make_loss_and_optimizer(LinearRegressionModel(), 0.05)
    assert isinstance(result, tuple) and len(result) == 2, "make_loss_and_optimizer should return a tuple (loss_fn, optimizer)"
    pred, target = (torch.from_numpy(rng.normal(size=(16, 1)).astype("float32")) for _ in range(2))
    loss = result[0](pred, target)
    assert isinstance(loss, torch.Tensor) and loss.numel() == 1, "loss_fn(predictions, targets) should return a one-element tensor"
    want = (pred - target).abs().mean().item()
    assert abs(loss.item() - want) < 1e-6 * max(1.0, want), "loss_fn should be nn.L1Loss(): the mean absolute error"


@test_case(points=2, hidden=True)
def test_optimizer_is_sgd_over_the_models_parameters(make_loss_and_optimizer, LinearRegressionModel, rng):
    from assignment.grading import contract_state
    lr = float(rng.choice([0.05, 0.1, 0.2]))
    model = LinearRegressionModel()
    result = make_loss_and_optimizer(model, lr)
    assert isinstance(result, tuple) and len(result) == 2, "make_loss_and_optimizer should return a tuple (loss_fn, optimizer)"
    groups = result[1].param_groups
    assert isinstance(groups, list) and len(groups) == 1 and isinstance(groups[0], dict), (
        "the optimizer should have one parameter group: torch.optim.SGD(model.parameters(), lr=lr)"
    )
    group = groups[0]
    assert group.get("lr") == lr, f"make_loss_and_optimizer(model, lr={lr}) made an optimizer whose learning rate is {group.get('lr')}"
    assert group.get("momentum") == 0 and "nesterov" in group, "the optimizer should be plain SGD: torch.optim.SGD without momentum"
    state = contract_state(model)
    params = group.get("params")
    assert (
        isinstance(params, list) and len(params) == 2 and torch.equal(params[0], state["weights"]) and torch.equal(params[1], state["bias"])
    ), "the optimizer should update this model's parameters: pass model.parameters()"
