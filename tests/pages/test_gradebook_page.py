"""The set page's gradebook table: pages, sorts and filters; big courses' analytics and regrades."""

from __future__ import annotations

import re
import time

from tests.pages.helpers import answer_form, csrf_token, student_token

ROW = re.compile(r'<th scope="row"><a href="[^"]*">([^<]+)</a></th>')


def students_on(page: str) -> list[str]:
    return ROW.findall(page)


def submit(client, token, answers):
    return client.post(f"/student/{token}", data=answer_form(answers))


def test_the_table_pages_sorts_and_filters(app, client, signed_in, seed_set, monkeypatch):
    from grader.service.pages import set_page

    monkeypatch.setattr(set_page, "PAGE_SIZE", 2)
    tokens = {name: student_token(app, seed_set, name) for name in ("amy", "ben", "cal", "dan", "eve")}
    submit(client, tokens["ben"], {"z3": "0.755", "y3": "0.6803"})  # two right
    submit(client, tokens["cal"], {"z3": "0.755"})  # one right
    submit(client, tokens["dan"], {"z3": "0.755", "y3": "0.6803", "z4": "0.68"})  # three right
    alice = signed_in("alice")
    first = alice.get(f"/sets/{seed_set}").get_data(as_text=True)
    assert students_on(first) == ["amy", "ben"] and "5 students match" in first
    following = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = alice.get(following).get_data(as_text=True)
    assert students_on(second) == ["cal", "dan"] and "First page" in second
    by_score = alice.get(f"/sets/{seed_set}?sort=-score").get_data(as_text=True)
    assert students_on(by_score) == ["dan", "ben"]
    # Filtered by score, the count is of every page's students, on the first page (where it comes
    # with the rows) as on the next (where it is a query of its own).
    low = alice.get(f"/sets/{seed_set}?sort=score&below=50").get_data(as_text=True)
    assert students_on(low) == ["cal", "ben"] and "3 students match" in low
    rest = re.search(r'rel="next" href="([^"]+)"', low).group(1).replace("&amp;", "&")
    last = alice.get(rest).get_data(as_text=True)
    assert students_on(last) == ["dan"] and "3 students match" in last
    waiting = alice.get(f"/sets/{seed_set}?status=not_started").get_data(as_text=True)
    assert students_on(waiting) == ["amy", "eve"] and "2 students match" in waiting
    found = alice.get(f"/sets/{seed_set}?q=CA").get_data(as_text=True)
    assert students_on(found) == ["cal"]
    nobody = alice.get(f"/sets/{seed_set}?q=zzz").get_data(as_text=True)
    assert "No student matches these filters." in nobody
    # A tampered cursor, an unknown sort or a bad percentage shows the first page, never an error.
    for query in ("cursor=garbage", "sort=evil", "below=abc", "below=500"):
        response = alice.get(f"/sets/{seed_set}?{query}")
        assert response.status_code == 200 and students_on(response.get_data(as_text=True))[0] == "amy"


def test_a_big_courses_analytics_come_after_the_page(app, client, signed_in, seed_set):
    app.config["ANALYTICS_INLINE_LIMIT"] = 0
    submit(client, student_token(app, seed_set, "amy"), {"z3": "0.755", "delta5": "-0.040681"})
    alice = signed_in("alice")
    page = alice.get(f"/sets/{seed_set}").get_data(as_text=True)
    assert f'data-analytics="/sets/{seed_set}/analytics"' in page and "<svg" not in page
    fragment = alice.get(f"/sets/{seed_set}/analytics").get_data(as_text=True)
    assert "<svg" in fragment and "Output delta with the wrong sign" in fragment
    assert "<svg" in alice.get(f"/sets/{seed_set}?analytics=show").get_data(as_text=True)  # without JavaScript
    assert signed_in("bob").get(f"/sets/{seed_set}/analytics").status_code == 404


def test_a_big_regrade_runs_in_the_background_and_shows_its_progress(app, client, signed_in, seed_set):
    app.config["REGRADE_INLINE_LIMIT"] = 0
    amy = student_token(app, seed_set, "amy")
    submit(client, amy, {"delta5": "-0.040681"})  # a misconception: no credit by default
    alice = signed_in("alice")
    token = csrf_token(alice, f"/sets/{seed_set}")
    form = {
        "tolerance": "relative", "rtol": "0.01", "atol": "0.0001", "sigfigs": "3", "decimals": "4",
        "follow_through": "y", "carried_credit": "1", "misconception_credit": "0.5", "weight_forward": "1",
        "weight_loss": "1", "weight_backward": "1", "weight_gradients": "1", "weight_updates": "1",
        "reveal": "never", "passback": "latest", "csrf_token": token,
    }  # fmt: skip
    assert alice.post(f"/sets/{seed_set}/policy", data=form).status_code == 302
    started = alice.post(f"/sets/{seed_set}/regrade", data={"csrf_token": token}, follow_redirects=True)
    page = started.get_data(as_text=True)
    assert "Regrading 1 submissions in the background." in page
    assert 'id="regrade"' in page and f'data-progress="/sets/{seed_set}/regrade/progress"' in page
    deadline = time.monotonic() + 60
    while (progress := alice.get(f"/sets/{seed_set}/regrade/progress").json)["remaining"]:
        assert time.monotonic() < deadline, progress
        time.sleep(0.2)
    assert progress["total"] == 1
    assert "0.5 / 29" in alice.get(f"/sets/{seed_set}").get_data(as_text=True)
