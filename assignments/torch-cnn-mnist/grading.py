"""torch-cnn-mnist's grader-only helpers: what the hidden tests use besides the reference
solution (``solution.py``), never shown to students."""

import torch


class PlainSGD:
    """The optimizer of the hidden tests' reference runs on the grader's side: torch.optim.SGD's
    update without momentum, ``p -= lr * p.grad``, without the seconds torch.optim's first call
    spends importing torch._dynamo."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def zero_grad(self):
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self):
        for p in self.params:
            if p.grad is not None:
                p.add_(p.grad, alpha=-self.lr)
