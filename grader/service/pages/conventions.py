"""The rules an exercise is worked by, in the reader's language, for the top of the student page.

The same facts as ``grader.worksheets.conventions`` (which prints English worksheets), put in
words a Chinese-speaking student reads too, with the source material's terms (激活函数, 误差,
阈值, 学习率, 迭代).  Activations and losses are described by their registry entries
(``grader.engine.activations``, ``grader.engine.losses``), in the reader's language.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import ngettext

from grader.engine import Exercise
from grader.service.pages.language import current_language
from grader.worksheets.notation import fixed


def _layer_names(exercise: Exercise) -> list[str]:
    hidden = len(exercise.layers) - 2
    middle = [_("hidden layer")] if hidden == 1 else [_("hidden layer %(n)d", n=k) for k in range(1, hidden + 1)]
    return [_("input layer"), *middle, _("output layer")]


def rules(exercise: Exercise) -> list[tuple[str, str]]:
    """(topic, rule) pairs: network, activation, error, thresholds, deltas, learning rate, iterations."""
    names = _layer_names(exercise)
    shape = "-".join(map(str, exercise.layers))
    separator = "、" if current_language() == "zh" else ", "
    out = [
        (
            _("Network"),
            _("%(shape)s: %(layers)s; nodes numbered from 1, inputs first", shape=shape, layers=separator.join(names)),
        )
    ]
    language = current_language()
    functions = exercise.activation_functions
    if len(set(exercise.activations)) == 1:
        act = functions[0]
        out.append((_("Activation function"), f"{act.label(language)}: {act.rule(language)}"))
    else:
        for name, act in zip(names[1:], functions):
            out.append((_("Activation, %(layer)s", layer=name), f"{act.label(language)}: {act.rule(language)}"))
    loss = exercise.loss_function
    out.append((_("Error"), f"{loss.label(language)}: {loss.rule(language)}"))
    bias = {
        "none": _("none: z = Σ w·y"),
        "bias": _("biases: z = Σ w·y + b"),
        "threshold": _("thresholds (M-P model): z = Σ w·y − b, so ∂E/∂b = −δ"),
    }[exercise.bias]
    out.append((_("Biases") if exercise.bias == "bias" else _("Thresholds"), bias))
    if exercise.delta_convention == "dE/dz":
        out.append((_("Error term"), "δ = ∂E/∂z,  ∂E/∂wⱼᵢ = δⱼ·yᵢ,  w ← w − η·∂E/∂w"))
    else:
        out.append((_("Error term"), _("textbook sign: δ = −∂E/∂z,  w ← w + η·δⱼ·yᵢ")))
    out.append((_("Learning rate"), f"η = {fixed(exercise.learning_rate)}"))
    samples = len(exercise.samples)
    if samples > 1:
        if exercise.update == "batch":
            how = _("summed") if exercise.batch_reduction == "sum" else _("averaged")
            out.append(
                (
                    _("Updates"),
                    _("batch: the gradients of the %(n)d samples are %(how)s, then one update", n=samples, how=how),
                )
            )
        else:
            out.append((_("Updates"), _("online: update after each of the %(n)d samples, in order", n=samples)))
    out.append(
        (
            _("Iterations"),
            ngettext(
                "%(num)d update, then a forward pass with the new weights",
                "%(num)d updates, then a forward pass with the new weights",
                exercise.iterations,
            ),
        )
    )
    return out
