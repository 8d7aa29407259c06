import pytest

from grader.engine import load_exercise, solve

SEED_FILE = "exercises/seed-classic.yaml"


@pytest.fixture
def seed_exercise(request):
    return load_exercise(request.config.rootpath / SEED_FILE)


@pytest.fixture
def seed_trace(seed_exercise):
    return solve(seed_exercise)
