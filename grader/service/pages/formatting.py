"""What templates use to show things: step labels, numbers, verdicts, phases, dates, the language switch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from babel import dates as babel_dates
from flask import Flask, request
from flask_babel import format_datetime, get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from grader.engine import keys
from grader.engine.problems import Problem
from grader.engine.rules import number
from grader.grading.messages import MESSAGES
from grader.grading.misconceptions import BY_CODE
from grader.service import time_zones
from grader.service.pages import language
from grader.worksheets import notation


@dataclass(frozen=True)
class VerdictLook:
    """How a verdict is shown: its name in the reader's language, an icon and a CSS class."""

    name: str
    icon: str
    css: str


def verdict_look(verdict: str) -> VerdictLook:
    """The name, icon and colour class of a verdict (colour is never the only cue: icon and name too)."""
    looks = {
        "correct": VerdictLook(_("Correct"), "✓", "v-correct"),
        "carried": VerdictLook(_("Carried forward"), "↪", "v-carried"),
        "misconception": VerdictLook(_("Misconception"), "!", "v-misconception"),
        "incorrect": VerdictLook(_("Incorrect"), "✗", "v-incorrect"),
        "missing": VerdictLook(_("Not answered"), "–", "v-missing"),
        "invalid": VerdictLook(_("Not a number"), "?", "v-invalid"),
    }
    return looks.get(verdict, VerdictLook(verdict, "·", "v-missing"))


def misconception_name(code: str) -> str:
    """A short name for a misconception of the grader's catalogue, in the reader's language."""
    found = BY_CODE.get(code)
    return found.title(language.current_language()) if found else code


def misconception_text(code: str) -> str:
    """The grader's full explanation of a misconception, in the reader's language."""
    found = BY_CODE.get(code)
    return found.message(language.current_language()) if found else ""


def difficulty_name(difficulty: str) -> str:
    """An exercise's difficulty in the reader's language."""
    names = {"introductory": _("introductory"), "intermediate": _("intermediate"), "advanced": _("advanced")}
    return names.get(difficulty, difficulty)


def phase_title(phase: str) -> str:
    """A phase's heading in the reader's language, with the Chinese terms of the source material."""
    titles = {
        "given": _("Given values"),
        "forward": _("Forward pass"),
        "loss": _("Error"),
        "backward": _("Backward pass (deltas)"),
        "gradients": _("Gradients"),
        "updates": _("Updated weights"),
    }
    return titles.get(phase, phase)


def group_title(phase: str, key: str) -> str:
    """The heading of a run of keys: the phase, with the iteration and sample when there are several."""
    lang = language.current_language()
    where = notation.context(key, lang)
    title = phase_title(phase)
    if not where:
        return title
    return f"{title}（{where}）" if lang == "zh" else f"{title} ({where})"


def label(key: str) -> str:
    """A step key as students write it, in the reader's language: z₃, δ₅, ∂E/∂w₅₃, w₅₃ (new)."""
    return notation.label(key, language.current_language())


def field_label(key: str) -> str:
    """A key's symbol for a form field whose fieldset legend already names the iteration and sample."""
    return notation.label(keys.bare(key), language.current_language())


def feedback_text(result: dict) -> str | None:
    """A result's message when it says more than its verdict's name ("Incorrect." does not)."""
    plain = MESSAGES.get(result["verdict"], {}).get(language.current_language())
    return None if result["message"] == plain else result["message"]


def show_number(value: float | None) -> str:
    """A number as the textbook prints it (6 significant figures); empty for None."""
    return "" if value is None else number(value)


def show_datetime(value: datetime | None) -> str:
    """A timestamp in the reader's language (UTC)."""
    return "" if value is None else format_datetime(value, "medium")


def show_in_zone(value: datetime | None, zone_name: str | None) -> str:
    """A timestamp as wall-clock time in a set's time zone, the zone named.

    "Dec 1, 2030, 11:59:00 PM (Asia/Shanghai)"; "2030年12月1日 23:59:00 中国（上海）时间".
    """
    if value is None:
        return ""
    name = zone_name if time_zones.is_zone(zone_name) else time_zones.DEFAULT
    shown = babel_dates.format_datetime(value, "medium", tzinfo=time_zones.zone(name), locale=get_locale())
    lang = language.current_language()
    zone_text = time_zones.label(name, lang)
    return f"{shown} {zone_text}" if lang == "zh" else f"{shown} ({zone_text})"


def switch_url(code: str) -> str:
    """This page in another language."""
    args = {k: v for k, v in request.args.items() if k != "lang"}
    args["lang"] = code
    return request.path + "?" + urlencode(args)


def init_app(app: Flask) -> None:
    """Make the helpers available to every template."""
    app.jinja_env.globals.update(
        label=label,
        difficulty_name=difficulty_name,
        misconception_name=misconception_name,
        misconception_text=misconception_text,
        field_label=field_label,
        feedback_text=feedback_text,
        verdict_look=verdict_look,
        phase_title=phase_title,
        switch_url=switch_url,
        languages=language.LANGUAGES,
        current_language=language.current_language,
        html_lang=lambda: language.HTML_LANG[language.current_language()],
    )
    app.jinja_env.filters.update(
        number=show_number, given=notation.given, datetime=show_datetime, label=label, zoned=show_in_zone
    )


def problem_html(problem: Problem) -> Markup:
    """A validation problem in the reader's language, its values and file-format words as code."""
    out = Markup()
    for piece, is_code in problem.parts(language.current_language()):
        out += Markup("<code>{}</code>").format(piece) if is_code else escape(piece)
    return out
