import torch
from otter.test_files import test_case

from assignment.grading import student_model

OK_FORMAT = False
name = "AlexNetCIFAR"

LOGITS_RTOL = 1e-4
"""Largest error of the logits allowed, relative to the largest logit, with the grader's weights
loaded (eval mode, CPU, float32). The reference on one thread (as in the sandbox) against the
reference on two: identical over 20 seeds; the margin leaves room for other CPUs' float32
kernels (rounding errors of about 1e-6). A missing ReLU or a convolution without padding gives
errors of order 1 (validate's mutants)."""

INIT_RTOL = 0.15
"""Largest deviation allowed of each new weight's standard deviation from He's sqrt(2 / fan_in),
relative. The reference over 200 seeds: at most 0.051 (the first convolution, 1,296 weights); a
margin of 3x. PyTorch's default initialisation gives 1 / sqrt(6) of it (deviation 0.59), Glorot's
0.52 to 0.71."""


def grader_state(rng):
    """A reference state_dict with spread-out weights drawn from the test's rng."""
    from assignment.solution import AlexNetCIFAR
    from assignment.grading import spread_weights

    return spread_weights(AlexNetCIFAR(), int(rng.integers(2**31))).state_dict()


def reference_logits(state, x):
    from assignment.solution import AlexNetCIFAR

    model = AlexNetCIFAR()
    model.load_state_dict(state)
    model.eval()
    with torch.no_grad():
        return model(x).double()


@test_case(points=1, hidden=False)
def test_output_shape_and_parameter_count(AlexNetCIFAR, torch):
    model = AlexNetCIFAR()
    count = sum(v.numel() for v in model.state_dict().values())
    assert count == 2_023_370, f"the mini-AlexNet has 2,023,370 parameters, yours {count:,}"
    assert tuple(model(torch.zeros(2, 3, 32, 32)).shape) == (2, 10), "a batch of 2 images should give logits of shape (2, 10)"


@test_case(points=1, hidden=False)
def test_new_weights_have_he_scale(AlexNetCIFAR, torch):
    """A new model's weights: standard deviation sqrt(2 / fan_in), within 25% (the reference's largest
    deviation over 200 new models is 5%; PyTorch's default initialisation is 59% below it); biases zero."""
    for name, value in AlexNetCIFAR().state_dict().items():
        if value.dim() == 1:
            assert bool((value == 0).all()), f"a new model's {name} should be all zeros: nn.init.zeros_(module.bias)"
            continue
        fan_in = value[0].numel()
        std, want = value.double().std().item(), (2.0 / fan_in) ** 0.5
        assert 0.75 <= std / want <= 1.25, (
            f"a new model's {name} has standard deviation {std:.4f}; He initialisation gives sqrt(2 / {fan_in}) = "
            f"{want:.4f}: PyTorch's default initialisation is about 2.4 times smaller and leaves the logits near 0, so "
            'initialise every convolution and linear weight with nn.init.kaiming_normal_(module.weight, nonlinearity="relu")'
        )


@test_case(points=1, hidden=False)
def test_worked_example_padding_and_relus(AlexNetCIFAR, torch):
    """Weights made by hand, all zero but three per layer, at the centre of each 3x3 kernel (or in each linear
    layer): unit 0 = input 0 - input 1 and unit 1 = -input 0; every bias zero. Unit 0 carries the red channel
    through every layer, unit 1 its negative, which the ReLU after the layer zeroes (so unit 0 never adds it).
    In evaluation mode the logits are then [r, -r, 0, ..., 0], r the largest red value in rows and columns 0..26
    (the ones the three MaxPool2d(3) keep: 32 -> 10 -> 3 -> 1)."""
    model = AlexNetCIFAR()
    own = model.state_dict()
    assert len(own) == 16, f"the state_dict should hold 16 tensors (5 convolutions and 3 linear layers), yours {len(own)}"
    values = []
    for value in own.values():
        weight = torch.zeros(value.shape)
        if weight.dim() > 1:
            centre = (1, 1) if weight.dim() == 4 else ()
            weight[(0, 0) + centre], weight[(0, 1) + centre], weight[(1, 0) + centre] = 1.0, -1.0, -1.0
        values.append(weight)
    model.load_state_dict(dict(zip(own, values)))
    model.eval()

    def logits(red):
        x = torch.zeros(1, 3, 32, 32)
        x[0, 0] = red
        return [round(v, 4) for v in model(x).detach()[0].tolist()]

    flat = torch.full((32, 32), 0.5)
    got = logits(flat)
    assert not (got[0] > 0 and got[1] >= 0), (
        f"with these weights the logits for a red image of 0.5 should be [0.5, -0.5, 0, ..., 0], got {got}: the network "
        "must return the last linear layer's output as it is, with no ReLU or softmax after it"
    )
    assert got[0] <= 0.5, (
        f"with these weights the logits for a red image of 0.5 should be [0.5, -0.5, 0, ..., 0], got {got}: a negative "
        "value got through a layer, so a ReLU is missing: put one after every convolution and after each of the two "
        "hidden linear layers"
    )
    assert got == [0.5, -0.5] + [0.0] * 8, (
        f"with these weights the logits for a red image of 0.5 should be [0.5, -0.5, 0, ..., 0], got {got}: check the "
        "order of the layers in the table"
    )
    corner = torch.zeros(32, 32)
    corner[0, 0] = 1.0
    got = logits(corner)
    assert got[0] != 0.0, (
        f"a red pixel of 1 in the top-left corner (and nothing else) should give the logits [1, -1, 0, ..., 0], got {got}: "
        "the corner pixel never reached the logits, so a convolution has no padding; a 3x3 convolution without "
        "padding=1 drops the border (32x32 -> 30x30, and the pooling hides the change of size)"
    )
    assert got == [1.0, -1.0] + [0.0] * 8, (
        f"a red pixel of 1 in the top-left corner (and nothing else) should give the logits [1, -1, 0, ..., 0], got {got}: "
        "pool with nn.MaxPool2d(3) (the largest value of each 3x3 window), not an average"
    )


@test_case(points=2, hidden=True)
def test_layers_and_parameter_count(AlexNetCIFAR):
    from assignment.grading import state_dict_problem

    model = AlexNetCIFAR()
    problem = state_dict_problem(model.state_dict())
    assert problem is None, f"AlexNetCIFAR(): {problem}"
    model7 = AlexNetCIFAR(num_classes=7)
    shapes = [tuple(v.shape) for v in model7.state_dict().values()]
    assert shapes[-2:] == [(7, 1024), (7,)], "AlexNetCIFAR(num_classes=7) should end with nn.Linear(1024, 7)"


@test_case(points=1, hidden=True)
def test_he_initialisation(AlexNetCIFAR):
    from assignment.grading import state_dict_problem

    state = AlexNetCIFAR().state_dict()
    problem = state_dict_problem(state)
    assert problem is None, f"AlexNetCIFAR(): {problem}"
    for name, value in state.items():
        if value.dim() == 1:
            assert bool((value == 0).all()), f"{name} should start at zero (nn.init.zeros_)"
            continue
        fan_in = value[0].numel()
        std, want = value.double().std().item(), (2.0 / fan_in) ** 0.5
        assert abs(std / want - 1.0) <= INIT_RTOL, (
            f"a new model's {name} has standard deviation {std:.4f}; He initialisation gives sqrt(2 / fan_in) = {want:.4f} "
            f"for its fan_in of {fan_in}: initialise every convolution and linear weight with "
            'nn.init.kaiming_normal_(weight, nonlinearity="relu")'
        )


@test_case(points=3, hidden=True)
def test_logits_with_the_graders_weights(AlexNetCIFAR, rng):
    from autograder.testing import check_tensor
    from assignment.grading import random_images

    state = grader_state(rng)
    model = student_model(AlexNetCIFAR, state)
    model.eval()
    x = random_images(rng, 8)
    logits = check_tensor(model(x), (8, 10), "model(x) for x of shape (8, 3, 32, 32)")
    want = reference_logits(state, x)
    error = ((logits - want).abs().max() / want.abs().max()).item()
    assert error <= LOGITS_RTOL, (
        f"with the grader's weights loaded, in evaluation mode, your logits differ from the expected ones (largest "
        f"error {error:.1e} of the largest logit): check the order of the layers, a ReLU after every convolution and "
        "after each hidden linear layer, padding=1 on every convolution, nn.MaxPool2d(3) after the first, second and "
        "fifth convolution, and that dropout is off in evaluation mode"
    )


@test_case(points=2, hidden=True)
def test_dropout_only_in_training_mode(AlexNetCIFAR, rng):
    from assignment.grading import random_images

    state = grader_state(rng)
    x = random_images(rng, 16)
    model = student_model(AlexNetCIFAR, state)
    model.train()
    first, second = model(x), model(x)
    assert isinstance(first, torch.Tensor) and isinstance(second, torch.Tensor), "model(x) should return a tensor"
    assert not torch.allclose(first, second), (
        "in training mode two forward passes of the same images gave the same logits: add nn.Dropout(dropout) after the "
        "ReLU of each of the two hidden linear layers"
    )
    model.eval()
    first, second = model(x), model(x)
    assert torch.equal(first, second), (
        "in evaluation mode two forward passes of the same images gave different logits: dropout must be off after "
        "model.eval() (nn.Dropout modules are; F.dropout needs training=self.training)"
    )
    no_dropout = student_model(AlexNetCIFAR, state, dropout=0.0)
    no_dropout.train()
    assert torch.allclose(no_dropout(x), first, rtol=1e-5, atol=1e-6), (
        "AlexNetCIFAR(dropout=0.0) in training mode should compute what evaluation mode computes: pass the dropout "
        "argument to nn.Dropout"
    )
