"""Exercise sets: create from a catalogue or inline template, list, read, change, with the
policy versioned on every change."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

import yaml
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from grader.engine.problems import Problem as EngineProblem
from grader.generation import (
    GenerationError,
    Template,
    TemplateError,
    catalogue_template,
    generate_variant,
    template_names,
)
from grader.grading import Policy, PolicyError
from grader.service import time_zones
from grader.service.facade import chosen_attempts
from grader.service.facade.errors import (
    Invalid,
    InvalidExercise,
    InvalidPolicy,
    NotFound,
    PolicyConflict,
    Problem,
    coded,
    problems_under,
)
from grader.service.facade.limits import GENERATION_BUDGET, MAX_TEMPLATE_TRIES, check_size
from grader.service.facade.principals import SEES_SET, Principal
from grader.service.models import Account, Assignment, ExerciseSet, PolicyVersion, utcnow


def resolve_template(name: str | None, document: Any, max_steps: int) -> tuple[Template, dict[str, Any]]:
    """The template a set is made from, and the document to store; ``Invalid`` naming what is wrong."""
    if name is not None:
        if name not in template_names():
            raise Invalid(
                f"no template {name!r} in the catalogue; see GET /api/v1/templates",
                [coded("#/template", "unknown_template", names=", ".join(template_names()))],
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
            [
                Problem(
                    f"at most {MAX_TEMPLATE_TRIES}",
                    pointer="#/template_document/constraints/max_tries",
                    source=EngineProblem.of("", "max_tries", most=MAX_TEMPLATE_TRIES),
                )
            ],
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
    seed = data["seed"] if data.get("seed") is not None else secrets.randbelow(2**31)
    if data.get("template") is None and template.random:
        _trial_draw(template, seed)
    exercise_set = ExerciseSet(
        owner=owner,
        title=data.get("title") or template.title,
        template_name=data.get("template"),
        template=document,
        template_hash=template.content_hash,
        seed=seed,
        max_attempts=data.get("max_attempts"),
        due_at=data.get("due_at"),
        token_lifetime_days=data.get("token_lifetime_days"),
        time_zone=data.get("time_zone") or time_zones.DEFAULT,
    )
    exercise_set.policies.append(PolicyVersion(version=1, document=policy.to_mapping()))
    session.add(exercise_set)
    session.flush()
    session.expire(exercise_set, ["current_policy"])
    return exercise_set


def _trial_draw(template: Template, seed: int) -> None:
    """``InvalidExercise`` now, within the generation budget, when an inline template cannot give a
    variant, rather than on every student's first view of the set."""
    try:
        generate_variant(template, seed, TRIAL_STUDENT, budget=GENERATION_BUDGET)
    except GenerationError as error:
        raise InvalidExercise(
            f"no variant of this template could be made: {error}",
            [
                Problem(
                    "no variant meets its constraints: relax them, or widen ranges",
                    pointer="#/template_document",
                    source=error.problem,
                )
            ],
        ) from None


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


# The student id a new inline set's trial variant is drawn for.
TRIAL_STUDENT = "trial-draw"
# Attempts at taking the next policy version number before giving up with PolicyConflict.
POLICY_TRIES = 10
SETTINGS = ("title", "max_attempts", "due_at", "time_zone", "token_lifetime_days")


def update_set(
    session: Session, exercise_set: ExerciseSet, changes: Mapping[str, Any], based_on: int | None = None
) -> int | None:
    """Apply a validated PATCH and commit it; a changed policy becomes the next policy version.

    Returns the number of the policy version this change stored, or None when it stored none
    (no policy in the change, or the policy asked for is the one in force): a caller must not
    read "a new version" off the set afterwards, since another change may have added one since.
    The set's ``policy`` is left at the version this change stored (or found in force).

    Simultaneous changes of one set take turns.  The policy versions of a set are numbered
    without gaps (a unique constraint), so of two changes that read the same version only one
    stores the next; the other is applied again on top of it, since a PATCH names only the
    fields it changes.  ``PolicyConflict`` when that keeps failing (``POLICY_TRIES`` times), or
    when ``based_on`` (the version a form showed) is no longer current and the change would
    undo someone else's; the same change sent twice (a double click) is simply saved once.
    """
    set_id = exercise_set.id
    for _ in range(POLICY_TRIES):
        try:
            stored = _apply(session, exercise_set, changes, based_on)
            session.commit()
        except IntegrityError:
            session.rollback()  # another change took the version number: read the set again
            exercise_set = session.get(ExerciseSet, set_id, populate_existing=True)
            continue
        if stored is not None:
            # The version just stored, not whatever is latest by the time the caller reads it.
            set_committed_value(exercise_set, "current_policy", stored)
        return None if stored is None else stored.version
    raise PolicyConflict(
        f"the policy of set {set_id} was changed by others at the same time, {POLICY_TRIES} times over; "
        "read it again and resend the change"
    )


def _apply(
    session: Session, exercise_set: ExerciseSet, changes: Mapping[str, Any], based_on: int | None
) -> PolicyVersion | None:
    """Stage ``changes`` in the session (not committed); the new policy version, if one is needed."""
    current_version = exercise_set.policy.version
    current = dict(exercise_set.policy.document)
    merged = None
    if "policy" in changes:
        patch = dict(changes["policy"])
        if "phase_weights" in patch:
            patch["phase_weights"] = {**current.get("phase_weights", {}), **patch["phase_weights"]}
        merged = validate_policy({**current, **patch})
    # Compared as policies, not documents: an older document may say reveal: true for "always".
    policy_changes = merged is not None and merged != Policy.from_mapping(current)
    settings_change = any(name in changes and getattr(exercise_set, name) != changes[name] for name in SETTINGS)
    if based_on is not None and based_on != current_version and (policy_changes or settings_change):
        raise PolicyConflict(
            f"the policy was changed by someone else (now version {current_version}, the form showed "
            f"version {based_on}); check it and save again"
        )
    for name in SETTINGS:
        if name in changes:
            setattr(exercise_set, name, changes[name])
    exercise_set.updated_at = utcnow()
    if not policy_changes:
        return None
    version = PolicyVersion(set_id=exercise_set.id, version=current_version + 1, document=merged.to_mapping())
    session.add(version)
    return version


def policy_of(exercise_set: ExerciseSet) -> Policy:
    """The current grading policy of a set."""
    return Policy.from_mapping(exercise_set.policy.document)


def summary(session: Session, exercise_set: ExerciseSet) -> dict[str, Any]:
    """The set as the API shows it, with its counts."""
    students = session.scalar(select(func.count()).where(Assignment.set_id == exercise_set.id))
    submissions = chosen_attempts.submission_count(session, exercise_set)
    current = exercise_set.policy
    # Submissions minus those graded under the current version: one range of an index, where
    # looking for each submission's grade took a probe per submission (40 ms at 100,000).
    stale = submissions - chosen_attempts.graded_under(session, current.id)
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
        "token_lifetime_days": exercise_set.token_lifetime_days,
        "time_zone": exercise_set.time_zone,
        "archived_at": exercise_set.archived_at,
        "owner": exercise_set.owner.name,
        "students": students,
        "submissions": submissions,
        "stale_grades": stale,
        "created_at": exercise_set.created_at,
        "updated_at": exercise_set.updated_at,
    }
