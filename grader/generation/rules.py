"""Random rules: how a template says that a number (or the activation) is drawn for each variant.

In a template, any number may be written as

- a plain value, ``0.3`` (fixed), or ``{fixed: 0.3}``;
- ``{uniform: [low, high], decimals: d}``: every multiple of 10^-d from low to high, both ends
  included, equally likely; ``exclude: [0]`` leaves values out (e.g. no zero weight);
- ``{choice: [0.5, 1.0]}``: one of the listed values, equally likely.

The activation may be ``{choice: [sigmoid, tanh]}``.  Rules are checked here, with problems named by
the field's JSON pointer (``/weights/w3_1: uniform needs low < high``).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from grader.engine import Problem
from grader.generation.draws import Draws

RULE_NAMES = ("uniform", "choice", "fixed")
MAX_DECIMALS = 6
SYNTAX = "a number, {uniform: [low, high], decimals: d}, {choice: [a, b, ...]} or {fixed: value}"


def is_rule(value: Any) -> bool:
    """Whether ``value`` is written as a random rule (a mapping naming uniform, choice or fixed)."""
    return isinstance(value, Mapping) and any(name in value for name in RULE_NAMES)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@dataclass(frozen=True, slots=True)
class Fixed:
    """A value that is the same in every variant."""

    value: Any

    def draw(self, draws: Draws, pointer: str) -> Any:
        return self.value

    def representatives(self) -> tuple[Any, ...]:
        """Values that stand for everything this rule can give, for validating a template."""
        return (self.value,)

    @property
    def random(self) -> bool:
        return False

    def __repr__(self) -> str:
        return f"Fixed({self.value!r})"


@dataclass(frozen=True, slots=True)
class Uniform:
    """Every multiple of 10^-decimals in [low, high], minus ``exclude``, equally likely."""

    low: float
    high: float
    decimals: int
    exclude: tuple[float, ...] = ()
    grid: tuple[int, int, tuple[int, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The grid of scaled whole numbers, in exact decimal arithmetic: Fraction(repr(0.1)) is 1/10,
        # where Fraction(0.1) is not.
        scale = 10**self.decimals
        lo = math.ceil(Fraction(repr(self.low)) * scale)
        hi = math.floor(Fraction(repr(self.high)) * scale)
        out = set()
        for value in self.exclude:
            scaled = Fraction(repr(value)) * scale
            if scaled.denominator == 1 and lo <= scaled <= hi:
                out.add(int(scaled))
        object.__setattr__(self, "grid", (lo, hi, tuple(sorted(out))))

    def count(self) -> int:
        """How many different values the rule can give."""
        lo, hi, out = self.grid
        return max(0, hi - lo + 1 - len(out))

    def _value(self, scaled: int) -> float | int:
        if self.decimals == 0:
            return scaled
        return float(f"{scaled}e-{self.decimals}")  # correctly rounded: 3e-1 -> 0.3

    def draw(self, draws: Draws, pointer: str) -> float | int:
        lo, hi, out = self.grid
        scaled = lo + draws.index(pointer, hi - lo + 1 - len(out))
        for skipped in out:  # step over the excluded values, in increasing order
            if skipped <= scaled:
                scaled += 1
        return self._value(scaled)

    def representatives(self) -> tuple[Any, ...]:
        lo, hi, out = self.grid
        allowed = [v for v in (lo, lo + 1, hi - 1, hi) if v not in out and lo <= v <= hi]
        return tuple(dict.fromkeys(self._value(v) for v in allowed)) if allowed else ()

    @property
    def random(self) -> bool:
        return self.count() > 1

    def __repr__(self) -> str:
        skip = f", exclude={list(self.exclude)}" if self.exclude else ""
        return f"Uniform([{self.low}, {self.high}], decimals={self.decimals}{skip})"


@dataclass(frozen=True, slots=True)
class Choice:
    """One of a list of values, equally likely."""

    options: tuple[Any, ...]

    def draw(self, draws: Draws, pointer: str) -> Any:
        return self.options[draws.index(pointer, len(self.options))]

    def representatives(self) -> tuple[Any, ...]:
        return self.options

    @property
    def random(self) -> bool:
        return len(set(self.options)) > 1

    def __repr__(self) -> str:
        return f"Choice({list(self.options)!r})"


Rule = Fixed | Uniform | Choice


def parse_rule(value: Any, pointer: str, kind: str, problems: list[Problem]) -> Rule:
    """Read the rule (or plain value) at ``pointer``; ``kind`` is "number" or "name".

    Problems are appended to ``problems``; a bad rule is returned as ``Fixed(value)`` so that the
    rest of the template can still be checked.
    """
    if not is_rule(value):
        return Fixed(value)
    named = [name for name in RULE_NAMES if name in value]
    if len(named) > 1:
        problems.append(Problem.of(pointer, "rule_names", names=", ".join(RULE_NAMES), got=", ".join(named)))
        return Fixed(value)
    name = named[0]
    allowed = {"uniform": {"uniform", "decimals", "exclude"}, "choice": {"choice"}, "fixed": {"fixed"}}[name]
    for extra in sorted(set(value) - allowed, key=str):
        problems.append(Problem.of(f"{pointer}/{extra}", "rule_unknown_field", name=repr(extra), rule=name))
    if name == "fixed":
        return Fixed(value["fixed"])
    if name == "choice":
        return _choice(value["choice"], pointer, kind, problems)
    if kind != "number":
        problems.append(Problem.of(pointer, "uniform_for_names", syntax=SYNTAX))
        return Fixed(value)
    return _uniform(value, pointer, problems)


def _choice(options: Any, pointer: str, kind: str, problems: list[Problem]) -> Rule:
    if not isinstance(options, list) or not options:
        problems.append(Problem.of(f"{pointer}/choice", "choice_shape", value=repr(options)))
        return Fixed(options)
    check = _is_number if kind == "number" else (lambda v: isinstance(v, str))
    code = "choice_numbers" if kind == "number" else "choice_names"
    for k, option in enumerate(options):
        if not check(option):
            problems.append(Problem.of(f"{pointer}/choice/{k}", code, value=repr(option)))
    return Choice(tuple(options))


def _uniform(value: Mapping, pointer: str, problems: list[Problem]) -> Rule:
    bounds, decimals, exclude = value["uniform"], value.get("decimals"), value.get("exclude", [])
    before = len(problems)
    if not (isinstance(bounds, list) and len(bounds) == 2 and all(_is_number(b) for b in bounds)):
        problems.append(Problem.of(f"{pointer}/uniform", "uniform_bounds", value=repr(bounds)))
    elif not bounds[0] < bounds[1]:
        problems.append(Problem.of(pointer, "uniform_order", low=bounds[0], high=bounds[1]))
    if decimals is None:
        problems.append(Problem.of(f"{pointer}/decimals", "uniform_decimals"))
    elif not (isinstance(decimals, int) and not isinstance(decimals, bool) and 0 <= decimals <= MAX_DECIMALS):
        problems.append(Problem.of(f"{pointer}/decimals", "decimals_range", most=MAX_DECIMALS))
    if not (isinstance(exclude, list) and all(_is_number(v) for v in exclude)):
        problems.append(Problem.of(f"{pointer}/exclude", "numbers_list", value=repr(exclude)))
    if len(problems) > before:
        return Fixed(value)
    rule = Uniform(float(bounds[0]), float(bounds[1]), decimals, tuple(float(v) for v in exclude))
    if rule.count() == 0:
        problems.append(Problem.of(pointer, "uniform_empty", low=bounds[0], high=bounds[1], decimals=decimals))
        return Fixed(value)
    return rule
