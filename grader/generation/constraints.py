"""Hand-computability constraints: what makes a generated exercise good to do by hand.

A template may tune each one in its ``constraints:`` block (``false`` switches a check off):

===========================  =========  =====================================================
constraint                   default    holds when
===========================  =========  =====================================================
short_numbers                2          every given number has at most this many decimals
min_abs_parameter            0.1        every weight and bias is at least this far from 0
distinct_weights             true       the weights into a node, and out of a node, all differ
max_net_input                3.0        every net input z stays within +-this, in every pass
min_slope                    0.2        sigmoid/tanh f'(z) is at least this share of its peak
relu_active                  all        every ReLU node is active (``all``), or one per layer
                                        and sample (``layer``: inactive nodes are intended)
relu_margin                  0.05       no (leaky) ReLU net input within this of 0 (f'(0) is moot)
leaky_negative               true       some leaky ReLU node has z < 0 in the first pass, so
                                        its slope is used (and dead_unit_derivative can show)
min_probability              0.05       every softmax output is at least this, in every pass
target_not_top               true       with softmax, the target class is not already the most
                                        likely output in the first pass
min_gradient                 0.0001     no gradient smaller than this, unless intended
min_error                    0.05       every output is this far from its target at first
loss_decreases               true       the total E falls from each iteration to the next...
min_loss_drop                0.01       ...by at least this share
visible_change               2          every asked update, and every asked value of a later
                                        iteration, differs from its previous value (the old
                                        weight, the same step one iteration earlier) by at
                                        least this many default tolerances, max(1e-4, 1 % of
                                        the new value): a student who skips the update or
                                        copies an iteration fails the tolerance itself.  A
                                        value the engine leaves exactly as it was (a zero
                                        input's weight, a dead ReLU's 0) is excepted: there
                                        the previous value is the right answer.  A fixed
                                        exercise is kept with a warning (docs/grading-integrity.md)
separation                   0.03       relative gap that makes two answers distinguishable
min_difference               0.0002     absolute gap that makes two answers distinguishable
distinguish                  all on     misconception code -> false to give up detecting it
max_tries                    1000       attempts before the generator gives up
===========================  =========  =====================================================

Which activations saturate, have a kink or die is read from the activation registry
(``peak_slope``, ``kink``, ``dies``).  The misconception checks themselves are in
``grader.generation.distinguishability``; they apply the grader's catalogue.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from typing import Any

from grader.engine import Exercise, Problem, Trace, keys
from grader.engine.activations import Activation
from grader.engine.wording import Wording
from grader.generation.passes import Pass
from grader.grading.evidence import previous_of
from grader.grading.misconceptions import CATALOGUE
from grader.grading.tolerance import Tolerance

DEFAULT_TOLERANCE = Tolerance()
MISCONCEPTIONS = tuple(m.code for m in CATALOGUE)  # the grader's catalogue, the one list of codes


@dataclass(frozen=True, slots=True)
class Violation:
    """An unmet constraint: its name, and what failed (a problem with a code, so in either language)."""

    constraint: str
    problem: Problem

    @classmethod
    def of(cls, constraint: str, code: str, /, **params: Any) -> Violation:
        """The violation of ``constraint`` that the problem ``code`` describes."""
        return cls(constraint, Problem.of("", code, **params))

    @property
    def message(self) -> str:
        """What failed, in English."""
        return self.problem.message

    def text(self, language: str = "en") -> str:
        """What failed, in ``language``."""
        return self.problem.text(language)

    def __str__(self) -> str:
        return f"{self.constraint}: {self.message}"


@dataclass(frozen=True)
class Constraints:
    """The hand-computability settings of a template; None switches a numeric check off."""

    short_numbers: int | None = 2
    min_abs_parameter: float | None = 0.1
    distinct_weights: bool = True
    max_net_input: float | None = 3.0
    min_slope: float | None = 0.2
    relu_active: str = "all"
    relu_margin: float | None = 0.05
    leaky_negative: bool = True
    min_probability: float | None = 0.05
    target_not_top: bool = True
    min_gradient: float | None = 1e-4
    min_error: float | None = 0.05
    loss_decreases: bool = True
    min_loss_drop: float = 0.01
    visible_change: float | None = 2.0
    separation: float = 0.03
    min_difference: float = 2e-4
    distinguish: frozenset[str] = frozenset(MISCONCEPTIONS)
    max_tries: int = 1000

    def __repr__(self) -> str:
        changed = [
            f"{f.name}={getattr(self, f.name)!r}"
            for f in fields(self)
            if f.name != "distinguish" and getattr(self, f.name) != f.default
        ]
        off = sorted(set(MISCONCEPTIONS) - self.distinguish)
        if off:
            changed.append(f"not distinguished: {', '.join(off)}")
        return f"Constraints({', '.join(changed) or 'defaults'})"

    def separated(self, a: float, b: float) -> bool:
        """Whether a student could tell a from b: apart by ``separation`` relatively and ``min_difference``."""
        gap = abs(a - b)
        return gap >= self.min_difference and gap >= self.separation * max(abs(a), abs(b))

    def apart(self, a: float, b: float) -> bool:
        """Relative separation only, for factors whose scale does not matter (f'(y) against f'(z))."""
        return abs(a - b) >= self.separation * max(abs(a), abs(b))

    @classmethod
    def from_mapping(cls, value: Any, problems: list[Problem]) -> Constraints:
        """Read a ``constraints:`` block; problems are appended with their pointers."""
        if value is None:
            return cls()
        if not isinstance(value, Mapping):
            problems.append(Problem.of("/constraints", "constraints_shape", value=repr(value)))
            return cls()
        known = {f.name: f for f in fields(cls)}
        settings: dict[str, Any] = {}
        for name, setting in value.items():
            pointer = f"/constraints/{name}"
            if name not in known:
                problems.append(Problem.of(pointer, "unknown_constraint", name=repr(name), known=", ".join(known)))
            elif name == "distinguish":
                settings[name] = _distinguish(setting, pointer, problems)
            else:
                parsed = _setting(name, known[name].default, setting, pointer, problems)
                if parsed is not _BAD:
                    settings[name] = parsed
        return cls(**settings)


_BAD = object()


def _setting(name: str, default: Any, value: Any, pointer: str, problems: list[Problem]) -> Any:
    if name == "relu_active":
        if value in ("all", "layer"):
            return value
        problems.append(Problem.of(pointer, "all_or_layer", value=repr(value)))
        return _BAD
    if isinstance(default, bool):
        if isinstance(value, bool):
            return value
        problems.append(Problem.of(pointer, "not_flag", value=repr(value)))
        return _BAD
    nullable = name not in ("min_loss_drop", "separation", "min_difference", "max_tries")
    if value is False and nullable:
        return None
    whole = name in ("short_numbers", "max_tries")
    good = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value >= 0
    if whole:
        good = good and value == int(value) and (name != "max_tries" or value >= 1)
    if not good:
        code = f"setting_{'whole' if whole else 'number'}{'_or_false' if nullable else ''}"
        problems.append(Problem.of(pointer, code, value=repr(value)))
        return _BAD
    return int(value) if whole else float(value)


def _distinguish(value: Any, pointer: str, problems: list[Problem]) -> frozenset[str]:
    if not isinstance(value, Mapping):
        problems.append(Problem.of(pointer, "distinguish_shape"))
        return frozenset(MISCONCEPTIONS)
    enabled = set(MISCONCEPTIONS)
    for code, on in value.items():
        if code not in MISCONCEPTIONS:
            problems.append(
                Problem.of(
                    f"{pointer}/{code}", "unknown_misconception", code=repr(code), known=", ".join(MISCONCEPTIONS)
                )
            )
        elif not isinstance(on, bool):
            problems.append(Problem.of(f"{pointer}/{code}", "not_flag", value=repr(on)))
        elif not on:
            enabled.discard(code)
    return frozenset(enabled)


def node_activations(exercise: Exercise) -> dict[int, Activation]:
    """Node number -> activation (from the registry), for every non-input node."""
    return {j: act for act, layer in zip(exercise.activation_functions, exercise.node_layers[1:]) for j in layer}


def parameter_violations(exercise: Exercise, c: Constraints) -> Iterator[Violation]:
    """The checks that need no solution: short, non-zero, distinct given numbers."""
    if c.short_numbers is not None:
        scale = 10**c.short_numbers
        given: list[tuple[str | Wording, float]] = [
            (Wording("learning rate", "学习率"), exercise.learning_rate),
            *exercise.weights.items(),
            *exercise.biases.items(),
        ]
        for m, sample in enumerate(exercise.samples, start=1):
            given += [
                (Wording(f"input {k} of sample {m}", f"样本 {m} 的第 {k} 个输入"), v)
                for k, v in enumerate(sample.inputs, start=1)
            ]
            given += [
                (Wording(f"target {k} of sample {m}", f"样本 {m} 的第 {k} 个目标值"), v)
                for k, v in enumerate(sample.targets, start=1)
            ]
        for name, value in given:
            if abs(value * scale - round(value * scale)) > 1e-9 * max(1.0, abs(value * scale)):
                yield Violation.of(
                    "short_numbers", "v_short_numbers", name=name, value=repr(value), decimals=c.short_numbers
                )
    if c.min_abs_parameter is not None:
        for name, value in (*exercise.weights.items(), *exercise.biases.items()):
            if abs(value) < c.min_abs_parameter:
                yield Violation.of(
                    "min_abs_parameter",
                    "v_min_abs_parameter",
                    name=name,
                    value=f"{abs(value):g}",
                    least=f"{c.min_abs_parameter:g}",
                )
    if c.distinct_weights:
        nodes = exercise.node_layers
        for prev, layer in itertools.pairwise(nodes):
            groups = [[f"w{j}_{i}" for i in prev] for j in layer] + [[f"w{j}_{i}" for j in layer] for i in prev]
            for group in groups:
                for a, b in itertools.combinations(group, 2):
                    if exercise.weights[a] == exercise.weights[b]:
                        yield Violation.of(
                            "distinct_weights", "v_distinct_weights", a=a, b=b, value=f"{exercise.weights[a]:g}"
                        )


def trace_violations(trace: Trace, records: dict[tuple[int, int | None], Pass], c: Constraints) -> Iterator[Violation]:
    """The checks on the solution: saturation, dead ReLUs, zero gradients, outputs at target, E falling."""
    ex = trace.exercise
    acts = node_activations(ex)
    for record in records.values():
        found = _saturation(record, acts, c)
        if found:
            yield found
            break
    for record in records.values():
        if record.training:
            found = _relu(record, acts, ex, c)
            if found:
                yield found
                break
    found = _leaky(records, acts, c) or _softmax(ex, records, acts, c)
    if found:
        yield found
    if c.min_error is not None:
        for record in records.values():
            if record.iteration == 1 and record.y and record.delta:
                for j, target in zip(ex.output_nodes, _targets(ex, record)):
                    if abs(record.y[j] - target) < c.min_error:
                        yield Violation.of(
                            "min_error",
                            "v_min_error",
                            y=f"y{j}",
                            value=f"{record.y[j]:.4g}",
                            least=f"{c.min_error:g}",
                            target=f"{target:g}",
                            where=_where(record),
                        )
    if c.min_gradient is not None:
        found = _gradients(records, acts, c)
        if found:
            yield found
    if c.loss_decreases:
        found = _loss_falls(ex, records, c)
        if found:
            yield found
    if c.visible_change is not None:
        found = _invisible_change(trace, c.visible_change)
        if found:
            yield found


def _where(record: Pass) -> Wording:
    """The pass a violation happened in, as the end of a sentence: " (iteration 2, sample 1)"."""
    en = [f"iteration {record.iteration}"] if record.iteration > 1 else []
    zh = [f"第 {record.iteration} 次迭代"] if record.iteration > 1 else []
    if record.sample is not None:
        en.append(f"sample {record.sample}")
        zh.append(f"样本 {record.sample}")
    return Wording(f" ({', '.join(en)})" if en else "", f"（{'，'.join(zh)}）" if zh else "")


def _targets(ex: Exercise, record: Pass) -> tuple[float, ...]:
    return ex.samples[(record.sample or 1) - 1].targets


def _saturation(record: Pass, acts: dict[int, Activation], c: Constraints) -> Violation | None:
    for j, z in record.z.items():
        if c.max_net_input is not None and abs(z) > c.max_net_input:
            return Violation.of(
                "max_net_input",
                "v_max_net_input",
                z=f"z{j}",
                value=f"{abs(z):.4g}",
                most=f"{c.max_net_input:g}",
                where=_where(record),
            )
        act = acts[j]
        if c.min_slope is not None and act.peak_slope is not None:
            slope = act.derivative_scalar(record.y[j]) / act.peak_slope
            if slope < c.min_slope:
                return Violation.of(
                    "min_slope",
                    "v_min_slope",
                    act=act.name,
                    node=j,
                    z=f"z{j}",
                    value=f"{z:.4g}",
                    slope=f"{slope:.0%}",
                    least=f"{c.min_slope:.0%}",
                    where=_where(record),
                )
    return None


Records = dict[tuple[int, int | None], Pass]


def _leaky(records: Records, acts: dict[int, Activation], c: Constraints) -> Violation | None:
    """Some leaky ReLU node has z < 0 in the first pass (only where there are leaky ReLU nodes)."""
    leaky = [j for j, act in acts.items() if act.kink and not act.dies]
    if not c.leaky_negative or not leaky:
        return None
    first = [r for r in records.values() if r.iteration == 1 and r.z]
    if any(r.z[j] < 0 for r in first for j in leaky):
        return None
    return Violation.of("leaky_negative", "v_leaky_negative", zs=", ".join(f"z{j}" for j in leaky))


def _softmax(
    ex: Exercise, records: dict[tuple[int, int | None], Pass], acts: dict[int, Activation], c: Constraints
) -> Violation | None:
    """Softmax outputs readable to a few decimals, and a target class that is not already the most likely."""
    outputs = ex.output_nodes
    if not acts[outputs[0]].output_only:
        return None
    for record in records.values():
        if not record.z:
            continue
        if c.min_probability is not None:
            low = next((j for j in outputs if record.y[j] < c.min_probability), None)
            if low is not None:
                return Violation.of(
                    "min_probability",
                    "v_min_probability",
                    y=f"y{low}",
                    value=f"{record.y[low]:.4g}",
                    least=f"{c.min_probability:g}",
                    where=_where(record),
                )
        if c.target_not_top and record.iteration == 1:
            targets = _targets(ex, record)
            wanted = outputs[targets.index(max(targets))]
            top = max(outputs, key=lambda j: record.y[j])
            if top == wanted:
                return Violation.of(
                    "target_not_top",
                    "v_target_not_top",
                    y=f"y{wanted}",
                    value=f"{record.y[wanted]:.4g}",
                    where=_where(record),
                )
    return None


def _relu(record: Pass, acts: dict[int, Activation], ex: Exercise, c: Constraints) -> Violation | None:
    for layer_nodes in ex.node_layers[1:]:
        act = acts[layer_nodes[0]]
        if not act.kink:
            continue
        zs = [record.z[j] for j in layer_nodes]
        if c.relu_margin is not None:
            for j, z in zip(layer_nodes, zs):
                if abs(z) < c.relu_margin:
                    return Violation.of(
                        "relu_margin",
                        "v_relu_margin",
                        act=Wording(act.label("en"), act.label("zh")),
                        node=j,
                        z=f"z{j}",
                        value=f"{z:.4g}",
                        least=f"{c.relu_margin:g}",
                        where=_where(record),
                    )
        if not act.dies:
            continue
        inactive = [j for j, z in zip(layer_nodes, zs) if z <= 0]
        if c.relu_active == "all" and inactive:
            return Violation.of("relu_active", "v_relu_inactive", node=inactive[0], where=_where(record))
        if len(inactive) == len(layer_nodes):
            return Violation.of("relu_active", "v_relu_dead", nodes=layer_nodes, where=_where(record))
    return None


def _inactive(record: Pass, acts: dict[int, Activation]) -> set[int]:
    return {j for j, z in record.z.items() if acts[j].dies and z <= 0}


def _gradients(
    records: dict[tuple[int, int | None], Pass], acts: dict[int, Activation], c: Constraints
) -> Violation | None:
    """Every gradient is at least min_gradient, except those a switched-off ReLU makes zero by design."""
    for record in records.values():
        if not record.grad:
            continue
        if record.z:
            quiet = _inactive(record, acts)
        else:  # a batch total: zero by design only if the node is off for every sample
            group = [r for r in records.values() if r.iteration == record.iteration and r.z]
            quiet = set.intersection(*(_inactive(r, acts) for r in group))
        for name, g in record.grad.items():
            if c.relu_active == "layer" and quiet.intersection(keys.split(name).nodes):
                continue
            if abs(g) < c.min_gradient:
                return Violation.of(
                    "min_gradient",
                    "v_min_gradient",
                    name=name,
                    value=f"{g:.3g}",
                    least=f"{c.min_gradient:g}",
                    where=_where(record),
                )
    return None


def _loss_falls(ex: Exercise, records: dict[tuple[int, int | None], Pass], c: Constraints) -> Violation | None:
    totals: dict[int, float] = {}
    for record in records.values():
        if record.E is not None and record.z:
            totals[record.iteration] = totals.get(record.iteration, 0.0) + record.E
    for k in range(1, ex.iterations + 1):
        before, after = totals[k], totals[k + 1]
        if after > before * (1.0 - c.min_loss_drop):
            return Violation.of(
                "loss_decreases",
                "v_loss_decreases",
                before=f"{before:.5g}",
                k=k,
                after=f"{after:.5g}",
                next=k + 1,
                drop=f"{c.min_loss_drop:.0%}",
            )
    return None


# Changes at most this big are the engine's float noise around an unchanged value: exactly the
# same number by design (a zero input's weight, a dead ReLU's output and gradients).
UNCHANGED = 1e-12


def change_ratio(now: float, then: float) -> float | None:
    """|now - then| in default tolerances at ``now`` (the reference a copied ``then`` is judged
    against); None when the value does not change by design."""
    change = abs(now - then)
    return None if change <= UNCHANGED else change / DEFAULT_TOLERANCE.padded(now)


def _invisible_change(trace: Trace, factor: float) -> Violation | None:
    """The first asked update or later-iteration value that moves by less than ``factor`` default tolerances."""
    steps = trace.steps
    for key in trace.asked_keys():
        before = previous_of(trace, key)  # the grader's one definition of "the value before"
        if before is None:
            continue
        now, then = steps[key].value, steps[before].value
        ratio = change_ratio(now, then)
        if ratio is not None and ratio < factor:
            return Violation.of(
                "visible_change",
                "v_visible_change",
                key=key,
                now=f"{now:.6g}",
                previous=before,
                then=f"{then:.6g}",
                change=f"{abs(now - then):.3g}",
                ratio=f"{ratio:.2g}",
                tolerance=f"{DEFAULT_TOLERANCE.padded(now):.3g}",
                factor=f"{factor:g}",
            )
    return None
