"""What every endpoint needs from its request: the session, the caller, the language, paging,
and the exercise set and assignment named in the path (after the access checks)."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import marshmallow as ma
from flask import g
from marshmallow import validate
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from grader.service.api import Blueprint
from grader.service.api.language import LANGUAGES as LANGUAGES
from grader.service.api.language import language as language
from grader.service.auth import authenticated, credential, current_principal
from grader.service.database import get_session
from grader.service.facade import assignments, exercise_sets, targets
from grader.service.facade.errors import NotFound
from grader.service.facade.principals import Principal, resolve_with_assignment
from grader.service.facade.targets import Target
from grader.service.models import ExerciseSet

MAX_ID = 2**31 - 1
SET_ID = f"<int(max={MAX_ID}):set_id>"
STUDENT = "<student_id:student_id>"
STUDENT_PATH = f"/exercise-sets/{SET_ID}/students/{STUDENT}"
PUBLIC = {"security": []}


def session() -> Session:
    """The request's database session."""
    return get_session()


def caller() -> Principal:
    """The authenticated caller (401 otherwise)."""
    return current_principal()


def exercise_set(set_id: int) -> ExerciseSet:
    """The set in the path, if the caller may see it (404 otherwise)."""
    return exercise_sets.find_set(session(), caller(), set_id)


def assignment(set_id: int, student_id: str, staff_only: bool = False, create: bool = True):
    """(set, assignment) in the path for a caller allowed there; made on first access.

    The caller, the set and the assignment come from one query (this is on the path of every
    submission); a new student's assignment is made on first access unless ``create`` is false.
    """
    assignments.check_student_id(student_id)
    if "principal" in g:
        who = g.principal
        found, existing = assignments.locate(session(), who, set_id, student_id)
    else:
        who, found, existing = resolve_with_assignment(session(), credential(), set_id, student_id)
        authenticated(who)
    if staff_only:
        who.require_staff()
    who.require_student(set_id, student_id)
    if found is None:
        raise NotFound(f"no exercise set {set_id}")
    if existing is not None:
        return found, existing
    if not create:
        raise NotFound(f"student {student_id!r} has no assignment in set {set_id}")
    return found, assignments.assignment_for(session(), found, student_id)


def submission_target(set_id: int, student_id: str) -> Target:
    """Where a submission in the path goes: one lean query when the caller may submit to an
    existing assignment; otherwise the general path, which makes the assignment or says what is
    wrong (401, 403, 404)."""
    assignments.check_student_id(student_id)
    if "principal" not in g:
        target = targets.find_target(session(), credential(), set_id, student_id)
        if target is not None:
            return target
    found, assigned = assignment(set_id, student_id)
    return Target.of(caller(), found, assigned)


class PageQuerySchema(ma.Schema):
    page = ma.fields.Integer(load_default=1, validate=validate.Range(1, 100_000))
    page_size = ma.fields.Integer(load_default=20, validate=validate.Range(1, 100))


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """An envelope ``{items, page, page_size, total}`` around a list of ``item_schema``."""
    return ma.Schema.from_dict(
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "page": ma.fields.Integer(required=True),
            "page_size": ma.fields.Integer(required=True),
            "total": ma.fields.Integer(required=True),
        },
        name=name,
    )


def paginate(query: Select, paging: dict[str, int]) -> tuple[list[Any], dict[str, int]]:
    """One page of a query's rows, and the envelope's numbers."""
    total = session().scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    page, size = paging["page"], paging["page_size"]
    rows = session().execute(query.limit(size).offset((page - 1) * size)).scalars().all()
    return rows, {"page": page, "page_size": size, "total": total}


def errors(blp: Blueprint, *codes: int):
    """Document the problem responses an operation gives: 400, 429 and 503 always, and ``codes``.

    429: rate limits (grader.service.rate_limits) refuse repeated failed credentials on any
    operation that takes one, and repeated calls of the expensive ones."""

    def decorate(view):
        for code in (400, *codes, 429, 503):
            view = blp.alt_response(code, response=HTTPStatus(code).name)(view)
        return view

    return decorate
