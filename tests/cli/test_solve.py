"""``grader solve``: the seed example's figures in JSON, the walk-through text, and clean errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.engine import solve

WALKTHROUGH_Z3 = "z3 = w3_1*y1 + w3_2*y2 = 0.1*0.35 + 0.8*0.9 = 0.755"


def _solve_json(path) -> dict:
    result = CliRunner().invoke(main, ["solve", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_json_holds_every_seed_figure(seed_path, seed_figures, as_printed):
    values = _solve_json(seed_path)["values"]
    for key, figure in seed_figures.items():
        assert values[key] == as_printed(figure), key


def test_json_values_are_the_full_precision_trace(seed_path, seed_exercise):
    doc = _solve_json(seed_path)
    # JSON floats round-trip exactly, so the printed values are the engine's, digit for digit.
    assert doc["values"] == solve(seed_exercise).values
    assert doc["title"] == seed_exercise.title
    assert doc["phases"]["z3"] == "forward"
    assert doc["phases"]["it2.E"] == "loss"
    assert doc["inputs"]["z3"] == ["w3_1", "w3_2", "y1", "y2"]
    assert doc["asked"][:3] == ["z3", "y3", "z4"]


def test_json_after_one_hundred_updates(seed_path, tmp_path, seed_figures_100, as_printed):
    doc = yaml.safe_load(seed_path.read_text(encoding="utf-8"))
    doc["iterations"] = 100
    path = tmp_path / "seed-100.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    values = _solve_json(path)["values"]
    for key, figure in seed_figures_100.items():
        assert values[key] == as_printed(figure), key


def test_console_script_prints_every_seed_figure(seed_path, seed_figures, as_printed):
    script = Path(sys.executable).with_name("grader")
    run = subprocess.run(
        [str(script), "solve", str(seed_path), "--json"], capture_output=True, text=True, timeout=60, check=False
    )
    assert run.returncode == 0, run.stderr
    values = json.loads(run.stdout)["values"]
    for key, figure in seed_figures.items():
        assert values[key] == as_printed(figure), key


def test_walkthrough_text(seed_path):
    result = CliRunner().invoke(main, ["solve", str(seed_path)])
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert WALKTHROUGH_Z3 in lines
    assert "delta5 = [y5 - 0.5] * [y5(1-y5)] = [0.690283 - 0.5] * [0.690283(1-0.690283)] = 0.0406811" in lines
    assert "new_w5_3 = w5_3 - 1*grad_w5_3 = 0.3 - 1*0.027674 = 0.272326" in lines
    assert "it2.E = 1/2 * (it2.y5 - 0.5)^2 = 1/2 * (0.682019 - 0.5)^2 = 0.0165654" in lines


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        (lambda d: d["weights"].pop("w5_3"), "/weights/w5_3", "missing weight w5_3"),
        (lambda d: d["samples"][0].update(inputs=[0.35]), "/samples/0/inputs", "needs 2 inputs"),
        (lambda d: d.update(activation="swish"), "/activation", "unknown activation 'swish'"),
        (lambda d: d.update(ask=["z6"]), "/ask/0", "no step 'z6'"),
    ],
)
def test_bad_file_is_reported_not_raised(seed_path, tmp_path, change, pointer, words):
    doc = yaml.safe_load(seed_path.read_text(encoding="utf-8"))
    change(doc)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(doc), encoding="utf-8")
    for args in (["solve", str(path)], ["solve", str(path), "--json"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code != 0
        assert isinstance(result.exception, SystemExit), result.exception
        assert f"{pointer}: " in result.output
        assert words in result.output
        assert "Traceback" not in result.output


def test_bad_file_from_the_console_script(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("layers: [2]\nweights: {}\nsamples: []\n", encoding="utf-8")
    script = Path(sys.executable).with_name("grader")
    run = subprocess.run([str(script), "solve", str(path)], capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode != 0
    assert "/layers: needs between 2 and" in run.stderr
    assert "Traceback" not in run.stderr


def test_missing_file(tmp_path):
    result = CliRunner().invoke(main, ["solve", str(tmp_path / "nowhere.yaml")])
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "cannot read" in result.output
