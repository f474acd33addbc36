import numpy as np
from otter.test_files import test_case

OK_FORMAT = False
name = "batchnorm_forward"

VALUE_TOLERANCE = 1e-7
"""rel_error allowed between the student's out and the reference's (float64 rounding is ~1e-14;
forgetting eps alone already gives ~1e-6 on these inputs)."""


def unpack(result, what):
    """The (out, cache, bn_param) triple of a batchnorm_forward call, checked for its form."""
    assert isinstance(result, tuple) and len(result) == 3, (
        f"{what} should return a tuple (out, cache, bn_param): this assignment also returns the updated bn_param"
    )
    assert isinstance(result[2], dict), f"the third value returned by {what} should be the bn_param dict"
    return result


def running_stats(bn_param, D, what):
    """running_mean and running_var from a returned bn_param, checked for shape ((D,), or the
    harmless keepdims shape (1, D), which the public test reports)."""
    from autograder.testing import check_features

    for key in ("running_mean", "running_var"):
        assert key in bn_param, f"the bn_param returned by {what} has no '{key}': store the updated running statistics in it"
    return (
        check_features(bn_param["running_mean"], D, f"bn_param['running_mean'] returned by {what}"),
        check_features(bn_param["running_var"], D, f"bn_param['running_var'] returned by {what}"),
    )


@test_case(points=1, hidden=False)
def test_train_mode_normalises_each_feature(batchnorm_forward, np):
    rng = np.random.default_rng(0)
    x = rng.normal(loc=3.0, scale=2.0, size=(50, 4))
    result = batchnorm_forward(x, np.ones(4), np.zeros(4), {"mode": "train"})
    assert isinstance(result, tuple) and len(result) == 3, "batchnorm_forward should return a tuple (out, cache, bn_param)"
    out, cache, bn_param = result
    assert isinstance(out, np.ndarray) and out.shape == (50, 4), "out should have the shape of x, (N, D)"
    assert np.allclose(out.mean(axis=0), 0.0, atol=1e-6), "with gamma = 1 and beta = 0, each feature of out has mean 0"
    assert np.allclose(out.std(axis=0), 1.0, atol=1e-4), "with gamma = 1 and beta = 0, each feature of out has std 1"
    assert np.shape(bn_param["running_mean"]) == (4,), "the returned bn_param should hold running_mean of shape (D,)"
    assert np.shape(bn_param["running_var"]) == (4,), "the returned bn_param should hold running_var of shape (D,)"

    # A worked example: features of mean 1 and 12, biased variance 1 and 4, with eps = 1 and momentum 0.9.
    x = np.array([[0.0, 10.0], [2.0, 14.0]])
    gamma, beta = np.array([1.0, 2.0]), np.array([0.0, 1.0])
    out, _, bn_param = batchnorm_forward(x, gamma, beta, {"mode": "train", "eps": 1.0, "momentum": 0.9})
    assert np.allclose(out, [[-0.70710678, -0.78885438], [0.70710678, 2.78885438]]), (
        "with eps = 1 in bn_param, out = gamma * (x - mean) / np.sqrt(var + eps) + beta is "
        "[[-0.7071, -0.7889], [0.7071, 2.7889]]: add eps (read from bn_param) to the variance inside the square root"
    )
    assert np.allclose(bn_param["running_mean"], [0.1, 1.2]) and np.allclose(bn_param["running_var"], [0.1, 0.4]), (
        "from zeros with momentum 0.9, running_mean should be 0.9 * 0 + 0.1 * [1, 12] = [0.1, 1.2] and running_var "
        "[0.1, 0.4]: running = momentum * running + (1 - momentum) * batch statistic (the momentum weighs the old value)"
    )
    # Test mode: one row, normalised with the given running statistics (its own batch variance would be 0).
    bn_param = {"mode": "test", "eps": 1.0, "running_mean": np.array([1.0, 10.0]), "running_var": np.array([3.0, 3.0])}
    out, _, bn_param = batchnorm_forward(np.array([[4.0, 12.0]]), gamma, beta, bn_param)
    assert np.allclose(out, [[1.5, 3.0]]), (
        "in test mode, out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta = [[1.5, 3.0]] here: "
        "normalise with bn_param's running_mean and running_var, not with the statistics of the test batch"
    )
    assert np.array_equal(bn_param["running_mean"], [1.0, 10.0]), "test mode must leave running_mean unchanged"


@test_case(points=2, hidden=True)
def test_train_mode_output_statistics(batchnorm_forward, rng):
    """On a large batch, each output feature has mean beta and standard deviation gamma."""
    from autograder.testing import check_array

    N, D = 500, 6
    x = rng.normal(loc=rng.uniform(-10, 10, size=D), scale=rng.uniform(0.5, 5.0, size=D), size=(N, D))
    gamma, beta = rng.uniform(0.5, 2.0, size=D), rng.normal(size=D)
    out, _, _ = unpack(batchnorm_forward(x, gamma, beta, {"mode": "train"}), "batchnorm_forward")
    out = check_array(out, (N, D), "out in train mode")
    mean_err = np.max(np.abs(out.mean(axis=0) - beta))
    assert mean_err < 1e-6, (
        f"in train mode the per-feature mean of out should be beta (off by up to {mean_err:.1e}): "
        "normalise with the mean and variance of this batch, not the running statistics"
    )
    std_err = np.max(np.abs(out.std(axis=0) / gamma - 1))
    assert std_err < 1e-4, (
        f"in train mode the per-feature standard deviation of out should be gamma (relative error {std_err:.1e}): "
        "divide by np.sqrt(var + eps) with the biased variance of this batch, then multiply by gamma"
    )


@test_case(points=2, hidden=True)
def test_train_mode_values_against_reference(batchnorm_forward, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    N, D = 40, 7
    x = rng.normal(loc=rng.uniform(-5, 5, size=D), scale=rng.uniform(0.5, 2.0, size=D), size=(N, D))
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    out, _, _ = unpack(batchnorm_forward(x.copy(), gamma, beta, {"mode": "train"}), "batchnorm_forward")
    err = rel_error(check_array(out, (N, D), "out in train mode"), ref.batchnorm_forward(x, gamma, beta, {"mode": "train"})[0])
    assert err < VALUE_TOLERANCE, (
        f"out in train mode differs from the reference: relative error {err:.1e} (threshold {VALUE_TOLERANCE:.0e}); "
        "use gamma * (x - mean) / np.sqrt(var + eps) + beta with the biased batch variance and eps = 1e-5 by default"
    )


@test_case(points=1, hidden=True)
def test_eps_inside_the_square_root(batchnorm_forward, rng):
    """Features whose variance is comparable to eps: eps must be added to the variance, and read from bn_param."""
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    N, D = 30, 4
    x = rng.normal(loc=1.0, scale=[1e-3, 3e-3, 1e-2, 1.0], size=(N, D))
    gamma, beta = rng.uniform(0.5, 2.0, size=D), rng.normal(size=D)
    for bn_param in ({"mode": "train"}, {"mode": "train", "eps": 1e-3}):
        out, _, _ = unpack(batchnorm_forward(x.copy(), gamma, beta, dict(bn_param)), "batchnorm_forward")
        err = rel_error(check_array(out, (N, D), "out in train mode"), ref.batchnorm_forward(x, gamma, beta, dict(bn_param))[0])
        given = "given in bn_param" if "eps" in bn_param else "absent from bn_param (default 1e-5)"
        assert err < VALUE_TOLERANCE, (
            f"for features whose variance is close to eps, with eps {given}, out differs from the reference "
            f"(relative error {err:.1e}): divide by np.sqrt(var + eps), reading eps from bn_param"
        )


@test_case(points=2, hidden=True)
def test_running_statistics(batchnorm_forward, rng):
    """Running averages over several train-mode calls, from zeros, with the default and a given momentum."""
    from autograder.testing import rel_error
    from assignment import solution as ref

    N, D = 16, 5
    gamma, beta = rng.normal(size=D), rng.normal(size=D)
    for start in ({"mode": "train"}, {"mode": "train", "momentum": 0.7}):
        student, want = dict(start), dict(start)
        for step in range(1, 4):
            x = rng.normal(loc=rng.uniform(-3, 3, size=D), scale=rng.uniform(0.5, 3.0, size=D), size=(N, D))
            _, _, returned = unpack(batchnorm_forward(x.copy(), gamma, beta, student), "batchnorm_forward")
            running_mean, running_var = running_stats(returned, D, "batchnorm_forward in train mode")
            _, _, want = ref.batchnorm_forward(x, gamma, beta, want)
            momentum = f"momentum {start['momentum']}" if "momentum" in start else "the default momentum 0.9"
            for key, got in (("running_mean", running_mean), ("running_var", running_var)):
                err = rel_error(got, want[key])
                assert err < 1e-7, (
                    f"{key} after {step} train-mode call(s) with {momentum} is wrong (relative error {err:.1e}): "
                    "running = momentum * running + (1 - momentum) * batch statistic, starting from zeros, "
                    "with the biased batch variance"
                )
            student = dict(returned, mode="train")


def test_mode_cause(out, x, gamma, beta, bn_param, err):
    """The failure message of a test-mode out that differs from the reference, naming the likely cause."""
    eps = bn_param.get("eps", 1e-5)
    running = (x - bn_param["running_mean"]) / np.sqrt(bn_param["running_var"] + eps)
    batch = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
    if np.allclose(out, running):
        cause = "it equals (x - running_mean) / np.sqrt(running_var + eps) without the scale and shift: multiply by gamma and add beta in test mode too"
    elif np.allclose(out, gamma * batch + beta) or np.allclose(out, batch):
        cause = "it was normalised with the statistics of the test batch: in test mode use bn_param's running_mean and running_var"
    elif np.allclose(out, gamma * (x - bn_param["running_mean"]) / np.sqrt(bn_param["running_var"]) + beta):
        cause = "eps is missing: divide by np.sqrt(running_var + eps)"
    else:
        cause = "in test mode, out = gamma * (x - running_mean) / np.sqrt(running_var + eps) + beta"
    return f"out in test mode differs from the reference (relative error {err:.1e}): {cause}"


@test_case(points=2, hidden=True)
def test_test_mode_uses_running_statistics(batchnorm_forward, rng):
    from autograder.testing import check_array, rel_error
    from assignment import solution as ref

    N, D = 20, 6
    gamma, beta = rng.normal(size=D), rng.normal(size=D)

    # Given running statistics: test mode normalises with them and leaves them unchanged.
    running = {"running_mean": rng.normal(size=D), "running_var": rng.uniform(0.5, 2.0, size=D)}
    x = rng.normal(loc=2.0, scale=3.0, size=(N, D))
    bn_param = {"mode": "test", **{k: v.copy() for k, v in running.items()}}
    out, _, returned = unpack(batchnorm_forward(x.copy(), gamma, beta, bn_param), "batchnorm_forward in test mode")
    out = check_array(out, (N, D), "out in test mode")
    err = rel_error(out, ref.batchnorm_forward(x, gamma, beta, dict(bn_param))[0])
    assert err < VALUE_TOLERANCE, test_mode_cause(out, x, gamma, beta, bn_param, err)
    running_mean, running_var = running_stats(returned, D, "batchnorm_forward in test mode")
    unchanged = np.array_equal(running_mean, running["running_mean"]) and np.array_equal(running_var, running["running_var"])
    assert unchanged, "test mode must leave running_mean and running_var unchanged"

    # After several train-mode calls (momentum 0.8), test mode uses the averages those calls returned
    # (whether the momentum rule is right is test_running_statistics' to charge, once).
    student = {"mode": "train", "momentum": 0.8}
    for _ in range(4):
        x = rng.normal(loc=rng.uniform(-3, 3, size=D), scale=rng.uniform(0.5, 3.0, size=D), size=(N, D))
        _, _, returned = unpack(batchnorm_forward(x.copy(), gamma, beta, student), "batchnorm_forward in train mode")
        student = dict(returned, mode="train")
    running_mean, running_var = running_stats(student, D, "batchnorm_forward in train mode")
    x = rng.normal(size=(N, D))
    out, _, _ = unpack(batchnorm_forward(x.copy(), gamma, beta, dict(student, mode="test")), "batchnorm_forward in test mode")
    want = ref.batchnorm_forward(x, gamma, beta, {"mode": "test", "running_mean": running_mean, "running_var": running_var})[0]
    err = rel_error(check_array(out, (N, D), "out in test mode"), want)
    assert err < VALUE_TOLERANCE, (
        f"after four train-mode calls with momentum 0.8, out in test mode differs from x normalised with the running "
        f"statistics those calls returned (relative error {err:.1e}): return the running statistics in bn_param, and "
        "normalise with them in test mode"
    )
