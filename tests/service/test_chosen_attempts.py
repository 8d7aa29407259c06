"""The attempt that counts, read in SQL: the set's counts, and the policy version that holds every
current grade (``settled_policy``), through a set's life: no grade, graded, a policy change, a new
submission under the new policy, a finished regrade."""

from __future__ import annotations

from grader.service.database import get_database
from grader.service.facade import chosen_attempts
from grader.service.models import ExerciseSet
from tests.service.helpers import API


def facts(app, set_id: int) -> tuple[int, int, int | None, int]:
    """(submissions, graded under the current version, settled version's number or None, current number)."""
    with get_database(app).sessions() as session:
        exercise_set = session.get(ExerciseSet, set_id)
        settled = chosen_attempts.settled_policy(session, exercise_set)
        numbers = {version.id: version.version for version in exercise_set.policies}
        return (
            chosen_attempts.submission_count(session, exercise_set),
            chosen_attempts.graded_under(session, exercise_set.policy.id),
            None if settled is None else numbers[settled],
            exercise_set.policy.version,
        )


def test_the_settled_version_through_a_sets_life(app, client, auth, seed_set, submit):
    set_id = seed_set["id"]
    assert facts(app, set_id) == (0, 0, None, 1)  # no grade at all
    for student in ("amy", "ben"):
        submit(set_id, student, {"z3": 0.755})
    submit(set_id, "amy", {"z3": 0.75})
    assert facts(app, set_id) == (3, 3, 1, 1)
    client.patch(f"{API}/exercise-sets/{set_id}", json={"policy": {"rtol": 0.02}}, headers=auth("alice"))
    assert facts(app, set_id) == (3, 0, 1, 2)  # version 2 has no grade: version 1 holds them all
    submit(set_id, "cal", {"z3": 0.755})
    assert facts(app, set_id) == (4, 1, None, 2)  # cal's grade is under 2, the others' under 1
    client.post(f"{API}/exercise-sets/{set_id}/regrade", headers=auth("alice"))
    assert facts(app, set_id) == (4, 4, 2, 2)
