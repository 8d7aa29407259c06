"""Worksheets and answer keys, as print-ready HTML (A4) and Markdown, from the Jinja2 templates.

A page holds one or many sheets (one per variant); in HTML each sheet starts on a new page.
"""

from __future__ import annotations

from collections.abc import Sequence

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from grader.generation import Variant
from grader.worksheets.sheet import Sheet, build_sheet
from grader.worksheets.wording import say

KINDS = ("worksheet", "answer_key")
FORMATS = ("html", "md")
HTML_LANG = {"en": "en", "zh": "zh-Hans"}

ENVIRONMENT = Environment(
    loader=PackageLoader("grader.worksheets", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=StrictUndefined,
    auto_reload=False,  # templates ship with the package; no stat() per render
)
ENVIRONMENT.filters["cell"] = lambda text: str(text).replace("|", "\\|").replace("\n", " ")


def render_body(sheet: Sheet, kind: str, fmt: str, svg_path: str = "network.svg") -> str:
    """One sheet's worksheet or answer key; ``svg_path`` is where Markdown finds the diagram file."""
    if kind not in KINDS or fmt not in FORMATS:
        raise ValueError(f"kind must be one of {KINDS} and fmt one of {FORMATS}, got {kind!r}, {fmt!r}")
    body = ENVIRONMENT.get_template(f"{kind}.{fmt}.j2").render(sheet=sheet, svg_path=svg_path)
    return Markup(body) if fmt == "html" else body


def render_page(bodies: Sequence[str], fmt: str, title: str, language: str = "en") -> str:
    """A whole document of rendered bodies: an HTML page with page breaks, or Markdown with rules."""
    page = ENVIRONMENT.get_template(f"page.{fmt}.j2")
    return page.render(bodies=[Markup(b) for b in bodies], title=title, language=HTML_LANG[language])


def sheet_title(sheet: Sheet, kind: str) -> str:
    """The title of one sheet's page: "Worksheet: <exercise> (<student>)", in the sheet's language."""
    what = "Worksheet: {title} ({student})" if kind == "worksheet" else "Answer key: {title} ({student})"
    return sheet.say(what, title=sheet.text("title"), student=sheet.variant.student)


def set_title(kind: str, title: str, language: str = "en") -> str:
    """The title of a page of many sheets: "Worksheets: <set>"."""
    return say("Worksheets: {title}" if kind == "worksheet" else "Answer keys: {title}", language, title=title)


def render(
    variant: Variant | Sheet,
    kind: str = "worksheet",
    fmt: str = "html",
    svg_path: str = "network.svg",
    language: str = "en",
) -> str:
    """A standalone page with one variant's worksheet or answer key."""
    sheet = variant if isinstance(variant, Sheet) else build_sheet(variant, language)
    return render_page([render_body(sheet, kind, fmt, svg_path)], fmt, sheet_title(sheet, kind), sheet.language)
