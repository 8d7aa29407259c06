"""No request to a page is answered with a server error: odd ids, odd form values, odd methods."""

from __future__ import annotations

import pytest

from tests.pages.helpers import answer_form, csrf_token, student_token
from tests.pages.test_instructor_pages import POLICY_FORM

# What is checked here is the pages' own validation, the same on any database; SQLite suffices.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

ODD_NUMBERS = ["nan", "sNaN", "-inf", "Infinity", "1e999999", "0x10", "１", "", " ", "9" * 400, "1,5", "\x00"]


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_numbers_in_the_instructor_forms(signed_in, seed_set, value):
    client = signed_in("alice")
    token = csrf_token(client, "/sets/new")
    for field in ("rtol", "atol", "sigfigs", "carried_credit", "weight_loss", "max_attempts", "due_at"):
        policy = client.post(f"/sets/{seed_set}/policy", data={**POLICY_FORM, field: value, "csrf_token": token})
        assert policy.status_code in (302, 422), (field, value)
    created = client.post(
        "/sets/new",
        data={**POLICY_FORM, "template": "seed-classic", "seed": value, "title": value, "csrf_token": token},
    )
    assert created.status_code in (302, 422)


@pytest.mark.parametrize("value", [*ODD_NUMBERS, "0.755" * 100, "<script>alert(1)</script>"])
def test_odd_answers_are_graded_or_refused_not_crashed_on(app, client, seed_set, value):
    token = student_token(app, seed_set, "amy")
    response = client.post(
        f"/student/{token}",
        data={**answer_form({"z3": value, "y3": "0.68"}), "answer:not-a-key": "1", "submission_key": value[:300]},
    )
    # A number is graded (a redirect to the attempt); text that is not one is refused at its field.
    assert response.status_code in (302, 422)
    page = response.get_data(as_text=True) + client.get(f"/student/{token}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page  # escaped wherever it is shown


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/sets/1/students/%E4%B8%AD%E6%96%87"),
        ("GET", "/sets/1/students/" + "a" * 300),
        ("GET", "/sets/1/printables/worksheet?student=%00"),
        ("GET", "/sets/1/printables/answer_key?student=nobody"),
        ("GET", "/sets/-1"),
        ("PUT", "/sets/1"),
        ("DELETE", "/sets/1/policy"),
        ("GET", "/sets/1/regrade"),
        ("GET", "/templates/..%2F..%2Fetc%2Fpasswd/diagram.svg"),
        ("GET", "/student/"),
        ("GET", "/signout"),
        ("POST", "/"),
    ],
)
def test_odd_urls_and_methods_get_a_4xx(signed_in, seed_set, method, path):
    response = signed_in("alice").open(path, method=method)
    assert 400 <= response.status_code < 500, (path, response.status_code)


def test_a_huge_form_is_refused_with_413(app, client, seed_set):
    token = student_token(app, seed_set, "amy")
    response = client.post(f"/student/{token}", data={"answer:z3": "1" * 400_000})
    assert response.status_code == 413
