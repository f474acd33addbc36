"""PyTorch fundamentals: tensor creation, seeds, matrix multiplication, devices, indexing,
squeeze and permute.

From the exercises of "00. PyTorch Fundamentals" (Daniel Bourke, learnpytorch.io): a random
(7, 7) tensor times a (1, 7) one (transposed), the same again with a seed, a seeded pair of
(2, 3) tensors on the GPU multiplied there, their max/min and arg-max/arg-min, and a
(1, 1, 1, 10) tensor squeezed to (10,). Names and shapes are the assignment's contract
(``assignments/torch-fundamentals``). Every function works on the CPU and on a CUDA device.
"""

import torch


def random_tensor(shape, seed):
    """A tensor of uniform random numbers in [0, 1), reproducible from ``seed``.

    Inputs:
    - shape: tuple of ints, the tensor's shape, e.g. (7, 7).
    - seed: int, passed to ``torch.manual_seed`` immediately before drawing.

    Returns a float32 CPU tensor of ``shape``: ``torch.rand(shape)`` after
    ``torch.manual_seed(seed)``, so the same seed always gives the same tensor.
    """
    # BEGIN SOLUTION
    torch.manual_seed(seed)
    return torch.rand(shape)
    # END SOLUTION


def matmul_transpose(A, B):
    """Matrix product of ``A`` with the transpose of ``B``.

    Inputs:
    - A: (N, K) tensor.
    - B: (M, K) tensor of the same dtype (K must match: that is why B is transposed).

    Returns the (N, M) tensor ``A @ B.T`` (``torch.matmul``), in the inputs' dtype.
    """
    # BEGIN SOLUTION
    return torch.matmul(A, B.T)
    # END SOLUTION


def extremes(t):
    """Largest and smallest value of a tensor and where they are.

    Inputs:
    - t: tensor of any shape with at least one element, no NaN.

    Returns a tuple of Python numbers ``(max_value, min_value, argmax, argmin)``; argmax and
    argmin are indices into the flattened tensor (what ``torch.argmax(t)`` without ``dim``
    returns), the first occurrence on ties.
    """
    # BEGIN SOLUTION
    return t.max().item(), t.min().item(), t.argmax().item(), t.argmin().item()
    # END SOLUTION


def get_device():
    """The device for device-agnostic code: the string ``"cuda"`` when PyTorch can use a GPU
    (``torch.cuda.is_available()``), otherwise ``"cpu"``."""
    # BEGIN SOLUTION
    return "cuda" if torch.cuda.is_available() else "cpu"
    # END SOLUTION


def to_device(t, device):
    """Move a tensor to a device.

    Inputs:
    - t: tensor of any shape and dtype.
    - device: ``"cpu"`` or ``"cuda"`` (what ``get_device()`` returns).

    Returns ``t`` on ``device``, with the same values, shape and dtype.
    """
    # BEGIN SOLUTION
    return t.to(device)
    # END SOLUTION


def seeded_matmul_on_device(seed, device):
    """Exercises 6 and 7: two seeded random (2, 3) tensors multiplied on ``device``.

    Inputs:
    - seed: int; call ``torch.manual_seed(seed)`` once, then draw ``A = torch.rand(2, 3)`` and
      ``B = torch.rand(2, 3)``, in that order, on the CPU.
    - device: ``"cpu"`` or ``"cuda"``; move A and B there and multiply them there.

    Returns the (2, 2) float32 product ``A @ B.T``, moved back to the CPU.
    """
    # BEGIN SOLUTION
    torch.manual_seed(seed)
    A = torch.rand(2, 3).to(device)
    B = torch.rand(2, 3).to(device)
    return torch.matmul(A, B.T).cpu()
    # END SOLUTION


def select_channel(images, c):
    """One colour channel of a batch of images.

    Inputs:
    - images: (N, C, H, W) tensor (PyTorch's batch, channel, height, width order).
    - c: int, the channel index, 0 <= c < C.

    Returns the (N, H, W) tensor of channel ``c`` of every image (indexing dimension 1).
    """
    # BEGIN SOLUTION
    return images[:, c]
    # END SOLUTION


def squeeze_all(t):
    """Exercise 10: remove every dimension of size 1.

    Inputs:
    - t: tensor of any shape, e.g. (1, 1, 1, 10).

    Returns the same values with every size-1 dimension removed, e.g. shape (10,); other
    dimensions keep their order.
    """
    # BEGIN SOLUTION
    return t.squeeze()
    # END SOLUTION


def hwc_to_chw(image):
    """Reorder an image from (height, width, channels), the layout of image files and
    matplotlib, to (channels, height, width), the layout PyTorch's conv layers expect.

    Inputs:
    - image: (H, W, C) tensor.

    Returns the (C, H, W) tensor with ``out[c, h, w] == image[h, w, c]`` (``permute``).
    """
    # BEGIN SOLUTION
    return image.permute(2, 0, 1)
    # END SOLUTION
