"""Fuzz the whole API from its own OpenAPI document (schemathesis): no request may cause a 5xx,
every response must match what the document says (status, media type, headers, body schema),
and input the document forbids must be refused.

Each operation gets valid and invalid inputs, on SQLite and on PostgreSQL (where integer
overflows and NUL characters would surface).  Some generated set and student ids are replaced by
real ones, so that cases reach the deep code paths (grading, idempotency, reports) rather than
stopping at a 404; some requests are made with a student's token instead of the instructor's key.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from grader.service import create_app
from grader.service.database import get_database
from grader.service.facade.assignments import assignment_for, issue_token
from grader.service.models import ExerciseSet

# Per operation and database; raise it for a deeper search: GRADER_FUZZ_EXAMPLES=500 pytest ...
EXAMPLES = int(os.environ.get("GRADER_FUZZ_EXAMPLES", "30"))
SPEC = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"}).test_client().get("/api/v1/openapi.json").json
METHODS = ("get", "post", "put", "patch", "delete")
OPERATIONS = [f"{m.upper()} {path}" for path, item in SPEC["paths"].items() for m in item if m in METHODS]


@pytest.fixture
def world(app, client, auth):
    """A set with a student who has one submission: (set id, instructor headers, student headers)."""
    created = client.post(
        "/api/v1/exercise-sets", json={"template": "seed-classic", "seed": 1}, headers=auth("alice")
    ).json
    client.post(
        f"/api/v1/exercise-sets/{created['id']}/students/s1/submissions",
        json={"answers": {"z3": 0.755}},
        headers=auth("alice"),
    )
    with get_database(app).sessions() as session:
        token = issue_token(session, assignment_for(session, session.get(ExerciseSet, created["id"]), "s1"))
    return created["id"], auth("alice"), {"Authorization": f"Bearer {token}"}


def test_every_operation_is_fuzzed():
    assert len(OPERATIONS) >= 18


@pytest.mark.parametrize("label", OPERATIONS)
def test_no_server_errors_and_responses_match_the_document(app, world, label):
    set_id, staff, student = world
    # Rate limits have their own tests (tests/service/test_rate_limits.py); here thirty cases in a
    # minute would spend a per-caller budget and turn the rest into 429s that test nothing.
    app.config["RATE_LIMITS"] = {name: "100000/minute" for name in app.config["RATE_LIMITS"]}
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).find_operation_by_label(label)
    cases = st.one_of(operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE))

    @given(case=cases, real_set=st.booleans(), real_student=st.booleans(), as_student=st.integers(0, 4))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def fuzz(case, real_set, real_student, as_student):
        # Real ids only in valid cases: an invalid case must stay invalid to be judged as one.
        if case.meta.generation.mode.is_positive:
            if real_set and "set_id" in (case.path_parameters or {}):
                case.path_parameters["set_id"] = set_id
            if real_student and "student_id" in (case.path_parameters or {}):
                case.path_parameters["student_id"] = "s1"
        # Every check but "valid input is accepted": the document cannot say that a template must
        # exist or an exercise must be solvable, so schema-valid input may still be a 422.
        case.call_and_validate(
            headers=student if as_student == 0 else staff, excluded_checks=[positive_data_acceptance]
        )

    fuzz()
