"""Conformance: every registered activation, loss and misconception goes through every consumer.

The registries are ``grader.engine.activations.ACTIVATIONS``, ``grader.engine.losses.LOSSES`` and
``grader.grading.misconceptions.CATALOGUE``.  Each entry is run through the engine (solve, and its
walk-through), the grader, the generator, the worksheet and answer key, the Moodle export and the
student page (rendered through the Flask test client, in English and Chinese).  The checks are
functions of the entry, so a new entry is checked by adding it to its registry and nothing else;
``test_an_activation_without_display_data_fails_here`` shows that a new activation whose display
data is missing fails these checks (and not a page in production).
"""

from __future__ import annotations

import dataclasses
import html
import math
import random
import re

import pytest

from grader.engine import solve
from grader.engine.activations import ACTIVATIONS, Activation, Sigmoid
from grader.engine.losses import LOSSES, Loss
from grader.engine.walkthrough import render_text
from grader.engine.wording import LANGUAGES, Wording
from grader.generation import Template, generate_variant, variant_violations
from grader.generation.constraints import MISCONCEPTIONS, Constraints
from grader.grading import CATALOGUE, Policy, grade
from grader.grading.misconceptions import Misconception
from grader.worksheets.moodle import moodle_xml
from grader.worksheets.render import render
from grader.worksheets.sheet import build_sheet
from tests.grading.simulated import decimals, random_exercise, work
from tests.pages.helpers import answer_form, make_set, student_token

WEIGHTS = {"uniform": [-1, 1], "decimals": 1, "exclude": [0]}


# ----------------------------------------------------------------------------------------------
# An exercise for each entry, built from the registry alone


def _targets(loss: Loss, outputs: int) -> list[float]:
    if loss.distribution:
        return [1.0 if k == 1 else 0.0 for k in range(outputs)]
    return [round(0.2 + 0.5 * k / max(1, outputs - 1), 2) for k in range(outputs)]


def _output_for(loss: Loss) -> str:
    """An output activation the loss accepts (its first, or sigmoid)."""
    return loss.outputs[0] if loss.outputs else "sigmoid"


def _loss_for(activation: Activation) -> Loss:
    """A loss that accepts ``activation`` as the output (half_sse, or the first that names it)."""
    allowed = [loss for loss in LOSSES.values() if activation.name in loss.outputs]
    return allowed[0] if allowed else LOSSES["half_sse"]


def template_document(activation: Activation | None = None, loss: Loss | None = None) -> dict:
    """A 2-2-k template using ``activation`` (as the output layer if it must be, else hidden) and ``loss``."""
    if activation is not None and activation.output_only:
        loss = loss or _loss_for(activation)
        layers, names = [2, 2, 3], ["sigmoid", activation.name]
    elif activation is not None:
        loss = loss or LOSSES["half_sse"]
        layers, names = [2, 2, 1], [activation.name, "sigmoid"]
    else:
        assert loss is not None
        output = ACTIVATIONS[_output_for(loss)]
        layers, names = [2, 2, 3 if output.output_only else 2], ["sigmoid", output.name]
    return {
        "title": f"Conformance: {'/'.join(names)} with {loss.name}",
        "description": "Made by the conformance test.",
        "objective": "Exercise every consumer.",
        "difficulty": "introductory",
        "layers": layers,
        "activation": names,
        "loss": loss.name,
        "learning_rate": 0.5,
        "weights": WEIGHTS,
        "samples": [{"inputs": [0.3, 0.8], "targets": _targets(loss, layers[-1])}],
        # The checks here are of the pipeline, not of hand-friendliness: accept any numbers.
        "constraints": {
            "max_tries": 100,
            **{name: False for name in ("min_error", "min_gradient", "min_slope", "visible_change")},
        },
    }


def _displayed(entry: Activation | Loss) -> list[str]:
    """The display texts of an entry that every printable and page must show, per language."""
    return [entry.label(language) for language in LANGUAGES] + [entry.rule(language) for language in LANGUAGES]


def check_display_data(entry: Activation | Loss) -> None:
    """Name, label and rule (EN and ZH) are given and are text."""
    assert isinstance(entry.name, str) and re.fullmatch(r"[a-z][a-z0-9_]*", entry.name), entry
    for wording in (entry.label, entry.rule):
        assert isinstance(wording, Wording), f"{entry.name}: display data must be a Wording (EN and ZH)"
        for language in LANGUAGES:
            text = wording(language)
            assert isinstance(text, str) and text.strip(), f"{entry.name}: no {language} display text"
    assert entry.formula.strip(), f"{entry.name}: no formula for the walk-through"


def check_engine_and_grader(document: dict) -> None:
    """Solve a variant, print its walk-through, grade its reference values (full marks) and a careful rounder's."""
    variant = generate_variant(Template.from_mapping(document, "conformance"), 1, "s001")
    trace = solve(variant.exercise)
    assert trace.values and all(math.isfinite(v) for v in trace.values.values())
    assert render_text(trace)
    asked = trace.asked_keys()
    exact = grade(trace, {k: trace[k] for k in asked})
    assert exact.score == exact.max_score
    rounded = grade(trace, work(trace, decimals(6)))
    assert rounded.score == rounded.max_score, {k: r.verdict for k, r in rounded.results.items() if r.credit < 1}
    assert [v.constraint for v in variant_violations(variant, Template.from_mapping(document, "c"), trace)] == []


def check_printables(document: dict, entry: Activation | Loss) -> None:
    """Worksheet and answer key (HTML and Markdown), the diagram and the Moodle export show the
    entry's display data, in English and in Chinese."""
    variant = generate_variant(Template.from_mapping(document, "conformance"), 2, "s002")
    for language in LANGUAGES:
        sheet = build_sheet(variant, language)
        shown = [entry.label(language), entry.rule(language)]
        for kind in ("worksheet", "answer_key"):
            page = html.unescape(render(sheet, kind, "html"))
            markdown = render(sheet, kind, "md")
            for text in shown:
                assert text in page, (language, kind, text)
                assert text in markdown, (language, kind, text)
        xml = html.unescape(html.unescape(moodle_xml([variant], Policy().tolerance_for, sheets=[sheet])))
        for text in shown:
            assert text in xml, (language, text)


def check_student_page(app, client, document: dict, entry: Activation | Loss) -> None:
    """The student page of a set made from the template shows the entry's display data in EN and ZH."""
    set_id = make_set(app, "alice", template=None, template_document=document)
    token = student_token(app, set_id, "amy")
    for language in LANGUAGES:
        response = client.get(f"/student/{token}?lang={language}")
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        page = html.unescape(response.get_data(as_text=True))
        for text in (entry.label(language), entry.rule(language)):
            assert text in page, (language, text)


# ----------------------------------------------------------------------------------------------
# Activations and losses


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_activation_through_every_consumer(app, client, keys, name):
    activation = ACTIVATIONS[name]
    check_display_data(activation)
    document = template_document(activation)
    check_engine_and_grader(document)
    check_printables(document, activation)
    check_student_page(app, client, document, activation)


@pytest.mark.parametrize("name", list(LOSSES))
def test_loss_through_every_consumer(app, client, keys, name):
    loss = LOSSES[name]
    check_display_data(loss)
    document = template_document(loss=loss)
    check_engine_and_grader(document)
    check_printables(document, loss)
    check_student_page(app, client, document, loss)


def test_an_activation_without_display_data_fails_here(monkeypatch):
    # A new activation registered with its arithmetic but without its Chinese text fails the checks.
    bare = Sigmoid(name="sigmoid2", label=Wording("sigmoid 2", ""), formula="1/(1+e^-z)", derivative_formula="y(1-y)",
                   rule=Wording("f(z) = 1/(1 + e^-z), f' = y(1 - y)", ""))  # fmt: skip
    monkeypatch.setitem(ACTIVATIONS, "sigmoid2", bare)
    with pytest.raises(AssertionError, match="sigmoid2: no zh display text"):
        check_display_data(bare)
    # With its display data, the one registry entry is all it takes: every consumer prints it.
    complete = dataclasses.replace(bare, label=Wording("sigmoid 2", "sigmoid 二"), rule=Wording("f = σ", "f = σ（二）"))
    monkeypatch.setitem(ACTIVATIONS, "sigmoid2", complete)
    check_display_data(complete)
    document = template_document(complete)
    check_engine_and_grader(document)
    check_printables(document, complete)


# ----------------------------------------------------------------------------------------------
# Misconceptions


def _showing(misconception: Misconception, tries: int = 400):
    """A random exercise, and a student's answers with this one misconception that the grader names
    somewhere (the key), searched over every activation, loss and bias mode."""
    rng = random.Random(f"conformance/{misconception.code}")
    for _ in range(tries):
        exercise = random_exercise(rng)
        trace = solve(exercise)
        answers = work(trace, decimals(6), misconception=misconception)
        if not all(math.isfinite(v) for v in answers.values()):
            continue
        results = grade(trace, answers).results
        named = [k for k, r in results.items() if r.misconception == misconception.code]
        if named:
            return exercise, answers, named[0]
    raise AssertionError(f"no exercise over {tries} tries shows {misconception.code}: add a case the grader names")


@pytest.mark.parametrize("code", [m.code for m in CATALOGUE])
def test_misconception_through_every_consumer(app, client, keys, code):
    misconception = next(m for m in CATALOGUE if m.code == code)
    for language in LANGUAGES:
        assert misconception.title(language).strip() and misconception.message(language).strip(), language
    # The grader names it on some exercise (the simulated student of tests/grading/simulated.py).
    exercise, answers, key = _showing(misconception)
    # The generator knows the code: a template may switch its check off, and its check runs.
    assert code in MISCONCEPTIONS
    problems: list = []
    assert code not in Constraints.from_mapping({"distinguish": {code: False}}, problems).distinguish and not problems
    document = {
        **exercise.to_mapping(),
        "title": f"Conformance: {code}",
        "description": "Made by the conformance test.",
        "objective": "Show a misconception.",
        "constraints": {"max_tries": 1},  # a fixed template: kept whatever it leaves unmet
    }
    variant = generate_variant(Template.from_mapping(document, "conformance"), 1, "s001")
    variant_violations(variant, Template.from_mapping(document, "conformance"))
    # The student page names it beside the key, in both languages.
    set_id = make_set(app, "alice", template=None, template_document=document)
    token = student_token(app, set_id, "amy")
    typed = {k: repr(v) for k, v in answers.items()}
    assert client.post(f"/student/{token}", data={**answer_form(typed), "submission_key": code}).status_code == 302
    for language in LANGUAGES:
        page = html.unescape(client.get(f"/student/{token}?attempt=1&lang={language}").get_data(as_text=True))
        assert misconception.message(language, str(exercise.delta_convention)) in page, (language, key)
