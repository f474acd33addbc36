import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "train"

HIDDEN_DIMS, WEIGHT_SCALE = [100], 5e-2
N_TRAIN, LEARNING_RATE, LR_DECAY, NUM_EPOCHS, BATCH_SIZE = 20_000, 3e-3, 0.5, 2, 100
"""The MNIST run, kept short for the grader: FullyConnectedNet([100], input_dim=784, num_classes=10,
weight_scale=5e-2), trained with the student's train and adam on the first 20,000 MNIST training images
for 2 epochs of minibatches of 100 at learning rate 3e-3, halved after the first epoch (400 steps).
The reference trains in about 1 s on one idle core (2 s on a loaded 2-core machine)."""

PASS_MARK = 0.925
"""Test accuracy (fraction of the 10,000 MNIST test images) the student's trained network must reach.
Calibrated from the reference with this run: 0.9389 on this test's own seeds and 0.9392-0.9462 on net
and shuffle seeds (s, 100 + s), s = 0-7 (mean 0.942, spread about 0.0025), a margin of at least 0.0139,
about 139 test images (tests/test_reference_fc_layers.py asserts 0.005 on the test's seeds and two
others, allowing for rounding that differs between BLAS builds). With the same run, plain sgd reaches
0.46 and sgd_momentum 0.86 (seeds 0, 100); on all 60,000 images for 3 epochs the reference reaches
0.969-0.973 (8 seeds)."""

TRAIN_BUDGET_S = 60
"""Seconds the student's train may take for the MNIST run (the reference: about 1 s; 2 s on a loaded
machine)."""

SMALL = {"N": 50, "D": 6, "hidden_dims": [8], "C": 3, "batch_size": 16}
"""The small problem of the trajectory tests: 50 examples make 4 minibatches per epoch (16, 16, 16, 2)."""


@test_case(points=1, hidden=False)
def test_loss_history_and_progress(FullyConnectedNet, train, np):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 4))
    y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    net = FullyConnectedNet([8], input_dim=4, num_classes=2, weight_scale=0.1, seed=0)
    history = train(net, X, y, update_rule="sgd", optim_config={"learning_rate": 0.5}, num_epochs=20, batch_size=8, seed=0)
    assert isinstance(history, list) and len(history) == 20 * 4, (
        "train should return a list with one loss per step: 4 minibatches (8, 8, 8 and 6 examples) per epoch here"
    )
    assert np.mean(history[-4:]) < 0.5 * np.mean(history[:4]), "the training loss should go down"
    runs = [train(FullyConnectedNet([8], input_dim=4, num_classes=2, weight_scale=0.1, seed=0), X, y, update_rule="sgd",
                  optim_config={"learning_rate": 0.5}, num_epochs=2, batch_size=8, seed=s) for s in (1, 1, 2)]
    assert np.allclose(runs[0], runs[1]) and not np.allclose(runs[0], runs[2]), (
        "train with the same seed should repeat its losses and another seed should shuffle differently: draw the "
        "permutations from rng = np.random.default_rng(seed)"
    )
    # Worked examples (the values of the reference; they need a right FullyConnectedNet and sgd_momentum too).
    X, y = np.random.default_rng(2).normal(size=(6, 4)), np.array([0, 1, 1, 0, 1, 0])
    net = FullyConnectedNet([3], input_dim=4, num_classes=2, weight_scale=0.3, seed=0)
    history = train(net, X, y, update_rule="sgd_momentum", optim_config={"learning_rate": 0.3, "momentum": 0.9},
                    num_epochs=4, batch_size=6, seed=0)
    assert np.allclose(history, [0.7056103, 0.69697285, 0.68558496, 0.67561983], atol=1e-6), (
        f"full-batch sgd_momentum losses should be [0.7056, 0.6970, 0.6856, 0.6756], got {np.round(history, 4)}: "
        "the velocity builds up only if you pass each update the config it returned the step before"
    )
    net = FullyConnectedNet([3], input_dim=4, num_classes=2, weight_scale=0.3, seed=0)
    history = train(net, X, y, update_rule="sgd", optim_config={"learning_rate": 0.3}, num_epochs=2, batch_size=2, seed=0)
    want = [0.64882594, 0.62851096, 0.89791944, 0.66543332, 0.65256917, 0.97287734]
    assert np.allclose(history, want, atol=1e-6), (
        f"sgd losses over 2 epochs of 3 minibatches should be {np.round(want, 4).tolist()}, got {np.round(history, 4)}: "
        "draw a new permutation every epoch (order = rng.permutation(N) inside the epoch loop, rng seeded once)"
    )


ADAM_DEFAULTS = {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8}
"""adam's documented defaults, given explicitly to train here so that a slip in adam's own defaults is
charged by adam's tests alone (one bug, one charge); the reference's results are the same."""


def trajectory(FullyConnectedNet, train, rng, update_rule, optim_config, lr_decay, num_epochs):
    """Train a small net with the student's train and with the reference's, from the same initial parameters
    (read from the student's net) and the same seed; assert the loss histories and final parameters agree."""
    from autograder.testing import check_array, check_scalar, rel_error
    from assignment import solution as ref

    N, D, C, batch_size = SMALL["N"], SMALL["D"], SMALL["C"], SMALL["batch_size"]
    X, y = rng.normal(size=(N, D)), rng.integers(C, size=N)
    net_seed, train_seed = (int(s) for s in rng.integers(2**31, size=2))
    settings = dict(update_rule=update_rule, lr_decay=lr_decay, num_epochs=num_epochs, batch_size=batch_size, seed=train_seed)
    net = FullyConnectedNet(SMALL["hidden_dims"], input_dim=D, num_classes=C, weight_scale=0.3, reg=0.1, seed=net_seed)
    start = net.params
    assert isinstance(start, dict) and all(isinstance(v, np.ndarray) for v in start.values()), "net.params should be a dict of arrays"
    oracle = ref.FullyConnectedNet(SMALL["hidden_dims"], input_dim=D, num_classes=C, reg=0.1)
    oracle.params = {k: np.array(v, dtype=np.float64) for k, v in start.items()}
    history = train(net, X.copy(), y, optim_config=dict(optim_config), **settings)
    want = ref.train(oracle, X, y, optim_config=dict(optim_config), **settings)

    steps = -(-N // batch_size)
    assert isinstance(history, list) and len(history) == len(want), (
        f"train should return a list of {len(want)} losses, one per step: {num_epochs} epochs of {steps} minibatches "
        f"(N = {N}, batch_size = {batch_size}: the last minibatch has only {N - (steps - 1) * batch_size} examples)"
    )
    history = np.array([check_scalar(v, f"loss {i} of the list train returns") for i, v in enumerate(history)])
    wrong = [k for k in range(len(want)) if rel_error(history[k], want[k]) >= 1e-8]
    if wrong:
        k = wrong[0]
        epoch, step_in_epoch = divmod(k, steps)
        where = f"loss {k} (epoch {epoch + 1}, step {step_in_epoch + 1} of {steps}) differs from the expected one"
        if k == 0:
            hint = (
                "the first minibatch should be order[0:batch_size] of order = rng.permutation(N), with rng = "
                "np.random.default_rng(seed), and its loss that of net.loss before any update"
            )
        elif k == 1:
            hint = (
                f"the first loss is right, so the first update is wrong: update every parameter p with "
                f"net.params[p], config[p] = {update_rule}(net.params[p], grads[p], config[p]), each config a copy of "
                "optim_config"
            )
        elif epoch > 0 and step_in_epoch == 0:
            hint = (
                "the earlier epochs are right but this epoch's first minibatch is not: draw a new permutation "
                "order = rng.permutation(N) from the same rng at the start of every epoch (without re-seeding it)"
            )
        elif epoch > 0 and step_in_epoch == 1:
            decay = ", and multiply each config's learning_rate by lr_decay after each epoch" if lr_decay != 1 else ""
            hint = (
                "the earlier epochs are right but the first update of this epoch is not: keep every parameter's config "
                f"from one epoch to the next{decay}"
            )
        else:
            hint = (
                f"the losses before it are right: keep one config per parameter and pass each update the config it "
                f"returned the step before (that is where {update_rule} keeps its state)"
            )
        raise AssertionError(
            f"{where} (relative error {rel_error(history[k], want[k]):.1e}): {hint} (if the tests of FullyConnectedNet "
            "and of the update rules pass)"
        )
    params = net.params
    for key, value in oracle.params.items():
        err = rel_error(check_array(params.get(key), value.shape, f'net.params["{key}"] after training'), value)
        assert err < 1e-8, (
            f'the losses are right but net.params["{key}"] after training is not (relative error {err:.1e}): apply the '
            "update of the last step too, and store the new value in net.params"
        )


@test_case(points=2, hidden=True)
def test_sgd_momentum_against_reference(FullyConnectedNet, train, rng):
    """Two epochs with sgd_momentum on a small problem, against the reference's train from the same start."""
    trajectory(FullyConnectedNet, train, rng, "sgd_momentum", {"learning_rate": 0.05, "momentum": 0.8}, 1.0, 2)


@test_case(points=2, hidden=True)
def test_adam_with_lr_decay_against_reference(FullyConnectedNet, train, rng):
    """Three epochs with adam and lr_decay = 0.5 on a small problem, against the reference's train from the same start."""
    trajectory(FullyConnectedNet, train, rng, "adam", {"learning_rate": 2e-2, **ADAM_DEFAULTS}, 0.5, 3)


@test_case(points=4, hidden=True)
def test_mnist_test_accuracy(FullyConnectedNet, train, mnist, rng):
    """The grader trains your network with your train and adam on MNIST and measures its test accuracy."""
    from autograder.testing import report
    from autograder.testing import check_array, with_timeout

    net_seed, train_seed = (int(s) for s in rng.integers(2**31, size=2))
    net = FullyConnectedNet(HIDDEN_DIMS, input_dim=784, num_classes=10, weight_scale=WEIGHT_SCALE, seed=net_seed)
    with_timeout(train, TRAIN_BUDGET_S)(
        net, mnist.train.images[:N_TRAIN], mnist.train.labels[:N_TRAIN], update_rule="adam",
        optim_config={"learning_rate": LEARNING_RATE, **ADAM_DEFAULTS}, lr_decay=LR_DECAY, num_epochs=NUM_EPOCHS, batch_size=BATCH_SIZE,
        seed=train_seed,
    )
    scores = check_array(net.loss(mnist.test.images), (len(mnist.test.labels), 10), "the scores of your trained network")
    acc = float(np.mean(np.argmax(scores, axis=1) == mnist.test.labels))
    report(f"Test accuracy of your network: {acc:.4f} (pass mark {PASS_MARK}).")
    assert acc >= PASS_MARK, (
        f"test accuracy of your network after training with your train and adam ({NUM_EPOCHS} epochs on the first "
        f"{N_TRAIN:,} MNIST training images) is {acc:.4f}; the pass mark is {PASS_MARK}"
    )
