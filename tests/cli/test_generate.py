"""``grader generate`` and ``grader templates``: files, same bytes twice, rosters, clear errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.engine import load_exercise, solve

REPO = Path(__file__).resolve().parents[2]


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def tree(directory: Path) -> dict[str, bytes]:
    return {p.relative_to(directory).as_posix(): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_generate_writes_the_set_byte_identically(tmp_path):
    first = run("generate", "sigmoid-221", "--seed", 42, "--count", 4, "--out", tmp_path / "a")
    assert first.exit_code == 0, first.output
    assert "4 variants of sigmoid-221 (seed 42)" in first.output
    second = run("generate", "sigmoid-221", "--seed", 42, "--count", 4, "--out", tmp_path / "b", "--quiet")
    assert second.exit_code == 0 and second.output == ""
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    assert a == b
    assert {"set.yaml", "moodle.xml", "worksheets.html", "answer-keys.html", "s004/worksheet.html"} <= set(a)
    exercises = [load_exercise(tmp_path / "a" / f"s00{k}" / "exercise.yaml") for k in range(1, 5)]
    assert len({repr(sorted(e.weights.items())) for e in exercises}) == 4
    ET.fromstring(a["moodle.xml"])


def test_generate_from_a_file_with_a_roster(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("# class 1A\nalice\n\nbob-2\n", encoding="utf-8")
    template = REPO / "exercises" / "bias-221.yaml"
    result = run("generate", template, "--seed", 3, "--students", roster, "--out", tmp_path / "out", "--no-moodle")
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load((tmp_path / "out" / "set.yaml").read_text())
    assert [s["student"] for s in manifest["students"]] == ["alice", "bob-2"]
    assert not (tmp_path / "out" / "moodle.xml").exists()
    exercise = load_exercise(tmp_path / "out" / "bob-2" / "exercise.yaml")
    assert solve(exercise).values


def test_generate_takes_the_student_ids_the_api_takes(tmp_path):
    roster = tmp_path / "roster.txt"
    roster.write_text("alice@example.edu\nurn:lms:user:42\nbob+cs101\n", encoding="utf-8")
    result = run("generate", "seed-classic", "--seed", 1, "--students", roster, "--out", tmp_path / "out", "--quiet")
    assert result.exit_code == 0, result.output
    manifest = yaml.safe_load((tmp_path / "out" / "set.yaml").read_text())
    assert [s["student"] for s in manifest["students"]] == ["alice@example.edu", "urn:lms:user:42", "bob+cs101"]
    assert (tmp_path / "out" / "urn:lms:user:42" / "worksheet.html").exists()


def test_generate_uses_a_policy_file(tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("tolerance: decimals\ndecimals: 3\n", encoding="utf-8")
    result = run("generate", "seed-classic", "--seed", 1, "--policy", policy, "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert ":0.0005" in (tmp_path / "out" / "moodle.xml").read_text()  # half a unit in the 3rd decimal


def test_fixed_template_warns_about_what_it_cannot_meet(tmp_path):
    result = run("generate", "seed-classic", "--seed", 1, "--out", tmp_path / "out")
    assert result.exit_code == 0
    assert "warning: seed-classic: net_input_in_gradient" in result.output


def test_errors_are_clear(tmp_path):
    unknown = run("generate", "nope", "--seed", 1, "--out", tmp_path)
    assert unknown.exit_code == 1 and "no template 'nope' in the catalogue" in unknown.output
    both = run("generate", "seed-classic", "--seed", 1, "--count", 2, "--students", __file__)
    assert both.exit_code == 2 and "not both" in both.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers: [2, 2, 1]\nweights: {uniform: [1, 0], decimals: 1}\nsamples: []\n", encoding="utf-8")
    broken = run("generate", bad, "--seed", 1, "--out", tmp_path / "x")
    assert broken.exit_code == 1 and "/weights/w3_1: uniform needs low < high" in broken.output


def test_templates_list_show_check():
    listed = run("templates")
    assert listed.exit_code == 0 and "seed-classic" in listed.output and "advanced" in listed.output
    shown = run("templates", "show", "seed-classic")
    assert shown.exit_code == 0 and "w3_1: 0.1" in shown.output
    checked = run("templates", "check", "sigmoid-221", "--tries", 50)
    assert checked.exit_code == 0 and "accepted" in checked.output


def test_templates_check_speaks_chinese():
    # deep-2321 refuses most attempts: its report names what failed, in Chinese.
    checked = run("templates", "check", "deep-2321", "--tries", 50, "--lang", "zh")
    assert checked.exit_code == 0 and "符合约束" in checked.output and "例如" in checked.output
    assert "accepted" not in checked.output and "e.g." not in checked.output
    missing = run("templates", "check", "no-such-template", "--lang", "zh")
    assert missing.exit_code == 1 and missing.output.startswith("错误：") and "Traceback" not in missing.output
    assert run("templates", "show", "no-such-template", "--lang", "zh").output.startswith("错误：")


def test_catalogue_ships_in_the_installed_package(tmp_path):
    """Build a wheel, install it (without the checkout) and find the catalogue and the page templates."""
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    source = tmp_path / "source"  # a copy of the checkout, so the build leaves nothing behind in it
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "build",
            "dist",
            "*.egg-info",
            "__pycache__",
            "instance",
            ".*_cache",
            ".hypothesis",
            "tests",
        ),
    )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            tmp_path / "wheel",
            source,
        ],
        check=True,
        env=env,
        cwd=tmp_path,
    )
    wheel = next((tmp_path / "wheel").glob("bp_grader-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", tmp_path / "site", wheel],
        check=True,
        env=env,
        cwd=tmp_path,
    )
    probe = (
        "import grader, grader.generation as g, grader.worksheets.render as r; "
        "print(grader.__file__); print(len(g.template_names())); "
        "print(r.ENVIRONMENT.get_template('worksheet.html.j2').name)"
    )
    env["PYTHONPATH"] = str(tmp_path / "site")
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, env=env, cwd=tmp_path, capture_output=True, text=True
    ).stdout.split()
    assert out[0].startswith(str(tmp_path / "site"))
    assert int(out[1]) >= 11 and out[2] == "worksheet.html.j2"
