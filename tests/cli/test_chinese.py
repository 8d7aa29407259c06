"""The command line in Chinese: grade's table, solve's walk-through, the catalogue and generate's files."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from grader.cli import main
from grader.generation import template_names
from tests.english_runs import english_runs

SEED = "exercises/seed-classic.yaml"
NAMES = set(template_names())


def _prose(text: str) -> str:
    # Terminal output has no markup: drop the formula lines of the walk-through and the step keys.
    kept = [line for line in text.splitlines() if "=" not in line]
    return "<p>" + "\n".join(kept) + "</p>"


def test_grade_prints_its_table_in_chinese(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({"z3": 0.755, "y3": 0.1, "delta5": 0.040681}))
    out = CliRunner().invoke(main, ["grade", SEED, str(answers), "--lang", "zh"], terminal_width=200)
    assert out.exit_code == 0, out.output
    for word in ("步骤", "提交值", "判定", "得分", "说明", "正确", "错误", "未作答", "经典 2-2-1 sigmoid 网络"):
        assert word in out.output, word
    english = CliRunner().invoke(main, ["grade", SEED, str(answers)], terminal_width=200).output
    assert "verdict" in english and "判定" not in english


def test_solve_walks_through_in_chinese():
    out = CliRunner().invoke(main, ["solve", SEED, "--lang", "zh"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("经典 2-2-1 sigmoid 网络，一步 BP\n网络 2-2-1，激活函数 sigmoid")
    assert "正向传播" in out.output and "反向传播（误差项 δ）" in out.output and "正向传播（第 2 次迭代）" in out.output
    assert "z3 = w3_1*y1 + w3_2*y2 = 0.1*0.35 + 0.8*0.9 = 0.755" in out.output  # the same formulas
    assert english_runs(_prose(out.output), NAMES) == []


def test_the_catalogue_lists_in_chinese():
    out = CliRunner().invoke(main, ["templates", "list", "--lang", "zh"])
    assert out.exit_code == 0, out.output
    assert re.search(r"^seed-classic +入门 +经典 2-2-1 sigmoid 网络，一步 BP$", out.output, re.M)
    lines = [line.split(None, 1)[-1] if line.startswith(tuple(NAMES)) else line for line in out.output.splitlines()]
    assert english_runs("<p>" + "\n".join(lines) + "</p>", NAMES) == []


def test_generate_writes_chinese_printables(tmp_path):
    out = CliRunner().invoke(
        main,
        ["generate", "seed-classic", "--seed", "1", "--count", "2", "--lang", "zh", "--out", str(tmp_path / "set")],
    )
    assert out.exit_code == 0, out.output
    assert "个题目变体" in out.output
    for name in ("worksheets.html", "answer-keys.html", "s001/worksheet.html", "s001/answer-key.html"):
        page = (tmp_path / "set" / name).read_text(encoding="utf-8")
        assert '<html lang="zh-Hans">' in page and english_runs(page, NAMES) == [], name
    assert "输入层" in (tmp_path / "set" / "s001" / "network.svg").read_text(encoding="utf-8")
    assert "至少保留 4 位小数" in (tmp_path / "set" / "moodle.xml").read_text(encoding="utf-8")


# kzh: a user's mistake is named in the language asked for, with no traceback.
def test_solve_and_grade_name_each_problem_in_chinese(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("layers: [2, 40, 1]\nlearning_rate: fast\nweights: {}\nsamples: []\n", encoding="utf-8")
    out = CliRunner().invoke(main, ["solve", str(bad), "--lang", "zh"])
    assert out.exit_code == 1 and "Traceback" not in out.output
    assert out.output == (
        "错误：练习无效：\n"
        "  /layers：每层需要 1 到 16 个节点，这里是 40 个\n"
        "  /learning_rate：必须是数，这里是 'fast'\n"
    )
    english = CliRunner().invoke(main, ["solve", str(bad)]).output
    assert english.startswith("Error: invalid exercise:\n  /layers: each layer needs 1 to 16 nodes, got 40\n")

    answers = tmp_path / "answers.yaml"
    answers.write_text("z3: 1\nz9: 2\n", encoding="utf-8")
    graded = CliRunner().invoke(main, ["grade", SEED, str(answers), "--lang", "zh"])
    assert graded.exit_code == 1 and graded.output.startswith(
        "错误：答案无效：\n  /z9：未知的步骤键 'z9'；要求作答的键：z3, "
    )
    missing = CliRunner().invoke(main, ["grade", SEED, str(tmp_path / "none.yaml"), "--lang", "zh"])
    assert missing.output == f"错误：无法读取答案文件 {tmp_path / 'none.yaml'}：文件不存在\n"
    for output in (out.output, graded.output, missing.output):
        assert english_runs(f"<p>{_values_out(output)}</p>") == [], output


def test_generate_names_a_bad_template_in_chinese(tmp_path):
    template = tmp_path / "bad.yaml"
    template.write_text(
        "layers: [2, 1]\nweights: {w3_1: {uniform: [1, -1], decimals: 1}, w3_2: 0.5}\n", encoding="utf-8"
    )
    out = CliRunner().invoke(main, ["generate", str(template), "--seed", "1", "--lang", "zh", "--out", str(tmp_path)])
    assert out.exit_code == 1 and out.output.startswith("错误：模板 bad 无效：\n"), out.output
    assert "uniform 需要 low < high，这里是 [1, -1]" in out.output


def _values_out(text: str) -> str:
    # The values a message quotes are the user's own (and the step keys asked): not English prose.
    return re.sub(r"'[^']*'|：[a-z0-9_., ]+$|/\S+", "", text, flags=re.M)


def test_generate_says_what_the_generator_could_not_do_in_chinese(tmp_path):
    seed = yaml.safe_load(Path(SEED).read_text(encoding="utf-8"))
    hopeless = tmp_path / "hopeless.yaml"
    random_weights = {"*": {"uniform": [-1, 1], "decimals": 1}}
    hopeless.write_text(
        yaml.safe_dump({**seed, "weights": random_weights, "constraints": {"min_abs_parameter": 5, "max_tries": 20}}),
        encoding="utf-8",
    )
    out = CliRunner().invoke(main, ["generate", str(hopeless), "--seed", "1", "--lang", "zh", "--out", str(tmp_path)])
    assert out.exit_code == 1
    assert out.output.startswith("错误：模板 'hopeless'：学生 's001'（种子 1）的变体在 20 次尝试内都不满足约束。"), (
        out.output
    )
    assert "最常未满足的是 min_abs_parameter（20 次中有 20 次），例如 |w" in out.output
    assert "，绝对值小于 5。请放宽模板的取值范围，或放宽 constraints.min_abs_parameter。" in out.output

    fixed = tmp_path / "fixed.yaml"
    fixed.write_text(yaml.safe_dump({**seed, "weights": {**seed["weights"], "w3_1": 0.05}}), encoding="utf-8")
    warned = CliRunner().invoke(
        main, ["generate", str(fixed), "--seed", "1", "--lang", "zh", "--out", str(tmp_path / "out"), "--quiet"]
    )
    assert warned.exit_code == 0, warned.output
    assert "警告：fixed: min_abs_parameter: |w3_1| = 0.05，绝对值小于 0.1" in warned.output
