"""Every printable in Chinese: worksheets, answer keys, diagrams and the Moodle export of every template,
with no English left but formulas, keys and names (see tests/english_runs.py)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from grader.generation import catalogue, generate_variant, template_names
from grader.grading import Policy
from grader.worksheets.diagram import network_svg
from grader.worksheets.moodle import moodle_xml
from grader.worksheets.render import render
from grader.worksheets.sheet import build_sheet
from grader.worksheets.wording import ZH, layer_names
from tests.english_runs import english_runs

NAMES = set(template_names())
# The diagram names each layer's activation by its label in the activation registry ("linear": 线性).


@pytest.fixture(scope="module", params=template_names())
def variant(request):
    template = next(t for t in catalogue() if t.name == request.param)
    return generate_variant(template, 7, "s001")


@pytest.mark.parametrize("kind", ["worksheet", "answer_key"])
def test_every_printable_is_chinese(variant, kind):
    page = render(build_sheet(variant, "zh"), kind, "html")
    assert '<html lang="zh-Hans">' in page
    assert variant.exercise.title_zh and variant.exercise.title_zh in page
    assert english_runs(page, NAMES) == []


def test_the_english_printable_stays_english(variant):
    page = render(build_sheet(variant, "en"), "answer_key", "html")
    assert variant.exercise.title in page and "答案" not in page and "正向传播" not in page


def test_the_markdown_printables_are_chinese(variant):
    sheet = build_sheet(variant, "zh")
    for kind in ("worksheet", "answer_key"):
        text = render(sheet, kind, "md")
        # Markdown has no markup to mark formulas: drop the code spans and the given/rule values.
        prose = re.sub(r"`[^`]*`|\]\([^)]*\)", "", text)
        prose = "\n".join(line.split("|")[1] if line.startswith("|") else line for line in prose.splitlines())
        assert english_runs(f"<p>{prose}</p>", NAMES | {variant.template}) == [], kind


def test_the_diagram_labels_its_layers_in_chinese(variant):
    svg = network_svg(variant.exercise, language="zh")
    for name in layer_names(variant.exercise, "zh"):
        assert f">{name}" in svg
    assert english_runs(svg, NAMES) == []


def test_the_moodle_questions_are_chinese(variant):
    xml = moodle_xml([variant], Policy().tolerance_for, language="zh")
    root = ET.fromstring(xml)
    for question in root.iter("question"):
        for element in question:
            text = element.findtext("text") or ""
            if element.tag in ("questiontext", "generalfeedback", "name"):
                # Cloze boxes are syntax, not words.
                text = re.sub(r"\{1:NUMERICAL:[^}]*\}", "", text)
                assert english_runs(f"<div>{text}</div>", NAMES) == [], element.tag


def test_every_wording_the_code_uses_has_chinese():
    # Literal texts passed to say(...) anywhere in the package, and the words the templates ask for.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "grader"
    literal = re.compile(r"""say\(\s*((?:f?"[^"\n]*"\s*)+)""")
    asked = set()
    for path in [*root.rglob("*.py"), *root.rglob("*.j2")]:
        for match in literal.finditer(path.read_text(encoding="utf-8")):
            text = "".join(re.findall(r'"([^"\n]*)"', match.group(1)))
            if "{{" not in text and not text.startswith("{target"):
                asked.add(text.replace("{{m}}", "{m}"))
    dynamic = {
        "Sample {m} target",
        "Sample {m} targets",
        "Target",
        "Targets",
        "Worksheet",
        "Answer key",
        "introductory",
        "intermediate",
        "advanced",
        "correct",
        "carried",
        "misconception",
        "incorrect",
        "missing",
        "invalid",
    }
    missing = sorted(text for text in asked | dynamic if text not in ZH)
    assert missing == []


def test_every_catalogue_template_carries_its_texts_in_chinese():
    for template in catalogue():
        for name in ("title", "description", "objective"):
            english, chinese = template.text(name, "en"), template.text(name, "zh")
            assert chinese and chinese != english, (template.name, name)
            assert not english_runs(f"<p>{chinese}</p>", NAMES), (template.name, name, chinese)
