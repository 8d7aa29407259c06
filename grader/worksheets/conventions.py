"""The rules an exercise is worked by, in words: the network, activations, loss, biases or
thresholds, the sign of the error term, the learning rate, the updates and the iterations.

One definition for every place that states them: the top of worksheets and answer keys, the
Moodle export, and the student page, in English or Chinese (``say``, with the source material's
terms: 激活函数, 误差, 阈值, 学习率, 迭代).  The activation and loss texts are those of their registry
entries (``grader.engine.activations``, ``grader.engine.losses``).
"""

from __future__ import annotations

from grader.engine import Exercise
from grader.engine.activations import Activation
from grader.worksheets.notation import fixed
from grader.worksheets.wording import joined, layer_names, say

# bias mode -> (topic, rule)
BIAS = {
    "none": ("Bias", "no biases: z = Σ w·y"),
    "bias": ("Bias", "biases: z = Σ w·y + b, and ∂E/∂b = ∂E/∂z"),
    "threshold": ("Threshold", "thresholds (M-P model): z = Σ w·y − b, so ∂E/∂b = −∂E/∂z"),
}
# delta convention -> how the error term is written and used
DELTA = {
    "dE/dz": "δ = ∂E/∂z; ∂E/∂wⱼᵢ = δⱼ·yᵢ; w ← w − η·∂E/∂w",
    "-dE/dz": "textbook sign g = −∂E/∂z, written δ here; ∂E/∂wⱼᵢ = −δⱼ·yᵢ; w ← w − η·∂E/∂w = w + η·δⱼ·yᵢ",
}


def _colon(language: str) -> str:
    return "：" if language == "zh" else ": "


def activation_text(activation: Activation, language: str = "en") -> str:
    """An activation as the rules print it: its label, then its rule (both from the registry)."""
    return f"{activation.label(language)}{'，' if language == 'zh' else ', '}{activation.rule(language)}"


def conventions(exercise: Exercise, language: str = "en") -> list[tuple[str, str]]:
    """(topic, rule) rows describing how the exercise is to be worked, in ``language``."""
    names = layer_names(exercise, language)
    network = say(
        "{shape} ({layers}), nodes numbered from 1, inputs first; wⱼᵢ is the weight from node i to node j",
        language,
        shape="-".join(map(str, exercise.layers)),
        layers=joined(names, language),
    )
    rows = [(say("Network", language), network)]
    functions = exercise.activation_functions
    if len(set(exercise.activations)) == 1:
        rows.append((say("Activation", language), activation_text(functions[0], language)))
    else:
        for name, function in zip(names[1:], functions):
            rows.append((say("Activation, {layer} layer", language, layer=name), activation_text(function, language)))
    loss = exercise.loss_function
    rows.append((say("Loss", language), f"{loss.label(language)}{_colon(language)}{loss.rule(language)}"))
    topic, rule = BIAS[exercise.bias]
    rows.append((say(topic, language), say(rule, language)))
    rows.append((say("Error term", language), say(DELTA[exercise.delta_convention], language)))
    rows.append((say("Learning rate", language), f"η = {fixed(exercise.learning_rate)}"))
    samples = len(exercise.samples)
    if samples > 1 and exercise.update == "batch":
        how = say("summed" if exercise.batch_reduction == "sum" else "averaged", language)
        batch = say(
            "batch: the {n} samples' gradients (and E) are {how}, then one update", language, n=samples, how=how
        )
        rows.append((say("Updates", language), batch))
    elif samples > 1:
        online = say("online: update after each of the {n} samples, in order", language, n=samples)
        rows.append((say("Updates", language), online))
    if exercise.iterations == 1:
        last = say("a last forward pass shows the new E", language)
    else:
        last = say("{n} iterations, then a last forward pass", language, n=exercise.iterations)
    rows.append((say("Iterations", language), last))
    return rows
