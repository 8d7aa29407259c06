"""English and Simplified Chinese: chosen from Accept-Language, switched with ?lang=, complete catalogues."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from grader.grading.misconceptions import CATALOGUE
from grader.service.pages import formatting

TRANSLATIONS = Path(__file__).resolve().parents[2] / "grader" / "service" / "translations"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-Hans"),
        ("zh-TW", "zh-Hans"),
        ("en-GB,en;q=0.5", "en"),
        ("fr-FR", "en"),
        ("", "en"),
    ],
)
def test_the_language_follows_accept_language(client, header, expected):
    page = client.get("/", headers={"Accept-Language": header}).get_data(as_text=True)
    assert f'<html lang="{expected}">' in page
    assert ("反向传播，逐步评分" in page) == (expected == "zh-Hans")


def test_the_switch_sticks_for_the_session(client):
    english = {"Accept-Language": "en"}
    assert "简体中文" in client.get("/", headers=english).get_data(as_text=True)  # the switch itself
    assert "教师登录" in client.get("/signin?lang=zh", headers=english).get_data(as_text=True)
    assert "教师登录" in client.get("/signin", headers=english).get_data(as_text=True)
    assert "Instructor sign-in" in client.get("/signin?lang=en").get_data(as_text=True)
    assert "Instructor sign-in" in client.get("/signin?lang=xx", headers={"Accept-Language": "zh"}).get_data(
        as_text=True
    )


def test_the_switch_keeps_the_page_and_its_query(client):
    page = client.get("/signin?next=/sets&lang=en").get_data(as_text=True)
    assert 'href="/signin?next=%2Fsets&amp;lang=zh"' in page


def test_the_language_survives_signing_in_and_out(client, keys):
    from tests.pages.helpers import csrf_token, sign_in

    client.get("/?lang=zh")
    sign_in(client, keys["alice"])
    assert "练习集" in client.get("/sets").get_data(as_text=True)
    client.post("/signout", data={"csrf_token": csrf_token(client, "/sets")})
    assert "教师登录" in client.get("/signin").get_data(as_text=True)


def test_the_chinese_catalogue_translates_every_message():
    template = read_po((TRANSLATIONS / "messages.pot").open("rb"))
    chinese = read_po((TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po").open("rb"), locale="zh")
    wanted = {m.id for m in template if m.id}
    have = {m.id for m in chinese if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)}
    assert wanted - have == set()
    assert not [m.id for m in chinese if m.id and m.fuzzy]


def test_the_compiled_catalogue_matches_its_source():
    # The .mo ships in the package; it must say what the .po says (run `pybabel compile` after edits).
    source = read_po((TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po").open("rb"), locale="zh")
    compiled = read_mo((TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.mo").open("rb"))
    assert _messages(source) == _messages(compiled)


def _messages(catalog) -> dict:
    def frozen(value):
        return tuple(value) if isinstance(value, (list, tuple)) else value

    return {frozen(m.id): frozen(m.string) for m in catalog if m.id}


def test_the_catalogue_ships_in_the_package():
    shipped = resources.files("grader.service") / "translations" / "zh" / "LC_MESSAGES" / "messages.mo"
    assert shipped.is_file()


def test_the_chinese_uses_the_source_materials_terms(app):
    terms = {
        "Forward pass": "正向传播",
        "Backward pass": "反向传播",
        "Error": "误差",
        "Learning rate": "学习率",
        "Weights": "权重",
        "Thresholds": "阈值",
        "Gradients": "梯度",
        "Activation function": "激活函数",
        "Iterations": "迭代",
    }
    chinese = read_po((TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po").open("rb"), locale="zh")
    strings = {m.id: m.string for m in chinese if m.id}
    assert {english: strings[english] for english in terms} == terms
    # The rules at the top of the student page are the worksheets' (grader.worksheets.conventions).
    from grader.engine import Exercise
    from grader.worksheets.conventions import conventions

    exercise = Exercise.from_mapping(
        {
            "layers": [2, 2, 1], "activation": "sigmoid", "loss": "half_sse", "bias": "threshold",
            "learning_rate": 0.5,
            "weights": {"w3_1": 0.1, "w3_2": 0.2, "w4_1": 0.3, "w4_2": 0.4, "w5_3": 0.5, "w5_4": 0.6},
            "biases": {"b3": 0.1, "b4": 0.2, "b5": 0.3}, "samples": [{"inputs": [1, 0], "targets": [1]}],
        }
    )  # fmt: skip
    topics = [topic for topic, _rule in conventions(exercise, "zh")]
    assert topics == ["网络", "激活函数", "误差", "阈值", "误差项", "学习率", "迭代"]
    assert "隐层" in conventions(exercise, "zh")[0][1]


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_misconception_has_a_short_name(app, language):
    with app.test_request_context(f"/?lang={language}"):
        names = {m.code: formatting.misconception_name(m.code) for m in CATALOGUE}
    assert all(name != code for code, name in names.items()), names
    assert len(set(names.values())) == len(names)
