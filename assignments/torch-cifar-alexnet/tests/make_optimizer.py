from otter.test_files import test_case

OK_FORMAT = False
name = "make_optimizer"


def settings(optimizer):
    """The optimizer's one parameter group as data: ``optimizer.state_dict()`` lists the settings
    and the indices of the parameters it updates."""
    state = optimizer.state_dict()
    assert isinstance(state, dict) and isinstance(state.get("param_groups"), list), (
        "make_optimizer should return a torch.optim optimizer (torch.optim.SGD)"
    )
    groups = state["param_groups"]
    assert len(groups) == 1 and isinstance(groups[0], dict), (
        "the optimizer should have one parameter group: torch.optim.SGD(model.parameters(), ...)"
    )
    return groups[0]


@test_case(points=1, hidden=False)
def test_defaults(make_optimizer, AlexNetCIFAR):
    group = make_optimizer(AlexNetCIFAR()).state_dict()["param_groups"][0]
    assert (group["lr"], group["momentum"], group["weight_decay"]) == (0.01, 0.9, 5e-4), "lr 0.01, momentum 0.9, weight decay 5e-4"
    assert len(group["params"]) == 16, "the optimizer should update all 16 parameter tensors of the model"


@test_case(points=2, hidden=True)
def test_sgd_with_the_given_settings_over_all_parameters(make_optimizer, AlexNetCIFAR, rng):
    lr, momentum, weight_decay = float(rng.choice([0.02, 0.05])), float(rng.choice([0.5, 0.8])), float(rng.choice([1e-3, 1e-4]))
    group = settings(make_optimizer(AlexNetCIFAR(), lr=lr, momentum=momentum, weight_decay=weight_decay))
    assert "nesterov" in group and "dampening" in group, "the optimizer should be torch.optim.SGD"
    got = tuple(group.get(k) for k in ("lr", "momentum", "weight_decay"))
    assert got == (lr, momentum, weight_decay), (
        f"make_optimizer(model, lr={lr}, momentum={momentum}, weight_decay={weight_decay}) made an optimizer with lr, "
        f"momentum and weight_decay {got}: pass all three to torch.optim.SGD"
    )
    assert group.get("dampening") == 0 and group.get("nesterov") is False, "use SGD's default dampening (0) and no Nesterov momentum"
    params = group.get("params")
    assert isinstance(params, list) and len(params) == 16, (
        f"the optimizer updates {len(params) if isinstance(params, list) else 'no'} parameter tensors; the model has 16: "
        "pass model.parameters()"
    )
