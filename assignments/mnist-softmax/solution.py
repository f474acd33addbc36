"""Softmax regression on MNIST from scratch in NumPy.

From the practical "Deep Learning Optimization": a linear classifier ``images @ W + b``
followed by softmax, trained by minibatch SGD (lr 0.1, batch 100, 20 epochs) on the mean
cross-entropy; about 92% test accuracy on MNIST. Names and shapes are the assignment's
contract (``assignments/mnist-softmax``).
"""

import numpy as np


def softmax(X):
    """Row-wise softmax, numerically stable.

    Inputs:
    - X: logits of shape (N, C), float.

    Returns probs of shape (N, C), each row non-negative and summing to 1. Subtracting the
    row maximum first keeps logits of +-1000 free of overflow and NaN.
    """
    # BEGIN SOLUTION
    shifted = X - np.max(X, axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / np.sum(exp, axis=1, keepdims=True)
    # END SOLUTION


def forward(images, W, b):
    """Class probabilities of the linear softmax classifier.

    Inputs:
    - images: (N, 784) float in [0, 1].
    - W: weights of shape (784, 10).
    - b: biases of shape (10,).

    Returns probs of shape (N, 10): ``softmax(images @ W + b)``.
    """
    # BEGIN SOLUTION
    return softmax(images @ W + b)
    # END SOLUTION


def cross_entropy(probs, labels):
    """Mean cross-entropy loss.

    Inputs:
    - probs: predicted class probabilities of shape (N, 10).
    - labels: one-hot targets of shape (N, 10).

    Returns the float ``-mean_n sum_c labels[n, c] * log(probs[n, c])``.
    """
    # BEGIN SOLUTION
    return float(-np.mean(np.log(np.sum(labels * probs, axis=1))))
    # END SOLUTION


def gradients(images, labels, W, b):
    """Gradient of the mean cross-entropy of ``forward(images, W, b)`` w.r.t. W and b.

    Inputs:
    - images: (N, 784) float.
    - labels: one-hot targets of shape (N, 10).
    - W: (784, 10), b: (10,).

    Returns a tuple (gradW, gradb) of shapes (784, 10) and (10,).
    """
    # BEGIN SOLUTION
    probs = forward(images, W, b)
    dlogits = (probs - labels) / images.shape[0]
    return images.T @ dlogits, np.sum(dlogits, axis=0)
    # END SOLUTION


def accuracy(W, b, images, labels):
    """Fraction of images whose most probable class is the labelled one.

    Inputs:
    - W: (784, 10), b: (10,).
    - images: (N, 784) float.
    - labels: one-hot targets of shape (N, 10).

    Returns a float in [0, 1] (a fraction, not a percentage).
    """
    # BEGIN SOLUTION
    predicted = np.argmax(forward(images, W, b), axis=1)
    return float(np.mean(predicted == np.argmax(labels, axis=1)))
    # END SOLUTION


def train(images, labels, epochs=20, lr=0.1, batch_size=100, seed=0):
    """Train W and b by minibatch SGD on the mean cross-entropy, from zero initialisation.

    Inputs:
    - images: (N, 784) float in [0, 1].
    - labels: one-hot targets of shape (N, 10).
    - epochs: passes over the data; lr: learning rate; batch_size: examples per step.
    - seed: seeds the per-epoch shuffle.

    Returns a tuple (W, b) of shapes (784, 10) and (10,).
    """
    # BEGIN SOLUTION
    rng = np.random.default_rng(seed)
    W = np.zeros((images.shape[1], labels.shape[1]))
    b = np.zeros(labels.shape[1])
    for _ in range(epochs):
        order = rng.permutation(images.shape[0])
        for start in range(0, images.shape[0], batch_size):
            batch = order[start : start + batch_size]
            gradW, gradb = gradients(images[batch], labels[batch], W, b)
            W -= lr * gradW
            b -= lr * gradb
    return W, b
    # END SOLUTION
