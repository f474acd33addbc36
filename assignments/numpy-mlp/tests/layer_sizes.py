import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "layer_sizes"


@test_case(points=1, hidden=False)
def test_small_example(layer_sizes, np):
    result = layer_sizes(np.zeros((5, 3)), np.zeros((2, 3)))
    assert isinstance(result, tuple) and len(result) == 3, "layer_sizes should return a tuple (n_x, n_h, n_y)"
    assert tuple(int(n) for n in result) == (5, 4, 2), "for X of shape (5, 3) and Y of shape (2, 3): n_x = 5, n_h = 4, n_y = 2"


@test_case(points=1, hidden=True)
def test_any_shapes(layer_sizes, rng):
    n_x, n_y, m = (int(n) for n in rng.integers(1, 50, size=3))
    result = layer_sizes(rng.normal(size=(n_x, m)), np.zeros((n_y, m)))
    assert isinstance(result, tuple) and len(result) == 3, "layer_sizes should return a tuple (n_x, n_h, n_y)"
    assert all(isinstance(n, (int, np.integer)) for n in result), "n_x, n_h and n_y should be ints"
    assert result[0] == n_x, "n_x should be the number of rows of X (one feature per row)"
    assert result[1] == 4, "n_h should be 4"
    assert result[2] == n_y, "n_y should be the number of rows of Y"
