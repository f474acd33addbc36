import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "test_step"


def setup(rng, mnist, n_batches=3, batch_size=16, hidden_units=8):
    """A reference model's state_dict (torch's default init from a seed drawn from ``rng``) and
    ``n_batches`` MNIST training batches (X float32 (B, 1, 28, 28), y int64 (B,))."""
    from assignment import solution as ref

    torch.manual_seed(int(rng.integers(2**31)))
    state = ref.TinyVGG(input_shape=1, hidden_units=hidden_units, output_shape=10).state_dict()
    idx = rng.choice(len(mnist.train.labels), size=n_batches * batch_size, replace=False)
    X, y = ref.mnist_tensors(mnist.train)
    X, y = X[idx], y[idx]
    return state, [(X[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(idx), batch_size)]


def student_model(TinyVGG, make_loss_and_optimizer, state):
    """The student's TinyVGG holding ``state``, and the student's loss function (objects stay in the sandbox)."""
    model = TinyVGG(input_shape=1, hidden_units=8, output_shape=10)
    model.load_state_dict(state)
    made = make_loss_and_optimizer(model, lr=0.1)
    assert isinstance(made, tuple) and len(made) == 2, (
        "this test takes loss_fn from your make_loss_and_optimizer, which should return (loss_fn, optimizer)"
    )
    return model, made[0]


@test_case(points=1, hidden=False)
def test_returns_two_floats_and_eval_mode(test_step, TinyVGG, make_loss_and_optimizer, accuracy_fn, torch):
    model = TinyVGG(input_shape=1, hidden_units=4, output_shape=10)
    model.train()
    loss_fn, _ = make_loss_and_optimizer(model, lr=0.1)
    batches = [(torch.rand(8, 1, 28, 28), torch.randint(0, 10, (8,))) for _ in range(2)]
    out = test_step(model, batches, loss_fn, accuracy_fn, "cpu")
    assert isinstance(out, tuple) and len(out) == 2, "test_step should return (test_loss, test_acc)"
    assert all(isinstance(v, float) for v in out), "test_loss and test_acc should be Python floats (.item())"
    assert not model.training, "test_step should leave the model in evaluation mode (model.eval())"


@test_case(points=2, hidden=True)
def test_loss_and_accuracy_against_reference(test_step, TinyVGG, make_loss_and_optimizer, accuracy_fn, mnist, device, rng):
    """Runs on the grading machine's device: the GPU when there is one."""
    from assignment import solution as ref

    state, batches = setup(rng, mnist)
    model, loss_fn = student_model(TinyVGG, make_loss_and_optimizer, state)
    out = test_step(model, batches, loss_fn, accuracy_fn, device)
    assert isinstance(out, tuple) and len(out) == 2 and all(isinstance(v, float) for v in out), (
        "test_step should return (test_loss, test_acc), two Python floats"
    )
    ref_model = ref.TinyVGG(input_shape=1, hidden_units=8, output_shape=10)
    ref_model.load_state_dict(state)
    want_loss, want_acc = ref.test_step(ref_model, batches, torch.nn.CrossEntropyLoss(), ref.accuracy_fn, "cpu")
    assert abs(out[0] - want_loss) < 2e-3, (
        f"test_loss differs from the mean over the {len(batches)} batches of loss_fn(logits, y)"
        " (if TinyVGG or make_loss_and_optimizer fail their own tests, fix them first)"
    )
    assert abs(out[1] - want_acc) < 100 / 16 / len(batches) + 1e-6, (
        "test_acc differs from the mean over the batches of accuracy_fn(y_true=y, y_pred=logits.argmax(dim=1)) "
        "(if TinyVGG or accuracy_fn fail their own tests, fix them first)"
    )
    after = model.state_dict()
    assert all(torch.equal(after[k], v) for k, v in state.items()), "test_step must not change the model's parameters"


@test_case(points=2, hidden=True)
def test_leaves_the_model_in_eval_mode(test_step, TinyVGG, make_loss_and_optimizer, accuracy_fn, mnist, device, rng):
    state, batches = setup(rng, mnist, n_batches=2)
    model, loss_fn = student_model(TinyVGG, make_loss_and_optimizer, state)
    model.train()
    out = test_step(model, batches, loss_fn, accuracy_fn, device)
    assert isinstance(out, tuple) and len(out) == 2, "test_step should return (test_loss, test_acc)"
    assert model.training is False, (
        "after test_step the model is still in training mode: call model.eval() before evaluating (dropout and "
        "batch norm layers behave differently in training mode), and compute under torch.inference_mode()"
    )
