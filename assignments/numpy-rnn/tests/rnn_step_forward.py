import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "rnn_step_forward"


@test_case(points=1, hidden=False)
def test_cs231n_example(rnn_step_forward, np):
    N, D, H = 3, 10, 4
    x = np.linspace(-0.4, 0.7, num=N * D).reshape(N, D)
    prev_h = np.linspace(-0.2, 0.5, num=N * H).reshape(N, H)
    Wx = np.linspace(-0.1, 0.9, num=D * H).reshape(D, H)
    Wh = np.linspace(-0.3, 0.7, num=H * H).reshape(H, H)
    b = np.linspace(-0.2, 0.4, num=H)
    result = rnn_step_forward(x, prev_h, Wx, Wh, b)
    assert isinstance(result, tuple) and len(result) == 2, "rnn_step_forward should return a tuple (next_h, cache)"
    next_h = result[0]
    assert isinstance(next_h, np.ndarray) and next_h.shape == (N, H), "next_h should be an array of shape (N, H)"
    expected_next_h = np.array([
        [-0.58172089, -0.50182032, -0.41232771, -0.31410098],
        [0.66854692, 0.79562378, 0.87755553, 0.92795967],
        [0.97934501, 0.99144213, 0.99646691, 0.99854353],
    ])
    assert np.allclose(next_h, expected_next_h, atol=1e-8), "next_h is wrong for CS231n's example"


def next_h_of(rnn_step_forward, x, prev_h, Wx, Wh, b):
    """The student's next_h, checked for form and shape."""
    from autograder.testing import check_array

    result = rnn_step_forward(x, prev_h, Wx, Wh, b)
    assert isinstance(result, tuple) and len(result) == 2, "rnn_step_forward should return a tuple (next_h, cache)"
    return check_array(result[0], prev_h.shape, "next_h")


@test_case(points=2, hidden=True)
def test_values_against_reference(rnn_step_forward, rng):
    from autograder.testing import rel_error
    from assignment import solution as ref

    N, D, H = 4, 3, 5
    x, prev_h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    Wx, Wh, b = rng.normal(scale=0.5, size=(D, H)), rng.normal(scale=0.5, size=(H, H)), rng.normal(size=H)
    zero_h = np.zeros((N, H))
    err = rel_error(next_h_of(rnn_step_forward, x, zero_h, Wx, Wh, b), ref.rnn_step_forward(x, zero_h, Wx, Wh, b)[0])
    assert err < 1e-9, (
        f"with prev_h = 0, next_h differs from the expected values (relative error {err:.1e}): it should be "
        "tanh(x @ Wx + b), with x of shape (N, D) and Wx of shape (D, H)"
    )
    err = rel_error(next_h_of(rnn_step_forward, x, prev_h, Wx, Wh, b), ref.rnn_step_forward(x, prev_h, Wx, Wh, b)[0])
    assert err < 1e-9, (
        f"next_h differs from the expected values (relative error {err:.1e}): it should be "
        "tanh(x @ Wx + prev_h @ Wh + b), the previous state entering through prev_h @ Wh (Wh of shape (H, H))"
    )
