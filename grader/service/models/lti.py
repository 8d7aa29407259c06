"""LTI 1.3: the platforms (LMSs) we trust, our own signing keys, and what launches leave behind.

A platform is an issuer with a client id (ours, as that LMS knows us) and its three URLs; it has
one or more deployments.  Launch states and nonces live in the database, not in process memory,
so any server process can take the launch that another one's login started.  A resource link
(an activity in a course) is bound to one exercise set; an LTI user is one person of one
platform, keyed by issuer and ``sub``; an enrolment ties a learner's assignment to the link its
grade goes back to.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from grader.service.models.base import Base, utcnow


class LtiPlatform(Base):
    __tablename__ = "lti_platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(255))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    keyset_url: Mapped[str] = mapped_column(String(1000))
    # Signs the set_id custom parameters this tool hands out, so that a course cannot bind a
    # link to another course's set by typing its number.
    link_secret: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deployments: Mapped[list[LtiDeployment]] = relationship(
        back_populates="platform", order_by="LtiDeployment.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"LtiPlatform({self.id}, {self.issuer!r}, client {self.client_id!r})"


class LtiDeployment(Base):
    __tablename__ = "lti_deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[LtiPlatform] = relationship(back_populates="deployments")

    def __repr__(self) -> str:
        return f"LtiDeployment({self.id}, {self.deployment_id!r}, platform={self.platform_id})"


class ToolKey(Base):
    """One of the tool's RSA key pairs; the newest unretired one signs, retired ones stay published
    in the JWKS until ``expires_at`` so that what they signed can still be checked."""

    __tablename__ = "lti_tool_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]

    def __repr__(self) -> str:
        return f"ToolKey({self.kid}, {'retired' if self.retired_at else 'current'})"


class LtiLaunchState(Base):
    """A login in progress: the ``state`` and ``nonce`` we sent to the platform, used once."""

    __tablename__ = "lti_launch_states"

    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64))
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LtiUsedNonce(Base):
    """A nonce of an accepted id_token: a second token with it is a replay."""

    __tablename__ = "lti_used_nonces"

    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(255), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class LtiUser(Base):
    """A person of one platform (issuer + ``sub``), with the name and e-mail of their last launch.

    Staff get an account of their own (no API key), which owns the sets they make through LTI.
    """

    __tablename__ = "lti_users"
    __table_args__ = (UniqueConstraint("platform_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"LtiUser({self.id}, platform={self.platform_id}, sub={self.sub!r})"

    @property
    def student_id(self) -> str:
        """The student id of this person's assignments: stable, short, and free of the LMS's characters."""
        return f"lti-{self.id}"


class LtiResourceLink(Base):
    """An activity in a course, bound to an exercise set, with the AGS endpoints its launches gave."""

    __tablename__ = "lti_resource_links"
    __table_args__ = (UniqueConstraint("platform_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("lti_platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("lti_deployments.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    # A deleted set leaves its links unbound (an instructor binds them again).
    set_id: Mapped[int | None] = mapped_column(ForeignKey("exercise_sets.id", ondelete="SET NULL"), index=True)
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    platform: Mapped[LtiPlatform] = relationship()

    def __repr__(self) -> str:
        return f"LtiResourceLink({self.id}, {self.resource_link_id!r}, set={self.set_id})"


class LtiEnrolment(Base):
    """A learner's assignment reached through a resource link: where that assignment's score goes."""

    __tablename__ = "lti_enrolments"
    __table_args__ = (UniqueConstraint("link_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("lti_resource_links.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("lti_users.id", ondelete="CASCADE"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LtiSetGrant(Base):
    """A set an LTI staff account may open without owning it: granted by a staff launch.

    A grant lasts as long as the page session of the launch that gave it may (``expires_at``), and
    each staff launch of a link bound to the set renews it; so a staff member whose role the LMS
    removes loses the set when their last session ends, even if they are still staff elsewhere.
    """

    __tablename__ = "lti_set_grants"

    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    set_id: Mapped[int] = mapped_column(ForeignKey("exercise_sets.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
