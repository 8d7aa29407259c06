"""Printables of a set for the instructor pages: worksheets, answer keys and diagram previews.

A student's variant is stored whole in the assignment, with what rebuilds it; here it becomes a
``Variant`` again, so the worksheets package prints it exactly as ``grader generate`` would.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.engine import Exercise
from grader.generation import Variant, catalogue_template, generate_variant, template_names
from grader.service.facade.assignments import trace_of
from grader.service.models import Assignment, ExerciseSet
from grader.worksheets.diagram import network_svg
from grader.worksheets.render import render_body, render_page, set_title
from grader.worksheets.sheet import build_sheet

PREVIEW_SEED = 0
PREVIEW_STUDENT = "preview"


def variant_of(exercise_set: ExerciseSet, assignment: Assignment) -> Variant:
    """The stored variant of a student, as the generator's Variant."""
    return Variant(
        exercise=Exercise.from_mapping(assignment.exercise),
        template=exercise_set.template_name or "inline",
        content_hash=assignment.template_hash,
        seed=exercise_set.seed,
        student=assignment.student_id,
        engine_version=assignment.engine_version,
        resamples=assignment.resamples,
        generator_version=assignment.generator_version,
        trace=trace_of(assignment),
    )


def assignments_of(session: Session, exercise_set: ExerciseSet) -> list[Assignment]:
    """The set's assignments, by student id."""
    return list(
        session.execute(
            select(Assignment).where(Assignment.set_id == exercise_set.id).order_by(Assignment.student_id)
        ).scalars()
    )


def printable(exercise_set: ExerciseSet, assignments: Sequence[Assignment], kind: str, language: str = "en") -> str:
    """One print-ready HTML page with a worksheet (or answer key) per assignment, a page each, in ``language``."""
    bodies = [render_body(build_sheet(variant_of(exercise_set, a), language), kind, "html") for a in assignments]
    return render_page(bodies, "html", set_title(kind, exercise_set.title, language), language)


@functools.lru_cache(maxsize=64)
def template_preview_svg(name: str, language: str = "en") -> str | None:
    """The diagram of a catalogue template's example variant; None for an unknown name.

    A template with random numbers shows weight names on the edges, since every student's
    numbers differ; a fixed one shows its numbers.
    """
    if name not in template_names():
        return None
    template = catalogue_template(name)
    variant = generate_variant(template, PREVIEW_SEED, PREVIEW_STUDENT)
    return network_svg(variant.exercise, edge_labels="name" if template.random else "value", language=language)
