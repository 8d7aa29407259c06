"""The per-step analytics chart: one stacked horizontal bar per key, laid out for a server-drawn SVG.

Each bar splits a key's graded answers by verdict, in the order students work, so the eye finds
the first step where a class goes wrong and sees the carried-forward answers that follow it.
Only geometry is computed here; ``instructor/_chart.html`` draws it, and a table beside it gives
the same numbers to screen readers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

# Drawing order and colours (the same as the legend swatches in grader.css).
ORDER = ("correct", "carried", "misconception", "incorrect", "invalid", "missing")
COLOURS = {
    "correct": "#2da44e",
    "carried": "#388bfd",
    "misconception": "#d4a72c",
    "incorrect": "#e5534b",
    "invalid": "#8c959f",
    "missing": "#c4ccd4",
}
MISSED = ("misconception", "incorrect", "invalid", "missing")

LABEL_WIDTH = 168
BAR_WIDTH = 500
NOTE_WIDTH = 92
ROW = 24
BAR = 16
TOP = 28
BOTTOM = 8


@dataclass(frozen=True)
class Segment:
    verdict: str
    count: int
    x: float
    width: float
    colour: str


@dataclass
class BarRow:
    key: str
    label: str
    y: float
    total: int
    missed: int
    segments: list[Segment] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"BarRow({self.key}: {self.missed}/{self.total} missed)"


@dataclass
class Chart:
    rows: list[BarRow]
    width: int
    height: int
    label_width: int = LABEL_WIDTH
    bar_width: int = BAR_WIDTH
    row: int = ROW
    bar: int = BAR
    top: int = TOP
    ticks: tuple[int, ...] = (0, 25, 50, 75, 100)

    def __repr__(self) -> str:
        return f"Chart({len(self.rows)} keys, {self.width}x{self.height})"

    def tick_x(self, percent: int) -> float:
        return self.label_width + self.bar_width * percent / 100


def verdict_bars(keys: Sequence[Mapping], label: Callable[[str], str]) -> Chart:
    """The chart of the analytics' ``keys`` ([{key, counts}]), each key labelled by ``label``."""
    rows = []
    for index, item in enumerate(keys):
        counts = item["counts"]
        total = sum(counts.get(v, 0) for v in ORDER)
        row = BarRow(item["key"], label(item["key"]), TOP + index * ROW, total, sum(counts.get(v, 0) for v in MISSED))
        x = float(LABEL_WIDTH)
        for verdict in ORDER:
            n = counts.get(verdict, 0)
            if n and total:
                width = BAR_WIDTH * n / total
                row.segments.append(Segment(verdict, n, x, width, COLOURS[verdict]))
                x += width
        rows.append(row)
    height = TOP + len(rows) * ROW + BOTTOM
    return Chart(rows, LABEL_WIDTH + BAR_WIDTH + NOTE_WIDTH, height)
