"""LTI staff sessions are server-side page sessions, like a sign-in with an API key.

Each test launches from the simulated LMS into the tool on a real HTTP server and drives a
browser (a requests session).  A copy of the session cookie is replayed from a second browser:
signing out, removing the platform or deployment, and the session's lifetime and idle expiry
must stop the copy as they stop the original.  Learners get no page session; their pages work
as before.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import requests

from grader.cli import main
from grader.service.models import LtiUser, PageSession
from tests.service.lti.lms import ADMINISTRATOR, INSTRUCTOR, LEARNER, TEACHING_ASSISTANT
from tests.service.lti.test_launch import location

COOKIE = "bp_grader_session"
STAFF = {"Instructor": INSTRUCTOR, "TeachingAssistant": TEACHING_ASSISTANT, "Administrator": ADMINISTRATOR}


def copy_of(browser: requests.Session) -> requests.Session:
    """A second browser holding a copy of the first one's session cookie (what a thief would have)."""
    thief = requests.Session()
    thief.cookies.set(COOKIE, browser.cookies[COOKIE])
    return thief


def signed_in(browser: requests.Session, url: str) -> bool:
    """True when the staff page opens; False when the browser is sent to sign in."""
    response = browser.get(url, allow_redirects=False)
    if response.status_code == 302:
        assert "/signin" in response.headers["Location"]
        return False
    assert response.status_code == 200, response.text[:300]
    return True


def sign_out(browser: requests.Session, page_url: str) -> None:
    """Press "Sign out" on a staff page."""
    page = browser.get(page_url)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    response = browser.post(page_url.split("/sets/")[0] + "/signout", data={"csrf_token": token})
    assert response.status_code == 200 and "Signed out." in response.text


def staff_launch(lms, custom, role=INSTRUCTOR, user="teacher") -> tuple[requests.Session, str]:
    browser = requests.Session()
    response = lms.launch(browser, user, [role], custom=custom)
    assert response.status_code == 302, response.text[:300]
    return browser, location(response)


def age(tool, **ago: timedelta) -> None:
    """Move every page session's timestamps back in time, as if the clock had moved on."""
    with tool.sessions() as session:
        for row in session.query(PageSession):
            for column, delta in ago.items():
                setattr(row, column, getattr(row, column) - delta)
        session.commit()


@pytest.mark.parametrize("role", sorted(STAFF))
def test_signing_out_ends_an_lti_staff_session_on_the_server(tool, lms, bound_custom, seed_set_id, role):
    browser, page = staff_launch(lms, bound_custom, STAFF[role], user=f"staff-{role}")
    assert page.endswith(f"/sets/{seed_set_id}")
    thief = copy_of(browser)
    assert signed_in(browser, page) and signed_in(thief, page)  # the copy works while the session is open
    with tool.sessions() as session:
        (row,) = session.query(PageSession).all()
        user = session.get(LtiUser, row.lti_user_id)
        assert (row.key_id, user.sub, row.ended_at) == (None, f"staff-{role}", None)
        assert browser.cookies[COOKIE] not in (row.secret_hash, str(row.id))  # only a hash is kept
    sign_out(browser, page)
    assert not signed_in(browser, page)
    assert not signed_in(thief, page)  # the replayed cookie stops working
    # A form post with the copy is refused too, not just the pages.
    refused = thief.post(f"{tool.url}/sets/{seed_set_id}/regrade", data={}, allow_redirects=False)
    assert refused.status_code in (400, 403)
    with tool.sessions() as session:
        assert session.query(PageSession).one().ended_at is not None
    browser.close()
    thief.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_learner_launch_opens_no_page_session_and_the_student_page_works(tool, lms, bound_custom, seed_set_id):
    with requests.Session() as browser:
        response = lms.launch(browser, "student-1", [LEARNER], custom=bound_custom)
        student_page = location(response)
        assert "/student/bps_" in student_page
        assert browser.get(student_page).status_code == 200
        assert not signed_in(browser, f"{tool.url}/sets/{seed_set_id}")
        assert browser.get(student_page).status_code == 200  # still works after visiting staff pages
    with tool.sessions() as session:
        assert session.query(PageSession).count() == 0


@pytest.mark.parametrize("what", ["platform", "deployment"])
def test_grader_lti_remove_ends_the_sessions_of_its_launches(tool, lms, runner, bound_custom, seed_set_id, what):
    browser, page = staff_launch(lms, bound_custom)
    thief = copy_of(browser)
    assert signed_in(thief, page)
    command = ["lti", "remove", "--issuer", lms.issuer]
    if what == "deployment":
        command += ["--deployment-id", lms.platform.deployment_id]
    result = runner.invoke(main, command)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith(", and 1 staff page session(s) it had opened.")
    assert not signed_in(browser, page) and not signed_in(thief, page)
    with tool.sessions() as session:
        assert session.query(PageSession).count() == 0
    browser.close()
    thief.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_lti_staff_session_ends_after_its_lifetime(tool, lms, bound_custom, seed_set_id):
    browser, page = staff_launch(lms, bound_custom)
    assert signed_in(browser, page)
    hours = tool.app.config["SESSION_HOURS"]
    # Used a minute ago, but opened a whole lifetime ago: over.
    age(tool, created_at=timedelta(hours=hours, seconds=1), last_seen_at=timedelta(minutes=1))
    assert not signed_in(browser, page)
    browser.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_lti_staff_session_ends_when_left_idle_and_lives_while_used(tool, lms, bound_custom, seed_set_id):
    browser, page = staff_launch(lms, bound_custom)
    idle = timedelta(minutes=tool.app.config["SESSION_IDLE_MINUTES"])
    # Last used just inside the idle limit: it opens, and the use moves last_seen_at to now.
    age(tool, created_at=idle - timedelta(minutes=2), last_seen_at=idle - timedelta(minutes=2))
    assert signed_in(browser, page)
    age(tool, last_seen_at=timedelta(minutes=3))  # from "now": used 3 minutes ago
    assert signed_in(browser, page)
    # Then left alone for longer than the idle limit.
    age(tool, last_seen_at=idle)
    assert not signed_in(browser, page)
    browser.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_staff_member_whose_role_is_removed_loses_access_when_the_session_ends(tool, lms, bound_custom, seed_set_id):
    office, page = staff_launch(lms, bound_custom, user="former-ta")
    # The LMS now calls them a learner.  Their launch in a lab's browser gives the student page only.
    with requests.Session() as lab:
        relaunch = lms.launch(lab, "former-ta", [LEARNER], custom=bound_custom)
        assert "/student/bps_" in location(relaunch)
        assert not signed_in(lab, page)
    # With no role at all, the launch is refused and opens nothing.
    with requests.Session() as other:
        refused = lms.launch(other, "former-ta", ["http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"])
        assert refused.status_code == 403
        assert not signed_in(other, page)
    # The session opened while they were staff ends like any other: here, it expires.
    assert signed_in(office, page)
    age(tool, created_at=timedelta(hours=tool.app.config["SESSION_HOURS"], seconds=1))
    assert not signed_in(office, page)
    office.close()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_new_launch_in_the_same_browser_ends_the_session_it_replaces(tool, lms, bound_custom, seed_set_id):
    browser, page = staff_launch(lms, bound_custom)
    thief = copy_of(browser)
    relaunch = lms.launch(browser, "teacher", [LEARNER], custom=bound_custom)
    assert "/student/bps_" in location(relaunch)
    assert not signed_in(thief, page)  # the staff session of that browser ended on the server
    browser.close()
    thief.close()


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_set_granted_by_a_launch_closes_with_its_session_even_to_staff_of_another_course(
    tool, lms, bound_custom, seed_set_id
):
    from grader.service.models import LtiSetGrant

    set_page = f"{tool.url}/sets/{seed_set_id}"
    course_a, _ = staff_launch(lms, bound_custom, TEACHING_ASSISTANT, user="ta")
    assert signed_in(course_a, set_page)
    # Still staff in course B (another link), where a launch opens a session of its own.
    with requests.Session() as course_b:
        launched = lms.launch(course_b, "ta", [INSTRUCTOR], link="course-b-link")
        assert "/lti/pick/bind" in location(launched)
        assert course_b.get(set_page).status_code == 200  # course A's grant is still running
        # Course A drops them; the grant of their last launch there runs out with its session.
        with tool.sessions() as session:
            (grant,) = session.query(LtiSetGrant).all()
            grant.expires_at -= timedelta(hours=tool.app.config["SESSION_HOURS"], seconds=1)
            session.commit()
        assert course_b.get(set_page).status_code == 404
        assert f"/sets/{seed_set_id}" not in course_b.get(f"{tool.url}/sets").text
        picker = course_b.get(location(launched))
        assert picker.status_code == 200 and f'value="{seed_set_id}"' not in picker.text
    # A new staff launch in course A renews it.
    renewed, _ = staff_launch(lms, bound_custom, TEACHING_ASSISTANT, user="ta")
    assert signed_in(renewed, set_page)
    renewed.close()
    course_a.close()
