"""What a trace's structure says about the evidence in a set of answers, worked out once per trace.

- *Previous values.*  An update starts from the parameter's old value, and a step of iteration
  k >= 2 has a counterpart in iteration k - 1 (``it2.z3`` and ``z3``).  Writing the previous value
  again is what a student who skips the update, or copies an earlier iteration, does.
- *Readers of the givens.*  The steps that read a given weight, bias or input directly: the net
  inputs of the first pass, the hidden deltas (outgoing weights), the first updates, and the
  first layer's gradients (the inputs).  A student who works on other numbers contradicts the
  exercise at exactly these steps (its *anchors*); everything else follows from their own values.
- *Neighbours.*  The steps of the same kind in the same pass (z3 and z4, new_w5_3 and new_w5_4),
  and the same step of the other iterations and samples: a value that belongs there was written
  in the wrong place.
- *Numbers at hand.*  The given numbers that, written at a step, stand in for work not done: the
  network inputs an activation's net input reads (y3 = x1: the layer skipped) and an output's
  targets (y = t: the error, and every delta and gradient after it, made zero).  Only these make
  a placeholder of a given number; a slip that lands on another printed number by chance (a weight,
  a bias, the old value of an updated weight) is still a slip.
- *Copy groups.*  Iteration, sample and phase of each step: copying shows as two or more values
  of one group repeating their previous values (a lone repeat may be a slip that lands there).

Nothing here depends on a student's answers; ``facts`` caches it per trace (traces are shared by
every submission to the same exercise), ``guards`` per trace and tolerance.
"""

from __future__ import annotations

import weakref
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import NamedTuple

from grader.engine import keys
from grader.engine.trace import Step, Trace
from grader.grading.tolerance import Tolerance

GIVEN_KINDS = ("weight", "bias", "input")
VISIBLE_UNITS = 2.0


@dataclass(frozen=True)
class TraceFacts:
    """The answer-independent structure of a trace that the integrity rules read.

    Every variant of one shape of network shares these facts (``facts``), but for ``at_hand``,
    which reads the exercise's numbers: a field that reads a value must be filled in per trace
    as ``at_hand`` is, or a variant would be graded with another variant's numbers."""

    previous: dict[str, str]  # key -> the key holding its previous value (old parameter, earlier iteration)
    readers: dict[str, tuple[str, ...]]  # given key -> the steps reading it directly
    anchors: frozenset[str]  # steps that read at least one given directly
    parameter_anchors: frozenset[str]  # steps that read a given weight or bias directly
    parameter_givens: frozenset[str]  # the given weights and biases
    kin: dict[str, tuple[str, ...]]  # key -> same kind in the same pass, then the same name elsewhere
    iteration_of: dict[str, int]
    at_hand: dict[str, tuple[float, ...]]  # activation key -> given numbers that stand in for work there
    group: dict[str, tuple[int, str, str]]  # key -> (iteration, sample prefix, phase)


_FACTS: weakref.WeakKeyDictionary[Trace, TraceFacts] = weakref.WeakKeyDictionary()
_GUARDS: weakref.WeakKeyDictionary[Trace, dict[Tolerance, dict[str, Guard]]] = weakref.WeakKeyDictionary()


def split(key: str) -> tuple[int, str, str]:
    """(iteration, sample prefix such as "s1." or "", bare name) of a step key built by the engine."""
    parsed = keys.split(key)  # the one key parser
    return parsed.iteration, "" if parsed.sample is None else f"s{parsed.sample}.", parsed.name


def join(iteration: int, sample: str, name: str) -> str:
    """The key of ``name`` in an iteration and sample (the inverse of ``split``)."""
    return (f"it{iteration}." if iteration > 1 else "") + sample + name


def facts(trace: Trace) -> TraceFacts:
    """The trace's ``TraceFacts``, computed on first use."""
    found = _FACTS.get(trace)
    if found is None:
        # Apart from the numbers at hand, the facts read the steps' keys, phases, kinds and inputs,
        # never their values: every variant of a template shares them, so they are worked out once
        # per shape (a regrade meets thousands of variants, each graded only as often as its
        # student submitted), and the numbers at hand once per trace.
        shape = tuple((k, s.phase, s.kind, s.inputs) for k, s in trace.steps.items())
        shared = _BY_SHAPE.get(shape)
        if shared is None:
            if len(_BY_SHAPE) >= MAX_SHAPES:
                _BY_SHAPE.clear()
            found = _BY_SHAPE[shape] = _build(trace)
        else:
            givens = {k for k, s in trace.steps.items() if s.phase == "given" and s.kind in GIVEN_KINDS}
            found = replace(shared, at_hand=_at_hand(trace, givens))
        _FACTS[trace] = found
    return found


MAX_SHAPES = 256
_BY_SHAPE: dict[tuple[tuple[str, str, str, tuple[str, ...]], ...], TraceFacts] = {}


def _previous(trace: Trace, step: Step, iteration: int, sample: str, name: str) -> str | None:
    """The key holding a step's previous value: an update's old parameter, else the same step one
    iteration earlier (None for a step of the first iteration)."""
    if step.kind in ("new_w", "new_b"):
        return step.inputs[0]
    if iteration > 1:
        earlier = join(iteration - 1, sample, name)
        if earlier in trace.steps:
            return earlier
    return None


def previous_of(trace: Trace, key: str) -> str | None:
    """``facts(trace).previous.get(key)``, without working out the other facts: the generator asks
    this of every attempt it draws, most of which it throws away."""
    found = _FACTS.get(trace)
    if found is not None:
        return found.previous.get(key)
    return _previous(trace, trace.steps[key], *split(key))


def _build(trace: Trace) -> TraceFacts:
    # Reads the structure only, but for ``_at_hand`` (see ``facts``).
    steps = trace.steps
    givens = {k for k, s in steps.items() if s.phase == "given" and s.kind in GIVEN_KINDS}
    previous: dict[str, str] = {}
    readers: dict[str, list[str]] = defaultdict(list)
    groups: dict[tuple[int, str, str], list[str]] = defaultdict(list)
    same_name: dict[str, list[str]] = defaultdict(list)
    iteration_of: dict[str, int] = {}
    for key, step in steps.items():
        if step.phase == "given":
            continue
        iteration, sample, name = split(key)
        iteration_of[key] = iteration
        groups[(iteration, sample, step.kind)].append(key)
        same_name[name].append(key)
        before = _previous(trace, step, iteration, sample, name)
        if before is not None:
            previous[key] = before
        for source in step.inputs:
            if source in givens:
                readers[source].append(key)
    kin: dict[str, tuple[str, ...]] = {}
    for key, step in steps.items():
        if step.phase == "given":
            continue
        iteration, sample, name = split(key)
        near = [k for k in groups[(iteration, sample, step.kind)] if k != key]
        if name[0] in "zy":  # z3 and y3 of the same node are easily swapped
            partner = join(iteration, sample, ("y" if name[0] == "z" else "z") + name[1:])
            near += [partner] if partner in steps else []
        kin[key] = (*near, *(k for k in same_name[name] if k != key))
    anchors = frozenset(k for keys in readers.values() for k in keys)
    given_parameters = frozenset(g for g in givens if steps[g].kind in ("weight", "bias"))
    parameters = frozenset(k for g in given_parameters for k in readers.get(g, ()))
    group = {k: (*split(k)[:2], str(s.phase)) for k, s in steps.items() if s.phase != "given"}
    return TraceFacts(
        previous,
        {g: tuple(r) for g, r in readers.items()},
        anchors,
        parameters,
        given_parameters,
        kin,
        iteration_of,
        _at_hand(trace, givens),
        group,
    )


def _at_hand(trace: Trace, givens: set[str]) -> dict[str, tuple[float, ...]]:
    """key -> the given numbers that, written at the step, stand in for work not done."""
    steps = trace.steps
    ex = trace.exercise
    outputs = set(ex.output_nodes)
    found: dict[str, tuple[float, ...]] = {}
    for key, step in steps.items():
        if step.phase == "given" or step.kind != "y":
            continue
        # An activation written as the network input its net input reads: the layer skipped.
        numbers = [
            steps[g].value
            for k in step.inputs
            if k in steps
            for g in steps[k].inputs
            if g in givens and steps[g].kind == "input"
        ]
        if keys.node(key) in outputs:  # an output written as a target: the error made zero
            sample = keys.split(key).sample
            numbers += ex.samples[0 if sample is None else sample - 1].targets
        found[key] = tuple(dict.fromkeys(numbers))
    return found


class Guard(NamedTuple):
    """A step whose reference visibly changed from its previous value: that value's key, and half
    the policy's rounding unit there (a value this close to the previous one repeats it)."""

    before: str
    half_unit: float


def guards(trace: Trace, tolerance: Tolerance) -> dict[str, Guard]:
    """key -> its ``Guard``, where the reference visibly changed: there a value within tolerance must
    still be checked for a copy of the previous value (the student's previous value may be nearer
    the reference than the reference's own previous value is, after several updates not made)."""
    by_tolerance = _GUARDS.get(trace)
    if by_tolerance is None:
        by_tolerance = _GUARDS[trace] = {}
    found = by_tolerance.get(tolerance)
    if found is None:
        found = by_tolerance[tolerance] = {}
        for key, before in facts(trace).previous.items():
            now, then = trace.steps[key].value, trace.steps[before].value
            if visible(tolerance, now, then):
                found[key] = Guard(before, 0.5 * tolerance.resolution(then))
    return found


def visible(tolerance: Tolerance, now: float, then: float) -> bool:
    """Whether a reference value ``now`` differs from ``then`` at the policy's precision: by at least
    ``VISIBLE_UNITS`` units of ``Tolerance.resolution``.  One unit is not enough: a careful rounder's
    own value carries the rounding of the steps before it, and 0.4184 and 0.4174 may both be
    written 0.418 by a student who rounds every step to 3 significant figures."""
    return abs(now - then) >= VISIBLE_UNITS * tolerance.resolution(now) * (1.0 - 1e-9)
