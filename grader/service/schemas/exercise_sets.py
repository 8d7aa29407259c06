"""Exercise sets and their grading policy, as the API reads and writes them."""

from __future__ import annotations

from datetime import UTC, datetime

import marshmallow as ma
from marshmallow import validate

from grader.engine.exercise import PHASES
from grader.grading.policy import REVEAL_RULES, Passback, reveal_rule
from grader.grading.tolerance import MODES
from grader.service import time_zones
from grader.service.schemas.fields import MAX_SEED, StrictBoolean, StrictInteger, StrictNumber

MAX_ATTEMPTS = 1000
IMMUTABLE = ("template", "template_document", "seed")


def _in_utc(_schema, data: dict, **kwargs) -> dict:
    """Dates are kept and shown in UTC, whatever offset they came with."""
    if data.get("due_at") is not None:
        data["due_at"] = data["due_at"].astimezone(UTC)
    return data


# The years _sane_date accepts, as the OpenAPI document's pattern for the date-time's start.
YEARS = "^(19[7-9][0-9]|[2-8][0-9]{3}|9000)-"


def _sane_date(value: datetime) -> None:
    if not 1970 <= value.year <= 9000:
        raise ma.ValidationError("must be a date between the years 1970 and 9000")


def _known_zone(value: str) -> None:
    if not time_zones.is_zone(value):
        raise ma.ValidationError("must be an IANA time zone name such as Asia/Shanghai or UTC")


def time_zone_field(**kwargs) -> ma.fields.String:
    """A set's time zone: the zone its due date is entered and shown in."""
    return ma.fields.String(
        validate=_known_zone,
        metadata={
            "description": "IANA time zone the due date is entered and shown in on the pages, e.g. Asia/Shanghai. "
            "The API's due_at is ISO 8601 with an offset whatever the zone. Default: the server's GRADER_TIME_ZONE"
        },
        **kwargs,
    )


class RevealRule(ma.fields.Field):
    """A reveal rule by name; ``true`` and ``false``, the switch it replaced, are read as always and never.

    Both directions give the rule's name, so the API answers with the name whatever was sent or stored.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        rule = reveal_rule(value)
        if rule is None:
            raise ma.ValidationError(f"must be one of {', '.join(REVEAL_RULES)}, or true or false.")
        return rule

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else reveal_rule(value)


class PolicySchema(ma.Schema):
    """The grading policy; every field is optional and keeps its default when left out."""

    tolerance = ma.fields.String(
        validate=validate.OneOf(MODES),
        metadata={
            "description": "relative: |a - e| <= max(atol, rtol |e|); sigfigs or decimals: half a unit "
            "in the last place. Default relative"
        },
    )
    rtol = StrictNumber(validate=validate.Range(0, 1), metadata={"description": "Default 0.01"})
    atol = StrictNumber(validate=validate.Range(0, 1e6), metadata={"description": "Default 1e-4"})
    sigfigs = StrictInteger(validate=validate.Range(1, 12), metadata={"description": "Default 3"})
    decimals = StrictInteger(validate=validate.Range(1, 12), metadata={"description": "Default 4"})
    follow_through = StrictBoolean(
        metadata={
            "description": "Credit values computed right from the student's own wrong earlier values. Default true"
        }
    )
    carried_credit = StrictNumber(validate=validate.Range(0, 1), metadata={"description": "Default 1"})
    misconception_credit = StrictNumber(validate=validate.Range(0, 1), metadata={"description": "Default 0"})
    phase_weights = ma.fields.Dict(
        keys=ma.fields.String(validate=validate.OneOf(PHASES)),
        values=StrictNumber(validate=validate.Range(0, 1000)),
        metadata={
            "description": "Points per key of each phase (forward, loss, backward, gradients, updates). Default 1",
            "json_schema": {
                "properties": {phase: {"type": "number", "minimum": 0, "maximum": 1000} for phase in PHASES},
                "additionalProperties": False,
            },
        },
    )
    reveal = RevealRule(
        metadata={
            "description": "When the feedback students (and LMSs acting for them) get shows the expected values. "
            + "; ".join(f"{name}: {meaning}" for name, meaning in REVEAL_RULES.items())
            + ". true and false are still read, as always and never; responses give the rule's name. Default never",
            "oneOf": [
                {"type": "string", "enum": list(REVEAL_RULES)},
                {"type": "boolean", "description": "The older switch: true is always, false is never"},
            ],
        }
    )
    passback = ma.fields.String(
        validate=validate.OneOf([str(p) for p in Passback]),
        metadata={
            "description": "Which attempt counts for each student, in the gradebook and the score sent to the LMS: "
            "latest or best. Default latest"
        },
    )


class ExerciseSetCreateSchema(ma.Schema):
    title = ma.fields.String(validate=validate.Length(1, 200), metadata={"description": "Default the template's title"})
    template = ma.fields.String(
        validate=validate.Length(1, 100),
        metadata={"description": "Name of a catalogue template (GET /templates). Give this or template_document"},
    )
    template_document = ma.fields.Dict(
        metadata={"description": "An inline template (the exercise format, numbers may be random rules)"}
    )
    seed = StrictInteger(
        validate=validate.Range(0, MAX_SEED),
        metadata={"description": "Set seed: with the student id it decides each variant. Default: chosen at random"},
    )
    policy = ma.fields.Nested(PolicySchema)
    max_attempts = StrictInteger(
        validate=validate.Range(1, MAX_ATTEMPTS),
        allow_none=True,
        metadata={"description": "Submissions allowed per student; null for no limit (default)"},
    )
    due_at = ma.fields.AwareDateTime(
        allow_none=True,
        validate=_sane_date,
        metadata={
            "description": "ISO 8601 with a time zone, years 1970 to 9000; submissions after it are refused. "
            "Null for none",
            "pattern": YEARS,
        },
    )
    token_lifetime_days = StrictInteger(
        validate=validate.Range(1, 3650),
        allow_none=True,
        metadata={"description": "Days a student access token issued from now on works; null: until revoked (default)"},
    )
    time_zone = time_zone_field()

    in_utc = ma.post_load(_in_utc)

    @ma.validates_schema
    def one_template(self, data, **kwargs):
        if ("template" in data) == ("template_document" in data):
            raise ma.ValidationError("give exactly one of template (a catalogue name) or template_document", "template")


class ExerciseSetUpdateSchema(ma.Schema):
    """Fields to change; left-out fields stay. ``policy`` fields merge into the current policy."""

    title = ma.fields.String(validate=validate.Length(1, 200))
    policy = ma.fields.Nested(
        PolicySchema,
        metadata={
            "description": "Merged into the current policy; a change "
            "makes a new policy version. Regrade to apply it to old submissions"
        },
    )
    max_attempts = StrictInteger(validate=validate.Range(1, MAX_ATTEMPTS), allow_none=True)
    due_at = ma.fields.AwareDateTime(
        allow_none=True,
        validate=_sane_date,
        metadata={"description": "ISO 8601 with a time zone, years 1970 to 9000; null for none", "pattern": YEARS},
    )
    token_lifetime_days = StrictInteger(
        validate=validate.Range(1, 3650),
        allow_none=True,
        metadata={"description": "Days a student access token issued from now on works; null: until revoked (default)"},
    )
    time_zone = time_zone_field()

    in_utc = ma.post_load(_in_utc)

    @ma.pre_load
    def immutable(self, data, **kwargs):
        fixed = [name for name in IMMUTABLE if isinstance(data, dict) and name in data]
        if fixed:
            message = "cannot be changed: students already have variants made from it; create a new set"
            raise ma.ValidationError({name: [message] for name in fixed})
        return data


class ExerciseSetSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    template = ma.fields.String(allow_none=True, metadata={"description": "Catalogue name, null when inline"})
    template_hash = ma.fields.String(
        required=True, metadata={"description": "SHA-256 of the template's canonical JSON"}
    )
    template_document = ma.fields.Dict(required=True)
    seed = ma.fields.Integer(required=True)
    policy = ma.fields.Nested(PolicySchema, required=True)
    policy_version = ma.fields.Integer(required=True)
    max_attempts = ma.fields.Integer(allow_none=True, required=True)
    due_at = ma.fields.AwareDateTime(allow_none=True, required=True)
    token_lifetime_days = ma.fields.Integer(
        allow_none=True,
        required=True,
        metadata={"description": "Days a student access token works; null: until revoked"},
    )
    time_zone = time_zone_field(required=True)
    owner = ma.fields.String(required=True, metadata={"description": "Name of the owning account"})
    students = ma.fields.Integer(required=True, metadata={"description": "Students with an assignment"})
    submissions = ma.fields.Integer(required=True)
    stale_grades = ma.fields.Integer(
        required=True, metadata={"description": "Submissions not yet graded under the current policy version"}
    )
    created_at = ma.fields.AwareDateTime(required=True)
    updated_at = ma.fields.AwareDateTime(required=True)


class ExerciseSetUpdatedSchema(ExerciseSetSchema):
    policy_changed = ma.fields.Boolean(
        required=True,
        metadata={
            "description": "Whether this change stored a new policy version (then `policy_version` is it); "
            "false when it named no policy or the policy already in force, so no version was added"
        },
    )


class RegradeSchema(ma.Schema):
    policy_version = ma.fields.Integer(required=True)
    regraded = ma.fields.Integer(required=True, metadata={"description": "Submissions graded by this call"})
    remaining = ma.fields.Integer(required=True, metadata={"description": "Still to grade: call again when > 0"})
    total = ma.fields.Integer(required=True, metadata={"description": "Submissions in the set"})
    queued = ma.fields.Integer(
        metadata={"description": "With `Prefer: respond-async`: chunk jobs this call queued (0 when already queued)"}
    )
