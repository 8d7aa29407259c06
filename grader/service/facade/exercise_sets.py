"""Exercise sets: create from a catalogue or inline template, list, read, change, with the
policy versioned on every change."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import yaml
from sqlalchemy import Select, bindparam, exists, func, select
from sqlalchemy.orm import Session

from grader.generation import Template, TemplateError, catalogue_template, template_names
from grader.grading import Policy, PolicyError
from grader.service.facade.errors import Invalid, InvalidExercise, InvalidPolicy, NotFound, Problem, problems_under
from grader.service.facade.limits import MAX_TEMPLATE_TRIES, check_size
from grader.service.facade.principals import SEES_SET, Principal
from grader.service.models import Account, Assignment, ExerciseSet, Grade, PolicyVersion, Submission, utcnow


def resolve_template(name: str | None, document: Any, max_steps: int) -> tuple[Template, dict[str, Any]]:
    """The template a set is made from, and the document to store; ``Invalid`` naming what is wrong."""
    if name is not None:
        if name not in template_names():
            raise Invalid(
                f"no template {name!r} in the catalogue; see GET /api/v1/templates",
                [Problem(f"unknown template; known: {', '.join(template_names())}", pointer="#/template")],
            )
        template = catalogue_template(name)
        return template, yaml.safe_load(template.source)
    check_size(document, max_steps, "#/template_document")
    try:
        template = Template.from_mapping(document, "inline")
    except TemplateError as error:
        raise InvalidExercise(
            "the inline template cannot be used", problems_under(error.problems, "template_document")
        ) from None
    if template.constraints.max_tries > MAX_TEMPLATE_TRIES:
        raise InvalidExercise(
            f"an inline template may resample at most {MAX_TEMPLATE_TRIES} times",
            [Problem(f"at most {MAX_TEMPLATE_TRIES}", pointer="#/template_document/constraints/max_tries")],
        )
    return template, dict(document)


def validate_policy(document: Mapping[str, Any] | None) -> Policy:
    """A policy from its document; ``InvalidPolicy`` with pointers under ``#/policy``."""
    try:
        return Policy.from_mapping(dict(document) if document is not None else None)
    except PolicyError as error:
        raise InvalidPolicy("the grading policy cannot be used", problems_under(error.problems, "policy")) from None


def create_set(session: Session, owner: Account, data: Mapping[str, Any], max_steps: int) -> ExerciseSet:
    """A new set with policy version 1, from the validated body of ``POST /exercise-sets``.

    Added to the session and flushed (so it has an id), not committed: the caller commits it
    together with its idempotency record.
    """
    template, document = resolve_template(data.get("template"), data.get("template_document"), max_steps)
    policy = validate_policy(data.get("policy"))
    exercise_set = ExerciseSet(
        owner=owner,
        title=data.get("title") or template.title,
        template_name=data.get("template"),
        template=document,
        template_hash=template.content_hash,
        seed=data["seed"] if data.get("seed") is not None else secrets.randbelow(2**31),
        max_attempts=data.get("max_attempts"),
        due_at=data.get("due_at"),
    )
    exercise_set.policies.append(PolicyVersion(version=1, document=policy.to_mapping()))
    session.add(exercise_set)
    session.flush()
    session.expire(exercise_set, ["current_policy"])
    return exercise_set


def list_sets(principal: Principal) -> Select:
    """The sets of a staff caller (admins: everyone's), newest first; ``NotAllowed`` for a student."""
    principal.require_staff()
    query = select(ExerciseSet).where(SEES_SET).order_by(ExerciseSet.id.desc())
    return query.params(principal.visibility())


_FIND_SET = select(ExerciseSet).where(ExerciseSet.id == bindparam("set_id"), SEES_SET)


def find_set(session: Session, principal: Principal, set_id: int) -> ExerciseSet:
    """A set the caller may see, or ``NotFound``.  A student token sees its own set only."""
    found = session.execute(_FIND_SET, {"set_id": set_id, **principal.visibility()}).scalar_one_or_none()
    if found is None:
        raise NotFound(f"no exercise set {set_id}")
    return found


def update_set(session: Session, exercise_set: ExerciseSet, changes: Mapping[str, Any]) -> ExerciseSet:
    """Apply a validated PATCH; a changed policy becomes the next policy version."""
    for name in ("title", "max_attempts", "due_at"):
        if name in changes:
            setattr(exercise_set, name, changes[name])
    if "policy" in changes:
        current = dict(exercise_set.policy.document)
        patch = dict(changes["policy"])
        if "phase_weights" in patch:
            patch["phase_weights"] = {**current.get("phase_weights", {}), **patch["phase_weights"]}
        merged = validate_policy({**current, **patch})
        # Compared as policies, not documents: an older document may say reveal: true for "always".
        if merged != Policy.from_mapping(current):
            version = exercise_set.policy.version + 1
            session.add(PolicyVersion(set_id=exercise_set.id, version=version, document=merged.to_mapping()))
    exercise_set.updated_at = utcnow()
    session.commit()
    session.expire(exercise_set, ["current_policy"])
    return exercise_set


def policy_of(exercise_set: ExerciseSet) -> Policy:
    """The current grading policy of a set."""
    return Policy.from_mapping(exercise_set.policy.document)


def summary(session: Session, exercise_set: ExerciseSet) -> dict[str, Any]:
    """The set as the API shows it, with its counts."""
    students = session.scalar(select(func.count()).where(Assignment.set_id == exercise_set.id))
    submissions_of_set = (
        select(Submission.id)
        .join(Assignment, Assignment.id == Submission.assignment_id)
        .where(Assignment.set_id == exercise_set.id)
    )
    submissions = session.scalar(select(func.count()).select_from(submissions_of_set.subquery()))
    current = exercise_set.policy
    stale = session.scalar(
        select(func.count()).select_from(
            submissions_of_set.where(
                ~exists().where(Grade.submission_id == Submission.id, Grade.policy_id == current.id)
            ).subquery()
        )
    )
    return {
        "id": exercise_set.id,
        "title": exercise_set.title,
        "template": exercise_set.template_name,
        "template_hash": exercise_set.template_hash,
        "template_document": exercise_set.template,
        "seed": exercise_set.seed,
        "policy": current.document,
        "policy_version": current.version,
        "max_attempts": exercise_set.max_attempts,
        "due_at": exercise_set.due_at,
        "archived_at": exercise_set.archived_at,
        "owner": exercise_set.owner.name,
        "students": students,
        "submissions": submissions,
        "stale_grades": stale,
        "created_at": exercise_set.created_at,
        "updated_at": exercise_set.updated_at,
    }
