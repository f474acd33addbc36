import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "train_step"

LR = 0.1
"""Learning rate of the steps compared with the reference (large enough for visible steps)."""


def random_problem(rng):
    """Initial parameters (a state_dict) and a noisy line X (32, 1), y (32, 1), float32."""
    w, b = (float(v) for v in rng.uniform(-0.5, 0.5, size=2))
    X = torch.from_numpy(rng.uniform(0.0, 1.0, size=(32, 1)).astype("float32"))
    y = 0.7 * X - 0.2 + torch.from_numpy(rng.normal(scale=0.05, size=(32, 1)).astype("float32"))
    return {"weights": torch.tensor([w]), "bias": torch.tensor([b])}, X, y


def reference_steps(state, X, y, steps):
    """The losses and the state_dict after each of ``steps`` reference train_steps with SGD at LR."""
    from assignment import solution as ref

    model = ref.LinearRegressionModel()
    model.load_state_dict(state)
    loss_fn, optimizer = ref.make_loss_and_optimizer(model, LR)
    out = []
    for _ in range(steps):
        loss = ref.train_step(model, X, y, loss_fn, optimizer)
        out.append((loss, {k: v.clone() for k, v in model.state_dict().items()}))
    return out


def same_state(got, want):
    return isinstance(got, dict) and sorted(got) == sorted(want) and all(torch.allclose(got[k], want[k], rtol=1e-5, atol=1e-6) for k in want)


@test_case(points=1, hidden=False)
def test_returns_float_and_updates(train_step, make_loss_and_optimizer, LinearRegressionModel, torch):
    model = LinearRegressionModel()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    loss_fn, optimizer = make_loss_and_optimizer(model, 0.01)
    X = torch.arange(0.0, 1.0, 0.1).unsqueeze(1)
    loss = train_step(model, X, 0.3 * X + 0.9, loss_fn, optimizer)
    assert isinstance(loss, float), "train_step should return the loss as a Python float (loss.item())"
    after = model.state_dict()
    assert not torch.equal(after["weights"], before["weights"]), "one train_step should change the parameters"


@test_case(points=2, hidden=True)
def test_one_step_against_reference(train_step, make_loss_and_optimizer, LinearRegressionModel, rng):
    from assignment.grading import contract_state, load_contract_state
    from autograder.testing import check_scalar

    state, X, y = random_problem(rng)
    model = LinearRegressionModel()
    load_contract_state(model, state)
    loss_fn, optimizer = make_loss_and_optimizer(model, LR)
    loss = check_scalar(train_step(model, X, y, loss_fn, optimizer), "the loss train_step returns")
    (want_loss, want_state), = reference_steps(state, X, y, 1)
    assert abs(loss - want_loss) < 1e-5, "train_step should return the loss of the model's predictions before the step (loss.item())"
    assert same_state(contract_state(model), want_state), (
        "after one train_step the parameters differ from one SGD step on the L1 loss: compute the predictions and "
        "the loss, then optimizer.zero_grad(), loss.backward(), optimizer.step(), in that order"
    )


@test_case(points=2, hidden=True)
def test_second_step_uses_fresh_gradients(train_step, make_loss_and_optimizer, LinearRegressionModel, rng):
    from assignment.grading import contract_state, load_contract_state
    state, X, y = random_problem(rng)
    model = LinearRegressionModel()
    load_contract_state(model, state)
    loss_fn, optimizer = make_loss_and_optimizer(model, LR)
    want = reference_steps(state, X, y, 2)
    for step, (want_loss, want_state) in enumerate(want, start=1):
        loss = train_step(model, X, y, loss_fn, optimizer)
        assert isinstance(loss, float) and abs(loss - want_loss) < 1e-5 and same_state(contract_state(model), want_state), (
            f"train_step number {step} on the same model and optimizer went wrong"
            + (": the gradients of the first step were added to the second's; call optimizer.zero_grad() "
               "before loss.backward()" if step == 2 else "")
        )
