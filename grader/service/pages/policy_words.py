"""The grading policy in words, for students: how close is close enough, what follows through,
what each field is worth, and when the right values are shown.

Every sentence is one translatable message per case (not assembled from fragments), so the
Chinese reads as Chinese.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from flask_babel import ngettext

from grader.engine.rules import number
from grader.grading import Policy


def _percent(fraction: float) -> str:
    return number(100 * fraction)


def tolerance_sentence(policy: Policy) -> str:
    """How close an answer must be to the right value."""
    tol = policy.tolerance
    if tol.mode == "sigfigs":
        return _("An answer is right when it agrees with the right value to %(n)d significant figures.", n=tol.sigfigs)
    if tol.mode == "decimals":
        return _("An answer is right when it agrees with the right value to %(n)d decimal places.", n=tol.decimals)
    return _(
        "An answer is right when it is within %(p)s %% (or %(a)s) of the right value.",
        p=_percent(tol.rtol),
        a=number(tol.atol),
    )


def follow_through_sentence(policy: Policy) -> str:
    """What a step worked correctly from the student's own wrong numbers earns."""
    if not policy.follow_through or policy.carried_credit == 0:
        return _("No follow-through: each value is compared with the right value only.")
    tol = policy.tolerance
    share = _percent(policy.carried_credit)
    if tol.mode == "sigfigs":
        return _(
            "Follow-through: answers that agree to %(n)d significant figures with the value from your own "
            "earlier numbers earn %(share)s %% of their points, even when an earlier number was wrong.",
            n=tol.sigfigs,
            share=share,
        )
    if tol.mode == "decimals":
        return _(
            "Follow-through: answers that agree to %(n)d decimal places with the value from your own "
            "earlier numbers earn %(share)s %% of their points, even when an earlier number was wrong.",
            n=tol.decimals,
            share=share,
        )
    return _(
        "Follow-through: answers within %(p)s %% (or %(a)s) of the value from your own earlier numbers "
        "earn %(share)s %% of their points, even when an earlier number was wrong.",
        p=_percent(tol.rtol),
        a=number(tol.atol),
        share=share,
    )


def reveal_sentence(policy: Policy, due_at: datetime | None) -> str:
    """When the right values and the worked solution are shown."""
    if policy.reveal == "always":
        return _("The right values and the worked solution are shown from the start.")
    if policy.reveal == "after_due":
        if due_at is None:
            return _("The right values are not shown: this set has no due date to show them after.")
        return _("The right values and the worked solution are shown after the due date.")
    if policy.reveal == "after_last_attempt":
        return _(
            "The right values and the worked solution are shown once you cannot submit again "
            "(every attempt used, or the due date passed)."
        )
    return _("The right values are not shown to students.")


def sentences(policy: Policy, due_at: datetime | None) -> list[str]:
    """The whole policy as a few sentences, in the reader's language."""
    out = [tolerance_sentence(policy), follow_through_sentence(policy)]
    if policy.misconception_credit > 0:
        out.append(
            _(
                "A value that matches a known classic mistake earns %(share)s %% of its points.",
                share=_percent(policy.misconception_credit),
            )
        )
    out.append(_("Each field shows the points it is worth."))
    out.append(reveal_sentence(policy, due_at))
    return out


def rounding_hint(policy: Policy) -> str:
    """How to write the numbers, under this policy's tolerance."""
    tol = policy.tolerance
    if tol.mode == "sigfigs":
        return ngettext(
            "Give every value to at least %(num)d significant figure.",
            "Give every value to at least %(num)d significant figures.",
            tol.sigfigs,
        )
    if tol.mode == "decimals":
        return ngettext(
            "Give every value to at least %(num)d decimal place.",
            "Give every value to at least %(num)d decimal places.",
            tol.decimals,
        )
    return _("Round as you like (four significant figures are plenty).")


def _plural(amount: float) -> int:
    # gettext chooses plural forms by integers; 1 is singular, a fraction reads as plural ("0.5 points").
    return 1 if amount == 1 else int(amount) if float(amount).is_integer() else 2


def points(weight: float) -> str:
    """A field's worth: "1 point", "2.5 points"."""
    return ngettext("%(pts)s point", "%(pts)s points", _plural(weight), pts=number(weight))


def points_earned(credit: float, weight: float) -> str:
    """What a graded field earned: "0.5 of 1 point"."""
    return ngettext(
        "%(got)s of %(pts)s point",
        "%(got)s of %(pts)s points",
        _plural(weight),
        got=number(credit * weight),
        pts=number(weight),
    )
