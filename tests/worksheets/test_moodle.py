"""The Moodle XML export: parses, one Cloze per variant, answers and tolerances read back right."""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest

from grader.worksheets.moodle import moodle_xml

BOX = re.compile(r"\{1:NUMERICAL:=([-0-9.]+):([0-9.]+)\}")


def test_cloze_answers_and_tolerances_read_back(variants, tolerance):
    root = ET.fromstring(moodle_xml(variants, tolerance))
    questions = root.findall("question")
    assert questions[0].get("type") == "category"
    assert "$course$/top/BP Grader/" in questions[0].findtext("category/text")
    clozes = questions[1:]
    assert [q.get("type") for q in clozes] == ["cloze"] * len(variants)
    for question, variant in zip(clozes, variants):
        text = question.findtext("questiontext/text")
        boxes = BOX.findall(text)
        asked = variant.trace.asked_keys()
        assert len(boxes) == len(asked) == text.count("{1:NUMERICAL:")
        for (answer, half_width), key in zip(boxes, asked):
            expected = variant.trace[key]
            assert float(answer) == pytest.approx(expected, rel=1e-11, abs=1e-15)
            assert float(half_width) == pytest.approx(tolerance(expected), rel=1e-11)
        assert variant.student in question.findtext("name/text")
        assert question.findtext("idnumber") == f"{variant.template}-{variant.seed}-{variant.student}"
        svg = question.find("questiontext/file")
        assert svg.get("name") == "network.svg" and "@@PLUGINFILE@@/network.svg" in text
        assert ET.fromstring(base64.b64decode(svg.text)).tag.endswith("svg")
        assert "{" not in BOX.sub("", text)  # no stray Cloze braces outside the boxes
        assert question.findtext("generalfeedback/text").count("<tr>") == len(variant.trace.values)


def test_export_with_the_grading_policy(variants):
    policy = pytest.importorskip("grader.grading.policy")
    tolerance = policy.Policy().tolerance_for
    root = ET.fromstring(moodle_xml(variants[:1], tolerance))
    text = root.findall("question")[1].findtext("questiontext/text")
    answer, half_width = BOX.findall(text)[0]
    assert float(half_width) == pytest.approx(tolerance(float(answer)), rel=1e-9)


def test_export_is_deterministic(variants, tolerance):
    assert moodle_xml(variants, tolerance) == moodle_xml(variants, tolerance)
