"""Copy flags on the instructor's pages: the set page and the per-student page."""

from __future__ import annotations

from grader.engine import Exercise, solve
from tests.pages.helpers import make_set
from tests.service.helpers import API


def test_a_fixed_template_set_says_copies_cannot_be_spotted(app, keys, signed_in, seed_set):
    alice = signed_in("alice")
    headers = {"Authorization": f"Bearer {keys['alice']}"}
    alice.get(f"{API}/exercise-sets/{seed_set}/students/s1/exercise", headers=headers)
    assert "cannot be compared with other students" in alice.get(f"/sets/{seed_set}").get_data(as_text=True)
    chinese = alice.get(f"/sets/{seed_set}?lang=zh").get_data(as_text=True)
    assert "无法通过与其他学生的题目变体比较来发现抄袭" in chinese


def test_the_flag_and_the_matching_student_show_on_the_instructors_pages(app, keys, signed_in):
    set_id = make_set(app, "alice", template="sigmoid-221")
    alice = signed_in("alice")
    headers = {"Authorization": f"Bearer {keys['alice']}"}
    views = {
        s: alice.get(f"{API}/exercise-sets/{set_id}/students/{s}/exercise", headers=headers).json for s in ("sa", "sb")
    }
    trace = solve(Exercise.from_mapping(views["sa"]["exercise"]))
    answers = {k: round(trace[k], 4) for k in trace.asked_keys()}
    response = alice.post(
        f"{API}/exercise-sets/{set_id}/students/sb/submissions", json={"answers": answers}, headers=headers
    )
    assert response.status_code == 201
    page = alice.get(f"/sets/{set_id}").get_data(as_text=True)
    assert "matches sa" in page and "cannot be compared" not in page
    student = alice.get(f"/sets/{set_id}/students/sb").get_data(as_text=True)
    assert "Values match the variant of sa" in student, student[student.find("Attempt 1") :][:600]
