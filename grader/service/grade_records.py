"""How a grading is stored: one compact record per key, from which everything else is derived.

A grade's ``results`` column maps each asked key to ``[verdict, credit, weight, note,
misconception, params]``, with trailing defaults left out (note = the verdict, no misconception,
no params): ``{"z3": ["correct", 1.0, 1.0], "delta5": ["misconception", 0.0, 1.0,
"target_minus_output", "target_minus_output"]}``.  That is what 100,000 regraded submissions
must write, so it is kept small.  Scores are sums over the records, never stored beside them;
messages (in any language), phases and expected values are rebuilt with the exercise's trace.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.engine import Trace
from grader.grading import Grading, KeyResult, Policy, parse_answers


def to_record(grading: Grading) -> dict[str, list[Any]]:
    """The stored form of a grading."""
    out: dict[str, list[Any]] = {}
    for key, (_, _, verdict, credit, weight, _, _, note, misconception, params) in grading.results.items():
        if params:
            out[key] = [verdict, credit, weight, note, misconception, params]
        elif misconception is not None:
            out[key] = [verdict, credit, weight, note, misconception]
        elif note != verdict:
            out[key] = [verdict, credit, weight, note]
        else:
            out[key] = [verdict, credit, weight]
    return out


def score(record: Mapping[str, list[Any]]) -> tuple[float, float]:
    """(score, max_score) of a stored grading, without rebuilding it."""
    total = maximum = 0.0
    for row in record.values():
        total += row[1] * row[2]
        maximum += row[2]
    return total, maximum


def verdicts(record: Mapping[str, list[Any]]) -> dict[str, tuple[str, str | None]]:
    """key -> (verdict, misconception code) of a stored grading."""
    return {key: (row[0], row[4] if len(row) > 4 else None) for key, row in record.items()}


def rebuild(record: Mapping[str, list[Any]], trace: Trace, answers: Any, policy: Policy) -> Grading:
    """The Grading a record was made from: same verdicts and credit, messages in any language."""
    submitted = parse_answers(answers, list(record)) if isinstance(answers, Mapping) else {}
    results = {}
    for key, row in record.items():
        verdict, credit, weight = row[0], row[1], row[2]
        note = row[3] if len(row) > 3 else verdict
        misconception = row[4] if len(row) > 4 else None
        params = row[5] if len(row) > 5 else {}
        step = trace.steps[key]
        results[key] = KeyResult(
            key=key,
            phase=step.phase,
            verdict=verdict,
            credit=credit,
            weight=weight,
            submitted=submitted.get(key),
            expected=step.value,
            note=note,
            misconception=misconception,
            params=params,
        )
    return Grading(results, policy)
