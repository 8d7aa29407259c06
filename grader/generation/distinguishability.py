"""Misconceptions must give answers a student's work can be told apart by.

Each check recomputes, straight from the trace, the value a student with one misconception would
write at the first keys it affects, and asks that it be ``separated`` from the reference (see
``Constraints.separated``).  Some also ask it of every node, where the lead-in numbers themselves
should show the difference (a derivative factor not ~1, y not ~z).  A check only applies when the
phase it shows in is asked and the network can show it at all (f' is 1 for a linear node, y = z
for an active ReLU: those misconceptions are invisible there by nature, and skipped).

Codes are those of the grader's misconception catalogue (issue 3).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from grader.engine import Exercise, Trace
from grader.engine.activations import ACTIVATIONS
from grader.generation.constraints import SQUASHING, Constraints, Violation, node_activations
from grader.generation.passes import Pass

Records = dict[tuple[int, int | None], Pass]
Check = Callable[[Trace, Records, Constraints, set[str]], Violation | None]

BIAS_SIGN = {"none": 0, "bias": 1, "threshold": -1}


def misconception_violations(trace: Trace, records: Records, c: Constraints) -> Iterator[Violation]:
    """Each misconception (of those the template distinguishes) whose answers cannot be told apart."""
    asked = {trace.steps[k].phase for k in trace.asked_keys()}
    for code, check in CHECKS.items():
        if code in c.distinguish:
            found = check(trace, records, c, asked)
            if found:
                yield found


def _first(records: Records, test: Callable[[Pass], bool]) -> Pass | None:
    return next((r for r in records.values() if test(r)), None)


def _training(records: Records) -> list[Pass]:
    """The backward passes of iteration 1, one per sample."""
    return [r for r in records.values() if r.iteration == 1 and r.delta]


def _exists(c: Constraints, pairs: Iterable[tuple[float, float]]) -> bool:
    return any(c.separated(a, b) for a, b in pairs)


def _given(trace: Trace) -> dict[str, float]:
    return {k: s.value for k, s in trace.steps.items() if s.phase == "given"}


def _updates(trace: Trace, records: Records, shift: Callable[[float, float, float], float]):
    """(reference new value, the value ``shift(old, eta, gradient)``) for the first update of the exercise."""
    update = _first(records, lambda r: bool(r.new))
    old, eta = _given(trace), trace.exercise.learning_rate
    return [(new, shift(old[name], eta, update.grad[name])) for name, new in update.new.items()]


def missing_learning_rate(trace, records, c, asked):
    if "updates" not in asked:
        return None
    if not _exists(c, _updates(trace, records, lambda w, eta, g: w - g)):
        eta = trace.exercise.learning_rate
        return Violation(
            "missing_learning_rate",
            f"with learning rate {eta:g}, w - eta*dE/dw and w - dE/dw agree at every updated weight",
        )
    return None


def gradient_ascent(trace, records, c, asked):
    if "updates" in asked and not _exists(c, _updates(trace, records, lambda w, eta, g: w + eta * g)):
        return Violation(
            "gradient_ascent",
            "w - eta*dE/dw and w + eta*dE/dw agree at every updated weight: the gradients are too small",
        )
    return None


def _squashing_deltas(trace: Trace, records: Records):
    """(record, node, activation) for every sigmoid/tanh node with a delta in iteration 1."""
    acts = node_activations(trace.exercise)
    for record in _training(records):
        for j in record.delta:
            if acts[j] in SQUASHING:
                yield record, j, ACTIVATIONS[acts[j]]


def missing_activation_derivative(trace, records, c, asked):
    if "backward" not in asked:
        return None
    pairs = []
    for record, j, act in _squashing_deltas(trace, records):
        slope = act.derivative_scalar(record.y[j])
        if not c.apart(slope, 1.0):
            return Violation("missing_activation_derivative", f"f'(z{j}) = {slope:.4g} is too close to 1")
        pairs.append((record.delta[j], record.delta[j] / slope))
    if pairs and not _exists(c, pairs):
        return Violation("missing_activation_derivative", "every delta is too small to show a missing f'")
    return None


def derivative_from_z(trace, records, c, asked):
    if "backward" not in asked:
        return None
    pairs = []
    for record, j, act in _squashing_deltas(trace, records):
        right, wrong = act.derivative_scalar(record.y[j]), act.derivative_scalar(record.z[j])
        pairs.append((record.delta[j], record.delta[j] * wrong / right))
    if pairs and not _exists(c, pairs):
        return Violation("derivative_from_z", "f' taken from z instead of y changes no delta enough to show")
    return None


def target_minus_output(trace, records, c, asked):
    if "backward" not in asked:
        return None
    for record in _training(records):
        for j in trace.exercise.output_nodes:
            if not c.separated(record.delta[j], -record.delta[j]):
                return Violation(
                    "target_minus_output", f"delta{j} = {record.delta[j]:.3g} is too close to 0 to show a sign error"
                )
    return None


def updated_weights_in_backprop(trace, records, c, asked):
    ex = trace.exercise
    if "backward" not in asked or len(ex.layers) < 3:
        return None
    record, update = _training(records)[0], _first(records, lambda r: bool(r.new))
    acts = node_activations(ex)
    hidden, outputs = ex.node_layers[-2], ex.node_layers[-1]
    pairs = []
    for j in hidden:
        slope = ACTIVATIONS[acts[j]].derivative_scalar(record.y[j])
        stale = sum(update.new[f"w{k}_{j}"] * record.delta[k] for k in outputs)
        pairs.append((record.delta[j], slope * stale))
    if not _exists(c, pairs):
        return Violation(
            "updated_weights_in_backprop",
            f"hidden deltas of nodes {hidden} come out alike with the old and the updated weights",
        )
    return None


def net_input_in_gradient(trace, records, c, asked):
    ex = trace.exercise
    if "gradients" not in asked:
        return None
    acts = node_activations(ex)
    hidden = [i for layer in ex.node_layers[1:-1] for i in layer if acts[i] in SQUASHING]
    pairs = []
    for record in _training(records):
        for i in hidden:
            y, z = record.y[i], record.z[i]
            if not c.apart(y, z):
                return Violation("net_input_in_gradient", f"y{i} = {y:.4g} and z{i} = {z:.4g} are too close")
            pairs += [(record.delta[j] * y, record.delta[j] * z) for j in _fed_by(ex, i)]
    if pairs and not _exists(c, pairs):
        return Violation("net_input_in_gradient", "delta*y and delta*z agree at every gradient")
    return None


def _fed_by(ex: Exercise, i: int) -> list[int]:
    for prev, layer in zip(ex.node_layers, ex.node_layers[1:]):
        if i in prev:
            return layer
    return []


def loss_without_half(trace, records, c, asked):
    if "loss" not in asked or trace.exercise.loss != "half_sse":
        return None
    for record in records.values():
        if record.iteration == 1 and record.z and record.E is not None and not c.separated(record.E, 2 * record.E):
            return Violation("loss_without_half", f"E = {record.E:.3g} is too small to tell E from 2E")
    return None


def _first_forward(records: Records) -> Pass:
    return _first(records, lambda r: bool(r.z))


def _net(ex: Exercise, given: dict[str, float], j: int, inputs: dict[int, float], weight=None) -> float:
    """z_j recomputed from ``inputs`` (node -> y), with ``weight(j, i)`` naming the weight used."""
    weight = weight or (lambda j, i: f"w{j}_{i}")
    total = sum(given[weight(j, i)] * y for i, y in inputs.items())
    sign = BIAS_SIGN[ex.bias]
    return total + sign * given[f"b{j}"] if sign else total


def threshold_sign(trace, records, c, asked):
    ex = trace.exercise
    sign = BIAS_SIGN[ex.bias]
    if "forward" not in asked or not sign:
        return None
    record, given = _first_forward(records), _given(trace)
    for j, z in record.z.items():
        flipped = z - 2 * sign * given[f"b{j}"]
        if not c.separated(z, flipped):
            return Violation("threshold_sign", f"z{j} with +b{j} and with -b{j} are too close ({z:.4g}, {flipped:.4g})")
    return None


def activation_on_input(trace, records, c, asked):
    ex = trace.exercise
    act = ex.activations[0]
    if "forward" not in asked or act not in SQUASHING:
        return None
    given, f = _given(trace), ACTIVATIONS[act].scalar
    record = _first_forward(records)
    sample = ex.samples[(record.sample or 1) - 1]
    squashed = {i: f(x) for i, x in zip(ex.node_layers[0], sample.inputs)}
    pairs = [(record.z[j], _net(ex, given, j, squashed)) for j in ex.node_layers[1]]
    if not _exists(c, pairs):
        return Violation("activation_on_input", "the first net inputs come out alike with f applied to the inputs")
    return None


def swapped_weight_indices(trace, records, c, asked):
    ex = trace.exercise
    if "forward" not in asked:
        return None
    record, given = _first_forward(records), _given(trace)
    sample = ex.samples[(record.sample or 1) - 1]
    outputs = dict(zip(ex.node_layers[0], sample.inputs)) | record.y
    pairs = []
    for prev, layer in zip(ex.node_layers, ex.node_layers[1:]):
        if len(prev) != len(layer):
            continue
        position = {n: p for p, n in enumerate(prev)} | {n: p for p, n in enumerate(layer)}

        def swapped(j, i, prev=prev, layer=layer, position=position):
            return f"w{layer[position[i]]}_{prev[position[j]]}"

        pairs += [(record.z[j], _net(ex, given, j, {i: outputs[i] for i in prev}, swapped)) for j in layer]
    if pairs and not _exists(c, pairs):
        return Violation("swapped_weight_indices", "net inputs come out alike with w_ji and w_ij")
    return None


CHECKS: dict[str, Check] = {
    "missing_learning_rate": missing_learning_rate,
    "gradient_ascent": gradient_ascent,
    "missing_activation_derivative": missing_activation_derivative,
    "derivative_from_z": derivative_from_z,
    "target_minus_output": target_minus_output,
    "updated_weights_in_backprop": updated_weights_in_backprop,
    "net_input_in_gradient": net_input_in_gradient,
    "loss_without_half": loss_without_half,
    "threshold_sign": threshold_sign,
    "activation_on_input": activation_on_input,
    "swapped_weight_indices": swapped_weight_indices,
}
