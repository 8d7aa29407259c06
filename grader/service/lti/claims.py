"""The claims and vocabularies of LTI 1.3 core, Deep Linking 2.0 and AGS 2.0, named once."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
ROLES = LTI + "roles"
CONTEXT = LTI + "context"
CUSTOM = LTI + "custom"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
DL_DATA = "https://purl.imsglobal.org/spec/lti-dl/claim/data"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"

LTI_VERSION = "1.3.0"

SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_LINEITEM_READONLY = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
SCOPE_RESULT = "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly"

SCORE_MEDIA_TYPE = "application/vnd.ims.lis.v1.score+json"
LINEITEM_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS_MEDIA_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


class MessageType(StrEnum):
    RESOURCE_LINK = "LtiResourceLinkRequest"
    DEEP_LINKING = "LtiDeepLinkingRequest"
    DEEP_LINKING_RESPONSE = "LtiDeepLinkingResponse"


# LIS v2 role URIs (core spec, appendix A.2): the suffix after '#' names the role, for context,
# institution and system roles alike; the short forms ("Instructor") are accepted for contexts.
# Mentors are not staff: staff pages show every student, a mentor should see only their mentees.
STAFF_ROLES = frozenset({"Instructor", "TeachingAssistant", "Administrator", "ContentDeveloper"})
LEARNER_ROLES = frozenset({"Learner", "Student"})


def role_names(roles: Iterable[str]) -> set[str]:
    """The role names of a roles claim: ``...membership#Instructor`` -> ``Instructor``;
    ``...membership/Instructor#TeachingAssistant`` -> ``TeachingAssistant``."""
    return {role.rpartition("#")[2] if "#" in role else role.rpartition("/")[2] for role in roles}


def is_staff(roles: Iterable[str]) -> bool:
    """Instructor, teaching assistant, administrator or content developer: the set's staff pages."""
    return bool(role_names(roles) & STAFF_ROLES)


def is_learner(roles: Iterable[str]) -> bool:
    """A learner: the student page of their own variant."""
    return bool(role_names(roles) & LEARNER_ROLES)
