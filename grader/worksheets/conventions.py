"""The rules of an exercise in words: activations, loss, bias, delta sign, updates.

Printed at the top of worksheets and answer keys (and reusable by web pages), so a student knows
exactly which conventions the expected numbers follow.
"""

from __future__ import annotations

from grader.engine import Exercise
from grader.engine.activations import Activation
from grader.worksheets.notation import fixed

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


def activation_text(activation: Activation, language: str = "en") -> str:
    """An activation as the rules print it: its label, then its rule (both from the registry)."""
    return f"{activation.label(language)}{'，' if language == 'zh' else ', '}{activation.rule(language)}"


def conventions(exercise: Exercise) -> list[tuple[str, str]]:
    """(topic, rule) pairs describing how the exercise is to be worked."""
    names = layer_names(exercise)
    functions = exercise.activation_functions
    if len(set(exercise.activations)) == 1:
        activation = [("Activation", activation_text(functions[0]))]
    else:
        activation = [(f"Activation, {name} layer", activation_text(act)) for name, act in zip(names[1:], functions)]
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
        ("Loss", f"{exercise.loss_function.label('en')}: {exercise.loss_function.rule('en')}"),
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
