"""Step keys as students write them: ``it2.s1.new_w5_3`` is "w₅₃ (new, iteration 2, sample 1)".

Worksheets, answer keys, the Moodle export and the web pages all label keys through here, so the
notation is the same everywhere.  Also the plain number formats they share.
"""

from __future__ import annotations

import functools
import math
import re

from grader.engine import keys

SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
WORDS = {
    "en": {"iteration": "iteration {}", "sample": "sample {}", "new": "new", "sep": ", "},
    "zh": {"iteration": "第{}次迭代", "sample": "样本{}", "new": "更新后", "sep": "，"},
}
_EXPONENT = re.compile(r"(?<![\w.])\d+(?:\.\d+)?e[-+]\d+")
_DOUBLE_BRACKETS = re.compile(r"\(\((-[\d.]+)\)\)")  # sigmoid((-0.1)) -> sigmoid(-0.1)


def subscript(*numbers: int) -> str:
    """Node numbers as a subscript: (5, 3) -> "₅₃"; with a number above 9, comma-separated: "₁₂,₃"."""
    joiner = "," if any(n > 9 for n in numbers) else ""
    return joiner.join(str(n) for n in numbers).translate(SUBSCRIPTS)


@functools.lru_cache(maxsize=8192)
def _base(name: str) -> tuple[str, bool]:
    """The symbol of a bare key name, and whether it is an updated parameter."""
    parsed = keys.split(name)
    symbol = {"delta": "δ"}.get(parsed.symbol, parsed.symbol) + subscript(*parsed.nodes)
    return (f"∂E/∂{symbol}" if parsed.gradient else symbol), parsed.new


@functools.lru_cache(maxsize=8192)
def symbol(key: str, lang: str = "en") -> str:
    """The symbol of a key without its iteration and sample: "z₃", "δ₅", "∂E/∂w₅₃", "w₅₃ (new)"."""
    parsed = keys.parse(key)
    if parsed is None:
        raise ValueError(f"not a step key: {key!r}")
    text, new = _base(parsed.name)
    if not new:
        return text
    return f"{text}（{WORDS['zh']['new']}）" if lang == "zh" else f"{text} (new)"


@functools.lru_cache(maxsize=8192)
def context(key: str, lang: str = "en") -> str:
    """Where a key sits: "iteration 2, sample 1", or "" for iteration 1 of a single sample."""
    parsed = keys.parse(key)
    if parsed is None:
        raise ValueError(f"not a step key: {key!r}")
    words = WORDS[lang]
    parts = [words["iteration"].format(parsed.iteration)] if parsed.iteration > 1 else []
    if parsed.sample is not None:
        parts.append(words["sample"].format(parsed.sample))
    return words["sep"].join(parts)


@functools.lru_cache(maxsize=8192)
def label(key: str, lang: str = "en") -> str:
    """A key as a student reads it on its own: "z₃", "w₅₃ (new, iteration 2, sample 1)"."""
    parsed = keys.parse(key)
    if parsed is None:
        raise ValueError(f"not a step key: {key!r}")
    text, new = _base(parsed.name)
    words = WORDS[lang]
    notes = ([words["new"]] if new else []) + ([context(key, lang)] if context(key, lang) else [])
    if not notes:
        return text
    return f"{text}（{words['sep'].join(notes)}）" if lang == "zh" else f"{text} ({', '.join(notes)})"


def formula(text: str, line_key: str, lang: str = "en") -> str:
    """An engine formula in student notation: "w3_1*y1 + w3_2*y2" -> "w₃₁·y₁ + w₃₂·y₂".

    Inside a line, parameters are simply w and b (their current values, the updated ones from
    iteration 2 on); a per-sample value of another sample (in batch sums) is marked "[sample m]".
    """
    home = keys.parse(line_key)
    home_sample = home.sample if home else None
    text = _EXPONENT.sub(lambda m: fixed(float(m.group(0))), text)
    text = keys.TOKEN_PATTERN.sub(lambda m: _token(m.group(1), home_sample, lang), text)
    text = _DOUBLE_BRACKETS.sub(r"(\1)", text)
    return text.replace("*", "·").replace("^2", "²")


@functools.lru_cache(maxsize=8192)
def _token(key: str, home_sample: int | None, lang: str = "en") -> str:
    parsed = keys.split(key)
    text, _ = _base(parsed.name)
    parameter = parsed.parameter is not None and not parsed.gradient
    if parsed.sample is not None and parsed.sample != home_sample and not parameter:
        text += f"[{WORDS[lang]['sample'].format(parsed.sample)}]"
    return text


def fixed(value: float, significant: int = 6) -> str:
    """Positional notation to ``significant`` figures, trailing zeros dropped: 9.29071e-05 -> 0.0000929071."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else str(value)
    decimals = max(0, significant - 1 - math.floor(math.log10(abs(value))))
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def given(value: float) -> str:
    """A given number as written in the exercise: 0.35, 1, -0.4."""
    return fixed(value, 12)
