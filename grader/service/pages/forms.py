"""The instructor pages' forms (Flask-WTF): each validates its fields and carries the CSRF token.

The ranges are the API's (``grader.service.schemas``), so a form never accepts what the API would
refuse; what the forms produce is the same document the API takes, handed to the same facade.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    HiddenField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from grader.engine.exercise import PHASES
from grader.grading import Policy
from grader.service import time_zones
from grader.service.facade.idempotency import is_valid_key
from grader.service.facade.roster import MAX_ROSTER, read_roster
from grader.service.pages.language import current_language
from grader.service.schemas.exercise_sets import MAX_ATTEMPTS
from grader.service.schemas.fields import MAX_SEED


def one_time_key(raw: str | None) -> str | None:
    """A form's idempotency key when it is one the page could have made (printable ASCII); else None."""
    if raw and is_valid_key(raw):
        return raw
    return None


class WholeNumberField(IntegerField):
    """A whole number of at most 18 digits (WTForms' NumberRange cannot compare longer ones)."""

    def process_formdata(self, valuelist):
        if valuelist and len(str(valuelist[0]).strip()) > 18:
            self.data = None
            raise ValueError(self.gettext("Not a valid integer value."))
        super().process_formdata(valuelist)


class SignInForm(FlaskForm):
    """An API key, and where to go afterwards."""

    key = PasswordField(_l("API key"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


def _tolerance_choices() -> list[tuple[str, Any]]:
    return [
        ("relative", _l("Relative")),
        ("sigfigs", _l("Significant figures")),
        ("decimals", _l("Decimal places")),
    ]


def _reveal_choices() -> list[tuple[str, Any]]:
    # The API's rules (grader.grading.policy.REVEAL_RULES) in their order, named for an instructor.
    return [
        ("never", _l("Never")),
        ("always", _l("Always, from the first attempt")),
        ("after_due", _l("After the due date")),
        ("after_last_attempt", _l("Once the student cannot submit again (last attempt used or due date passed)")),
    ]


def _zone_choices() -> list[tuple[str, str]]:
    # Read per request (a callable), so the names follow the reader's language.
    lang = current_language()
    return [(name, time_zones.label(name, lang)) for name in time_zones.names()]


def _default_zone() -> str:
    configured = current_app.config.get("TIME_ZONE")
    return configured if time_zones.is_zone(configured) else time_zones.DEFAULT


def _passback_choices() -> list[tuple[str, Any]]:
    # grader.grading.policy.Passback, named for an instructor.
    return [("latest", _l("The latest attempt")), ("best", _l("The best attempt"))]


def _sane_year(_form, field) -> None:
    if field.data is not None and not 1970 <= field.data.year <= 9000:
        raise ValidationError(_l("Choose a date between the years 1970 and 9000."))


class PolicyForm(FlaskForm):
    """The grading policy, the attempt limit and the due date of a set."""

    tolerance = SelectField(_l("Tolerance"), choices=_tolerance_choices, default="relative")
    rtol = FloatField(_l("Relative tolerance"), default=0.01, validators=[InputRequired(), NumberRange(0, 1)])
    atol = FloatField(_l("Absolute tolerance"), default=0.0001, validators=[InputRequired(), NumberRange(0, 1e6)])
    sigfigs = WholeNumberField(_l("Significant figures"), default=3, validators=[InputRequired(), NumberRange(1, 12)])
    decimals = WholeNumberField(_l("Decimal places"), default=4, validators=[InputRequired(), NumberRange(1, 12)])
    follow_through = BooleanField(
        _l("Follow-through: credit values computed right from the student's own earlier mistakes"), default=True
    )
    carried_credit = FloatField(_l("Carried value"), default=1, validators=[InputRequired(), NumberRange(0, 1)])
    misconception_credit = FloatField(
        _l("Known misconception"), default=0, validators=[InputRequired(), NumberRange(0, 1)]
    )
    weight_forward = FloatField(_l("Forward pass"), default=1, validators=[InputRequired(), NumberRange(0, 1000)])
    weight_loss = FloatField(_l("Error"), default=1, validators=[InputRequired(), NumberRange(0, 1000)])
    weight_backward = FloatField(_l("Backward pass"), default=1, validators=[InputRequired(), NumberRange(0, 1000)])
    weight_gradients = FloatField(_l("Gradients"), default=1, validators=[InputRequired(), NumberRange(0, 1000)])
    weight_updates = FloatField(_l("Updated weights"), default=1, validators=[InputRequired(), NumberRange(0, 1000)])
    reveal = SelectField(_l("Show students the expected values"), choices=_reveal_choices, default="never")
    passback = SelectField(_l("Score that counts"), choices=_passback_choices, default="latest")
    max_attempts = WholeNumberField(_l("Attempts allowed"), validators=[Optional(), NumberRange(1, MAX_ATTEMPTS)])
    due_at = DateTimeLocalField(
        _l("Due date, in the set's time zone"),
        format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[Optional(), _sane_year],
    )
    time_zone = SelectField(_l("Time zone"), choices=_zone_choices, default=_default_zone, validate_choice=False)

    def validate_time_zone(self, field) -> None:
        """A zone this machine knows (the list offers only those; a forged post names another)."""
        if not time_zones.is_zone(field.data):
            raise ValidationError(_l("Choose a time zone from the list."))

    # The policy version the form was filled from: a save on top of a newer one is a conflict.
    based_on = HiddenField()

    def based_on_version(self) -> int | None:
        """The policy version the form showed, if it says."""
        value = (self.based_on.data or "").strip()
        return int(value) if value.isdigit() and len(value) < 10 else None

    def policy_document(self) -> dict[str, Any]:
        """The policy document these fields describe (the API's ``policy``)."""
        return {
            "tolerance": self.tolerance.data,
            "rtol": float(self.rtol.data),
            "atol": float(self.atol.data),
            "sigfigs": self.sigfigs.data,
            "decimals": self.decimals.data,
            "follow_through": bool(self.follow_through.data),
            "carried_credit": float(self.carried_credit.data),
            "misconception_credit": float(self.misconception_credit.data),
            "phase_weights": {phase: float(getattr(self, f"weight_{phase}").data) for phase in PHASES},
            "reveal": self.reveal.data,
            "passback": self.passback.data,
        }

    def due_datetime(self) -> datetime | None:
        """The due date as aware UTC (the field is read as wall-clock time in the chosen time zone)."""
        return time_zones.from_wall_clock(self.due_at.data, self.time_zone.data) if self.due_at.data else None

    def fill(
        self,
        document: dict[str, Any],
        max_attempts: int | None,
        due_at: datetime | None,
        version: int | None = None,
        time_zone: str = "UTC",
    ) -> None:
        """Show a stored policy (of ``version``), attempt limit, due date and time zone in the fields."""
        self.based_on.data = str(version) if version is not None else ""
        policy = Policy.from_mapping(document).to_mapping()
        weights = policy.pop("phase_weights")
        for name, value in policy.items():
            getattr(self, name).data = value
        for phase in PHASES:
            getattr(self, f"weight_{phase}").data = weights.get(phase, 1.0)
        self.max_attempts.data = max_attempts
        self.time_zone.data = time_zone
        self.due_at.data = time_zones.to_wall_clock(due_at, time_zone) if due_at else None


class CreateSetForm(PolicyForm):
    """A new set: a catalogue template, a title and a seed, and its policy."""

    template = RadioField(_l("Template"), validators=[InputRequired(_l("Choose a template."))])
    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    seed = WholeNumberField(_l("Seed"), validators=[Optional(), NumberRange(0, MAX_SEED)])
    request_key = HiddenField()


def _roster(_form, field) -> None:
    # Bad ids are refused one by one when the roster is added (grader.service.pages.roster).
    ids = read_roster(field.data or "")
    if not ids:
        raise ValidationError(_l("Enter at least one student id."))
    if len(ids) > MAX_ROSTER:
        raise ValidationError(_l("At most %(n)d students at a time.", n=MAX_ROSTER))


class RosterForm(FlaskForm):
    """Student ids to add to a set (each gets a variant and an access link)."""

    students = TextAreaField(_l("Student ids"), validators=[_roster])
