"""What a validated launch means here: the person, the resource link, its set, and who may see what.

A learner is keyed by issuer and ``sub``; their assignment's student id is ``lti-<n>`` (the LMS's
ids may hold any characters), and the name and e-mail of their last launch are kept for the
instructor.  Staff (instructor, teaching assistant, administrator) get an account of their own
without any API key, which owns the sets they make through LTI and is granted the set of every
link they launch, for as long as the launch's page session may last; no LTI session can reach
the JSON API, which takes only bearer credentials.

A link is bound to a set by deep linking or by an instructor at its first launch, or by the
custom parameters ``set_id`` and ``set_sig`` that deep linking hands out (the signature, keyed by
a secret of the platform, is what stops one course binding a link to another course's set).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.service.lti import claims
from grader.service.lti.launch import Launch
from grader.service.lti.registration import check_link_signature
from grader.service.models import (
    Account,
    Assignment,
    ExerciseSet,
    LtiEnrolment,
    LtiResourceLink,
    LtiSetGrant,
    LtiUser,
)

NAME_LENGTH = 255


def _text(value: object, limit: int = NAME_LENGTH) -> str | None:
    return value[:limit] if isinstance(value, str) and value else None


def person(session: Session, launch: Launch) -> LtiUser:
    """The launch's user, made on first launch; name and e-mail follow the latest launch.  Flushes."""
    sub = launch.claims["sub"]
    user = session.execute(
        select(LtiUser).where(LtiUser.platform_id == launch.platform.id, LtiUser.sub == sub)
    ).scalar_one_or_none()
    if user is None:
        user = LtiUser(platform_id=launch.platform.id, sub=sub[:255])
        session.add(user)
    name = _text(launch.claims.get("name")) or " ".join(
        part for part in (_text(launch.claims.get("given_name")), _text(launch.claims.get("family_name"))) if part
    )
    user.name = name or user.name
    user.email = _text(launch.claims.get("email")) or user.email
    session.flush()
    return user


def staff_account(session: Session, user: LtiUser) -> Account:
    """The account of an LTI staff member (no API key), made on first use.  Flushes."""
    if user.account_id is not None:
        account = session.get(Account, user.account_id)
        if account is not None:
            return account
    account = Account(name=f"{(user.name or 'LTI')[:80]} (lti-{user.id})", role="instructor")
    session.add(account)
    session.flush()
    user.account_id = account.id
    session.flush()
    return account


def resource_link(session: Session, launch: Launch) -> LtiResourceLink:
    """The launch's resource link with the AGS endpoints it carries, bound by custom parameters
    when they are signed for this platform.  Flushes."""
    claim = launch.claims[claims.RESOURCE_LINK]
    link = session.execute(
        select(LtiResourceLink).where(
            LtiResourceLink.platform_id == launch.platform.id, LtiResourceLink.resource_link_id == str(claim["id"])
        )
    ).scalar_one_or_none()
    if link is None:
        link = LtiResourceLink(
            platform_id=launch.platform.id,
            deployment_id=launch.deployment.id,
            resource_link_id=str(claim["id"])[:255],
            scopes=[],
        )
        session.add(link)
    link.title = _text(claim.get("title")) or link.title
    ags = launch.claims.get(claims.AGS_ENDPOINT)
    if isinstance(ags, dict):
        link.lineitem_url = _text(ags.get("lineitem"), 1000) or link.lineitem_url
        link.lineitems_url = _text(ags.get("lineitems"), 1000) or link.lineitems_url
        if isinstance(ags.get("scope"), list):
            link.scopes = [str(s) for s in ags["scope"]]
    if link.set_id is None:
        set_id = signed_set(session, launch)
        if set_id is not None:
            link.set_id = set_id
    session.flush()
    return link


def signed_set(session: Session, launch: Launch) -> int | None:
    """The set named by the launch's ``set_id`` custom parameter, if ``set_sig`` signs it for this platform."""
    raw, signature = launch.custom.get("set_id"), launch.custom.get("set_sig")
    if raw is None or not str(raw).isdigit() or not isinstance(signature, str):
        return None
    set_id = int(str(raw))
    if set_id > 2**31 - 1 or not check_link_signature(launch.platform, set_id, signature):
        return None
    return set_id if session.get(ExerciseSet, set_id) is not None else None


def grant(session: Session, account: Account, set_id: int, until: datetime) -> None:
    """Let an LTI staff account open a set's pages until ``until`` (a grant that lasts longer
    already is kept as it is).  Flushes."""
    found = session.get(LtiSetGrant, (account.id, set_id))
    if found is None:
        session.add(LtiSetGrant(account_id=account.id, set_id=set_id, expires_at=until))
    elif found.expires_at < until:
        found.expires_at = until
    session.flush()


def enrol(session: Session, link: LtiResourceLink, user: LtiUser, assignment: Assignment) -> LtiEnrolment:
    """Record that the learner's assignment is reached through this link (where their score goes); commits."""
    found = session.execute(
        select(LtiEnrolment).where(LtiEnrolment.link_id == link.id, LtiEnrolment.user_id == user.id)
    ).scalar_one_or_none()
    if found is not None:
        return found
    enrolment = LtiEnrolment(link_id=link.id, user_id=user.id, assignment_id=assignment.id)
    session.add(enrolment)
    try:
        session.commit()
    except IntegrityError:  # two launches at once: the other one recorded it
        session.rollback()
        return session.execute(
            select(LtiEnrolment).where(LtiEnrolment.link_id == link.id, LtiEnrolment.user_id == user.id)
        ).scalar_one()
    return enrolment


def learners(session: Session, set_id: int) -> list[tuple[str, str | None, str | None]]:
    """(student id, name, e-mail) of the set's LTI learners, for the instructor."""
    rows = session.execute(
        select(Assignment.student_id, LtiUser.name, LtiUser.email)
        .join(LtiEnrolment, LtiEnrolment.assignment_id == Assignment.id)
        .join(LtiUser, LtiUser.id == LtiEnrolment.user_id)
        .where(Assignment.set_id == set_id)
        .distinct()
        .order_by(Assignment.student_id)
    ).all()
    return [tuple(row) for row in rows]
