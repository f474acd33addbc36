import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "make_loss_and_optimizer"


@test_case(points=1, hidden=False)
def test_loss_value_and_learning_rate(make_loss_and_optimizer, TinyVGG, torch):
    model = TinyVGG(input_shape=1, hidden_units=4, output_shape=10)
    loss_fn, optimizer = make_loss_and_optimizer(model, lr=0.05)
    loss = loss_fn(torch.zeros(4, 10), torch.tensor([0, 1, 2, 3]))
    assert abs(loss.item() - 2.302585) < 1e-5, "loss_fn(zero logits, labels) should be ln(10) = 2.3026: nn.CrossEntropyLoss()"
    group = optimizer.param_groups[0]
    assert group["lr"] == 0.05 and group["momentum"] == 0, "the optimizer should be torch.optim.SGD with lr=lr, no momentum"


@test_case(points=1, hidden=True)
def test_loss_is_mean_cross_entropy_of_logits(make_loss_and_optimizer, TinyVGG, rng):
    model = TinyVGG(input_shape=1, hidden_units=4, output_shape=10)
    loss_fn, _ = make_loss_and_optimizer(model, lr=0.1)
    logits = torch.from_numpy(rng.normal(scale=3.0, size=(12, 10)).astype("float32"))
    labels = torch.from_numpy(rng.integers(0, 10, size=12))
    got = loss_fn(logits, labels)
    want = torch.nn.functional.cross_entropy(logits, labels)
    ok = isinstance(got, torch.Tensor) and got.numel() == 1 and abs(got.item() - want.item()) < 1e-5
    assert ok, "loss_fn(logits, labels) should be the mean cross-entropy of the logits: nn.CrossEntropyLoss()"


@test_case(points=1, hidden=True)
def test_optimizer_is_plain_sgd_over_the_model(make_loss_and_optimizer, TinyVGG, rng):
    model = TinyVGG(input_shape=1, hidden_units=4, output_shape=10)
    lr = float(rng.choice([0.01, 0.03, 0.2]))
    _, optimizer = make_loss_and_optimizer(model, lr=lr)
    groups = optimizer.param_groups
    assert isinstance(groups, list) and len(groups) == 1 and isinstance(groups[0], dict), (
        "the optimizer should have one parameter group: torch.optim.SGD(model.parameters(), lr=lr)"
    )
    group = groups[0]
    assert {"momentum", "dampening", "nesterov"} <= set(group), "the optimizer should be torch.optim.SGD"
    assert group.get("lr") == lr, f"make_loss_and_optimizer(model, lr={lr}) made an optimizer with lr={group.get('lr')}"
    assert group.get("momentum") == 0 and group.get("weight_decay") == 0, "plain SGD: no momentum, no weight decay"
    params = group.get("params")
    want = [tuple(v.shape) for v in model.state_dict().values()]
    got = [tuple(p.shape) for p in params] if isinstance(params, list) else None
    assert got == want, "the optimizer should update all of model.parameters(), in order"
