"""The student page of issue 13 in a real browser (Debian's Chromium via Playwright, as test_browser.py).

Enter never submits, unreadable entries cost no attempt, a draft survives a reload and a language
switch, the worked solution appears only once the reveal rule allows it, a due date typed in
Asia/Shanghai reads right to a student in Berlin, and axe finds no violations in any of these
states (the faded feedback of an edited value included).
"""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from grader.service.database import get_database
from grader.service.models import ExerciseSet, Submission
from tests.pages import test_browser
from tests.pages.helpers import make_set
from tests.pages.test_browser import SCREENSHOTS, access_link, answers_after_a_slip, follow, shot

# The browser, the live server and fresh pages are test_browser.py's fixtures, shared.
browser, live, new_page = test_browser.browser, test_browser.live, test_browser.new_page

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# The README's two pictures are refreshed only on request (they would change with every run's timestamps):
#   README_SCREENSHOTS=1 pytest tests/pages/test_student_browser.py
README_SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
REFRESH_README = os.environ.get("README_SCREENSHOTS") == "1"


def readme_shot(name: str) -> Path:
    """Where a README picture goes: docs/screenshots when refreshing, else beside the other screenshots."""
    return README_SHOTS / name if REFRESH_README else SCREENSHOTS / f"readme-{name}"


def attempts_stored(app) -> int:
    with get_database(app).sessions() as session:
        return session.scalar(select(func.count(Submission.id)))


def axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it stands (rule id and the first offending element).

    axe runs on timers, so the page's context must have JavaScript on (or axe never finishes).
    """
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']}: {v['nodes'][0]['target']}" for v in results.response["violations"]]


def plain_text(locator) -> str:
    """A locator's text with CLDR's narrow no-break spaces (as in "11:59 PM") made plain spaces."""
    return locator.inner_text().replace("\u202f", " ").replace("\xa0", " ")


def fill(page, answers: dict[str, str]) -> None:
    for key, value in answers.items():
        page.fill(f'[name="answer:{key}"]', value)


def submit_and_confirm(page, answers: dict[str, str]) -> None:
    fill(page, answers)
    follow(page, "button:has-text('Submit for grading')")
    follow(page, "button:has-text('Submit now')")


def test_enter_moves_to_the_next_field_and_never_submits(live, keys, app, new_page):
    set_id = make_set(app, "alice", max_attempts=3)
    link = access_link(live, keys, set_id, "s-enter")
    page = new_page(java_script_enabled=True, viewport={"width": 1280, "height": 900})
    page.goto(link)
    page.fill('[name="answer:z3"]', "0.755")
    page.press('[name="answer:z3"]', "Enter")
    assert page.evaluate("document.activeElement.id") == "f-y3"
    page.keyboard.type("0.6803")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "f-z4"
    assert "attempt=" not in page.url and attempts_stored(app) == 0

    # Without the script, Enter presses the form's first button: "Save draft", never an attempt.
    plain = new_page(viewport={"width": 1280, "height": 900})
    plain.goto(access_link(live, keys, set_id, "s-enter-no-script"))
    plain.fill('[name="answer:z4"]', "0.68")
    with plain.expect_navigation():
        plain.press('[name="answer:z4"]', "Enter")
    assert "Draft saved. Nothing was submitted." in plain.locator(".flashes").inner_text()
    assert plain.input_value('[name="answer:z4"]') == "0.68"
    assert attempts_stored(app) == 0

    # Submitting asks first, with the empty fields and the attempts that will be left.
    follow(page, "button:has-text('Submit for grading')")
    facts = page.locator(".confirm-facts").inner_text()
    assert "You filled in 2 of 29 fields." in facts and "27 fields are empty" in facts
    assert "you will have 2 attempts left" in facts
    assert axe_violations(page) == []
    shot(page, "student-confirm.png")
    follow(page, "text=Back to my answers")  # the confirmation page holds the answers too, hidden
    assert page.input_value('[name="answer:y3"]') == "0.6803" and attempts_stored(app) == 0


def test_unreadable_entries_are_marked_and_cost_no_attempt(live, keys, app, new_page):
    page = new_page(java_script_enabled=True, viewport={"width": 1280, "height": 900})
    page.goto(access_link(live, keys, make_set(app, "alice", max_attempts=3), "s-typo"))
    fill(page, {"z3": "0.755", "y3": "abc", "z4": "1/37", "y4": "=0.00817"})
    follow(page, "button:has-text('Submit for grading')")
    assert page.locator(".answer.is-refused").count() == 3
    assert page.locator("#f-z4").get_attribute("aria-invalid") == "true"
    assert "Not a number that can be read" in page.locator("#err-z4").inner_text()
    assert page.input_value("#f-y4") == "=0.00817"  # kept as typed, to be corrected
    assert "Attempts used: 0 / 3" in page.locator(".status-bar").inner_text()
    assert axe_violations(page) == []
    shot(page, "student-refused.png")
    assert attempts_stored(app) == 0

    page.fill("#f-y3", "0.6803")
    page.fill("#f-z4", "0.68")
    page.fill("#f-y4", "0.6637")
    follow(page, "button:has-text('Submit for grading')")
    follow(page, "button:has-text('Submit now')")
    assert "attempt=1" in page.url and attempts_stored(app) == 1
    # The same answers again: not graded again, no attempt used.
    follow(page, "button:has-text('Submit for grading')")
    assert "same as in attempt 1" in page.locator(".flashes").inner_text()
    assert attempts_stored(app) == 1


def test_a_draft_survives_a_reload_and_a_language_switch(live, keys, app, new_page):
    page = new_page(java_script_enabled=True, viewport={"width": 1280, "height": 900})
    page.goto(access_link(live, keys, make_set(app, "alice"), "s-draft"))
    page.fill('[name="answer:z3"]', "0.755")
    page.fill('[name="answer:it2.E"]', "0.0166")
    page.wait_for_selector("#draft-status[data-state=saved]")
    page.reload()
    assert page.input_value('[name="answer:z3"]') == "0.755"
    assert page.input_value('[name="answer:it2.E"]') == "0.0166"
    page.fill('[name="answer:y3"]', "0.68")
    with page.expect_navigation():  # the script saves what it had not sent yet, then follows the link
        page.click("text=简体中文")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.input_value('[name="answer:y3"]') == "0.68"
    assert page.input_value('[name="answer:z3"]') == "0.755"
    # Another device (a fresh browser context) gets the same draft from the server.
    other = new_page(viewport={"width": 1280, "height": 900})
    other.goto(page.url)
    assert other.input_value('[name="answer:it2.E"]') == "0.0166"
    follow(other, "button[value=clear]")
    assert other.input_value('[name="answer:z3"]') == ""
    assert attempts_stored(app) == 0


def test_feedback_shows_points_policy_and_fades_once_a_value_is_edited(live, keys, app, new_page):
    set_id = make_set(app, "alice", policy={"tolerance": "sigfigs", "sigfigs": 3, "phase_weights": {"updates": 2}})
    page = new_page(java_script_enabled=True, viewport={"width": 1280, "height": 1000})
    page.goto(access_link(live, keys, set_id, "s-feedback"))
    policy = page.locator(".policy-words").inner_text()
    assert "to 3 significant figures" in policy
    assert "Give every value to at least 3 significant figures." in page.locator("form .hint").first.inner_text()
    assert "Round as you like" not in page.content()
    assert page.locator("#pt-new_w5_3").inner_text() == "2 points"
    assert page.locator("#pt-z3").inner_text() == "1 point"
    slipped = answers_after_a_slip(1.755)
    submit_and_confirm(page, slipped)
    assert page.locator("#pt-z3").inner_text() == "0 of 1 point"
    assert page.locator("#pt-z4").inner_text() == "1 of 1 point"
    assert axe_violations(page) == []
    shot(page, "student-feedback.png")
    # For the README: the score and the first phases' feedback beside the fields.
    top = page.locator("#result").bounding_box()
    bottom = page.locator("fieldset.phase").nth(1).bounding_box()
    scrolled = page.evaluate("window.scrollY")  # boxes are in the viewport; a full-page clip is in the page
    height = bottom["y"] + bottom["height"] - top["y"]
    clip = {"x": top["x"], "y": top["y"] + scrolled, "width": top["width"], "height": height}
    page.screenshot(path=str(readme_shot("student-feedback.png")), clip=clip, full_page=True)
    page.fill("#f-z3", "0.755")  # the verdict beside it now describes an older value: faded
    assert page.locator(".answer.is-edited").count() == 1
    assert page.locator(".answer.is-edited .edited-note").is_visible()
    assert axe_violations(page) == []
    shot(page, "student-faded.png")


def test_the_worked_solution_appears_after_the_due_date_and_not_before(live, keys, app, new_page):
    set_id = make_set(
        app, "alice", due_at=datetime.now(UTC) + timedelta(hours=2), policy={"reveal": "after_due"}, max_attempts=2
    )
    page = new_page(java_script_enabled=True, viewport={"width": 1280, "height": 1000})
    link = access_link(live, keys, set_id, "s-solution")
    page.goto(link)
    submit_and_confirm(page, answers_after_a_slip(1.755))
    assert page.locator("#solution").count() == 0 and "0.755" not in page.content()
    assert "Attempts left: 1" in page.locator(".status-bar").inner_text()

    with get_database(app).sessions() as session:
        session.get(ExerciseSet, set_id).due_at = datetime.now(UTC) - timedelta(minutes=1)
        session.commit()
    page.goto(link)
    status = page.locator(".status-bar").inner_text()
    assert "Attempts left: none: the due date has passed" in status and "unlimited" not in status
    solution = page.locator("#solution")
    assert solution.count() == 1
    z3 = solution.locator(".solution-line", has_text="z₃ = w₃₁·y₁").first
    assert "0.1·0.35 + 0.8·0.9 = 0.755" in z3.inner_text()
    assert "yours: 1.755" in z3.inner_text()
    y3 = solution.locator(".solution-line.is-carried").first
    assert "from your own numbers: y₃ = sigmoid(1.755) = 0.852" in y3.inner_text()
    # The plot of E: two iterations, and E falls.
    circles = solution.locator(".loss-plot svg circle[r='4']")
    assert circles.count() == 2
    heights = [float(circles.nth(n).get_attribute("cy")) for n in range(2)]
    assert heights[1] > heights[0]  # lower on the page: a smaller E
    assert axe_violations(page) == []
    shot(page, "student-solution.png")
    solution.screenshot(path=str(readme_shot("worked-solution.png")))


def test_a_due_date_entered_in_shanghai_reads_right_in_berlin(live, keys, app, new_page):
    teacher = new_page(java_script_enabled=True, timezone_id="Asia/Shanghai", viewport={"width": 1280, "height": 900})
    teacher.goto(f"{live}/signin")
    teacher.fill("#key", keys["alice"])
    follow(teacher, "button:has-text('Sign in')")
    teacher.goto(f"{live}/sets/new")
    assert teacher.input_value("#time_zone") == "Asia/Shanghai"  # the instructor's browser zone
    assert axe_violations(teacher) == []
    teacher.click("label[for=template-0]")
    teacher.fill("#title", "Due in Shanghai")
    teacher.fill("#due_at", "2030-12-01T23:59")
    follow(teacher, "button:has-text('Create set')")
    assert "1, 2030, 11:59:00 PM (Asia/Shanghai)" in plain_text(teacher.locator(".page-head"))
    set_id = int(teacher.url.rstrip("/").split("/")[-1])
    with get_database(app).sessions() as session:
        stored = session.get(ExerciseSet, set_id)
        assert stored.due_at == datetime(2030, 12, 1, 15, 59, tzinfo=UTC)
        assert stored.time_zone == "Asia/Shanghai"
    assert teacher.input_value("#due_at") == "2030-12-01T23:59"  # the policy form shows it back in the zone

    student = new_page(java_script_enabled=True, timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900})
    student.goto(access_link(live, keys, set_id, "s-berlin"))
    due = plain_text(student.locator(".status-bar"))
    assert "Dec 1, 2030, 11:59:00 PM (Asia/Shanghai)" in due
    assert "your time: Dec 1, 2030, 4:59 PM, Europe/Berlin" in due
    shot(student, "student-time-zone.png", full_page=False)
