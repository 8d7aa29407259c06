"""A written set: every file, byte-identical across runs, and readable back."""

from __future__ import annotations

import csv

import yaml

from grader.engine import load_exercise
from grader.generation import catalogue_template, default_students, generate_set, load_template
from grader.worksheets.bundle import write_set


def write(directory, tolerance, seed=5):
    template = catalogue_template("online-two-samples")
    variants = generate_set(template, seed, default_students(3))
    return template, variants, write_set(directory, template, variants, tolerance)


def test_set_files_are_byte_identical_across_runs(tmp_path, tolerance):
    _, _, first = write(tmp_path / "a", tolerance)
    _, _, second = write(tmp_path / "b", tolerance)
    names = sorted(p.relative_to(tmp_path / "a").as_posix() for p in first)
    assert names == sorted(p.relative_to(tmp_path / "b").as_posix() for p in second)
    for a in first:
        assert a.read_bytes() == (tmp_path / "b" / a.relative_to(tmp_path / "a")).read_bytes(), a


def test_set_layout_and_contents(tmp_path, tolerance):
    template, variants, files = write(tmp_path, tolerance)
    names = {p.relative_to(tmp_path).as_posix() for p in files}
    per_student = {"exercise.yaml", "network.svg", "worksheet.html", "worksheet.md", "answer-key.html", "answer-key.md"}
    assert names == {f"{s}/{f}" for s in ("s001", "s002", "s003") for f in per_student} | {
        "set.yaml",
        "template.yaml",
        "worksheets.html",
        "worksheets.md",
        "answer-keys.html",
        "answer-keys.md",
        "answers.csv",
        "moodle.xml",
    }
    for variant in variants:
        assert load_exercise(tmp_path / variant.student / "exercise.yaml") == variant.exercise
    manifest = yaml.safe_load((tmp_path / "set.yaml").read_text())
    assert manifest["content_hash"] == template.content_hash == load_template(tmp_path / "template.yaml").content_hash
    assert [s["variant"] for s in manifest["students"]] == [v.id for v in variants]
    rows = list(csv.DictReader((tmp_path / "answers.csv").open(encoding="utf-8")))
    assert len(rows) == sum(len(v.trace.asked_keys()) for v in variants)
    first = rows[0]
    assert float(first["expected"]) == variants[0].trace[first["key"]]
    markdown = (tmp_path / "worksheets.md").read_text()
    assert "(s002/network.svg)" in markdown and markdown.count("\n---\n") == 2


def test_exercise_file_scalars_read_back():
    from grader.worksheets.exercise_file import scalar

    for value in (0.1, -0.25, 1e-05, 1e-06, 2.0, 3, 123456.5):
        assert yaml.safe_load(f"x: {scalar(value)}")["x"] == value
    for text in ("sigmoid", "dE/dz", "-dE/dz", "yes", "a: b", 'Ünïcode, quotes " and # hash'):
        assert yaml.safe_load(f"x: {scalar(text)}")["x"] == text
