import json
from pathlib import Path

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


@pytest.mark.parametrize(
    ("name", "text", "where"),
    [
        ("answers.yaml", "z3: 0.755\ny3: 0.68\nz3: 0.7\n", "on line 1 and on line 3"),
        ("answers.json", '{"z3": 0.755, "z3": 0.7}', "in one object"),
    ],
)
def test_a_key_written_twice_is_refused_not_last_one_wins(runner, tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = runner.invoke(main, ["grade", SEED, str(path), "--json"])
    assert out.exit_code == 1
    assert "key 'z3' is written twice" in out.output and where in out.output
    assert "Traceback" not in out.output


def test_a_policy_or_exercise_with_a_key_written_twice_is_refused(runner, tmp_path, answers_file):
    policy = tmp_path / "policy.yaml"
    policy.write_text("rtol: 0.5\nrtol: 0.01\n", encoding="utf-8")
    out = runner.invoke(main, ["grade", SEED, str(answers_file), "--policy", str(policy)])
    assert out.exit_code == 1 and "key 'rtol' is written twice" in out.output
    exercise = tmp_path / "exercise.yaml"
    exercise.write_text(Path(SEED).read_text(encoding="utf-8") + "learning_rate: 2.0\n", encoding="utf-8")
    out = runner.invoke(main, ["solve", str(exercise)])
    assert out.exit_code == 1 and "key 'learning_rate' is written twice" in out.output
