"""The rules of an exercise in words: activations, loss, bias, delta sign, updates.

Printed at the top of worksheets and answer keys (and reusable by web pages), so a student knows
exactly which conventions the expected numbers follow.
"""

from __future__ import annotations

from grader.engine import Exercise
from grader.worksheets.notation import fixed

ACTIVATION_TEXT = {
    "sigmoid": "sigmoid, f(z) = 1/(1 + e^(-z)), f' = y(1 - y)",
    "tanh": "tanh, f(z) = tanh(z), f' = 1 - y²",
    "relu": "ReLU, f(z) = max(0, z), f' = 1 if z > 0 else 0",
    "linear": "linear, f(z) = z, f' = 1",
}
LOSS_TEXT = {
    "half_sse": "E = ½ Σ (y - t)²",
    "sse": "E = Σ (y - t)²",
    "mse": "E = (1/n) Σ (y - t)² over the n outputs",
    "binary_cross_entropy": "E = -Σ [t ln y + (1 - t) ln(1 - y)]",
}
BIAS_TEXT = {
    "none": "no biases: z = Σ w·y",
    "bias": "biases: z = Σ w·y + b, and ∂E/∂b = ∂E/∂z",
    "threshold": "thresholds (M-P model): z = Σ w·y - b, so ∂E/∂b = -∂E/∂z",
}


def layer_names(exercise: Exercise) -> list[str]:
    """ "input", "hidden" (or "hidden 1", "hidden 2"), "output", one per layer."""
    hidden = len(exercise.layers) - 2
    middle = ["hidden"] if hidden == 1 else [f"hidden {k}" for k in range(1, hidden + 1)]
    return ["input", *middle, "output"]


def conventions(exercise: Exercise) -> list[tuple[str, str]]:
    """(topic, rule) pairs describing how the exercise is to be worked."""
    names = layer_names(exercise)
    if len(set(exercise.activations)) == 1:
        activation = [("Activation", ACTIVATION_TEXT[exercise.activations[0]])]
    else:
        activation = [
            (f"Activation, {name} layer", ACTIVATION_TEXT[act]) for name, act in zip(names[1:], exercise.activations)
        ]
    if exercise.delta_convention == "dE/dz":
        delta = ("Error term", "δ = ∂E/∂z; ∂E/∂wⱼᵢ = δⱼ·yᵢ; w ← w - η·∂E/∂w")
    else:
        delta = (
            "Error term",
            "textbook sign g = -∂E/∂z, written δ here; ∂E/∂wⱼᵢ = -δⱼ·yᵢ; w ← w - η·∂E/∂w = w + η·δⱼ·yᵢ",
        )
    rules = [
        (
            "Network",
            f"{'-'.join(map(str, exercise.layers))} ({', '.join(names)}), nodes numbered from 1, inputs first; "
            "wⱼᵢ is the weight from node i to node j",
        ),
        *activation,
        ("Loss", LOSS_TEXT[exercise.loss]),
        ("Bias", BIAS_TEXT[exercise.bias]),
        delta,
        ("Learning rate", f"η = {fixed(exercise.learning_rate)}"),
    ]
    samples = len(exercise.samples)
    if samples > 1 and exercise.update == "batch":
        how = "summed" if exercise.batch_reduction == "sum" else "averaged"
        rules.append(("Updates", f"batch: the {samples} samples' gradients (and E) are {how}, then one update"))
    elif samples > 1:
        rules.append(("Updates", f"online: update after each of the {samples} samples, in order"))
    steps = exercise.iterations
    last = "a last forward pass shows the new E" if steps == 1 else f"{steps} iterations, then a last forward pass"
    rules.append(("Iterations", last))
    return rules
