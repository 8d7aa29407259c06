"""The access-rule matrix for LTI sessions.

Sessions: two launched learners (no page session), and the server-side page sessions of a
launched instructor, teaching assistant and administrator.  A launched learner reaches only
their own variant (their page, through the link the launch gave them) and no staff page; launched
staff reach the sets their launches granted, and no other; and no LTI session, whatever its role,
reaches the JSON API without a key.
"""

from __future__ import annotations

import pytest
import requests

from grader.service.facade.keys import create_key
from tests.service.helpers import API
from tests.service.lti.lms import ADMINISTRATOR, INSTRUCTOR, LEARNER, TEACHING_ASSISTANT
from tests.service.lti.test_launch import location
from tests.service.test_access import RULES, body

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


@pytest.fixture
def launched(tool, lms, bound_custom, seed_set_id):
    """Browsers after launches of the seed set's link: two learners and three kinds of staff."""
    out = {}
    for name, roles in (
        ("learner", [LEARNER]),
        ("other_learner", [LEARNER]),
        ("instructor", [INSTRUCTOR]),
        ("teaching_assistant", [TEACHING_ASSISTANT]),
        ("administrator", [ADMINISTRATOR]),
    ):
        browser = requests.Session()
        response = lms.launch(browser, f"user-{name}", roles, custom=bound_custom)
        assert response.status_code == 302, response.text[:300]
        out[name] = (browser, location(response))
    yield out
    for browser, _ in out.values():
        browser.close()


def test_no_lti_session_reaches_the_json_api(tool, launched, seed_set_id, seed_exercise):
    for browser, _ in launched.values():
        for method, path in RULES:
            url = (
                tool.url
                + API
                + (
                    path.replace("{set_id}", str(seed_set_id))
                    .replace("{student_id}", "lti-1")
                    .replace("{attempt}", "1")
                    .replace("{name}", "seed-classic")
                    .replace("{slug}", "forbidden")
                )
            )
            response = browser.request(method.upper(), url, json=body(method, path, seed_exercise))
            # Exactly what a caller with no credential gets: the session cookie adds nothing.
            expected = RULES[(method, path)]["nobody"]
            assert response.status_code == expected, (method, path, response.text[:200])


def test_a_learner_reaches_only_their_own_variant(tool, launched, seed_set_id):
    browser, page = launched["learner"]
    _, other_page = launched["other_learner"]
    assert page != other_page
    mine = browser.get(page)
    assert mine.status_code == 200
    # Their token opens their own assignment only, through the API as through the page.
    token = page.rsplit("/", 1)[1]
    headers = {"Authorization": f"Bearer {token}"}
    own = requests.get(f"{tool.url}{API}/exercise-sets/{seed_set_id}/students/lti-1/exercise", headers=headers)
    other = requests.get(f"{tool.url}{API}/exercise-sets/{seed_set_id}/students/lti-2/exercise", headers=headers)
    assert (own.status_code, other.status_code) == (200, 403)
    # No staff page: the set page, its students and gradebook send a learner's session to sign in.
    for path in (f"/sets/{seed_set_id}", f"/sets/{seed_set_id}/students/lti-2", "/sets", "/sets/new"):
        assert browser.get(tool.url + path, allow_redirects=False).status_code == 302, path


@pytest.mark.parametrize("staff", ["instructor", "teaching_assistant", "administrator"])
def test_lti_staff_reach_granted_sets_only(tool, lms, launched, seed_set_id, staff):
    from grader.service.facade.exercise_sets import create_set
    from grader.service.models import Account

    browser, page = launched[staff]
    assert page.endswith(f"/sets/{seed_set_id}")
    shown = browser.get(page)
    assert shown.status_code == 200
    # The learners' names and e-mails from their tokens are on the set page.
    assert "User user-learner" in shown.text and "user-learner@example.edu" in shown.text
    with tool.sessions() as session:
        create_key(session, "bob", "instructor")
        bob = session.query(Account).filter_by(name="bob").one()
        other = create_set(session, bob, {"template": "seed-classic", "seed": 1}, 20_000)
        session.commit()
        other_id = other.id
    assert browser.get(f"{tool.url}/sets/{other_id}").status_code == 404
    listing = browser.get(f"{tool.url}/sets")
    assert (
        listing.status_code == 200
        and f"/sets/{seed_set_id}" in listing.text
        and f'/sets/{other_id}"' not in listing.text
    )
