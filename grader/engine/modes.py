"""The modes an exercise is worked in: biases, updates, batch reduction and the delta sign.

Each is a ``StrEnum`` whose values are the strings exercise files and JSON use.
"""

from __future__ import annotations

from enum import StrEnum


class BiasMode(StrEnum):
    NONE = "none"  # z = sum w y
    BIAS = "bias"  # z = sum w y + b
    THRESHOLD = "threshold"  # z = sum w y - b (the M-P neuron)


class UpdateMode(StrEnum):
    ONLINE = "online"  # update after each sample
    BATCH = "batch"  # one update per iteration from the samples' summed or averaged gradients


class BatchReduction(StrEnum):
    SUM = "sum"
    MEAN = "mean"


class DeltaConvention(StrEnum):
    GRADIENT = "dE/dz"  # delta = dE/dz, w_new = w - eta dE/dw
    NEGATED = "-dE/dz"  # the textbook g = -dE/dz, w_new = w + eta g y


BIAS_SIGN = {BiasMode.NONE: 0, BiasMode.BIAS: 1, BiasMode.THRESHOLD: -1}
