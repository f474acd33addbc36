import numpy as np
import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "predict"


@test_case(points=1, hidden=False)
def test_shape(predict, AirlineLSTM, torch):
    forecasts = predict(AirlineLSTM(), torch.zeros(7, 3, 1))
    assert isinstance(forecasts, torch.Tensor) and tuple(forecasts.shape) == (7, 1), "forecasts for 7 windows are (7, 1)"


@test_case(points=1, hidden=False)
def test_leaves_the_model_in_evaluation_mode(predict, AirlineLSTM, torch):
    model = AirlineLSTM()
    model.train()  # left in training mode, as after train_model
    predict(model, torch.zeros(2, 3, 1))
    assert not model.training, (
        "predict left the model in training mode, where dropout and batch norm behave differently: call model.eval() "
        "before predicting"
    )


@test_case(points=2, hidden=True)
def test_forecasts_on_device(predict, AirlineLSTM, device, rng):
    """The model is moved to the grading machine's device (the GPU when there is one); X stays on the CPU."""
    from autograder.testing import check_tensor
    from assignment import solution as ref

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(rng.integers(2**31)))
        reference = ref.AirlineLSTM(4)
    model = AirlineLSTM(4)
    model.load_state_dict(reference.state_dict())
    model.to(device)
    X = torch.from_numpy(rng.uniform(0.0, 1.5, size=(13, 3, 1)).astype(np.float32))
    got = check_tensor(predict(model, X), (13, 1), "predict(model, X) for X of shape (13, 3, 1)")
    assert torch.allclose(got, ref.predict(reference, X).double(), rtol=1e-4, atol=1e-5), (
        "predict(model, X) should return the model's forecasts for X (moved to the device of the model's parameters), "
        "computed in eval mode under torch.inference_mode()"
    )


@test_case(points=1, hidden=True)
def test_predicts_in_evaluation_mode(predict, rng):
    """A grader-made network with batch norm (autograder.testing.BATCHNORM_NET: the 4 months of each
    window in, one forecast out), handed to predict in training mode: its forecasts must be those of the
    network in evaluation mode, computed here."""
    from autograder.testing import train_mode_twin

    model, local = train_mode_twin(predict, 4, 1, int(rng.integers(2**31)))
    X = torch.from_numpy(rng.uniform(size=(23, 4, 1)).astype("float32"))
    forecasts = predict(model, X)
    with torch.no_grad():
        want = local(X)
    ok = isinstance(forecasts, torch.Tensor) and tuple(forecasts.shape) == (23, 1)
    assert ok and torch.allclose(forecasts, want, rtol=1e-6, atol=1e-6), (
        "for a network with batch normalisation handed over in training mode, predict's forecasts are not those of "
        "the network in evaluation mode: call model.eval() before predicting (dropout off, batch norm with its "
        "running statistics), as the notebook says"
    )

