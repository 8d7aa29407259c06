"""The instructor's side of issue 13 in a real browser (Debian's Chromium via Playwright, as
test_browser.py): the whole flow in Chinese with no English left, an exercise written in the
browser then previewed, saved and answered, the set and gradebook pages on a 390 px phone, and axe
on every instructor page.  Screenshots go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import pytest

from grader.generation import template_names
from tests.english_runs import english_runs
from tests.pages import test_browser
from tests.pages.helpers import make_set, student_token

# The browser, the live server and fresh pages are test_browser.py's fixtures, shared.
browser, live, new_page, shot = test_browser.browser, test_browser.live, test_browser.new_page, test_browser.shot

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}
# axe runs as a script in the page: it needs JavaScript, and our CSP (script-src 'self') would block
# the script Playwright injects, so the contexts that run it bypass the CSP.
DESK = {"viewport": {"width": 1280, "height": 900}, "java_script_enabled": True, "bypass_csp": True}


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it stands (rule id and the first offending element)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in results.response["violations"]]


def sign_in(page, live: str, key: str, lang: str | None = None) -> None:
    page.goto(f"{live}/signin" + (f"?lang={lang}" if lang else ""))
    page.fill("#key", key)
    press(page, "form:has(#key) button[type=submit]")


def press(page, selector: str) -> None:
    """Click a button or link that loads a new page, and wait for that page."""
    with page.expect_navigation():
        page.locator(selector).first.click()


def no_sideways_scroll(page) -> bool:
    """Neither the page nor any scrolling box in it (a table's wrapper, say) is wider than the screen."""
    return page.evaluate(
        """() => document.documentElement.scrollWidth <= window.innerWidth &&
              [...document.querySelectorAll('.table-wrap, pre, .diagram')]
                .every(box => box.scrollWidth <= box.clientWidth + 1)"""
    )


def test_set_and_gradebook_pages_fit_a_phone(live, keys, app, new_page):
    set_id = make_set(app, "alice", title="Week 3: one BP step, with a rather long title for a phone")
    for n in range(1, 4):
        student_token(app, set_id, f"student.number.{n}@example.edu")
    page = new_page(java_script_enabled=True, **PHONE)
    sign_in(page, live, keys["alice"])
    for path, name in (
        ("/sets", "instructor-phone-sets.png"),
        (f"/sets/{set_id}", "instructor-phone-set.png"),
        (f"/sets/{set_id}#gradebook", "instructor-phone-gradebook.png"),
        (f"/sets/{set_id}/students/student.number.1@example.edu", "instructor-phone-student.png"),
        ("/exercises/new", "instructor-phone-editor.png"),
    ):
        page.goto(f"{live}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        shot(page, name, full_page=False)
        assert no_sideways_scroll(page), f"{path} is {width} px wide on a 390 px phone"


def submit_as_student(page, answers: dict[str, str]) -> None:
    """Fill answers on the student page and submit them (confirming, where the page asks first)."""
    for key, value in answers.items():
        page.fill(f'[name="answer:{key}"]', value)
    press(page, "button[type=submit][value=review], button:has-text('Submit for grading'), button:has-text('提交评分')")
    confirm = page.locator("button:has-text('Submit now'), button:has-text('确认提交')")
    if confirm.count():
        press(page, "button:has-text('Submit now'), button:has-text('确认提交')")


def api_submit(live: str, keys, set_id: int, student: str, answers: dict[str, float]) -> None:
    import requests

    response = requests.post(
        f"{live}/api/v1/exercise-sets/{set_id}/students/{student}/submissions",
        json={"answers": answers},
        headers={"Authorization": f"Bearer {keys['alice']}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text


def test_an_exercise_written_in_the_browser_is_previewed_saved_and_answered(live, keys, new_page):
    teacher = new_page(**DESK)
    sign_in(teacher, live, keys["alice"])
    teacher.goto(f"{live}/sets")
    press(teacher, "text=Write an exercise")
    teacher.fill("#f-title", "Tanh warm-up")
    teacher.fill("#f-layers", "2, 1, 1")
    teacher.select_option("#f-activation", "tanh")
    press(teacher, "button:has-text('Lay out the weights')")
    names = [n.get_attribute("name") for n in teacher.locator(".weight-grid input").all()]
    assert names == ["weight:w3_1", "weight:w3_2", "weight:w4_3"]
    teacher.fill("#f-learning_rate", "0.5")
    teacher.fill("#f-inputs", "1, 0.5")
    teacher.fill("#f-targets", "0.2")
    teacher.fill("#f-weight-w3_1", "0.4")
    teacher.fill("#f-weight-w3_2", "abc")
    teacher.fill("#f-weight-w4_3", "0.8")
    press(teacher, "button:has-text('Check and preview')")
    # The bad weight is marked at its own field, and nothing can be saved yet.
    assert teacher.get_attribute("#f-weight-w3_2", "aria-invalid") == "true"
    assert "abc" in teacher.locator("#f-weight-w3_2-error").inner_text()
    assert teacher.locator("button:has-text('Save as a new set')").count() == 0
    assert axe_violations(teacher) == []
    shot(teacher, "editor-error.png")
    teacher.fill("#f-weight-w3_2", "-0.6")
    press(teacher, "button:has-text('Check and preview')")
    preview = teacher.locator("#preview")
    assert preview.locator("svg").count() == 1
    assert "values to compute" in preview.inner_text() and "Full solution" in preview.inner_text()
    # z3 = 0.4·1 + (-0.6)·0.5 = 0.1 and y3 = tanh(0.1), as worked by hand.
    assert "0.1" in preview.locator("tr", has_text="z₃").first.inner_text()
    assert "0.099668" in preview.inner_text()  # tanh(0.1)
    assert axe_violations(teacher) == []
    shot(teacher, "editor-preview.png")
    press(teacher, "button:has-text('Save as a new set')")
    assert teacher.locator("h1").inner_text() == "Tanh warm-up"
    teacher.fill("#students", "writer-1")
    press(teacher, "button:has-text('Add and show their links')")
    link = teacher.locator("input[data-student=writer-1]").input_value()

    student = new_page(**DESK)
    student.goto(link)
    assert student.locator("h1").inner_text() == "Tanh warm-up"
    submit_as_student(student, {"z3": "0.1", "y3": "0.09967"})
    assert student.locator(".answer.is-correct").count() == 2
    shot(student, "editor-answered.png")


def test_every_instructor_page_in_chinese_has_no_english_and_no_axe_violation(live, keys, app, new_page):
    teacher = new_page(locale="zh-CN", **DESK)
    sign_in(teacher, live, keys["alice"], lang="zh")
    allowed = {"alice", "amy", "Li", "Ming", *template_names()}
    seen = []

    def check(name: str) -> None:
        teacher.wait_for_load_state()
        assert teacher.locator("html").get_attribute("lang") == "zh-Hans", name
        assert english_runs(teacher.content(), allowed) == [], name
        assert axe_violations(teacher) == [], name
        seen.append(name)

    teacher.goto(f"{live}/sets")
    check("sets")
    press(teacher, ".page-head >> text=新建练习集")
    check("new set")
    teacher.click("label[for=template-0]")
    teacher.fill("#title", "第三周：一步 BP")
    press(teacher, "button[type=submit].primary")
    set_url = teacher.url
    check("set")
    teacher.fill("#students", "amy\nLi Ming\nnot ok!")
    press(teacher, "#add-students button.primary")
    check("links")
    assert teacher.locator("#refused").count() == 1
    link = teacher.locator("input[data-student=amy]").input_value()
    set_id = int(set_url.rsplit("/", 1)[1])
    api_submit(live, keys, set_id, "Li Ming", {"z3": 0.755, "y3": 0.6803, "delta5": -0.040681})

    student = new_page(locale="zh-CN", **DESK)
    student.goto(link)
    assert english_runs(student.content(), allowed) == [], "student page"
    submit_as_student(student, {"z3": "0.755", "y3": "0.6803"})
    assert english_runs(student.content(), allowed) == [], "student feedback"
    assert axe_violations(student) == []
    shot(student, "zh-student.png")

    teacher.goto(set_url)
    check("set with a gradebook")
    shot(teacher, "zh-set.png")
    teacher.goto(f"{set_url}/students/amy")
    check("student drill-down")
    for kind in ("worksheet", "answer_key"):
        teacher.goto(f"{set_url}/printables/{kind}")
        check(kind)
        shot(teacher, f"zh-{kind}.png")
    teacher.goto(f"{set_url}/students/amy/as-student")
    check("view as student")
    shot(teacher, "zh-view-as-student.png")
    teacher.goto(f"{set_url}/students/amy/remove")
    check("remove student")
    teacher.goto(f"{set_url}/delete")
    check("delete set")
    teacher.goto(f"{live}/exercises/new")
    check("editor")
    press(teacher, "button:has-text('检查并预览')")
    check("editor with errors")
    teacher.goto(f"{live}/exercises/new?mode=yaml")
    check("YAML editor")
    press(teacher, "button:has-text('检查并预览')")
    check("YAML preview")
    shot(teacher, "zh-editor-preview.png")
    teacher.goto(set_url)
    press(teacher, "#manage button[type=submit]")
    teacher.goto(f"{live}/sets")
    check("sets with an archived one")
    assert len(seen) == 16


def test_axe_finds_nothing_on_the_instructor_pages_in_english(live, keys, app, new_page):
    set_id = make_set(app, "alice")
    student_token(app, set_id, "amy")
    api_submit(live, keys, set_id, "amy", {"z3": 0.755, "y3": 0.1})
    teacher = new_page(**DESK)
    sign_in(teacher, live, keys["alice"])
    for path in (
        "/sets",
        "/sets/new",
        f"/sets/{set_id}",
        f"/sets/{set_id}/students/amy",
        f"/sets/{set_id}/students/amy/as-student",
        f"/sets/{set_id}/students/amy/remove",
        f"/sets/{set_id}/delete",
        "/exercises/new",
        "/exercises/new?mode=yaml",
    ):
        teacher.goto(f"{live}{path}")
        assert axe_violations(teacher) == [], path
    teacher.goto(f"{live}/sets/{set_id}/students/amy")
    press(teacher, "button:has-text('Withdraw old links and make a new one')")
    assert axe_violations(teacher) == [], "links"
    shot(teacher, "instructor-reissued-link.png")
