"""Student access tokens may expire: a set's ``token_lifetime_days`` gives every token issued from
then on an expiry; an expired token opens nothing, on the API or the student page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from grader.service.database import get_database
from grader.service.models import AccessToken, utcnow
from tests.service.helpers import API, is_problem


def test_tokens_expire_after_the_sets_lifetime(app, client, auth):
    created = client.post(
        f"{API}/exercise-sets", json={"template": "seed-classic", "token_lifetime_days": 7}, headers=auth("alice")
    )
    assert created.status_code == 201 and created.json["token_lifetime_days"] == 7
    set_id = created.json["id"]
    issued = client.post(f"{API}/exercise-sets/{set_id}/students/amy/access-token", headers=auth("alice")).json
    expires = issued["expires_at"]
    assert expires is not None
    own = f"{API}/exercise-sets/{set_id}/students/amy/exercise"
    student = {"Authorization": f"Bearer {issued['token']}"}
    assert client.get(own, headers=student).status_code == 200
    assert client.get(f"/student/{issued['token']}").status_code == 200
    with get_database(app).sessions() as session:
        token = session.execute(select(AccessToken)).scalar_one()
        assert abs(token.expires_at - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)
        token.expires_at = utcnow() - timedelta(seconds=1)  # a week later
        session.commit()
    is_problem(client.get(own, headers=student), 401, "unauthorized")
    assert client.get(f"/student/{issued['token']}").status_code == 404
    # A new link works again.
    fresh = client.post(f"{API}/exercise-sets/{set_id}/students/amy/access-token", headers=auth("alice")).json
    assert client.get(own, headers={"Authorization": f"Bearer {fresh['token']}"}).status_code == 200


def test_without_a_lifetime_tokens_last_until_revoked_and_the_lifetime_can_be_changed(client, auth):
    set_id = client.post(f"{API}/exercise-sets", json={"template": "seed-classic"}, headers=auth("alice")).json["id"]
    issued = client.post(f"{API}/exercise-sets/{set_id}/students/amy/access-token", headers=auth("alice")).json
    assert issued["expires_at"] is None
    changed = client.patch(f"{API}/exercise-sets/{set_id}", json={"token_lifetime_days": 30}, headers=auth("alice"))
    assert changed.status_code == 200 and changed.json["token_lifetime_days"] == 30
    later = client.post(f"{API}/exercise-sets/{set_id}/students/ben/access-token", headers=auth("alice")).json
    assert later["expires_at"] is not None
    bad = client.patch(f"{API}/exercise-sets/{set_id}", json={"token_lifetime_days": 0}, headers=auth("alice"))
    is_problem(bad, 422, "validation-error")
