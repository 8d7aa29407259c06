"""Every page in Chinese: no run of English words but formulas, keys and names (tests/english_runs.py).

Pages are read through the test client with ``?lang=zh`` and a Chinese browser; user content the
test typed (student ids, account names) is allowed, everything the application wrote is not.
"""

from __future__ import annotations

import re

import pytest

from grader.generation import template_names
from tests.english_runs import english_runs
from tests.pages.helpers import LINK, answer_form, csrf_token, make_set, sign_in, student_token

ZH = {"Accept-Language": "zh-CN,zh;q=0.9"}
ALLOWED = {"alice", "admin", "amy", "ben", *template_names()}


def _check(response, what: str) -> str:
    page = response.get_data(as_text=True)
    assert response.status_code < 500, what
    assert english_runs(page, ALLOWED) == [], what
    return page


@pytest.fixture
def chinese(app, keys):
    from tests.pages.helpers import sign_in

    client = app.test_client()
    client.get("/?lang=zh", headers=ZH)
    assert sign_in(client, keys["alice"]).status_code == 302
    return client


def test_every_instructor_page_is_chinese(app, client, chinese):
    set_id = make_set(app, "alice", title="反向传播练习")
    amy = student_token(app, set_id, "amy")
    client.get("/?lang=zh")
    client.post(f"/student/{amy}", data={**answer_form({"z3": "0.755", "y3": "0.5"}), "action": "submit"})
    client.post(f"/student/{amy}", data={**answer_form({"z3": "0.755", "y3": "0.5"}), "action": "confirm"})
    for path in (
        "/sets",
        "/sets/new",
        f"/sets/{set_id}",
        f"/sets/{set_id}/students/amy",
        f"/sets/{set_id}/students/amy/remove",
        f"/sets/{set_id}/delete",
        f"/sets/{set_id}/printables/worksheet",
        f"/sets/{set_id}/printables/answer_key",
        "/exercises/new",
        "/exercises/new?mode=yaml",
        "/sets/99999",
    ):
        _check(chinese.get(path, headers=ZH), path)
    for name in template_names():
        _check(chinese.get(f"/templates/{name}/diagram.svg", headers=ZH), name)
    token = csrf_token(chinese, f"/sets/{set_id}")
    links = chinese.post(f"/sets/{set_id}/students", data={"students": "ben\nnot ok!", "csrf_token": token})
    _check(links, "links page")
    assert LINK.findall(links.get_data(as_text=True))


def test_the_student_page_is_chinese(app, client, keys):
    set_id = make_set(app, "alice", title="反向传播练习")
    amy = student_token(app, set_id, "amy")
    client.get("/?lang=zh", headers=ZH)
    page = _check(client.get(f"/student/{amy}", headers=ZH), "student page")
    assert "经典 2-2-1 sigmoid 网络，一步 BP" in page or "反向传播练习" in page


def test_the_editor_and_its_preview_are_chinese(chinese):
    from tests.pages.test_editor import SEED_FORM

    token = csrf_token(chinese, "/exercises/new")
    for action in ("layout", "preview", "to_yaml"):
        response = chinese.post("/exercises/new", data={**SEED_FORM, "action": action, "csrf_token": token})
        page = _check(response, action)
    preview = chinese.post("/exercises/new", data={**SEED_FORM, "action": "preview", "csrf_token": token})
    assert "完整解答" in preview.get_data(as_text=True)
    assert re.search(r"要计算 \d+ 个数值", preview.get_data(as_text=True)) and page


# kzh: the editor with problems, each shown where its pointer says, in Chinese.
BAD_YAML = """title: 坏的练习
layers: [2, 40, 1]
activation: swish
learning_rate: fast
weights: {w3_1: 0.1}
biases: {b3: 1}
samples:
  - inputs: [0.35]
    targets: [0.5]
ask: [forwards]
colour: blue
"""


def test_the_editor_names_every_problem_in_chinese(chinese):
    from tests.pages.test_editor import SEED_FORM

    token = csrf_token(chinese, "/exercises/new?mode=yaml")
    response = chinese.post("/exercises/new", data={"mode": "yaml", "yaml": BAD_YAML, "csrf_token": token})
    assert response.status_code == 422
    page = _check(response, "yaml with problems")
    for text in (
        "第 2 行 · <code>/layers</code>：",
        "每层需要 1 到 <code>16</code> 个节点，这里是 <code>40</code> 个",
        "必须是数，这里是 <code>&#39;fast&#39;</code>",
    ):
        assert text in page, text
    broken = chinese.post("/exercises/new", data={"mode": "yaml", "yaml": "layers: [2, 2\n", "csrf_token": token})
    assert "模板 不是有效的 YAML/JSON：第 <code>2</code> 行第 <code>1</code> 列有误" in _check(broken, "yaml syntax")
    twice = chinese.post("/exercises/new", data={"mode": "yaml", "yaml": "a: 1\na: 2\n", "csrf_token": token})
    assert "模板：键 <code>&#39;a&#39;</code> 写了两次" in _check(twice, "duplicate key")
    form = {**SEED_FORM, "activation": "softmax", "targets": "2", "action": "preview", "csrf_token": token}
    at_fields = chinese.post("/exercises/new", data=form)
    assert at_fields.status_code == 422
    assert "只能用于输出层" in _check(at_fields, "form with problems")


# kzh: the pages a reader meets when something is refused or goes wrong.
LTI_TERMS = {"iss", "state", "https", "x.example"}  # protocol fields the LTI messages name, and the issuer


def test_error_and_refusal_pages_are_chinese(app, keys, monkeypatch):
    client = app.test_client()
    client.get("/?lang=zh", headers=ZH)
    signin = _check(client.get("/signin", headers=ZH), "sign-in")
    assert "教师密钥以 <code>bpg_</code> 开头" in signin
    pages = {
        "a URL no page matches": (client.get("/no/such/page", headers=ZH), 404),
        "a method a page does not take": (client.put("/signin", headers=ZH), 405),
        "a form without its CSRF token": (client.post("/signin", data={"key": "x"}, headers=ZH), 400),
        "a wrong key": (client.post("/signin", data={"key": "x", "csrf_token": csrf_token(client)}, headers=ZH), 422),
        "a student link that is not one": (client.get("/student/notatoken", headers=ZH), 404),
        "an LTI page without a session": (client.get("/lti/pick/bind", headers=ZH), 403),
        "a GET of the LTI launch": (client.get("/lti/launch", headers=ZH), 405),
    }
    for what, (response, status) in pages.items():
        assert response.status_code == status, what
        _check(response, what)
    assert "<h1>未找到</h1>" in pages["a URL no page matches"][0].get_data(as_text=True)
    assert pages["a method a page does not take"][0].headers.get("Allow")
    for what, response in {
        "an LTI login naming no platform": client.get("/lti/login", headers=ZH),
        "an LTI launch from no login": client.post("/lti/launch", headers=ZH),
        "an LTI login from an unknown platform": client.get(
            "/lti/login?iss=https://x.example&login_hint=1&target_link_uri=x", headers=ZH
        ),
    }.items():
        assert response.status_code in (400, 403), what
        assert english_runs(response.get_data(as_text=True), ALLOWED | LTI_TERMS) == [], what

    staff = app.test_client()
    staff.get("/?lang=zh", headers=ZH)
    assert sign_in(staff, keys["alice"]).status_code == 302
    import grader.service.pages.instructor as instructor

    monkeypatch.setattr(instructor, "_templates", lambda: 1 / 0)  # an unexpected error on a page
    app.config["PROPAGATE_EXCEPTIONS"] = False
    crashed = staff.get("/sets/new", headers=ZH)
    assert crashed.status_code == 500
    page = crashed.get_data(as_text=True)
    assert english_runs(page, ALLOWED) == [] and "<h1>出错了</h1>" in page

    for _ in range(12):  # sign-in attempts are limited per address: the refusal is a page too
        last = client.post("/signin", data={"key": "bpg_wrong", "csrf_token": csrf_token(client)}, headers=ZH)
    assert last.status_code == 429
    _check(last, "too many sign-ins")


def test_a_refusal_a_page_shows_in_its_own_words_is_chinese_for_a_chinese_reader(app):
    """Domain errors whose detail a page shows (English, naming the bad value) read as Chinese in
    Chinese: a general sentence, then each problem the engine named, in Chinese."""
    from grader.grading import Policy, PolicyError
    from grader.service.facade.errors import Conflict, InvalidPolicy, problems_under
    from grader.service.pages.errors import explain

    try:
        Policy.from_mapping({"rtol": 5, "reveal": "sometimes"})
    except PolicyError as error:
        invalid = InvalidPolicy("the grading policy cannot be used", problems_under(error.problems, "policy"))
    busy = Conflict("the draft was changed by another request at the same time; save again")
    with app.test_request_context("/sets?lang=zh", headers=ZH):
        assert explain(invalid) == (
            422,
            "提交的内容无法使用。<code>/policy/reveal</code>："
            "必须是 <code>never, always, after_due, after_last_attempt</code> 之一"
            "（或 <code>true</code>/<code>false</code>），这里是 <code>&#39;sometimes&#39;</code>；"
            "<code>/policy/rtol</code>：必须是 <code>0</code> 到 <code>1</code> 之间的数，这里是 <code>5</code>。",
        )
        assert english_runs(f"<p>{explain(busy)[1]}</p>") == []
    with app.test_request_context("/sets?lang=en"):
        assert explain(invalid) == (422, "the grading policy cannot be used")
        assert explain(busy)[1] == busy.detail
