"""The instructor's pages: own sets only, creating a set, the set page and what hangs off it."""

from __future__ import annotations

import csv
import io
import re

import pytest

from tests.pages.helpers import LINK, answer_form, csrf_token, make_set, student_token

POLICY_FORM = {
    "tolerance": "relative",
    "rtol": "0.01",
    "atol": "0.0001",
    "sigfigs": "3",
    "decimals": "4",
    "follow_through": "y",
    "carried_credit": "1",
    "misconception_credit": "0",
    "weight_forward": "1",
    "weight_loss": "1",
    "weight_backward": "1",
    "weight_gradients": "1",
    "weight_updates": "1",
}


def test_an_instructor_lists_only_their_own_sets(app, signed_in, keys):
    make_set(app, "alice", title="Alice's set")
    make_set(app, "bob", title="Bob's set")
    page = signed_in("alice").get("/sets").get_data(as_text=True)
    assert "Alice&#39;s set" in page and "Bob&#39;s set" not in page
    everything = signed_in("admin").get("/sets").get_data(as_text=True)
    assert "Alice&#39;s set" in everything and "Bob&#39;s set" in everything


@pytest.mark.parametrize(
    "path", ["", "/gradebook.csv", "/students/amy", "/printables/worksheet", "/printables/answer_key?student=amy"]
)
def test_another_instructors_set_is_not_found(app, signed_in, seed_set, path):
    student_token(app, seed_set, "amy")
    assert signed_in("alice").get(f"/sets/{seed_set}{path}").status_code == 200
    response = signed_in("bob").get(f"/sets/{seed_set}{path}")
    assert response.status_code == 404
    assert "not yours to see" in response.get_data(as_text=True)


def test_another_instructor_cannot_change_or_regrade_the_set(app, signed_in, seed_set):
    bob = signed_in("bob")
    token = csrf_token(bob, "/sets")
    for path, data in (
        ("/policy", {**POLICY_FORM, "reveal": "always"}),
        ("/regrade", {}),
        ("/students", {"students": "mallory"}),
        ("/students/amy/link", {}),
    ):
        assert bob.post(f"/sets/{seed_set}{path}", data={**data, "csrf_token": token}).status_code == 404
    page = signed_in("alice").get(f"/sets/{seed_set}").get_data(as_text=True)
    assert "policy version 1" in page and "mallory" not in page


@pytest.mark.parametrize("path", ["/sets/0", "/sets/99999", "/sets/99999999999999999999", "/sets/abc", "/sets/1/x/y"])
def test_bad_set_ids_get_a_404_page(signed_in, seed_set, path):
    response = signed_in("alice").get(path)
    assert response.status_code == 404
    assert "text/html" in response.content_type


def test_the_new_set_page_offers_the_catalogue_with_diagram_previews(signed_in):
    client = signed_in("alice")
    page = client.get("/sets/new").get_data(as_text=True)
    first = re.search(r'<input [^>]*name="template"[^>]*>', page).group(0)
    assert 'value="seed-classic"' in first and " checked " in first  # the worked example: first, chosen
    previews = re.findall(r'<img src="(/templates/[^"]+/diagram.svg)"', page)
    assert len(previews) >= 2
    svg = client.get(previews[0])
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and b"<svg" in svg.data
    assert client.get("/templates/no-such-template/diagram.svg").status_code == 404


def test_creating_a_set(signed_in):
    client = signed_in("alice")
    token = csrf_token(client, "/sets/new")
    form = {
        **POLICY_FORM,
        "csrf_token": token,
        "request_key": "create-1",
        "template": "seed-classic",
        "title": "Week 3: one BP step",
        "seed": "42",
        "max_attempts": "3",
        "due_at": "2031-05-01T09:30",
    }
    response = client.post("/sets/new", data=form)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Week 3: one BP step" in page
    assert "seed 42" in page and "3 attempts each" in page and "May 1, 2031" in page
    again = client.post("/sets/new", data=form)  # the same form posted twice: one set
    assert again.headers["Location"] == response.headers["Location"]
    assert client.get("/sets").get_data(as_text=True).count(">Week 3: one BP step</a>") == 1


def test_a_bad_create_form_shows_its_errors(signed_in):
    client = signed_in("alice")
    token = csrf_token(client, "/sets/new")
    response = client.post(
        "/sets/new", data={**POLICY_FORM, "csrf_token": token, "template": "nope", "rtol": "7", "seed": "-1"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count('class="field-error"') >= 3
    assert "Not a valid choice" in page


def stored_policy(app, set_id: int) -> dict:
    """The current policy document of a set, as stored."""
    from grader.service.database import get_database
    from grader.service.models import ExerciseSet

    with get_database(app).sessions() as session:
        return dict(session.get(ExerciseSet, set_id).policy.document)


def submit(client, token, answers):
    return client.post(f"/student/{token}", data=answer_form(answers))


def test_the_set_page_shows_gradebook_analytics_and_csv(app, client, signed_in, seed_set):
    amy = student_token(app, seed_set, "amy")
    ben = student_token(app, seed_set, "ben")
    submit(client, amy, {"z3": "0.755", "y3": "0.6803", "delta5": "-0.040681"})
    submit(client, ben, {"z3": "0.755", "y3": "0.5"})
    alice = signed_in("alice")
    page = alice.get(f"/sets/{seed_set}").get_data(as_text=True)
    assert "amy" in page and "ben" in page
    assert "Latest attempts of 2 students" in page
    assert "<svg" in page and "Verdicts per step" in page
    assert "Output delta with the wrong sign" in page  # the top misconception, by name
    assert "1 missed" in page and "2 missed" in page  # y3 (ben) and delta5 (amy, ben left it blank)
    csv_response = alice.get(f"/sets/{seed_set}/gradebook.csv")
    assert csv_response.mimetype == "text/csv"
    assert "attachment" in csv_response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(csv_response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["student_id"]: r["y3"] for r in rows} == {"amy": "correct", "ben": "incorrect"}


def test_a_students_drill_down_shows_submitted_and_expected_values(app, client, signed_in, seed_set):
    amy = student_token(app, seed_set, "amy")
    submit(client, amy, {"z3": "0.9"})
    submit(client, amy, {"z3": "0.755"})
    page = signed_in("alice").get(f"/sets/{seed_set}/students/amy").get_data(as_text=True)
    assert "Attempt 2" in page and "Attempt 1" in page
    assert "0.755" in page  # the expected value: instructors always see it
    assert signed_in("alice").get(f"/sets/{seed_set}/students/nobody").status_code == 404
    assert signed_in("alice").get(f"/sets/{seed_set}/students/bad id!").status_code == 400


def test_adding_students_shows_links_that_open_their_pages(client, signed_in, seed_set):
    alice = signed_in("alice")
    token = csrf_token(alice, f"/sets/{seed_set}")
    # A space belongs to the id ("carl amy" is one student); lines, commas, semicolons and tabs separate.
    roster = "amy, ben\ncarl amy\n  Li   Ming  ;amy\tdee"
    response = alice.post(f"/sets/{seed_set}/students", data={"students": roster, "csrf_token": token})
    links = {student: url for url, student in LINK.findall(response.get_data(as_text=True))}
    assert sorted(links) == ["Li Ming", "amy", "ben", "carl amy", "dee"]
    page = client.get(links["ben"].removeprefix("http://localhost"))
    assert page.status_code == 200 and "ben" in page.get_data(as_text=True)


def test_a_pasted_roster_refuses_bad_ids_one_by_one(signed_in, seed_set):
    alice = signed_in("alice")
    token = csrf_token(alice, f"/sets/{seed_set}")
    response = alice.post(
        f"/sets/{seed_set}/students", data={"students": "ok\nnot ok!\nfine one\n-dash\né", "csrf_token": token}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert sorted(student for _url, student in LINK.findall(page)) == ["fine one", "ok"]
    refused = re.search(r'<ul class="refused">(.*?)</ul>', page, re.S).group(1)
    assert re.findall(r'<span class="key">([^<]*)</span>', refused) == ["not ok!", "-dash", "é"]
    gradebook = alice.get(f"/sets/{seed_set}").get_data(as_text=True)
    assert "fine one" in gradebook and "not ok!" not in gradebook
    # Nothing valid at all: nobody is added, and each bad id is named at the field.
    bad = alice.post(f"/sets/{seed_set}/students", data={"students": "a b!, -x", "csrf_token": token})
    text = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "a b! is not a valid student id." in text and "-x is not a valid" in text


def test_the_api_link_opens_the_same_page(app, client, auth, seed_set):
    response = client.post(f"/api/v1/exercise-sets/{seed_set}/students/amy/access-token", headers=auth("alice"))
    url = response.json["url"]
    page = client.get(url.removeprefix("http://localhost"))
    assert page.status_code == 200 and "amy" in page.get_data(as_text=True)


def test_printable_worksheets_and_answer_keys(app, signed_in, seed_set):
    alice = signed_in("alice")
    assert alice.get(f"/sets/{seed_set}/printables/worksheet").status_code == 404  # no students yet
    student_token(app, seed_set, "amy")
    student_token(app, seed_set, "ben")
    sheets = alice.get(f"/sets/{seed_set}/printables/worksheet").get_data(as_text=True)
    assert sheets.count("<article") == 2
    key = alice.get(f"/sets/{seed_set}/printables/answer_key?student=amy").get_data(as_text=True)
    assert key.count("<article") == 1 and "0.755" in key
    assert alice.get(f"/sets/{seed_set}/printables/other").status_code == 404


def test_the_policy_form_offers_the_reveal_rules(app, signed_in, seed_set):
    alice = signed_in("alice")
    page = alice.get(f"/sets/{seed_set}").get_data(as_text=True)
    options = re.search(r'<select[^>]* id="reveal" name="reveal">(.*?)</select>', page, re.S)
    assert options, "no select of the reveal rules"
    assert re.findall(r'value="(\w+)"', options.group(1)) == ["never", "always", "after_due", "after_last_attempt"]
    assert '<option selected value="never">Never</option>' in options.group(1)
    assert "Once the student cannot submit again (last attempt used or due date passed)" in options.group(1)
    chinese = alice.get(f"/sets/{seed_set}?lang=zh").get_data(as_text=True)
    assert "向学生显示正确答案" in chinese and "截止时间过后" in chinese and "学生不能再提交后" in chinese
    # A value that is not a rule is refused, and changes nothing.
    token = csrf_token(alice, f"/sets/{seed_set}")
    data = {**POLICY_FORM, "reveal": "when_asked", "csrf_token": token}
    refused = alice.post(f"/sets/{seed_set}/policy", data=data)
    assert refused.status_code == 422
    assert stored_policy(app, seed_set)["reveal"] == "never"


def test_policy_editing_and_regrading(app, client, signed_in, seed_set):
    amy = student_token(app, seed_set, "amy")
    submit(client, amy, {"delta5": "-0.040681"})  # a misconception: no credit by default
    alice = signed_in("alice")
    token = csrf_token(alice, f"/sets/{seed_set}")
    changed = {
        **POLICY_FORM,
        "misconception_credit": "0.5",
        "reveal": "after_due",
        "max_attempts": "4",
        "csrf_token": token,
    }
    response = alice.post(f"/sets/{seed_set}/policy", data=changed, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Saved as policy version 2" in page
    assert "1 submissions graded under an older policy" in page
    assert '<option selected value="after_due">After the due date</option>' in page and "4 attempts each" in page
    assert stored_policy(app, seed_set)["reveal"] == "after_due"
    response = alice.post(f"/sets/{seed_set}/regrade", data={"csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Regraded 1 submissions under policy version 2" in page
    assert "0.5 / 29" in page
    invalid = alice.post(f"/sets/{seed_set}/policy", data={**changed, "rtol": "2"})
    assert invalid.status_code == 422 and "The policy was not changed" in invalid.get_data(as_text=True)


def _policy_versions(app, set_id: int) -> list[int]:
    from sqlalchemy import select

    from grader.service.database import get_database
    from grader.service.models import PolicyVersion

    with get_database(app).sessions() as session:
        return list(session.scalars(select(PolicyVersion.version).where(PolicyVersion.set_id == set_id)))


def test_a_double_click_on_save_policy_saves_once_and_never_errs(app, signed_in, seed_set):
    alice = signed_in("alice")
    page = alice.get(f"/sets/{seed_set}").get_data(as_text=True)
    assert 'name="based_on" type="hidden" value="1"' in page
    data = {**POLICY_FORM, "rtol": "0.02", "based_on": "1", "csrf_token": csrf_token(alice, f"/sets/{seed_set}")}
    first = alice.post(f"/sets/{seed_set}/policy", data=data)
    second = alice.post(f"/sets/{seed_set}/policy", data=data)  # the same form, posted again
    assert first.status_code == 302 and second.status_code == 302
    assert _policy_versions(app, seed_set) == [1, 2]
    assert stored_policy(app, seed_set)["rtol"] == 0.02


def test_saving_over_someone_elses_change_is_a_409_the_form_explains(app, signed_in, seed_set):
    alice, admin = signed_in("alice"), signed_in("admin")
    token_a, token_b = csrf_token(alice, f"/sets/{seed_set}"), csrf_token(admin, f"/sets/{seed_set}")
    # Both opened the form at version 1; the admin saves first.
    ours = {**POLICY_FORM, "rtol": "0.05", "based_on": "1", "csrf_token": token_b}
    assert admin.post(f"/sets/{seed_set}/policy", data=ours).status_code == 302
    theirs = {**POLICY_FORM, "misconception_credit": "0.5", "based_on": "1", "csrf_token": token_a}
    refused = alice.post(f"/sets/{seed_set}/policy", data=theirs)
    page = refused.get_data(as_text=True)
    assert refused.status_code == 409
    assert "Someone else changed this policy while you were editing it" in page
    assert 'name="based_on" type="hidden" value="2"' in page  # saving again applies alice's values
    assert re.search(r'name="misconception_credit"[^>]*value="0.5"', page)  # alice's value kept
    assert stored_policy(app, seed_set)["rtol"] == 0.05 and _policy_versions(app, seed_set) == [1, 2]
    again = alice.post(f"/sets/{seed_set}/policy", data={**theirs, "based_on": "2"})
    assert again.status_code == 302 and stored_policy(app, seed_set)["misconception_credit"] == 0.5
    chinese = alice.post(f"/sets/{seed_set}/policy?lang=zh", data={**theirs, "rtol": "0.3", "based_on": "1"})
    assert chinese.status_code == 409 and "Someone else" not in chinese.get_data(as_text=True)
