import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "rnn_forward"


@test_case(points=1, hidden=False)
def test_cs231n_example(rnn_forward, np):
    N, T, D, H = 2, 3, 4, 5
    x = np.linspace(-0.1, 0.3, num=N * T * D).reshape(N, T, D)
    h0 = np.linspace(-0.3, 0.1, num=N * H).reshape(N, H)
    Wx = np.linspace(-0.2, 0.4, num=D * H).reshape(D, H)
    Wh = np.linspace(-0.4, 0.1, num=H * H).reshape(H, H)
    b = np.linspace(-0.7, 0.1, num=H)
    result = rnn_forward(x, h0, Wx, Wh, b)
    assert isinstance(result, tuple) and len(result) == 2, "rnn_forward should return a tuple (h, cache)"
    h = result[0]
    assert isinstance(h, np.ndarray) and h.shape == (N, T, H), "h should be an array of shape (N, T, H)"
    expected_h = np.array([
        [[-0.42070749, -0.27279261, -0.11074945, 0.05740409, 0.22236251],
         [-0.39525808, -0.22554661, -0.0409454, 0.14649412, 0.32397316],
         [-0.42305111, -0.24223728, -0.04287027, 0.15997045, 0.35014525]],
        [[-0.55857474, -0.39065825, -0.19198182, 0.02378408, 0.23735671],
         [-0.27150199, -0.07088804, 0.13562939, 0.33099728, 0.50158768],
         [-0.51014825, -0.30524429, -0.06755202, 0.17806392, 0.40333043]],
    ])
    assert np.allclose(h, expected_h, atol=1e-8), "h is wrong for CS231n's example"


@test_case(points=2, hidden=True)
def test_values_against_reference(rnn_forward, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    N, T, D, H = 3, 6, 2, 4
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    Wx, Wh, b = rng.normal(scale=0.5, size=(D, H)), rng.normal(scale=0.5, size=(H, H)), rng.normal(size=H)
    result = rnn_forward(x, h0, Wx, Wh, b)
    assert isinstance(result, tuple) and len(result) == 2, "rnn_forward should return a tuple (h, cache)"
    got = check_array(result[0], (N, T, H), "h")
    want, _ = ref.rnn_forward(x, h0, Wx, Wh, b)
    err = rel_error(got[:, 0], want[:, 0])
    assert err < 1e-9, (
        f"h[:, 0] differs from the expected values (relative error {err:.1e}): the first step should be "
        "rnn_step_forward(x[:, 0], h0, Wx, Wh, b), starting from h0, and h[:, t] the state after reading x[:, t]"
    )
    for t in range(1, T):
        err = rel_error(got[:, t], want[:, t])
        assert err < 1e-9, (
            f"h[:, {t}] differs from the expected values (relative error {err:.1e}): step t should read x[:, t] and "
            "the previous step's state h[:, t - 1] (not h0), with the same Wx, Wh and b at every step"
        )
