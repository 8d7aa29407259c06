"""Feedback messages for each verdict, reason and misconception, in English and Simplified Chinese.

Messages name steps as the pages label them (δ₅, ∂E/∂w₅₃, w₅₃ (new)), never by raw key: a
parameter that holds a key is rendered through ``grader.worksheets.notation.label``.  A
misconception's message may depend on the exercise's delta convention (its ``convention``
parameter), so that it never tells a student to repeat the mistake.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from grader.grading.misconceptions import BY_CODE
from grader.worksheets.notation import label

LANGUAGES = ("en", "zh")
Texts = dict[str, str]

MESSAGES: dict[str, Texts] = {
    "correct": {"en": "Correct.", "zh": "正确。"},
    "correct_rounding": {
        "en": "Correct: it follows from your own rounded values.",
        "zh": "正确：与你自己四舍五入后的数值一致。",
    },
    "carried": {
        "en": "Follows correctly from your earlier {sources}: credit carried forward.",
        "zh": "由你前面的 {sources} 正确推出：按后续正确给分。",
    },
    "carried_off": {
        "en": "Follows from your earlier {sources}, but this exercise gives no follow-through credit.",
        "zh": "由你前面的 {sources} 推出，但本练习不给后续正确分。",
    },
    "trivial": {
        "en": "Follows from your earlier {sources}, but {trivial} looks like a placeholder (0, ±1, a number "
        "given in the exercise, or far off) that makes the steps after it easy: no follow-through credit.",
        "zh": "由你前面的 {sources} 推出，但 {trivial} 像是占位数（0、±1、题目给定的数或相差悬殊的数），"
        "会使后面的步骤变得过于简单：不给后续正确分。",
    },
    "trivial_copy": {
        "en": "Follows from your earlier {sources}, but {trivial} repeats the value before it (an update not "
        "made, or an iteration copied): no follow-through credit.",
        "zh": "由你前面的 {sources} 推出，但 {trivial} 与之前的值相同（没有做更新，或照抄了前一次迭代）："
        "不给后续正确分。",
    },
    "incorrect": {"en": "Incorrect.", "zh": "错误。"},
    "missing": {"en": "Not answered.", "zh": "未作答。"},
    "invalid": {"en": "Not a number: {raw}.", "zh": "不是有效数字：{raw}。"},
    # Integrity (see grading/integrity.py and docs/grading-integrity.md).
    "unchanged": {
        "en": "This is the old value {previous}: the update should change it. No credit for an update not made.",
        "zh": "这是更新前的值 {previous}：更新后它应当改变。未做更新不得分。",
    },
    "copied": {
        "en": "This is the value of {previous} from the iteration before; with the updated weights it changes. "
        "No credit for a value copied from an earlier iteration.",
        "zh": "这是上一次迭代中 {previous} 的值；用更新后的权重计算，它会改变。照抄前一次迭代的值不得分。",
    },
    "misread_given": {
        "en": "This step reads {given}, which the exercise gives as {printed}; your values fit {given} = {value} "
        "throughout. Check the number you copied: the steps that follow from it still earn credit.",
        "zh": "这一步用到 {given}，题目给定为 {printed}；你的各步数值都与 {given} = {value} 相符。"
        "请核对抄写的数字：由它推出的后续步骤仍然得分。",
    },
    "other_numbers": {
        "en": "Your answers are worked on numbers other than this exercise's own{example}: "
        "no follow-through credit, and at most 20% of the marks.",
        "zh": "你的答案是用与本题不同的数字算出的{example}：不给后续正确分，总分最多为满分的 20%。",
    },
    # Reasons for an incorrect value (see grading/reasons.py).
    "sign_flipped": {
        "en": "Incorrect: the size is right but the sign is flipped.",
        "zh": "错误：数值大小对，但符号反了。",
    },
    "power_of_ten": {
        "en": "Incorrect: off by a factor of {factor} (check the decimal point).",
        "zh": "错误：相差 {factor} 倍（请检查小数点）。",
    },
    "too_coarse": {
        "en": "Rounded more coarsely than this exercise accepts: keep at least {figures} significant "
        "figures ({decimals} decimal places) for this value.",
        "zh": "四舍五入过于粗略，超出本练习允许的范围：这个值至少保留 {figures} 位有效数字（{decimals} 位小数）。",
    },
    "neighbour": {
        "en": "Incorrect: this is the value of {other}, not of this step.",
        "zh": "错误：这是 {other} 的值，不是这一步的值。",
    },
    "other_iteration": {
        "en": "Incorrect: this is the value of {other}, from another iteration.",
        "zh": "错误：这是另一次迭代中 {other} 的值。",
    },
    "other_sample": {
        "en": "Incorrect: this is the value of {other}, from another sample.",
        "zh": "错误：这是另一个样本中 {other} 的值。",
    },
}
REASONS = frozenset(
    {
        "unchanged",
        "copied",
        "misread_given",
        "other_numbers",
        "sign_flipped",
        "power_of_ten",
        "too_coarse",
        "neighbour",
        "other_iteration",
        "other_sample",
    }
)


EXPECTED = {"en": " Expected {expected}.", "zh": " 正确答案为 {expected}。"}
KEY_PARAMS = ("previous", "other", "given")
AND_MORE = {"en": " and {n} more", "zh": " 等另外 {n} 个"}
EXAMPLE = {
    "en": " (for example {given} = {value}, where the exercise gives {printed})",
    "zh": "（例如 {given} = {value}，而题目给定为 {printed}）",
}


def _number(value: Any) -> str:
    return f"{value:.6g}" if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def _pair(pair: Any, language: str) -> str:
    """A [key, value] pair as "z₃ = 1.755" (a stored string from before labels is shown as it is)."""
    if isinstance(pair, str):
        return pair
    key, value = pair
    return f"{label(key, language)} = {_number(value)}"


def _sources(value: Any, language: str) -> str:
    if isinstance(value, str):
        return value
    more = [p[1] for p in value if p[0] == "more"]
    shown = ", ".join(_pair(p, language) for p in value if p[0] != "more")
    return shown + (AND_MORE[language].format(n=more[0]) if more else "")


def _params(params: Mapping[str, Any], language: str) -> dict[str, Any]:
    """Message parameters as shown: keys as labels, numbers to 6 significant figures."""
    out: dict[str, Any] = dict(params)
    for name in KEY_PARAMS:
        if isinstance(out.get(name), str):
            out[name] = label(out[name], language)
    for name in ("value", "printed", "factor"):
        if name in out:
            out[name] = _number(out[name])
    if "sources" in out:
        out["sources"] = _sources(out["sources"], language)
    if "trivial" in out:
        out["trivial"] = _pair(out["trivial"], language)
    return out


def misconception_text(code: str, params: Mapping[str, Any], language: str) -> str:
    """A misconception's message (its catalogue entry's) under the exercise's convention (``params["convention"]``)."""
    return BY_CODE[code].message(language, str(params.get("convention", "dE/dz")))


def render(note: str, params: Mapping[str, Any], language: str = "en", key: str | None = None) -> str:
    """The message for a note (a verdict detail, a reason or a misconception code) in a language.

    ``key`` is the step the message is about; messages that name other steps label them as the
    page does.
    """
    language = language if language in LANGUAGES else "en"
    if note in BY_CODE:
        return misconception_text(note, params, language)
    shown = _params(params, language)
    if note == "other_numbers":
        shown["example"] = EXAMPLE[language].format(**shown) if "given" in shown else ""
    return MESSAGES[note][language].format(**shown)
