"""The generator: a template, a set seed and a student id in; a fair, hand-computable variant out.

Attempt 0, 1, 2, ... of a student's variant draws every value afresh (see ``draws``); the first
attempt whose exercise meets every constraint is the variant, and its attempt number is stored as
``resamples``, so ``generate_variant(template, seed, student, start=resamples)`` rebuilds it in one go.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from grader.engine import ENGINE_VERSION, Exercise, ExerciseError, Problem, Trace, solve
from grader.engine.wording import Wording
from grader.generation.constraints import MISCONCEPTIONS, Violation, parameter_violations, trace_violations
from grader.generation.distinguishability import misconception_violations
from grader.generation.draws import GENERATOR_VERSION, Draws, digest
from grader.generation.passes import passes
from grader.generation.student_ids import STUDENT_ID_CHARACTERS, STUDENT_ID_RULE, student_id_problem
from grader.generation.template import Template
from grader.generation.work_clock import WorkClock


class GenerationError(ValueError):
    """A template that could not give a variant meeting its constraints, or a bad roster.

    ``problem`` says what, with a code, so in either language (``text``); ``str`` is English.
    """

    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem

    @classmethod
    def of(cls, code: str, /, **params: Any) -> GenerationError:
        """The failure the problem ``code`` describes."""
        return cls(Problem.of("", code, **params))

    def text(self, language: str = "en") -> str:
        """What failed, in ``language``."""
        return self.problem.text(language)


@dataclass(frozen=True)
class Variant:
    """One student's concrete exercise, with everything needed to rebuild it."""

    exercise: Exercise
    template: str
    content_hash: str
    seed: int
    student: str
    engine_version: str
    resamples: int
    generator_version: str = GENERATOR_VERSION
    trace: Trace = field(default=None, compare=False, repr=False)
    warnings: tuple[str, ...] = ()  # what a fixed template leaves unmet, in English (stored with the set)
    unmet: tuple[Violation, ...] = field(default=(), compare=False, repr=False)  # the same, in either language
    id: str = field(init=False, compare=False)

    def __repr__(self) -> str:
        return (
            f"Variant({self.template!r}, seed={self.seed}, student={self.student!r}, id={self.id}, "
            f"resamples={self.resamples})"
        )

    def __post_init__(self) -> None:
        # A short fingerprint of the exercise's numbers: equal ids, equal exercises.
        canonical = json.dumps(self.exercise.to_mapping(), sort_keys=True, separators=(",", ":"))
        object.__setattr__(self, "id", digest(canonical, size=5).hex())

    def provenance(self) -> dict[str, Any]:
        """What a variant is rebuilt from: template, content hash, seed, student, versions, resamples."""
        return {
            "template": self.template,
            "content_hash": self.content_hash,
            "seed": self.seed,
            "student": self.student,
            "resamples": self.resamples,
            "engine_version": self.engine_version,
            "generator_version": self.generator_version,
            "variant": self.id,
        }


def _violations(template: Template, draws: Draws) -> tuple[Exercise | None, Trace | None, Iterator[Violation]]:
    """An attempt's exercise, its trace and its unmet constraints, found lazily (cheapest checks first)."""
    c = template.constraints
    try:
        exercise = Exercise.from_mapping(template.resolve(draws))
    except ExerciseError as error:
        first = error.problems[0]
        said = Wording(first.text("en"), first.text("zh"))
        return None, None, iter([Violation.of("valid", "v_invalid", pointer=first.pointer or "/", problem=said)])
    found = parameter_violations(exercise, c)
    first = next(found, None)
    if first is not None:
        return exercise, None, itertools.chain([first], found)
    try:
        trace = solve(exercise)
    except (ArithmeticError, ValueError) as error:  # e.g. ln(0) in cross-entropy at a saturated output
        return exercise, None, iter([Violation.of("solvable", "v_unsolvable", error=error)])
    records = passes(trace)
    return (
        exercise,
        trace,
        itertools.chain(trace_violations(trace, records, c), misconception_violations(trace, records, c)),
    )


def variant_violations(variant: Variant, template: Template, trace: Trace | None = None) -> list[Violation]:
    """Every constraint of ``template`` the variant's exercise leaves unmet, checked on ``trace`` (or a fresh solve)."""
    c = template.constraints
    trace = trace or solve(variant.exercise)
    records = passes(trace)
    return [
        *parameter_violations(variant.exercise, c),
        *trace_violations(trace, records, c),
        *misconception_violations(trace, records, c),
    ]


def attempt_violations(template: Template, draws: Draws) -> Iterator[Violation]:
    """The unmet constraints of one attempt, cheapest checks first (empty when it is accepted)."""
    return _violations(template, draws)[2]


def generate_variant(
    template: Template, seed: int, student: str, start: int = 0, budget: float | None = None
) -> Variant:
    """The variant of ``student`` in the set ``seed``: the first attempt from ``start`` meeting every constraint.

    A template without random values is an exercise its author fixed on purpose: it is never refused,
    and what it leaves unmet is reported in ``Variant.warnings``.  With ``budget`` (CPU seconds of
    this thread), the search gives up once it has used that much, with the same kind of message:
    the service bounds the work one request may cause.  Giving up never changes which variant a
    student gets, only whether it is found in time.
    """
    if not template.random:
        exercise, trace, found = _violations(template, Draws(template.content_hash, seed, student, start))
        if exercise is not None and trace is None:
            # Unmet parameter checks stop a random attempt before it is solved; a fixed exercise is
            # kept anyway, so it is solved and checked in full (all it leaves unmet becomes a warning).
            try:
                trace = solve(exercise)
            except (ArithmeticError, ValueError) as error:
                raise GenerationError.of("g_unsolvable", name=repr(template.name), error=error) from None
            records = passes(trace)
            c = template.constraints
            found = itertools.chain(
                parameter_violations(exercise, c),
                trace_violations(trace, records, c),
                misconception_violations(trace, records, c),
            )
        if exercise is None or trace is None:
            unmet = next(found)
            raise GenerationError.of(
                "g_unmet",
                name=repr(template.name),
                constraint=unmet.constraint,
                violation=Wording(unmet.text("en"), unmet.text("zh")),
            )
        return Variant(
            exercise,
            template.name,
            template.content_hash,
            seed,
            student,
            ENGINE_VERSION,
            start,
            trace=trace,
            unmet=(left := tuple(found)),
            warnings=tuple(str(v) for v in left),
        )
    unmet: Counter[str] = Counter()
    examples: dict[str, str] = {}
    tries = template.constraints.max_tries
    clock = WorkClock()
    for attempt in range(start, start + tries):
        exercise, trace, found = _violations(template, Draws(template.content_hash, seed, student, attempt))
        violation = next(found, None)
        if violation is None:
            return Variant(
                exercise, template.name, template.content_hash, seed, student, ENGINE_VERSION, attempt, trace=trace
            )
        unmet[violation.constraint] += 1
        examples.setdefault(violation.constraint, violation)
        if budget is not None and clock.elapsed() > budget:
            done = attempt - start + 1
            spent = Wording(f"{done} tries, the work of {budget:g} s", f"{done} 次尝试（{budget:g} 秒的计算量）")
            raise GenerationError(_failure(template, seed, student, done, unmet, examples, spent))
    raise GenerationError(_failure(template, seed, student, tries, unmet, examples))


def _failure(
    template: Template,
    seed: int,
    student: str,
    tries: int,
    unmet: Counter[str],
    examples: dict[str, Violation],
    spent: Wording | None = None,
) -> Problem:
    worst, count = unmet.most_common(1)[0]
    others = ", ".join(f"{name} {n}" for name, n in unmet.most_common()[1:])
    relax = f"constraints: {{distinguish: {{{worst}: false}}}}" if worst in MISCONCEPTIONS else f"constraints.{worst}"
    example = examples[worst]
    return Problem.of(
        "",
        "g_no_variant",
        name=repr(template.name),
        student=repr(student),
        seed=seed,
        spent=spent or Wording(f"{tries} tries", f"{tries} 次尝试"),
        worst=worst,
        count=count,
        tries=tries,
        example=Wording(example.text("en"), example.text("zh")),
        also=Wording(f" Also unmet: {others}.", f"其他未满足的约束：{others}。") if others else Wording("", ""),
        relax=relax,
    )


def default_students(count: int) -> list[str]:
    """Student ids s001, s002, ... for a set of ``count`` anonymous students."""
    if count < 1:
        raise GenerationError.of("g_no_students", count=count)
    width = max(3, len(str(count)))
    return [f"s{n:0{width}d}" for n in range(1, count + 1)]


def check_students(students: Sequence[str]) -> list[str]:
    """The roster as a list, after checking the ids are unique and safe as file names."""
    roster = list(students)
    if not roster:
        raise GenerationError.of("g_empty_roster")
    for sid in roster:
        if student_id_problem(sid):
            raise GenerationError.of(
                "g_bad_student_id", student=repr(sid), rule=STUDENT_ID_RULE, characters=STUDENT_ID_CHARACTERS
            )
    repeated = [sid for sid, n in Counter(roster).items() if n > 1]
    if repeated:
        raise GenerationError.of("g_repeated_student", student=repr(repeated[0]))
    return roster


def generate_set(
    template: Template,
    seed: int,
    students: Iterable[str],
    progress: Callable[[Variant], None] | None = None,
) -> list[Variant]:
    """One variant per student, all different when the template is random (first come, first served)."""
    roster = check_students(list(students))
    seen: dict[str, str] = {}
    out = []
    for student in roster:
        variant = generate_variant(template, seed, student)
        while template.random and variant.id in seen:
            if variant.resamples >= template.constraints.max_tries:
                raise GenerationError.of(
                    "g_too_few_variants",
                    name=repr(template.name),
                    count=len(roster),
                    student=repr(student),
                    other=repr(seen[variant.id]),
                )
            variant = generate_variant(template, seed, student, start=variant.resamples + 1)
        seen[variant.id] = student
        out.append(variant)
        if progress:
            progress(variant)
    return out
