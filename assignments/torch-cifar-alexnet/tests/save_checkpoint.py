import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "save_checkpoint"


@test_case(points=1, hidden=False)
def test_round_trip(save_checkpoint, load_checkpoint, AlexNetCIFAR, torch):
    model = AlexNetCIFAR()
    save_checkpoint(model, "round_trip_alexnet.pt")
    loaded = load_checkpoint("round_trip_alexnet.pt")
    saved, back = model.state_dict(), loaded.state_dict()
    assert list(saved) == list(back) and all(torch.equal(saved[k], back[k]) for k in saved), (
        "load_checkpoint should give back the weights save_checkpoint saved"
    )


@test_case(points=2, hidden=True)
def test_saved_weights_load_back(save_checkpoint, load_checkpoint, AlexNetCIFAR, rng):
    import uuid

    from assignment.solution import AlexNetCIFAR as Reference
    from assignment.grading import spread_weights, state_dict_problem

    state = spread_weights(Reference(), int(rng.integers(2**31))).state_dict()
    model = AlexNetCIFAR()
    own = model.state_dict()
    problem = state_dict_problem(own)
    assert problem is None, f"AlexNetCIFAR(): {problem} (fix AlexNetCIFAR first)"
    model.load_state_dict(dict(zip(own, state.values())))
    path = f"/tmp/alexnet-{uuid.uuid4().hex}.pt"
    assert save_checkpoint(model, path) is None, "save_checkpoint should return None: it writes the file"
    back = load_checkpoint(path).state_dict()
    ok = isinstance(back, dict) and len(back) == len(state) and all(
        isinstance(b, torch.Tensor) and b.shape == w.shape and torch.equal(b, w) for b, w in zip(back.values(), state.values())
    )
    assert ok, (
        "the model load_checkpoint reads back from the file save_checkpoint wrote does not hold the saved weights: save "
        "model.state_dict() with torch.save(..., path) (if load_checkpoint fails its own tests, fix it first)"
    )
