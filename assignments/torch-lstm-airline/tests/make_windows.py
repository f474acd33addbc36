import numpy as np
import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "make_windows"


@test_case(points=1, hidden=False)
def test_shapes_and_first_window(make_windows, np, torch):
    X, y = make_windows(np.arange(6.0), look_back=2)
    assert tuple(X.shape) == (4, 2, 1) and tuple(y.shape) == (4, 1), "6 values with look_back 2 make 4 windows: X (4, 2, 1), y (4, 1)"
    assert X.dtype == torch.float32 and y.dtype == torch.float32, "X and y should be float32 tensors"
    assert X[0, :, 0].tolist() == [0.0, 1.0] and y[0, 0].item() == 2.0, "the first window is [0, 1] and its target 2"


@test_case(points=3, hidden=True)
def test_windows_and_next_value(make_windows, rng):
    from autograder.testing import check_tensor

    T, look_back = int(rng.integers(20, 60)), int(rng.choice([1, 3, 5]))
    series = rng.uniform(0.0, 1.5, size=T)
    result = make_windows(series, look_back)
    assert isinstance(result, tuple) and len(result) == 2, "make_windows should return a tuple (X, y)"
    N = T - look_back
    X = check_tensor(result[0], (N, look_back, 1), f"X for {T} values and look_back = {look_back} (N = T - look_back windows)")
    y = check_tensor(result[1], (N, 1), f"y for {T} values and look_back = {look_back}")
    assert result[0].dtype == torch.float32 and result[1].dtype == torch.float32, "X and y should be float32 tensors"
    want_X = np.stack([series[i : i + look_back] for i in range(N)])[:, :, None]
    assert np.allclose(X.numpy(), want_X, atol=1e-6), "X[i, :, 0] should be series[i : i + look_back], the window starting at i"
    last_input = np.allclose(y.numpy(), want_X[:, -1, :], atol=1e-6)
    assert not last_input, (
        "y[i] is the last value of window i: the target must be the value right after the window, "
        "series[i + look_back], or the model only learns to copy its input"
    )
    assert np.allclose(y.numpy(), series[look_back:, None], atol=1e-6), (
        "y[i, 0] should be series[i + look_back], the value right after the window"
    )
