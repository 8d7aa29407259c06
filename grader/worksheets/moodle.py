"""Moodle XML export of a set: one Cloze question per variant, a NUMERICAL sub-question per asked key.

Each sub-question is ``{1:NUMERICAL:=expected:tolerance}``, where the tolerance is the absolute
half-width the grading policy accepts around the expected value.  The diagram travels inside the
question as an embedded file; the answer key is the question's general feedback.

Limits, inherent to Moodle: each box is marked on its own against the reference value, so Moodle
cannot give follow-through credit (a right step computed from a wrong earlier value is marked
wrong) and does not recognise misconceptions; use the BP Grader service for that.  Moodle also
draws a question at random per attempt, so the link between a student and their variant is kept
only in the question's name and idnumber.
"""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from html import escape

from grader.generation import Variant
from grader.worksheets.notation import fixed, label
from grader.worksheets.sheet import Sheet, build_sheet
from grader.worksheets.wording import say

ANSWER_FIGURES = 12  # significant figures written for expected values and tolerances
CELL = 'style="padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top"'


def cloze_number(value: float) -> str:
    """A number as written inside a Cloze sub-question: positional, 12 significant figures."""
    return fixed(value, ANSWER_FIGURES)


def _html_text(text: str) -> str:
    # Braces are Cloze syntax; outside the sub-questions they are written as entities.
    return escape(text).replace("{", "&#123;").replace("}", "&#125;")


def _table(rows: list[tuple[str, str]]) -> str:
    # The values are formulas ("y₁ = 0.35", "E = ½ Σ (y - t)²"), marked so for readers and checks.
    body = "".join(
        f'<tr><th {CELL}>{_html_text(a)}</th><td class="formula" {CELL}>{_html_text(b)}</td></tr>' for a, b in rows
    )
    return f'<table style="border-collapse:collapse;margin:6px 0">{body}</table>'


def question_text(sheet: Sheet, tolerance: Callable[[float], float]) -> str:
    """The Cloze question text of one variant: description, diagram, givens, then one box per asked key."""
    trace = sheet.variant.trace
    description = sheet.text("description")
    parts = [f"<p>{_html_text(description)}</p>" if description else ""]
    alt = _html_text(sheet.say("network diagram"))
    parts.append(f'<p><img src="@@PLUGINFILE@@/network.svg" alt="{alt}" style="max-width:100%"></p>')
    parts.append(_table([(what, ", ".join(items)) for what, items in sheet.givens]))
    parts.append(_table(sheet.conventions))
    parts.append(f"<p>{_html_text(sheet.say('Keep at least 4 decimal places (or 3 significant figures).'))}</p>")
    for part in sheet.asked_parts:
        rows = []
        for row in part.rows:
            value = trace[row.key]
            box = f"{{1:NUMERICAL:={cloze_number(value)}:{cloze_number(tolerance(value))}}}"
            rows.append(f"<tr><td {CELL}>{_html_text(label(row.key, sheet.language))}</td><td {CELL}>{box}</td></tr>")
        parts.append(
            f'<h4>{_html_text(part.title)}</h4><table style="border-collapse:collapse">{"".join(rows)}</table>'
        )
    return "".join(p for p in parts if p)


def feedback_text(sheet: Sheet) -> str:
    """The answer key, as the question's general feedback."""
    parts = []
    for part in sheet.parts:
        rows = "".join(
            f'<tr><td {CELL}>{_html_text(r.symbol)}</td><td class="formula" {CELL}>= {_html_text(r.formula)}'
            + (f"<br>= {_html_text(r.substituted)}" if r.substituted else "")
            + f"</td><td {CELL}><b>{_html_text(r.value)}</b></td></tr>"
            for r in part.rows
        )
        parts.append(f'<h4>{_html_text(part.title)}</h4><table style="border-collapse:collapse">{rows}</table>')
    return "".join(parts)


def _text(parent: ET.Element, tag: str, text: str, **attributes: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attributes)
    ET.SubElement(element, "text").text = text
    return element


def moodle_xml(
    variants: Sequence[Variant],
    tolerance: Callable[[float], float],
    category: str | None = None,
    sheets: Sequence[Sheet] | None = None,
    language: str = "en",
) -> str:
    """The Moodle XML of a set: a category, then one Cloze question per variant.

    The questions' words are in ``language``, or in the language of the ``sheets`` given.
    """
    sheets = sheets or [build_sheet(v, language) for v in variants]
    language = sheets[0].language if sheets else language
    quiz = ET.Element("quiz")
    if variants:
        first = variants[0]
        name = category or "$course$/top/BP Grader/" + say(
            "{template} seed {seed}", language, template=first.template, seed=first.seed
        )
        head = ET.SubElement(quiz, "question", type="category")
        _text(head, "category", name)
        title = first.exercise.text("title", language)
        _text(head, "info", say("{n} variants of {title}", language, n=len(variants), title=title), format="html")
    for sheet in sheets:
        v = sheet.variant
        question = ET.SubElement(quiz, "question", type="cloze")
        _text(question, "name", f"{sheet.text('title')} · {v.student} · {v.id}")
        text = _text(question, "questiontext", question_text(sheet, tolerance), format="html")
        svg = ET.SubElement(text, "file", name="network.svg", path="/", encoding="base64")
        svg.text = base64.b64encode(sheet.svg.encode("utf-8")).decode("ascii")
        _text(question, "generalfeedback", feedback_text(sheet), format="html")
        ET.SubElement(question, "penalty").text = "0.3333333"
        ET.SubElement(question, "hidden").text = "0"
        ET.SubElement(question, "idnumber").text = f"{v.template}-{v.seed}-{v.student}"
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"
