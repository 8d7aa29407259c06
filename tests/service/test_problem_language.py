"""Validation problems in problem+json come in the request's language, with a stable code.

The API negotiates Accept-Language for feedback already; the engine's problems (``errors[]`` of
an invalid exercise, template, policy or answers) follow it.  Everything else stays English:
the problem's ``title`` and ``detail``, and errors that have no code (the request schema's own
checks, such as a policy's ``rtol`` out of range, which marshmallow words).
"""

from __future__ import annotations

import re

import pytest

from tests.service.helpers import API, is_problem

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}
CHINESE = re.compile("[\u4e00-\u9fff]")
SEED = {
    "layers": [2, 2, 1],
    "weights": {"w3_1": "x", "w3_2": 0.8, "w4_1": 0.4, "w4_2": 0.6, "w5_3": 0.3, "w5_4": 0.9},
    "samples": [{"inputs": [0.35, 0.9], "targets": [0.5]}],
    "activation": "swish",
}


def _errors(doc) -> dict[str, dict]:
    return {e["pointer"]: e for e in doc["errors"]}


def test_solve_names_each_problem_in_chinese_for_a_chinese_reader(client, auth):
    zh = is_problem(
        client.post(f"{API}/solve", json={"exercise": SEED}, headers={**auth("alice"), **ZH}), 422, "invalid-exercise"
    )
    errors = _errors(zh)
    assert errors["#/exercise/weights/w3_1"] == {
        "pointer": "#/exercise/weights/w3_1",
        "code": "not_number",
        "detail": "必须是数，这里是 'x'",
    }
    assert errors["#/exercise/activation"]["code"] == "unknown_activation"
    assert errors["#/exercise/activation"]["detail"].startswith("未知的激活函数 'swish'；可选：sigmoid, ")
    assert zh["detail"] == "the exercise cannot be used"  # the problem itself stays English

    en = _errors(client.post(f"{API}/solve", json={"exercise": SEED}, headers=auth("alice")).json)
    assert en["#/exercise/weights/w3_1"] == {**errors["#/exercise/weights/w3_1"], "detail": "must be a number, got 'x'"}
    assert not any(CHINESE.search(e["detail"]) for e in en.values())


def test_an_inline_template_is_refused_in_chinese(client, auth):
    body = {"template_document": {**SEED, "weights": {"w3_1": {"uniform": [1, -1], "decimals": 1}}}}
    doc = is_problem(
        client.post(f"{API}/exercise-sets", json=body, headers={**auth("alice"), **ZH}), 422, "invalid-exercise"
    )
    errors = {e["code"]: e for e in doc["errors"]}
    assert all(CHINESE.search(e["detail"]) for e in errors.values()), doc["errors"]
    assert errors["uniform_order"] == {
        "pointer": "#/template_document/weights/w3_1",
        "code": "uniform_order",
        "detail": "uniform 需要 low < high，这里是 [1, -1]",
    }


def test_an_unknown_answer_key_is_named_in_chinese(seed_set, submit):
    doc = is_problem(submit(seed_set["id"], "s1", {"z9": 1.0}, headers=ZH), 422, "unknown-answer-key")
    (error,) = doc["errors"]
    assert error["pointer"] == "#/answers/z9" and error["code"] == "unknown_answer_key"
    assert error["detail"].startswith("未知的步骤键 'z9'；要求作答的键：z3, y3, ")


def test_the_service_s_own_bounds_are_named_in_chinese_too(client, auth):
    doc = is_problem(
        client.post(f"{API}/exercise-sets", json={"template": "nope"}, headers={**auth("alice"), **ZH}), 422
    )
    (error,) = doc["errors"]
    assert error["code"] == "unknown_template" and error["detail"].startswith("未知的模板；现有：")
    english = client.post(f"{API}/exercise-sets", json={"template": "nope"}, headers=auth("alice")).json
    assert english["errors"][0]["detail"].startswith("unknown template; known: ")
