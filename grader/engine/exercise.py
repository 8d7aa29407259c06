"""The concrete exercise: a small network, its data and what the student is asked to compute.

``Exercise.from_mapping`` validates a parsed YAML/JSON document and reports every problem with
the field it concerns, as a JSON pointer, so nothing in a file is ever silently ignored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from grader.engine import keys
from grader.engine.activations import ACTIVATIONS, DEFAULT_LEAKY_SLOPE, Activation
from grader.engine.losses import LOSSES, Loss
from grader.engine.modes import BatchReduction, BiasMode, DeltaConvention, UpdateMode
from grader.engine.phases import PHASES as PHASES  # re-exported: the phases were defined here
from grader.engine.problems import Problem as Problem  # re-exported: problems were defined here
from grader.engine.wording import Wording

BIAS_MODES = tuple(BiasMode)
UPDATE_MODES = tuple(UpdateMode)
DELTA_CONVENTIONS = tuple(DeltaConvention)
BATCH_REDUCTIONS = tuple(BatchReduction)
DIFFICULTIES = ("introductory", "intermediate", "advanced")
MAX_ITERATIONS = 1000
MAX_LAYER_WIDTH = 16
MAX_LAYERS = 6
MAX_SAMPLES = 16
# A trace is built whole in memory and graded step by step, so its size is what bounds the work
# one request can cause; each limit above alone would still allow tens of millions of steps.
MAX_STEPS = 50_000

# Texts a reader sees, each with its Simplified Chinese version ("title_zh"); the pages and the
# printables pick one by the reader's language (``Exercise.text``).
TEXT_FIELDS = ("title", "description", "objective")
TRANSLATED_FIELDS = tuple(f"{name}_zh" for name in TEXT_FIELDS)
FIELDS = (
    "title",
    "description",
    "objective",
    *TRANSLATED_FIELDS,
    "difficulty",
    "layers",
    "activation",
    "leaky_slope",
    "loss",
    "bias",
    "learning_rate",
    "weights",
    "biases",
    "samples",
    "iterations",
    "update",
    "batch_reduction",
    "delta_convention",
    "ask",
)


class ExerciseError(ValueError):
    """An exercise document that cannot be used; ``problems`` names every bad field."""

    what = "exercise"
    name = ""  # what a heading names (a template's name)

    def __init__(self, problems: Sequence[Problem]):
        self.problems = tuple(problems)
        super().__init__(self.text("en"))

    def text(self, language: str = "en") -> str:
        """A heading and every problem, one a line, in a language (``en`` or ``zh``)."""
        heading = Problem.of("", f"invalid_{self.what}", name=self.name).text(language)
        return heading + "\n" + "\n".join(f"  {p.located(language)}" for p in self.problems)


@dataclass(frozen=True, slots=True)
class Sample:
    inputs: tuple[float, ...]
    targets: tuple[float, ...]


@dataclass(frozen=True)
class Exercise:
    layers: tuple[int, ...]
    activations: tuple[str, ...]
    weights: Mapping[str, float]
    samples: tuple[Sample, ...]
    title: str = "Untitled exercise"
    loss: str = "half_sse"
    bias: BiasMode = BiasMode.NONE
    learning_rate: float = 1.0
    biases: Mapping[str, float] = field(default_factory=dict)
    iterations: int = 1
    update: UpdateMode = UpdateMode.ONLINE
    batch_reduction: BatchReduction = BatchReduction.SUM
    delta_convention: DeltaConvention = DeltaConvention.GRADIENT
    ask: tuple[str, ...] = PHASES  # phases and step keys
    description: str = ""
    objective: str = ""
    difficulty: str = "introductory"
    leaky_slope: float = DEFAULT_LEAKY_SLOPE
    title_zh: str = ""
    description_zh: str = ""
    objective_zh: str = ""

    def text(self, name: str, language: str = "en") -> str:
        """A reader-facing text ("title", "description", "objective") in a language ("en" or "zh").

        The Chinese version where the exercise has one, else the English one: an exercise an
        instructor wrote in one language is still shown whole.
        """
        if name not in TEXT_FIELDS:
            raise ValueError(f"no text field {name!r}; expected one of {', '.join(TEXT_FIELDS)}")
        if language == "zh" and getattr(self, f"{name}_zh"):
            return str(getattr(self, f"{name}_zh"))
        return str(getattr(self, name))

    def __repr__(self) -> str:
        shape = "-".join(map(str, self.layers))
        return (
            f"Exercise({self.title!r}, {shape}, {'/'.join(self.activations)}, loss={self.loss}, "
            f"bias={self.bias}, eta={self.learning_rate}, samples={len(self.samples)}, "
            f"iterations={self.iterations}, update={self.update})"
        )

    @property
    def node_layers(self) -> list[list[int]]:
        """Node numbers per layer, numbered from 1 with the inputs first."""
        return keys.node_layers(self.layers)

    @property
    def output_nodes(self) -> list[int]:
        return self.node_layers[-1]

    def weight_names(self) -> list[str]:
        return keys.weight_names(self.layers)

    @property
    def activation_functions(self) -> tuple[Activation, ...]:
        """The registry's activation of each non-input layer, with the exercise's settings applied."""
        return tuple(ACTIVATIONS[name].configured(self.leaky_slope) for name in self.activations)

    @property
    def loss_function(self) -> Loss:
        """The registry's loss of the exercise."""
        return LOSSES[self.loss]

    def bias_names(self) -> list[str]:
        if self.bias == "none":
            return []
        return [keys.bias(j) for layer in self.node_layers[1:] for j in layer]

    def to_mapping(self) -> dict[str, Any]:
        """The exercise as a plain document that ``from_mapping`` reads back unchanged."""
        activation: str | list[str] = self.activations[0] if len(set(self.activations)) == 1 else list(self.activations)
        # Written only where it matters, so that the documents (and the variant ids hashed from
        # them) of exercises without leaky ReLU stay what they were before the field existed.
        slope = (
            {"leaky_slope": self.leaky_slope}
            if "leaky_relu" in self.activations or self.leaky_slope != DEFAULT_LEAKY_SLOPE
            else {}
        )
        # Translations only when present, so an exercise without them keeps its fingerprint.
        translated = {name: getattr(self, name) for name in TRANSLATED_FIELDS if getattr(self, name)}
        return {
            "title": self.title,
            "description": self.description,
            "objective": self.objective,
            **translated,
            "difficulty": self.difficulty,
            "layers": list(self.layers),
            "activation": activation,
            **slope,
            "loss": self.loss,
            "bias": str(self.bias),
            "learning_rate": self.learning_rate,
            "weights": dict(self.weights),
            "biases": dict(self.biases),
            "samples": [{"inputs": list(s.inputs), "targets": list(s.targets)} for s in self.samples],
            "iterations": self.iterations,
            "update": str(self.update),
            "batch_reduction": str(self.batch_reduction),
            "delta_convention": str(self.delta_convention),
            "ask": [str(item) for item in self.ask],
        }

    @classmethod
    def from_mapping(cls, doc: Any) -> Exercise:
        """Validate a parsed document; raise ExerciseError listing every problem found."""
        return _Validator(doc).exercise()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_finite(value: int | float) -> bool:
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _is_whole(value: Any) -> bool:
    """A number with no fractional part; non-finite numbers are not whole (int() would raise)."""
    return _is_number(value) and _is_finite(value) and value == int(value)


class _Validator:
    def __init__(self, doc: Any):
        self.doc = doc
        self.problems: list[Problem] = []

    def fail(self, pointer: str, code: str, **params: Any) -> None:
        self.problems.append(Problem.of(pointer, code, **params))

    def number(self, pointer: str, value: Any) -> float | None:
        if not _is_number(value):
            self.fail(pointer, "not_number", value=repr(value))
            return None
        # A YAML/JSON integer can be too large for a float; that is as unusable as .inf.
        if not _is_finite(value):
            self.fail(pointer, "not_finite", value=repr(value))
            return None
        return float(value)

    def choice(self, name: str, default: str, options: Sequence[str]) -> str:
        value = self.doc.get(name, default)
        if value not in options:
            self.fail(f"/{name}", "unknown_option", name=name, value=repr(value), options=", ".join(options))
            return default
        return str(value)

    def text(self, name: str, default: str) -> str:
        value = self.doc.get(name, default)
        if not isinstance(value, str):
            self.fail(f"/{name}", "not_text", value=repr(value))
            return default
        return value

    def exercise(self) -> Exercise:
        doc = self.doc
        if not isinstance(doc, Mapping):
            raise ExerciseError([Problem.of("", "not_mapping")])
        for name in doc:
            if name not in FIELDS:
                self.fail(f"/{name}", "unknown_field", name=repr(name), known=", ".join(FIELDS))
        layers = self.layers()
        loss = self.choice("loss", "half_sse", tuple(LOSSES))
        settings = Exercise(
            layers=(),
            activations=(),
            weights={},
            samples=(),
            title=self.text("title", "Untitled exercise"),
            description=self.text("description", ""),
            objective=self.text("objective", ""),
            title_zh=self.text("title_zh", ""),
            description_zh=self.text("description_zh", ""),
            objective_zh=self.text("objective_zh", ""),
            difficulty=self.choice("difficulty", "introductory", DIFFICULTIES),
            loss=loss,
            bias=BiasMode(self.choice("bias", "none", BIAS_MODES)),
            update=UpdateMode(self.choice("update", "online", UPDATE_MODES)),
            batch_reduction=BatchReduction(self.choice("batch_reduction", "sum", BATCH_REDUCTIONS)),
            delta_convention=DeltaConvention(self.choice("delta_convention", "dE/dz", DELTA_CONVENTIONS)),
            learning_rate=self.learning_rate(),
            iterations=self.iterations(),
            leaky_slope=self.leaky_slope(),
        )
        if layers is None:
            raise ExerciseError(self.problems)
        activations = self.activations(len(layers) - 1)
        self.output_pairing(loss, activations, layers)
        shell = replace(settings, layers=layers, activations=activations)
        weights = self.parameters("weights", "weight", shell.weight_names(), required=True)
        biases = self.biases(shell)
        samples = self.samples(layers, LOSSES[loss])
        ask = self.ask()
        self.size(layers, len(samples), shell.iterations, shell.bias != BiasMode.NONE)
        if self.problems:
            raise ExerciseError(self.problems)
        return replace(shell, weights=weights, biases=biases, samples=samples, ask=ask)

    def layers(self) -> tuple[int, ...] | None:
        value = self.doc.get("layers")
        if value is None:
            self.fail("/layers", "layers_required")
            return None
        if not isinstance(value, list) or not all(_is_whole(n) for n in value):
            self.fail("/layers", "layers_not_whole", value=repr(value))
            return None
        if not 2 <= len(value) <= MAX_LAYERS:
            self.fail("/layers", "layers_count", most=MAX_LAYERS, count=len(value))
            return None
        bad = [n for n in value if not 1 <= n <= MAX_LAYER_WIDTH]
        if bad:
            self.fail("/layers", "layer_width", most=MAX_LAYER_WIDTH, width=bad[0])
            return None
        return tuple(int(n) for n in value)

    def activations(self, count: int) -> tuple[str, ...]:
        value = self.doc.get("activation", "sigmoid")
        names = [value] * count if isinstance(value, str) else value
        if not isinstance(names, list) or len(names) != count:
            self.fail("/activation", "activation_shape", count=count, value=repr(value))
            return ("sigmoid",) * count
        # One name for every layer is one field: report it once, not once per layer.
        if isinstance(value, str):
            checked = [("/activation", value)]
        else:
            checked = [(f"/activation/{k}", n) for k, n in enumerate(names)]
        for pointer, name in checked:
            if not isinstance(name, str) or name not in ACTIVATIONS:
                self.fail(pointer, "unknown_activation", value=repr(name), options=", ".join(ACTIVATIONS))
        return tuple(n if isinstance(n, str) and n in ACTIVATIONS else "sigmoid" for n in names)

    def output_pairing(self, loss: str, activations: tuple[str, ...], layers: tuple[int, ...]) -> None:
        """Softmax only on the output layer, of two nodes or more; a loss only with the outputs it allows."""
        pointer = "/activation" if isinstance(self.doc.get("activation"), str) else None
        for depth, name in enumerate(activations):
            if ACTIVATIONS[name].output_only and depth < len(activations) - 1:
                self.fail(pointer or f"/activation/{depth}", "output_only", name=name)
                return
        if ACTIVATIONS[activations[-1]].output_only and layers[-1] < 2:
            self.fail(pointer or f"/activation/{len(activations) - 1}", "too_few_outputs", name=activations[-1])
        allowed = LOSSES[loss].outputs
        if allowed and activations[-1] not in allowed:
            self.fail("/loss", "loss_outputs", loss=loss, allowed=Wording(" or ".join(allowed), " 或 ".join(allowed)))

    def leaky_slope(self) -> float:
        value = self.doc.get("leaky_slope", DEFAULT_LEAKY_SLOPE)
        number = self.number("/leaky_slope", value)
        if number is None:
            return DEFAULT_LEAKY_SLOPE
        if not 0.0 < number < 1.0:
            self.fail("/leaky_slope", "leaky_slope_range", value=repr(value))
        return number

    def learning_rate(self) -> float:
        value = self.doc.get("learning_rate", 1.0)
        number = self.number("/learning_rate", value)
        if number is not None and number <= 0:
            self.fail("/learning_rate", "not_positive", value=repr(value))
        return number or 1.0

    def size(self, layers: tuple[int, ...], samples: int, iterations: int, biased: bool) -> None:
        nodes = sum(layers[1:])
        parameters = len(keys.weight_names(layers)) + (nodes if biased else 0)
        per_sample = 3 * nodes + 1 + 2 * parameters
        steps = (iterations + 1) * samples * per_sample + iterations * (2 * parameters + 1)
        if steps > MAX_STEPS:
            self.fail("/iterations", "too_many_steps", steps=f"{steps:,}", most=f"{MAX_STEPS:,}")

    def iterations(self) -> int:
        value = self.doc.get("iterations", 1)
        if not _is_whole(value) or not 1 <= value <= MAX_ITERATIONS:
            self.fail("/iterations", "whole_range", least=1, most=MAX_ITERATIONS, value=repr(value))
            return 1
        return int(value)

    def parameters(self, name: str, kind: str, expected: list[str], required: bool) -> dict[str, float]:
        value = self.doc.get(name, {} if not required else None)
        if not isinstance(value, Mapping):
            self.fail(f"/{name}", "parameters_shape", names=", ".join(expected), value=repr(value))
            return {}
        out = {}
        for key, number in value.items():
            if key not in expected:
                # Only a network's own weights or biases are asked for here: ``expected`` is never empty.
                self.fail(f"/{name}/{key}", f"unexpected_{kind}", key=repr(key), names=", ".join(expected))
                continue
            parsed = self.number(f"/{name}/{key}", number)
            if parsed is not None:
                out[key] = parsed
        for key in expected:
            if key not in value:
                self.fail(f"/{name}/{key}", f"missing_{kind}", key=key)
        return {key: out[key] for key in expected if key in out}

    def biases(self, shell: Exercise) -> dict[str, float]:
        if shell.bias == "none":
            # An empty mapping (or an empty entry) is how a bias-free exercise writes "no biases";
            # anything else would be silently ignored.
            given = self.doc.get("biases")
            if given is not None and given != {}:
                self.fail("/biases", "biases_without_bias")
            return {}
        return self.parameters("biases", "bias", shell.bias_names(), required=True)

    def samples(self, layers: tuple[int, ...], loss: Loss) -> tuple[Sample, ...]:
        value = self.doc.get("samples")
        if not isinstance(value, list) or not 1 <= len(value) <= MAX_SAMPLES:
            self.fail("/samples", "samples_shape", most=MAX_SAMPLES)
            return ()
        out = []
        for m, sample in enumerate(value):
            base = f"/samples/{m}"
            if not isinstance(sample, Mapping):
                self.fail(base, "sample_not_mapping")
                continue
            for extra in set(sample) - {"inputs", "targets"}:
                self.fail(f"{base}/{extra}", "sample_unknown_field", name=repr(extra))
            inputs = self.vector(f"{base}/inputs", sample.get("inputs"), layers[0], "input")
            targets = self.vector(f"{base}/targets", sample.get("targets"), layers[-1], "target")
            problem = loss.target_problem(targets) if len(targets) == layers[-1] else None
            if problem:
                self.problems.append(replace(problem, pointer=f"{base}/targets"))
            out.append(Sample(inputs, targets))
        return tuple(out)

    def vector(self, pointer: str, value: Any, count: int, what: str) -> tuple[float, ...]:
        if not isinstance(value, list):
            self.fail(pointer, "numbers_shape", count=count, value=repr(value))
            return ()
        if len(value) != count:
            self.fail(pointer, f"{what}s_count", count=count, got=len(value))
            return ()
        numbers = [self.number(f"{pointer}/{k}", v) for k, v in enumerate(value)]
        return tuple(n for n in numbers if n is not None)

    def ask(self) -> tuple[str, ...]:
        value = self.doc.get("ask", list(PHASES))
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            self.fail("/ask", "ask_shape", value=repr(value))
            return PHASES
        for k, item in enumerate(value):
            if item not in PHASES and keys.parse(item) is None:
                self.fail(f"/ask/{k}", "ask_item", item=repr(item), phases=", ".join(PHASES))
        return tuple(value)
