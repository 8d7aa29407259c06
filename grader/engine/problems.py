"""Validation problems: what is wrong with an input, where (a JSON pointer), in English and Chinese.

Each kind of problem has a stable code and one entry in ``MESSAGES``: its text in English and in
Simplified Chinese, with ``{name}`` parameters filled from the problem's values.  A problem
carries its code and parameters, so every consumer (the editor page, the API, the CLI) renders it
in its reader's language from the one definition; ``Problem.message`` is the English text.

Parameters are what the reader wrote or must write (a value, a field name, the options a field
takes): they are shown as they are in both languages, and a page sets them apart as code.  A text
may also mark literal file-format words with backticks (`` `bias: threshold` ``), for the same
reason.  A parameter that needs words of its own in each language is given as a ``Wording``.

The engine's codes and the grading policy's and answers' are defined below; the generator
(``grader/generation/problems.py``) and the service (``grader/service/facade/errors.py``) add theirs
with ``define``.  A code is defined once, and ``tests/engine/test_problems.py`` drives every code
with a bad input and fails on one without Chinese.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from grader.engine.wording import LANGUAGES, Wording

Param = str | Wording

MESSAGES: dict[str, Wording] = {}


def define(table: Mapping[str, tuple[str, str]]) -> None:
    """Add codes to the catalogue: ``{code: (english, chinese)}``; a code may be defined only once."""
    for code, (en, zh) in table.items():
        if code in MESSAGES:
            raise ValueError(f"problem code {code!r} is defined twice")
        MESSAGES[code] = Wording(en, zh)


def fields(text: str) -> set[str]:
    """The parameter names a message text uses."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


_CODE = re.compile(r"`([^`]*)`")


@dataclass(frozen=True, slots=True)
class Problem:
    """One bad part of an input: the JSON pointer to it, and what is wrong with it.

    ``message`` is the English text.  ``code`` and ``params`` (name, value) say the same in a form
    any language can be rendered from (``text``); a problem written before codes existed has
    only the message, which every language then shows.  ``notes`` are further problems said in
    the same sentence (a template's "(… can draw …)").
    """

    pointer: str
    message: str
    code: str = ""
    params: tuple[tuple[str, Param], ...] = ()
    notes: tuple[Problem, ...] = ()

    @classmethod
    def of(cls, pointer: str, code: str, /, **params: Any) -> Problem:
        """The problem ``code`` at ``pointer``; parameters are shown as ``str(value)`` unless Wordings."""
        held = tuple((name, value if isinstance(value, Wording) else str(value)) for name, value in params.items())
        wording = MESSAGES[code]
        missing = (fields(wording.en) | fields(wording.zh)) - dict(held).keys()
        if missing:
            raise TypeError(f"problem {code!r} needs {', '.join(sorted(missing))}")
        problem = cls(pointer, "", code, held)
        return cls(pointer, problem.text("en"), code, held)

    def noted(self, note: Problem) -> Problem:
        """This problem with a note said after it (the note's pointer is not shown)."""
        return Problem(self.pointer, self.message + note.message, self.code, self.params, (*self.notes, note))

    def parts(self, language: str = "en") -> Iterator[tuple[str, bool]]:
        """The text as (piece, is_code) pieces: values and backticked words are code."""
        if not self.code:
            yield self.message, False
            return
        language = language if language in LANGUAGES else "en"
        values = dict(self.params)
        literal = ""  # "{{" ends a literal early: backticks are matched over the whole run
        for text, name, _spec, _conversion in string.Formatter().parse(MESSAGES[self.code](language)):
            literal += text
            if name is None:
                continue
            yield from _literal(literal)
            literal = ""
            value = values[name]
            # A value is shown as written; words given for each language are words.
            yield (value(language), False) if isinstance(value, Wording) else (value, True)
        yield from _literal(literal)
        for note in self.notes:
            yield from note.parts(language)

    def text(self, language: str = "en") -> str:
        """What is wrong, in a language (``en`` or ``zh``; others read English)."""
        if not self.code:
            return self.message  # a message written without a code already holds its notes
        return "".join(piece for piece, _ in self.parts(language))

    def located(self, language: str = "en") -> str:
        """``pointer: text``, as error listings print a problem."""
        colon = "：" if language == "zh" else ": "
        return f"{self.pointer or '/'}{colon}{self.text(language)}"

    def __str__(self) -> str:
        return self.located("en")


def _literal(text: str) -> Iterator[tuple[str, bool]]:
    """A message's own words as pieces, its backticked words as code."""
    for k, piece in enumerate(_CODE.split(text)):
        if piece:
            yield piece, k % 2 == 1


# Headings of a list of problems, by what was checked (``ExerciseError.what``).
define(
    {
        "invalid_exercise": ("invalid exercise:", "练习无效："),
        "invalid_template": ("invalid template {name}:", "模板 {name} 无效："),
        "invalid_policy": ("invalid policy:", "评分策略无效："),
        "invalid_answers": ("invalid answers:", "答案无效："),
    }
)

# Checks shared by the engine and the layers above it.
define(
    {
        "unknown_field": ("unknown field {name}; known fields: {known}", "未知字段 {name}；可用的字段：{known}"),
        "unknown_option": (
            "unknown {name} {value}; expected one of {options}",
            "{name} 的取值 {value} 未知；可选：{options}",
        ),
        "not_flag": ("must be true or false, got {value}", "必须是 `true` 或 `false`，这里是 {value}"),
    }
)

# The engine's own checks: exercise documents (grader/engine/exercise.py), files (loader.py),
# targets for a loss (losses.py) and asked step keys (trace.py).
define(
    {
        "not_mapping": ("an exercise must be a mapping of fields", "练习必须是由字段组成的映射"),
        "not_number": ("must be a number, got {value}", "必须是数，这里是 {value}"),
        "not_finite": ("must be a finite number, got {value}", "必须是有限的数，这里是 {value}"),
        "not_text": ("must be a string, got {value}", "必须是文本，这里是 {value}"),
        "layers_required": (
            "required: nodes per layer, inputs first, e.g. [2, 2, 1]",
            "必填：各层的节点数，输入层在前，例如 [2, 2, 1]",
        ),
        "layers_not_whole": ("must be a list of whole numbers, got {value}", "必须是整数的列表，这里是 {value}"),
        "layers_count": ("needs between 2 and {most} layers, got {count}", "需要 2 到 {most} 层，这里是 {count} 层"),
        "layer_width": (
            "each layer needs 1 to {most} nodes, got {width}",
            "每层需要 1 到 {most} 个节点，这里是 {width} 个",
        ),
        "activation_shape": (
            "must be one name or a list of {count} (one per non-input layer), got {value}",
            "必须是一个名称，或 {count} 个名称的列表（每个非输入层一个），这里是 {value}",
        ),
        "unknown_activation": (
            "unknown activation {value}; expected one of {options}",
            "未知的激活函数 {value}；可选：{options}",
        ),
        "output_only": ("{name} is for the output layer only", "{name} 只能用于输出层"),
        "too_few_outputs": ("{name} needs two or more outputs", "{name} 需要两个或更多输出"),
        "loss_outputs": (
            "{loss} needs a {allowed} output layer, so that 0 < y < 1",
            "{loss} 需要 {allowed} 输出层，使 0 < y < 1",
        ),
        "leaky_slope_range": (
            "must be between 0 and 1 (exclusive), got {value}",
            "必须大于 0 且小于 1，这里是 {value}",
        ),
        "not_positive": ("must be positive, got {value}", "必须是正数，这里是 {value}"),
        "too_many_steps": (
            "this exercise would have about {steps} steps, more than {most}: use fewer iterations, samples or nodes",
            "这个练习约有 {steps} 步，超过上限 {most}：请减少迭代次数、样本数或节点数",
        ),
        "whole_range": (
            "must be a whole number from {least} to {most}, got {value}",
            "必须是 {least} 到 {most} 之间的整数，这里是 {value}",
        ),
        "parameters_shape": (
            "must be a mapping of {names} to numbers, got {value}",
            "必须是从 {names} 到数值的映射，这里是 {value}",
        ),
        "unexpected_weight": (
            "unexpected weight {key}; this network has {names}",
            "多余的权重 {key}；这个网络的权重是 {names}",
        ),
        "unexpected_bias": (
            "unexpected bias {key}; this network has {names}",
            "多余的偏置 {key}；这个网络的偏置是 {names}",
        ),
        "missing_weight": ("missing weight {key}", "缺少权重 {key}"),
        "missing_bias": ("missing bias {key}", "缺少偏置 {key}"),
        "biases_without_bias": (
            "biases are given but bias is 'none'; set bias: bias or bias: threshold",
            "给出了偏置，但 `bias` 是 `none`；请设为 `bias: bias` 或 `bias: threshold`",
        ),
        "samples_shape": (
            "must be a list of 1 to {most} samples with inputs and targets",
            "必须是 1 到 {most} 个样本的列表，每个样本有 `inputs` 和 `targets`",
        ),
        "sample_not_mapping": (
            "must be a mapping with inputs and targets",
            "必须是含 `inputs` 和 `targets` 的映射",
        ),
        "sample_unknown_field": (
            "unknown field {name}; a sample has inputs and targets",
            "未知字段 {name}；样本只有 `inputs` 和 `targets`",
        ),
        "numbers_shape": (
            "must be a list of {count} numbers, got {value}",
            "必须是 {count} 个数的列表，这里是 {value}",
        ),
        "inputs_count": (
            "needs {count} inputs to match the layers, got {got}",
            "需要 {count} 个输入才与各层相符，这里是 {got} 个",
        ),
        "targets_count": (
            "needs {count} targets to match the layers, got {got}",
            "需要 {count} 个目标值才与各层相符，这里是 {got} 个",
        ),
        "targets_range": (
            "{loss} needs targets between 0 and 1 (one-hot or a distribution), got {targets}",
            "{loss} 要求目标值在 0 到 1 之间（独热编码或概率分布），这里是 {targets}",
        ),
        "targets_sum": (
            "{loss} needs targets that sum to 1 (one-hot or a distribution), got a sum of {total}",
            "{loss} 要求目标值之和为 1（独热编码或概率分布），这里的和是 {total}",
        ),
        "ask_shape": (
            "must be a non-empty list of phases or step keys, got {value}",
            "必须是由阶段或步骤键组成的非空列表，这里是 {value}",
        ),
        "ask_item": (
            "{item} is neither a phase ({phases}) nor a step key",
            "{item} 既不是阶段（{phases}），也不是步骤键",
        ),
        "unknown_step": (
            "no step {key} in this exercise; valid keys: {keys}",
            "这个练习没有步骤 {key}；有效的键：{keys}",
        ),
        "duplicate_key": (
            "{source}: key {key} is written twice, on line {first} and on line {second}; keep one",
            "{source}：键 {key} 写了两次，在第 {first} 行和第 {second} 行；请只保留一个",
        ),
        "duplicate_key_object": (
            "{source}: key {key} is written twice in one object; keep one",
            "{source}：键 {key} 在同一个对象中写了两次；请只保留一个",
        ),
        # The parser's own words (English) are shown as a parameter, after where it stopped.
        "syntax": (
            "{source} is not valid YAML/JSON: {error}",
            "{source} 不是有效的 YAML/JSON：第 {line} 行第 {column} 列有误（{detail}）",
        ),
        "bad_character": (
            "{source} is not valid YAML/JSON: {error}",
            "{source} 不是有效的 YAML/JSON：第 {at} 个字符 {character} 是不允许的特殊字符",
        ),
        "syntax_unplaced": ("{source} is not valid YAML/JSON: {error}", "{source} 不是有效的 YAML/JSON（{error}）"),
        "overflow": (
            "step {key} is {value}: the numbers overflow or saturate; use smaller weights or inputs",
            "步骤 {key} 的值是 {value}：数值溢出或饱和；请用更小的权重或输入",
        ),
        "cannot_read": ("cannot read {path}: {reason}", "无法读取 {path}：{reason}"),
    }
)

# Grading policies and answers files (grader/grading/policy.py, answers.py).
define(
    {
        "policy_not_mapping": ("a policy must be a mapping of fields", "评分策略必须是由字段组成的映射"),
        "number_range": (
            "must be a number from {least} to {most}, got {value}",
            "必须是 {least} 到 {most} 之间的数，这里是 {value}",
        ),
        "reveal_option": (
            "must be one of {options} (or true/false), got {value}",
            "必须是 {options} 之一（或 `true`/`false`），这里是 {value}",
        ),
        "one_of": ("must be one of {options}, got {value}", "必须是 {options} 之一，这里是 {value}"),
        "phase_weights_shape": ("must map phases to weights, got {value}", "必须是从阶段到权重的映射，这里是 {value}"),
        "unknown_phase": ("unknown phase {value}; phases: {phases}", "未知的阶段 {value}；阶段有：{phases}"),
        "answers_not_mapping": (
            "answers must be a mapping of step keys to numbers, got {kind}",
            "答案必须是从步骤键到数值的映射，这里是 {kind}",
        ),
        "unknown_answer_key": (
            "unknown step key {key}; the keys asked are: {keys}",
            "未知的步骤键 {key}；要求作答的键：{keys}",
        ),
    }
)
