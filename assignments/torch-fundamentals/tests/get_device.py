from otter.test_files import test_case

OK_FORMAT = False
name = "get_device"


@test_case(points=1, hidden=False)
def test_is_cpu_or_cuda(get_device):
    assert get_device() in ("cpu", "cuda"), "get_device() should return the string 'cpu' or 'cuda'"


@test_case(points=1, hidden=True)
def test_matches_the_grading_machine(get_device, device):
    """``device`` is "cuda" exactly when the sandbox can use a GPU."""
    got = get_device()
    assert got in ("cpu", "cuda"), "get_device() should return the string 'cpu' or 'cuda'"
    assert got == device, (
        f"get_device() returned {got!r} on a grading machine where torch.cuda.is_available() is {device == 'cuda'}: "
        "return 'cuda' exactly when torch.cuda.is_available()"
    )
