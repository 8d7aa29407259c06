"""Whether a set of answers was worked on the exercise's own numbers.

Follow-through credits a step that is right from the student's own earlier values.  Numbers
taken from somewhere else (a classmate's variant, another exercise) are "own earlier values" too,
so on its own follow-through would pay for a copied solution.  The answers hold the evidence:

- Every step that reads a given number directly (an *anchor*: the first pass's net inputs, the
  hidden deltas, the first updates, the first layer's gradients) either agrees with the givens or
  contradicts them.  An honest student contradicts them only where they slipped.
- The contradicting steps imply the numbers the student used.  An update implies its old value
  exactly (old = new + eta * gradient); a net input, a delta or a gradient implies any one of its
  givens (each step is affine in each of its inputs, so solving it for one is exact).
- A given is *misread* when two or more answered steps read it and every one of them agrees with
  one other value.  A misreading of one or two givens is an honest mistake: the steps that read the
  number lose credit (``misread_given``, naming the given and the value used) and the rest keeps its
  follow-through.
- The answers are worked on *other numbers* when more than two givens are misread, or when at
  least half of the answered anchors contradict the givens and explaining them takes at least two
  mistakes (misread givens or unexplained contradictions), at least one of them unexplained, and,
  without a misread given, at least half of the anchors unexplained.  (Two slips among four or
  fewer answered anchors look the same as a copy; a complete submission has a dozen anchors or
  more, so two honest slips stay slips, and one or two misread givens alone are never a copy.)
  They are also other numbers when more than ``MAX_MISTAKES`` distinct mistakes are needed across at
  least half of the anchors: misread givens, unexplained contradictions, and each misconception
  named at an anchor whose rule fits the answers at fewer than ``MIN_SHOWN`` different steps (once
  however often).  A copy's wrong values may fit a misconception by chance, at an isolated step
  (again in every sample, which reads the same copied weights); a student who holds a misconception
  applies it wherever its rule reaches, so one that fits at two different steps or more (named
  there, or fitting as well as the entry named) is taken as applied, not counted (as a misreading
  is named only when two readers agree, ``MIN_READERS``).  So two misconceptions applied
  throughout and a slip, an honest student's three mistakes, are not taken for other numbers.
  Then no follow-through is paid and the whole earns at most ``OTHER_NUMBERS_CAP`` of the marks.

This runs only when some anchor is wrong with no known cause, so an honest, careful student never
pays for it: their anchors agree with the givens.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from grader.engine.trace import Trace
from grader.grading.evidence import TraceFacts, split

OTHER_NUMBERS_CAP = 0.2
MIN_COPIES = 2  # repeats of previous values in one iteration, sample and phase that show copying
MAX_MISREAD = 2
MIN_READERS = 2  # a misreading is named only when two answered steps agree on the value used
MIN_CONTRADICTIONS = 2
MIN_SHOWN = 2  # steps (by name) that show a misconception at anchors before it counts as applied, not fitted
MAX_MISTAKES = 2  # distinct mistakes (misread givens, chance fits, unexplained anchors) an honest student may make

Close = Callable[[float, float], bool]


@dataclass(frozen=True)
class Finding:
    """What the anchors say: the givens misread (given key -> value used), the contradicting steps
    they explain, and whether the answers were worked on other numbers altogether."""

    misread: dict[str, float] = field(default_factory=dict)
    explained: frozenset[str] = frozenset()
    other_numbers: bool = False


NOTHING = Finding()


def lone_copies(facts: TraceFacts, copies: set[str]) -> frozenset[str]:
    """The repeated previous values (``copies``) that are the only one in their iteration, sample and
    phase.  Skipping an update, or copying an earlier iteration, repeats every value of the pass
    that visibly changes; a slip repeats one, and only by chance: a lone repeat is no evidence of
    copying, and is marked as an ordinary wrong value (it still earns nothing itself)."""
    counts = Counter(facts.group[k] for k in copies)
    return frozenset(k for k in copies if counts[facts.group[k]] < MIN_COPIES)


def assess(
    trace: Trace,
    facts: TraceFacts,
    effective: Mapping[str, float],
    answered: Mapping[str, float],
    suspects: list[str],
    anchors: set[str],
    close: Close,
    named: Mapping[str, str] | None = None,
    also: Callable[[str, str], tuple[str, ...]] | None = None,
) -> Finding:
    """Weigh the steps in ``suspects`` (wrong with no known cause and not following from the
    student's own values) against the givens; ``effective`` holds the values the grading used,
    ``anchors`` the answered steps that read a weight or bias the student did not write, and
    ``named`` the anchors a misconception explains (key -> code), and ``also`` the other catalogue
    entries whose wrong rule gives the same value at such an anchor (worked out only if needed)."""
    steps = trace.steps

    def computed(key: str, subst: Mapping[str, float]) -> float:
        step = steps[key]
        try:
            value = step.rule(*[subst[k] if k in subst else effective[k] for k in step.inputs])
        except (ArithmeticError, ValueError):
            return math.nan
        return value if value is not None and math.isfinite(value) else math.nan

    def consistent(key: str, subst: Mapping[str, float]) -> bool:
        value = computed(key, subst)
        return not math.isnan(value) and close(answered[key], value)

    def solve(key: str, given: str, subst: Mapping[str, float]) -> float | None:
        """The value of ``given`` that makes step ``key`` give the student's value (steps are affine in it)."""
        start = subst.get(given, effective[given])
        low = computed(key, {**subst, given: start})
        slope = computed(key, {**subst, given: start + 1.0}) - low
        if math.isnan(slope) or abs(slope) < 1e-9:
            return None
        value = start + (answered[key] - low) / slope
        return value if math.isfinite(value) else None

    def confirmed(given: str, subst: Mapping[str, float]) -> bool:
        readers = [r for r in facts.readers.get(given, ()) if r in answered]
        return len(readers) >= MIN_READERS and all(consistent(r, subst) for r in readers)

    def differs(given: str, value: float) -> bool:
        return not close(value, steps[given].value)

    misread: dict[str, float] = {}
    # An update gives away the old value it started from, exactly.
    for key in suspects:
        step = steps[key]
        if step.kind in ("new_w", "new_b") and step.inputs[0] in facts.readers:
            value = solve(key, step.inputs[0], {})
            if value is not None and differs(step.inputs[0], value):
                misread[step.inputs[0]] = value
    changed = True
    while changed:
        changed = False
        for given in list(misread):
            if not confirmed(given, misread):
                del misread[given]
                changed = True
    # The remaining contradictions, one given at a time.
    for key in suspects:
        if consistent(key, misread):
            continue
        for given in steps[key].inputs:
            if given not in facts.readers or given in misread:
                continue
            value = solve(key, given, misread)
            if value is None or not differs(given, value):
                continue
            trial = {**misread, given: value}
            if all(confirmed(g, trial) for g in trial):
                misread = trial
                break
    explained = frozenset(k for k in suspects if consistent(k, misread)) if misread else frozenset()
    unexplained = len(suspects) - len(explained)
    # The inputs are read in every pass, with the student's own weights from the first update on;
    # the given weights and biases only until then: those are the steps where a copy shows.
    contradicting = sum(1 for k in suspects if k in anchors)
    # Each misread given and each unexplained contradiction is one mistake an honest student made.
    mistakes = len(misread) + unexplained
    widespread = 2 * contradicting >= len(anchors)  # at least half of those answered contradict
    mostly_unexplained = bool(misread) or 2 * unexplained >= len(anchors)
    # A misconception is one mistake however many steps show it; answers on other numbers may fit a
    # catalogue entry at an anchor by chance (within the tolerance), so with the misconceptions counted
    # too, more than MAX_MISTAKES distinct mistakes across half the anchors are a copy.  A student who
    # holds a misconception applies it wherever its rule reaches: one whose rule gives the student's
    # values at MIN_SHOWN or more different steps (named there, or fitting as well as the entry named)
    # is taken as applied and costs nothing here, so two misconceptions applied and a slip are an
    # honest student's, not a copy.  The same step of another sample counts once: it reads the same
    # copied weights, so a chance fit there repeats.
    named = named or {}
    fits: dict[str, tuple[str, ...]] = {key: (code,) for key, code in named.items()}
    if also is not None and len(_applied(fits)) < len(set(named.values())):
        # Some entry is named at a single step: entries that fit as well may show it applied.
        fits = {key: (code, *also(key, code)) for key, code in named.items()}
    applied = _applied(fits)
    chance_fits = len({codes[0] for codes in fits.values() if applied.isdisjoint(codes)})
    distinct = mistakes + chance_fits
    everywhere = 2 * (contradicting + len(named)) >= len(anchors)
    other = (
        len(misread) > MAX_MISREAD
        or (widespread and unexplained >= 1 and mistakes >= MIN_CONTRADICTIONS and mostly_unexplained)
        or (everywhere and distinct > MAX_MISTAKES)
    )
    return Finding(misread, explained, other)


def _applied(fits: Mapping[str, tuple[str, ...]]) -> set[str]:
    """The catalogue entries whose rule fits the answers (``fits``: anchor -> codes) at ``MIN_SHOWN`` or
    more different steps; the same step of another sample or iteration counts once."""
    steps: dict[str, set[str]] = {}
    for key, codes in fits.items():
        for code in codes:
            steps.setdefault(code, set()).add(split(key)[2])
    return {code for code, names in steps.items() if len(names) >= MIN_SHOWN}
