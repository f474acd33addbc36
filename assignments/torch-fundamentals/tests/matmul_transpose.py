import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "matmul_transpose"


@test_case(points=1, hidden=False)
def test_seven_by_seven_times_one_by_seven(matmul_transpose, torch):
    A, B = torch.ones(7, 7), torch.arange(7.0).reshape(1, 7)
    C = matmul_transpose(A, B)
    assert isinstance(C, torch.Tensor) and C.shape == (7, 1), "A (7, 7) times the transpose of B (1, 7) is (7, 1)"
    assert torch.allclose(C, torch.full((7, 1), 21.0)), "each row of ones times 0 + 1 + ... + 6 is 21"


@test_case(points=2, hidden=True)
def test_values_against_torch(matmul_transpose, rng):
    from autograder.testing import rel_error

    for N, K, M in ((7, 7, 1), tuple(int(n) for n in rng.integers(2, 9, size=3))):
        A, B = torch.from_numpy(rng.normal(size=(N, K))), torch.from_numpy(rng.normal(size=(M, K)))
        C = matmul_transpose(A, B)
        assert isinstance(C, torch.Tensor), f"matmul_transpose should return a torch tensor, got {type(C).__name__}"
        assert tuple(C.shape) == (N, M), (
            f"for A of shape {(N, K)} and B of shape {(M, K)}, A @ B.T has shape {(N, M)}, got {tuple(C.shape)} "
            "(the matrix product, not the element-wise *)"
        )
        assert C.dtype == torch.float64, f"float64 inputs should give a float64 product, got {C.dtype}"
        err = rel_error(C.numpy(), (A @ B.T).numpy())
        assert err < 1e-12, f"matmul_transpose(A, B) differs from A @ B.T: relative error {err:.1e}"
