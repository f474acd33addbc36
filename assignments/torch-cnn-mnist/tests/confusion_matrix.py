import torch
from otter.test_files import test_case

OK_FORMAT = False
name = "confusion_matrix"


def check_matrix(cm, y_true, y_pred, num_classes):
    """Compare a student's confusion matrix with the reference's, naming the convention when it is transposed."""
    from assignment import solution as ref

    want = ref.confusion_matrix(y_true, y_pred, num_classes)
    shape = tuple(cm.shape) if isinstance(cm, torch.Tensor) else type(cm).__name__
    assert shape == (num_classes, num_classes), (
        f"confusion_matrix(..., num_classes={num_classes}) should have shape {(num_classes, num_classes)}, got {shape}"
        " (a class that never occurs still has its row and column)"
    )
    assert not cm.is_floating_point() and cm.dtype != torch.bool, f"the counts should be int64, got {cm.dtype}"
    if torch.equal(cm.long(), want):
        assert cm.dtype == torch.int64, f"the counts should be int64, got {cm.dtype}"
        return
    assert not torch.equal(cm.long(), want.T), (
        "your confusion matrix is transposed: rows are the true labels and columns the predicted labels, "
        "cm[i, j] counts the examples of true class i predicted as j"
    )
    assert cm.sum().item() == len(y_true), "the counts should add up to the number of examples"
    raise AssertionError("the counts differ: cm[i, j] is the number of examples whose true label is i and predicted label is j (rows: true labels)")


@test_case(points=1, hidden=False)
def test_small_example(confusion_matrix, torch):
    cm = confusion_matrix(torch.tensor([0, 0, 1, 2]), torch.tensor([0, 1, 1, 0]), num_classes=3)
    want = torch.tensor([[1, 1, 0], [0, 1, 0], [1, 0, 0]])
    assert isinstance(cm, torch.Tensor) and tuple(cm.shape) == (3, 3), "the matrix should have shape (3, 3)"
    assert torch.equal(cm.long(), want), "rows are true labels, columns predicted labels: expected [[1, 1, 0], [0, 1, 0], [1, 0, 0]]"


@test_case(points=2, hidden=True)
def test_counts_on_random_labels(confusion_matrix, rng):
    n = int(rng.integers(300, 600))
    y_true = rng.integers(0, 10, size=n)
    y_pred = y_true.copy()
    wrong = rng.random(n) < 0.4
    y_pred[wrong] = rng.integers(0, 10, size=wrong.sum())
    y_true, y_pred = torch.from_numpy(y_true), torch.from_numpy(y_pred)
    check_matrix(confusion_matrix(y_true, y_pred, 10), y_true, y_pred, 10)


@test_case(points=1, hidden=True)
def test_absent_classes_keep_their_rows(confusion_matrix, rng):
    n = int(rng.integers(40, 80))
    y_true = torch.from_numpy(rng.integers(0, 4, size=n))
    y_pred = torch.from_numpy(rng.integers(0, 5, size=n))
    check_matrix(confusion_matrix(y_true, y_pred, 7), y_true, y_pred, 7)
