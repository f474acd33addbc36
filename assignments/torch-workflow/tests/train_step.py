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
def test_two_steps_by_hand(train_step, make_loss_and_optimizer, LinearRegressionModel, torch):
    # From weights 0 and bias 0, every prediction is below y: the L1 loss's gradient is -mean(x) = -1.5 for
    # the weights and -1 for the bias, so each SGD step at lr 0.1 adds 0.15 and 0.1.
    model = LinearRegressionModel()
    model.load_state_dict({"weights": torch.tensor([0.0]), "bias": torch.tensor([0.0])})
    loss_fn, optimizer = make_loss_and_optimizer(model, 0.1)
    X, y = torch.tensor([[1.0], [2.0]]), torch.tensor([[3.0], [5.0]])
    loss = train_step(model, X, y, loss_fn, optimizer)
    assert isinstance(loss, float), "train_step should return the loss as a Python float (loss.item())"
    assert abs(loss - 4.0) < 1e-6, (
        "the loss before the first step is the mean of |0 - 3| and |0 - 5|, 4.0 (if make_loss_and_optimizer fails "
        "its own tests, fix it first)"
    )

    def parameters():
        return [round(model.state_dict()[k].item(), 5) for k in ("weights", "bias")]

    assert parameters() == [0.15, 0.1], (
        f"after one train_step from weights 0 and bias 0, weights and bias should be 0.15 and 0.1, got {parameters()}: "
        "compute the predictions and the loss, then optimizer.zero_grad(), loss.backward(), optimizer.step(), in that order "
        "(if LinearRegressionModel fails its own tests, fix it first)"
    )
    train_step(model, X, y, loss_fn, optimizer)
    assert parameters() == [0.3, 0.2], (
        f"after a second train_step, weights and bias should be 0.3 and 0.2, got {parameters()}: the second step also "
        "used the first step's gradient; call optimizer.zero_grad() before loss.backward()"
    )


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
