"""Feedback messages for each verdict, in English and Simplified Chinese."""

from __future__ import annotations

from typing import Any

from grader.grading.misconceptions import BY_CODE

LANGUAGES = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
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
    "incorrect": {"en": "Incorrect.", "zh": "错误。"},
    "missing": {"en": "Not answered.", "zh": "未作答。"},
    "invalid": {"en": "Not a number: {raw}.", "zh": "不是有效数字：{raw}。"},
}

EXPECTED = {"en": " Expected {expected}.", "zh": " 正确答案为 {expected}。"}


def render(note: str, params: dict[str, Any], language: str = "en") -> str:
    """The message for a note (a verdict detail or a misconception code) in a language."""
    language = language if language in LANGUAGES else "en"
    if note in BY_CODE:
        return BY_CODE[note].message(language)
    return MESSAGES[note][language].format(**params)
