"""The gradebook of a set, built in the database: one row per student, sorted, filtered and paged.

A student's row stands for the attempt that counts (``chosen_attempts``: the latest, or the best
where the policy passes back the best, under its current grade), found in the query itself, so
Python only ever holds the rows it sends: a page, or the rows in flight of a streamed CSV.
Paging is by cursor (keyset), never by offset, so the 200th page costs what the first does.

Assignments (set_id, student_id) finds a set's students in name order.  A page sorted by name
works out only its own students; a sort or a filter by score works out every student's score
(on PostgreSQL, two index probes a student for the latest attempt; one pass over the set's grades
for the best), then joins the rest of a row to the page's students alone.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from grader.service.facade.chosen_attempts import Reading, best_score, chosen, reading
from grader.service.facade.errors import Invalid, Problem
from grader.service.models import Assignment, CopyFlag, ExerciseSet, Grade, PolicyVersion, Submission

DEFAULT_LIMIT = 1000
MAX_LIMIT = 5000
# The rows a streamed export asks the database for at a time (a server-side cursor on PostgreSQL),
# and the students per query of an export in name order.
STREAM_ROWS = 500
STREAM_PAGE = 1000


class Sort(StrEnum):
    """Orders of the gradebook; a leading ``-`` is descending."""

    NAME = "name"
    NAME_DESC = "-name"
    SCORE = "score"
    SCORE_DESC = "-score"


class Status(StrEnum):
    """Which students: everyone, those who have submitted, those who have not started, those with
    an attempt flagged as matching another student's variant (a possible copy)."""

    ALL = "all"
    STARTED = "started"
    NOT_STARTED = "not_started"
    FLAGGED = "flagged"


@dataclass(frozen=True)
class View:
    """What part of the gradebook to show: order, filters, and where a page starts."""

    sort: Sort = Sort.NAME
    status: Status = Status.ALL
    search: str = ""  # student ids containing this (case-insensitive)
    below: float | None = None  # chosen attempt scored under this percentage of the maximum
    cursor: str | None = None
    limit: int | None = DEFAULT_LIMIT

    def by_name(self) -> bool:
        """Whether the view's pages follow student names alone: then a page needs only its own
        students' attempts, where an order or a filter by score needs every student's."""
        return self.sort in (Sort.NAME, Sort.NAME_DESC) and self.below is None

    def next_cursor(self, found: list[Row]) -> str | None:
        """The cursor of the page after ``found``, the rows of this view's page; None after the last."""
        more = self.limit is not None and len(found) == self.limit
        return self.cursor_after(found[-1]) if more and found else None

    def after(self) -> tuple[Any, ...] | None:
        """The last row of the previous page, as the cursor names it (``Invalid`` for a cursor of another sort)."""
        if self.cursor is None:
            return None
        try:
            sort, *position = json.loads(base64.urlsafe_b64decode(self.cursor.encode("ascii") + b"=="))
        except (ValueError, UnicodeError, binascii.Error):
            sort, position = None, []
        expected = 1 if self.sort in (Sort.NAME, Sort.NAME_DESC) else 2
        if sort != self.sort or len(position) != expected or not isinstance(position[-1], str):
            raise Invalid(
                "cursor is not one this gradebook gave out for this sort; start again without it",
                [Problem("unknown cursor", field="cursor")],
            )
        return tuple(position)

    def cursor_after(self, row: Row) -> str:
        """The cursor of the page that follows ``row``."""
        position = [row.student_id] if self.sort in (Sort.NAME, Sort.NAME_DESC) else [_score_key(row), row.student_id]
        raw = json.dumps([str(self.sort), *position], separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


@dataclass
class Row:
    """One student's line of the gradebook."""

    student_id: str
    attempts: int
    attempt: int | None
    score: float | None
    best_score: float | None
    max_score: float | None
    submitted_at: datetime | None
    policy_version: int | None
    results: dict[str, list[Any]] | None = field(repr=False)
    copy_of: str | None = None  # whose variant the chosen attempt's values match (instructors only)

    def verdicts(self) -> dict[str, str]:
        """key -> verdict of the chosen attempt (empty before the first)."""
        return {key: record[0] for key, record in (self.results or {}).items()}

    def to_dict(self) -> dict[str, Any]:
        """The row as the API shows it."""
        return {
            "student_id": self.student_id,
            "attempts": self.attempts,
            "attempt": self.attempt,
            "score": self.score,
            "best_score": self.best_score,
            "max_score": self.max_score,
            "submitted_at": self.submitted_at,
            "policy_version": self.policy_version,
            "copy_of": self.copy_of,
            "verdicts": self.verdicts(),
        }


# Where students without an attempt sort by score: below every score (scores are never negative).
# The cursor (``_score_key``) and the query (``_score_order_key``) must agree on it.
NO_SCORE = -1.0


def _score_key(row: Row) -> float:
    return NO_SCORE if row.score is None else row.score


def _filters(exercise_set: ExerciseSet, view: View) -> list:
    """Conditions on assignments alone (cheap: no grade is looked at)."""
    conditions = [Assignment.set_id == exercise_set.id]
    started = exists().where(Submission.assignment_id == Assignment.id)
    if view.status == Status.STARTED:
        conditions.append(started)
    elif view.status == Status.NOT_STARTED:
        conditions.append(~started)
    elif view.status == Status.FLAGGED:
        flagged = select(Submission.assignment_id).join(CopyFlag, CopyFlag.submission_id == Submission.id)
        conditions.append(Assignment.id.in_(flagged))
    if view.search:
        escaped = view.search.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(func.lower(Assignment.student_id).like(f"%{escaped}%", escape="\\"))
    return conditions


def query(exercise_set: ExerciseSet, view: View, how: Reading, counted: bool = False) -> Select:
    """The gradebook rows ``view`` asks for, in its order, at most ``view.limit`` of them.

    ``counted`` adds a last column: how many students the view's filters keep, on every page
    (a window count over the matches; right on a first page only, as a cursor leaves out the
    rows before it).  The students of the page are found first, with only what sorting and
    filtering read; the rest (the results, the best score, the copy flag) is joined to those rows
    alone, not to every student a sort by score has to look at.
    """
    conditions = _filters(exercise_set, view)
    after = view.after()
    name_order = view.by_name()
    if name_order:
        # Only this page's students need their attempts worked out.
        students = select(Assignment.id).where(*conditions)
        if after is not None:
            students = students.where(
                Assignment.student_id > after[0] if view.sort == Sort.NAME else Assignment.student_id < after[0]
            )
        students = students.order_by(*_order(view, Assignment.student_id, None))
        if view.limit is not None:
            students = students.limit(view.limit)
        students = students.scalar_subquery()
    else:
        students = select(Assignment.id).where(Assignment.set_id == exercise_set.id).scalar_subquery()
    best = chosen(students, how.passback, how.distinct_on, how.settled)
    c = best.c
    found = select(
        Assignment.id.label("assignment_id"),
        Assignment.student_id,
        c.attempts,
        c.attempt,
        c.score,
        c.max_score,
        c.submitted_at,
        c.grade_id,
        c.policy_id,
    ).outerjoin(best, c.assignment_id == Assignment.id)
    if name_order:
        found = found.where(Assignment.id.in_(students))
    else:
        found = found.where(*conditions)
        if view.below is not None:
            found = found.where(c.score < c.max_score * (view.below / 100.0))
        if after is not None and view.sort in (Sort.NAME, Sort.NAME_DESC):
            found = found.where(
                Assignment.student_id > after[0] if view.sort == Sort.NAME else Assignment.student_id < after[0]
            )
        elif after is not None:
            key = _score_order_key(c.score)
            score, student = float(after[0]), after[1]
            beyond = key > score if view.sort == Sort.SCORE else key < score
            found = found.where(or_(beyond, and_(key == score, Assignment.student_id > student)))
    if counted:
        found = found.add_columns(func.count().over().label("matching"))
    found = found.order_by(*_order(view, Assignment.student_id, c.score))
    if view.limit is not None:
        found = found.limit(view.limit)
    page = found.subquery("page")
    p = page.c
    return (
        select(
            p.student_id,
            func.coalesce(p.attempts, 0).label("attempts"),
            p.attempt,
            p.score,
            best_score(p.assignment_id).label("best_score"),
            p.max_score,
            p.submitted_at,
            PolicyVersion.version.label("policy_version"),
            Grade.results,
            CopyFlag.matched_student_id.label("copy_of"),
            *([p.matching] if counted else []),
        )
        .select_from(page)
        .outerjoin(Grade, Grade.id == p.grade_id)
        .outerjoin(PolicyVersion, PolicyVersion.id == p.policy_id)
        .outerjoin(CopyFlag, CopyFlag.submission_id == Grade.submission_id)
        .order_by(*_order(view, p.student_id, p.score))
    )


def _score_order_key(score):
    return func.coalesce(score, literal(NO_SCORE))


def _order(view: View, student_id, score) -> list:
    """The ORDER BY of ``view`` on these columns."""
    if view.sort == Sort.NAME:
        return [student_id]
    if view.sort == Sort.NAME_DESC:
        return [student_id.desc()]
    key = _score_order_key(score)
    return [key if view.sort == Sort.SCORE else key.desc(), student_id]


def _reading(session: Session, exercise_set: ExerciseSet, view: View) -> Reading:
    return reading(session, exercise_set, whole=not view.by_name())


def rows(session: Session, exercise_set: ExerciseSet, view: View) -> list[Row]:
    """The gradebook rows of ``view`` (a page: ``view.limit`` bounds them)."""
    return [Row(*r) for r in session.execute(query(exercise_set, view, _reading(session, exercise_set, view)))]


def stream(session: Session, exercise_set: ExerciseSet, view: View) -> Iterator[Row]:
    """Every row of ``view``, read as it is sent.

    In name order the rows come a page of ``STREAM_PAGE`` students at a time, each page a keyset
    query that works out only its own students, so the first byte goes out after one page, not
    after the whole course; other orders need every score first and come through a server-side
    cursor.  The queries are built now; the rows come through a connection of the stream's own,
    opened on the first row and closed when the stream ends or is abandoned (a client that goes
    away closes the generator), since a streamed response outlives the request's session.
    """
    how, engine = _reading(session, exercise_set, view), session.get_bind()
    paged = view.by_name()

    def generate() -> Iterator[Row]:
        with engine.connect() as connection:
            if not paged:
                streaming = connection.execution_options(stream_results=True, yield_per=STREAM_ROWS)
                for r in streaming.execute(query(exercise_set, view, how)):
                    yield Row(*r)
                return
            part = replace(view, limit=STREAM_PAGE)
            while True:
                found = [Row(*r) for r in connection.execute(query(exercise_set, part, how))]
                yield from found
                if len(found) < STREAM_PAGE:
                    return
                part = replace(part, cursor=part.cursor_after(found[-1]))

    return generate()


def page(session: Session, exercise_set: ExerciseSet, view: View) -> tuple[list[Row], str | None]:
    """One page of rows and the cursor of the next page (None after the last)."""
    found = rows(session, exercise_set, view)
    return found, view.next_cursor(found)


def counted_page(session: Session, exercise_set: ExerciseSet, view: View) -> tuple[list[Row], str | None, int]:
    """One page of rows, the cursor of the next page, and how many students the view's filters
    keep (all pages).

    On the first page of a view filtered by score, the count comes with the rows: a window count
    over the matches, which the query finds anyway to sort them, instead of a second pass over
    every student's score.  A later page's query leaves out the rows before its cursor, so there
    the count is a query of its own.
    """
    if view.below is None or view.cursor is not None:
        found, following = page(session, exercise_set, view)
        return found, following, count(session, exercise_set, view)
    result = session.execute(query(exercise_set, view, _reading(session, exercise_set, view), counted=True)).all()
    found = [Row(*r[:-1]) for r in result]
    return found, view.next_cursor(found), (result[0][-1] if result else 0)


def count(session: Session, exercise_set: ExerciseSet, view: View) -> int:
    """How many students ``view``'s filters keep (all pages)."""
    if view.below is None:
        return session.scalar(select(func.count()).select_from(Assignment).where(*_filters(exercise_set, view))) or 0
    # Only the chosen attempts' scores are needed, not the rows' other columns (results, best score).
    students = select(Assignment.id).where(*_filters(exercise_set, view)).scalar_subquery()
    how = _reading(session, exercise_set, view)
    best = chosen(students, how.passback, how.distinct_on, how.settled)
    below = best.c.score < best.c.max_score * (view.below / 100.0)
    return session.scalar(select(func.count()).select_from(best).where(below)) or 0


def keys(session: Session, exercise_set: ExerciseSet) -> list[str]:
    """The keys a set's grades record, in trace order (empty before the first submission).

    Every variant of a set comes from one template, so every grade records the same keys:
    one grade tells them, whatever the size of the course.
    """
    record = session.scalar(
        select(Grade.results)
        .join(Submission, Submission.id == Grade.submission_id)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Assignment.set_id == exercise_set.id)
        .limit(1)
    )
    return list(record or {})
