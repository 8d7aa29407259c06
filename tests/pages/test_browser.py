"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright, against a live server.

Forms are used with JavaScript switched off, as the pages promise to work without it.  Each test
saves screenshots of what it saw under test-artifacts/screenshots/ for a reviewer to look at.
"""

from __future__ import annotations

import math
import os
import re
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.conftest import SEED_AS_PRINTED
from tests.pages.helpers import make_set

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

# A browser test needs no second database: the pages do not depend on it, and the client tests
# run on both.  This narrows the shared ``database_url`` fixture to SQLite for this module.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

# The seed example as a student writes it (seed-example.md): first iteration as printed there.
Y1, Y2, T = 0.35, 0.9, 0.5
W = {"w3_1": 0.1, "w3_2": 0.8, "w4_1": 0.4, "w4_2": 0.6, "w5_3": 0.3, "w5_4": 0.9}
PRINTED = SEED_AS_PRINTED


def sigmoid(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def written(x: float) -> str:
    """A number as a careful student writes it: five significant figures."""
    return f"{x:.5g}"


def second_pass(new: dict[str, float]) -> dict[str, float]:
    """The forward pass and error with updated weights (what seed-example.md prints only in part)."""
    z3 = new["w3_1"] * Y1 + new["w3_2"] * Y2
    z4 = new["w4_1"] * Y1 + new["w4_2"] * Y2
    y3, y4 = sigmoid(z3), sigmoid(z4)
    z5 = new["w5_3"] * y3 + new["w5_4"] * y4
    y5 = sigmoid(z5)
    return {
        "it2.z3": z3,
        "it2.y3": y3,
        "it2.z4": z4,
        "it2.y4": y4,
        "it2.z5": z5,
        "it2.y5": y5,
        "it2.E": 0.5 * (y5 - T) ** 2,
    }


def seed_answers() -> dict[str, str]:
    """Every asked value of the seed example: the printed figures, the rest worked from them."""
    new = {name: float(PRINTED[f"new_{name}"]) for name in W}
    worked = {key: written(value) for key, value in second_pass(new).items()}
    return {**worked, **PRINTED}


def answers_after_a_slip(z3: float) -> dict[str, str]:
    """Every value worked correctly by hand from a wrong z3 (the slip carried all the way through)."""
    y3, z4 = sigmoid(z3), W["w4_1"] * Y1 + W["w4_2"] * Y2
    y4 = sigmoid(z4)
    z5 = W["w5_3"] * y3 + W["w5_4"] * y4
    y5 = sigmoid(z5)
    d5 = (y5 - T) * y5 * (1 - y5)
    d3, d4 = y3 * (1 - y3) * W["w5_3"] * d5, y4 * (1 - y4) * W["w5_4"] * d5
    grads = {"w5_3": d5 * y3, "w5_4": d5 * y4, "w3_1": d3 * Y1, "w3_2": d3 * Y2, "w4_1": d4 * Y1, "w4_2": d4 * Y2}
    new = {name: W[name] - grads[name] for name in W}
    values = {
        "z3": z3,
        "y3": y3,
        "z4": z4,
        "y4": y4,
        "z5": z5,
        "y5": y5,
        "E": 0.5 * (y5 - T) ** 2,
        "delta5": d5,
        "delta3": d3,
        "delta4": d4,
        **{f"grad_{n}": g for n, g in grads.items()},
        **{f"new_{n}": v for n, v in new.items()},
        **second_pass(new),
    }
    return {key: written(value) for key, value in values.items()}


# Other browser test modules import these fixtures, which registers them once per module; the
# browser is shared, since Playwright's sync API runs one instance per thread.
_RUNNING: dict[str, object] = {}


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (Debian's; Playwright downloads nothing)."""
    if "chromium" in _RUNNING:
        yield _RUNNING["chromium"]
        return
    if not os.access(CHROMIUM, os.X_OK):
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{CHROMIUM} is required in CI (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        _RUNNING["chromium"] = chromium
        try:
            yield chromium
        finally:
            _RUNNING.pop("chromium", None)
            chromium.close()


@pytest.fixture
def live(app):
    """The app served over HTTP on a free loopback port, in a thread; its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def new_page(browser):
    """``new_page(**context_options)``: a page in a fresh browser context, closed after the test."""
    contexts = []

    def make(java_script_enabled: bool = False, **options):
        context = browser.new_context(java_script_enabled=java_script_enabled, **options)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def access_link(live: str, keys, set_id: int, student: str) -> str:
    """A student's link, as an LMS gets it from the API."""
    response = requests.post(
        f"{live}/api/v1/exercise-sets/{set_id}/students/{student}/access-token",
        headers={"Authorization": f"Bearer {keys['alice']}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()["url"]


def follow(page, selector: str) -> None:
    """Click something that loads a new page, and wait for that page: a bare click can return before the
    navigation has started, and the next assertion would then read the old page."""
    with page.expect_navigation():
        page.click(selector)


def fill_and_submit(page, answers: dict[str, str]) -> None:
    for key, value in answers.items():
        page.fill(f'[name="answer:{key}"]', value)
    follow(page, "button:has-text('Submit for grading')")
    follow(page, "button:has-text('Submit now')")  # the confirmation step
    page.wait_for_load_state()


def verdicts(page) -> dict[str, str]:
    """key -> the verdict beside its field, read from the page's classes."""
    out = {}
    for answer in page.query_selector_all(".answer"):
        key = answer.query_selector("input").get_attribute("data-key")
        out[key] = re.search(r"is-(\w+)", answer.get_attribute("class")).group(1)
    return out


def loaded_width(image, seconds: float = 30) -> int:
    """An image's natural width once it has loaded (lazy images load after the page; polled, as a
    page without JavaScript cannot run Playwright's wait_for_function)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        width = image.evaluate("img => img.complete ? img.naturalWidth : -1")
        if width >= 0:
            return width
        time.sleep(0.05)
    return 0


def shot(page, name: str, full_page: bool = True) -> None:
    page.screenshot(path=str(SCREENSHOTS / name), full_page=full_page)


def test_the_seed_example_worked_by_hand_gets_full_marks_and_a_slip_carries(live, keys, app, new_page):
    set_id = make_set(app, "alice")
    page = new_page(viewport={"width": 1280, "height": 900})
    page.goto(access_link(live, keys, set_id, "student-1"))
    assert page.locator("h1").inner_text() == "Classic 2-2-1 sigmoid network, one BP step"
    assert page.locator("figure.diagram svg").count() == 1
    assert page.get_by_label("z₃", exact=True).count() == 2  # iteration 1 and 2, each in its fieldset
    shot(page, "student-before.png")

    answers = seed_answers()
    assert len(answers) == 29
    fill_and_submit(page, answers)
    assert "attempt=1" in page.url
    assert page.locator(".score-figure").inner_text().split() == ["29", "/", "29"]
    assert set(verdicts(page).values()) == {"correct"}
    shot(page, "student-after.png")

    slipped = answers_after_a_slip(1.755)  # 1.755 for 0.755: one slip in z3, the rest worked from it
    fill_and_submit(page, slipped)
    shown = verdicts(page)
    assert shown["z3"] == "incorrect"
    assert shown["z4"] == shown["y4"] == "correct"  # not computed from z3
    from_z3 = [
        "y3",
        "z5",
        "y5",
        "E",
        "delta5",
        "delta3",
        "delta4",
        "grad_w5_3",
        "grad_w5_4",
        "grad_w3_1",
        "grad_w3_2",
        "grad_w4_1",
        "grad_w4_2",
        "new_w5_3",
    ]
    assert {key: shown[key] for key in from_z3} == dict.fromkeys(from_z3, "carried")
    # The rest came out within tolerance of the right values even from the slip.
    assert set(shown.values()) == {"incorrect", "correct", "carried"}
    assert page.locator(".score-figure").inner_text().split() == ["28", "/", "29"]
    assert "Follows correctly from your earlier z₃ = 1.755" in page.locator("#fb-y3").inner_text()
    shot(page, "student-carried.png")
    assert page.locator("text=Past attempts").count() == 1
    assert page.locator("table a:has-text('Attempt 1')").count() == 1


def test_an_instructor_creates_a_set_and_watches_it_fill(live, keys, new_page):
    teacher = new_page(viewport={"width": 1280, "height": 900})
    teacher.goto(f"{live}/sets")
    assert "/signin" in teacher.url
    teacher.fill("#key", keys["alice"])
    follow(teacher, "button:has-text('Sign in')")
    assert teacher.url.endswith("/sets")
    follow(teacher, ".page-head >> text=New set")
    assert teacher.locator(".template-option").count() >= 2
    assert loaded_width(teacher.locator(".template-option img").first) > 0  # the preview
    shot(teacher, "instructor-new-set.png")
    teacher.click("label[for=template-0]")
    teacher.fill("#title", "Week 3: one BP step")
    teacher.fill("#max_attempts", "3")
    follow(teacher, "button:has-text('Create set')")
    assert teacher.locator("h1").inner_text() == "Week 3: one BP step"
    assert teacher.locator("text=The chart appears with the first submission.").count() == 1
    set_url = teacher.url

    teacher.fill("#students", "s-alpha\ns-beta")
    follow(teacher, "button:has-text('Add and show their links')")
    link = teacher.locator("input[data-student=s-alpha]").input_value()
    assert link.startswith(live + "/student/bps_")

    student = new_page(viewport={"width": 1280, "height": 900})
    student.goto(link)
    fill_and_submit(
        student,
        {
            "z3": "0.755",
            "y3": "0.6803",
            "z4": "0.68",
            "y4": "0.6637",
            "z5": "0.8014",
            "y5": "0.69",
            "E": "0.01805",
            "delta5": "-0.040681",
        },
    )
    assert student.locator(".answer.is-misconception").count() == 1

    teacher.goto(set_url)
    row = teacher.locator("table.gradebook tr", has_text="s-alpha")
    assert row.locator("td").nth(0).inner_text() == "1"  # one attempt
    assert row.locator("td").nth(1).inner_text() == "7 / 29"
    assert teacher.locator(".chart svg rect").count() == 29  # one bar per step, one student in each
    assert teacher.locator(".chart svg rect[fill='#d4a72c']").count() == 1  # δ₅: the misconception
    assert teacher.locator("#analytics").get_by_text("Output delta with the wrong sign").count() == 1
    assert "δ₅: 1 of 1 missed" in teacher.locator("#analytics ol").inner_text()
    shot(teacher, "instructor-set.png")
    with teacher.expect_download() as download:
        teacher.click("text=Download CSV")
    rows = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].startswith("student_id,attempts,score") and any(r.startswith("s-alpha,1,7.0") for r in rows)
    teacher.goto(f"{live}/sets")
    assert teacher.locator(".set-row", has_text="Week 3: one BP step").locator(".stats").inner_text().split()[:2] == [
        "2",
        "students",
    ]
    shot(teacher, "instructor-sets.png")


def test_the_chinese_interface(live, keys, app, new_page):
    set_id = make_set(app, "alice")
    link = access_link(live, keys, set_id, "student-zh")
    page = new_page(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page.goto(link)
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    for term in ("正向传播", "误差", "反向传播", "梯度", "更新后的权重", "学习率", "激活函数", "提交评分"):
        assert page.get_by_text(term).count() >= 1, term
    fill_and_submit_zh(page, {"z3": "0.755", "delta5": "-0.040681"})
    assert "输出层误差项 δ 的符号反了" in page.locator("#fb-delta5").inner_text()
    shot(page, "student-zh.png")
    follow(page, "text=English")
    assert page.locator("button[value=review]").inner_text() == "Submit for grading"


def fill_and_submit_zh(page, answers: dict[str, str]) -> None:
    for key, value in answers.items():
        page.fill(f'[name="answer:{key}"]', value)
    follow(page, "button:has-text('提交评分')")
    follow(page, "button:has-text('确认提交')")  # the confirmation step
    page.wait_for_load_state()


def test_the_student_page_fits_a_phone(live, keys, app, new_page):
    set_id = make_set(app, "alice")
    page = new_page(
        java_script_enabled=True,
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page.goto(access_link(live, keys, set_id, "student-phone"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "student-phone-top.png", full_page=False)
    fill_and_submit(page, {"z3": "0.755", "y3": "0.6803"})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # nothing sticks out sideways
    assert page.locator(".answer.is-correct").count() == 2
    shot(page, "student-phone-result.png", full_page=False)  # the redirect lands on #result
    page.fill('[name="answer:y3"]', "0.7")  # the optional script fades a verdict once its value is edited
    assert page.locator(".answer.is-edited").count() == 1
