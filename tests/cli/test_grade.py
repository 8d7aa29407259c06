import json

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main

SEED = "exercises/seed-classic.yaml"


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def answers_file(tmp_path):
    path = tmp_path / "answers.yaml"
    path.write_text(yaml.safe_dump({"z3": 0.755, "y3": "0,6803", "delta5": 0.19, "E": 0.0361}))
    return path


def test_grade_json_follows_the_contract(runner, answers_file):
    out = runner.invoke(main, ["grade", SEED, str(answers_file), "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    assert doc["score"] == 2 and doc["max_score"] == 29
    assert doc["results"]["delta5"] == doc["results"]["delta5"] | {
        "verdict": "misconception",
        "credit": 0.0,
        "misconception": "missing_activation_derivative",
    }
    assert doc["results"]["E"]["misconception"] == "loss_without_half"
    assert doc["results"]["z4"]["verdict"] == "missing"
    assert "expected" not in doc["results"]["z4"]


def test_grade_table_and_policy_file(runner, answers_file, tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"reveal": True}))
    out = runner.invoke(main, ["grade", SEED, str(answers_file), "--policy", str(policy)])
    assert out.exit_code == 0, out.output
    assert "misconception" in out.output and "expected" in out.output and "0.755" in out.output


def test_grade_reports_bad_input_without_a_traceback(runner, tmp_path):
    bad = tmp_path / "answers.json"
    bad.write_text(json.dumps({"z6": 1}))
    out = runner.invoke(main, ["grade", SEED, str(bad)])
    assert out.exit_code == 1
    assert "unknown step key 'z6'" in out.output and "Traceback" not in out.output
    policy = tmp_path / "policy.yaml"
    policy.write_text("rtol: lots\n")
    out = runner.invoke(main, ["grade", SEED, str(bad), "--policy", str(policy)])
    assert out.exit_code == 1 and "/rtol" in out.output
    broken = tmp_path / "broken.yaml"
    broken.write_text("z3: [unclosed\n")
    out = runner.invoke(main, ["grade", SEED, str(broken)])
    assert out.exit_code == 1 and "cannot read answers" in out.output
