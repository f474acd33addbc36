import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "initialize_with_zeros"


@test_case(points=1, hidden=False)
def test_shapes_and_values(initialize_with_zeros, np):
    result = initialize_with_zeros(2)
    assert isinstance(result, tuple) and len(result) == 2, "initialize_with_zeros should return a tuple (w, b)"
    w, b = result
    assert isinstance(w, np.ndarray) and w.shape == (2, 1), "w should be a numpy array of shape (dim, 1)"
    assert np.all(w == 0), "w should be all zeros"
    assert isinstance(b, float) and b == 0.0, "b should be the float 0.0"


@test_case(points=1, hidden=True)
def test_any_dimension(initialize_with_zeros, rng):
    from autograder.testing import check_array

    dim = int(rng.integers(5, 1000))
    result = initialize_with_zeros(dim)
    assert isinstance(result, tuple) and len(result) == 2, "initialize_with_zeros should return a tuple (w, b)"
    w = check_array(result[0], (dim, 1), "w")
    assert np.all(w == 0), "w should be all zeros"
    b = result[1]
    assert isinstance(b, (float, np.floating)) and float(b) == 0.0, "b should be the float 0.0 (not an int or an array)"
