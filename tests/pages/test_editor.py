"""Writing an exercise in the browser: the form and the YAML editor, errors at their fields from the
engine's JSON pointers, the preview (diagram, step count, full solution), and saving as a set."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from grader.engine import Exercise, solve
from tests.pages.helpers import csrf_token

# The seed example typed into the form (seed-example.md: 2-2-1, sigmoid, learning rate 1).
SEED_FORM = {
    "mode": "form",
    "title": "My 2-2-1",
    "title_zh": "我的 2-2-1",
    "layers": "2, 2, 1",
    "activation": "sigmoid",
    "loss": "half_sse",
    "bias": "none",
    "learning_rate": "1",
    "iterations": "1",
    "inputs": "0.35, 0.9",
    "targets": "0.5",
    "weight:w3_1": "0.1",
    "weight:w3_2": "0.8",
    "weight:w4_1": "0.4",
    "weight:w4_2": "0.6",
    "weight:w5_3": "0.3",
    "weight:w5_4": "0.9",
}


def _sets(app) -> int:
    from grader.service.database import get_database
    from grader.service.models import ExerciseSet

    with app.app_context(), get_database(app).sessions() as session:
        return session.scalar(select(func.count()).select_from(ExerciseSet))


def _post(client, data):
    return client.post("/exercises/new", data={**data, "csrf_token": csrf_token(client, "/exercises/new")})


def test_the_editor_needs_a_signed_in_instructor(app, client):
    response = client.get("/exercises/new")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert client.post("/exercises/new", data=SEED_FORM).status_code in (400, 403)
    assert _sets(app) == 0


def test_the_form_lays_out_one_field_per_weight(signed_in):
    alice = signed_in("alice")
    page = _post(alice, {**SEED_FORM, "layers": "2 3 2", "bias": "bias", "action": "layout"}).get_data(as_text=True)
    weights = re.findall(r'name="weight:(w\d+_\d+)"', page)
    assert weights == ["w3_1", "w3_2", "w4_1", "w4_2", "w5_1", "w5_2", "w6_3", "w6_4", "w6_5", "w7_3", "w7_4", "w7_5"]
    assert re.findall(r'name="bias:(b\d+)"', page) == ["b3", "b4", "b5", "b6", "b7"]


def test_the_preview_shows_diagram_steps_and_the_full_solution(app, signed_in):
    alice = signed_in("alice")
    response = _post(alice, {**SEED_FORM, "action": "preview"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    diagram = page.split('<figure class="diagram">', 1)[1].split("</figure>")[0]
    assert "<svg" in diagram and ">0.3</text>" in diagram  # w5_3 on its edge
    trace = solve(
        Exercise.from_mapping(
            {
                "layers": [2, 2, 1],
                "learning_rate": 1.0,
                "samples": [{"inputs": [0.35, 0.9], "targets": [0.5]}],
                "weights": {"w3_1": 0.1, "w3_2": 0.8, "w4_1": 0.4, "w4_2": 0.6, "w5_3": 0.3, "w5_4": 0.9},
            }
        )
    )
    assert f"{len(trace.asked_keys())} values to compute" in page
    assert "0.755" in page and "0.680267" in page  # z3 and y3 of the seed example, as printed there
    assert 'value="save"' in page
    assert _sets(app) == 0  # a preview saves nothing


def test_errors_are_shown_at_their_fields(app, signed_in):
    alice = signed_in("alice")
    bad = {**SEED_FORM, "weight:w4_2": "abc", "targets": "0.5, 0.2", "learning_rate": "-1", "action": "preview"}
    response = _post(alice, bad)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="f-weight-w4_2"[^>]*aria-invalid="true"', page, re.S)
    assert re.search(r'id="f-weight-w4_2-error">[^<]*abc', page)
    assert re.search(r'id="f-targets-error">Enter 1 numbers', page)
    assert 'value="save"' not in page
    # The engine's own checks, mapped from its JSON pointers to the fields.
    engine = _post(alice, {**SEED_FORM, "learning_rate": "-1", "action": "preview"}).get_data(as_text=True)
    assert re.search(r'id="f-learning_rate-error">[^<]*', engine), engine
    assert _sets(app) == 0


def test_yaml_errors_name_their_line(signed_in):
    alice = signed_in("alice")
    text = (
        "title: Broken\nlayers: [2, 2, 1]\nlearning_rate: 1\nweights: {w3_1: 0.1}\n"
        "samples:\n  - inputs: [1]\n    targets: [0.5]\n"
    )
    page = _post(alice, {"mode": "yaml", "yaml": text, "action": "preview"}).get_data(as_text=True)
    problems = re.findall(r"<li>line (\d+) · <code>([^<]*)</code>", page)
    # Missing weights point into the weights mapping (its line); the short input list at its own line.
    assert ("4", "/weights/w5_4") in problems and ("6", "/samples/0/inputs") in problems, problems
    syntax = _post(alice, {"mode": "yaml", "yaml": "layers: [2, 2", "action": "preview"})
    assert syntax.status_code == 422 and "not valid YAML" in syntax.get_data(as_text=True)


def test_the_form_continues_in_yaml(signed_in):
    alice = signed_in("alice")
    page = _post(alice, {**SEED_FORM, "action": "to_yaml"}).get_data(as_text=True)
    text = re.search(r'<textarea id="f-yaml"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert "layers: [2, 2, 1]" in text and "w5_4: 0.9" in text and "title_zh: 我的 2-2-1" in text


@pytest.mark.parametrize("mode", ["form", "yaml"])
def test_saving_makes_a_set_whose_students_get_the_exercise(app, client, signed_in, mode):
    alice = signed_in("alice")
    if mode == "form":
        data = {**SEED_FORM, "action": "save"}
    else:
        yaml_page = _post(alice, {**SEED_FORM, "action": "to_yaml"}).get_data(as_text=True)
        text = re.search(r'<textarea id="f-yaml"[^>]*>(.*?)</textarea>', yaml_page, re.S).group(1)
        import html

        data = {"mode": "yaml", "yaml": html.unescape(text), "action": "save"}
    response = _post(alice, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    set_page = alice.get(response.headers["Location"]).get_data(as_text=True)
    assert "My 2-2-1" in set_page and _sets(app) == 1
    chinese = signed_in("alice")
    chinese.get("/?lang=zh")
    saved = _post(chinese, {**SEED_FORM, "action": "save", "request_key": "another"})
    assert "我的 2-2-1" in chinese.get(saved.headers["Location"]).get_data(as_text=True)


def test_a_double_click_saves_one_set(app, signed_in):
    alice = signed_in("alice")
    data = {**SEED_FORM, "action": "save", "request_key": "6f1c2a9e-0000-4000-8000-000000000001"}
    first, second = _post(alice, data), _post(alice, data)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"] and _sets(app) == 1
