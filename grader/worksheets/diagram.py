"""The network diagram as a standalone SVG: numbered nodes, weights on the edges, biases at the nodes.

``network_svg(exercise)`` returns one ``<svg>`` element with inline styles and no external
references, to be inlined in HTML, written to a .svg file, or embedded in a Moodle question.
Labels are placed greedily: each tries positions along its edge (or around its node) and takes
the first that collides with no node, no other label and no other edge, so they stay readable.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from html import escape

from grader.engine import Exercise
from grader.generation.draws import digest
from grader.worksheets.notation import given, subscript
from grader.worksheets.wording import layer_names, say

RADIUS = 21
COLUMN = 210
WIDE_COLUMN = 300  # room for labels such as "w₅₃ = -0.25"
ROW = 84
FONT = 13
CHAR = 7.6  # average advance of a FONT-px sans-serif digit, for label boxes
CLEARANCE = 7  # room kept between a label and any other edge, so it is not read as that edge's
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 96, 44, 40
EDGE_SPOTS = (0.5, 0.38, 0.62, 0.3, 0.7, 0.22, 0.78, 0.45, 0.55)
FILL = {"input": "#e8eefc", "output": "#e6f4ea"}


@dataclass(frozen=True, slots=True)
class Box:
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: Box) -> bool:
        return not (
            self.right <= other.left or other.right <= self.left or self.bottom <= other.top or other.bottom <= self.top
        )

    def crosses(self, a: tuple[float, float], b: tuple[float, float]) -> bool:
        """Whether segment a-b passes through the box (Liang-Barsky clipping)."""
        (x0, y0), (x1, y1) = a, b
        dx, dy = x1 - x0, y1 - y0
        low, high = 0.0, 1.0
        for p, q in ((-dx, x0 - self.left), (dx, self.right - x0), (-dy, y0 - self.top), (dy, self.bottom - y0)):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                low = max(low, t)
            else:
                high = min(high, t)
            if low > high:
                return False
        return True


def _advance(text: str) -> float:
    """The width of a label: CJK characters are about a full em wide."""
    return sum(FONT if ord(c) >= 0x2E80 else CHAR for c in text)


def _text_box(x: float, y: float, text: str, anchor: str = "middle") -> Box:
    width = _advance(text) + 6
    left = {"middle": x - width / 2, "start": x - 3, "end": x - width + 3}[anchor]
    return Box(left, y - FONT + 1, left + width, y + 5)


class _Layout:
    def __init__(self, ex: Exercise, column: float):
        self.ex = ex
        self.layers = ex.node_layers
        tallest = max(ex.layers)
        self.height = MARGIN_TOP + tallest * ROW + MARGIN_BOTTOM - ROW / 2
        self.width = 2 * MARGIN_X + (len(ex.layers) - 1) * column
        self.column = column
        self.position: dict[int, tuple[float, float]] = {}
        for k, layer in enumerate(self.layers):
            top = MARGIN_TOP + (tallest - len(layer)) * ROW / 2 + ROW / 4
            for r, node in enumerate(layer):
                self.position[node] = (MARGIN_X + k * column, top + r * ROW + RADIUS)
        self.edges = [(j, i) for prev, layer in itertools.pairwise(self.layers) for j in layer for i in prev]
        self.segments = {edge: self._cut(*edge) for edge in self.edges}
        self.taken = [
            Box(x - RADIUS - 2, y - RADIUS - 2, x + RADIUS + 2, y + RADIUS + 2) for x, y in self.position.values()
        ]

    def ends(self, j: int, i: int) -> tuple[tuple[float, float], tuple[float, float]]:
        """The edge from node i to node j, cut at the two circles."""
        return self.segments[(j, i)]

    def _cut(self, j: int, i: int) -> tuple[tuple[float, float], tuple[float, float]]:
        (x0, y0), (x1, y1) = self.position[i], self.position[j]
        length = ((x1 - x0) ** 2 + (y1 - y0) ** 2) ** 0.5
        ux, uy = (x1 - x0) / length, (y1 - y0) / length
        return (x0 + ux * RADIUS, y0 + uy * RADIUS), (x1 - ux * (RADIUS + 4), y1 - uy * (RADIUS + 4))

    def place(self, spots: list[tuple[float, float]], text: str, own: tuple[int, int] | None = None) -> tuple:
        """The first spot whose label box hits nothing; failing that, the one with the fewest hits."""
        best = None
        for x, y in spots:
            box = _text_box(x, y, text)
            hits = sum(box.overlaps(t) for t in self.taken)
            clear = Box(box.left - CLEARANCE, box.top - CLEARANCE, box.right + CLEARANCE, box.bottom + CLEARANCE)
            hits += sum(clear.crosses(*segment) for e, segment in self.segments.items() if e != own)
            if best is None or hits < best[0]:
                best = (hits, x, y, box)
            if hits == 0:
                break
        self.taken.append(best[3])
        return best[1], best[2]


def _text(
    x: float, y: float, text: str, anchor: str = "middle", weight: str = "normal", size: int = FONT, fill: str = "#111"
) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'fill="{fill}">{escape(text)}</text>'
    )


def _label(x: float, y: float, text: str, fill: str = "#111") -> str:
    box = _text_box(x, y, text)
    return (
        f'<rect x="{box.left:.1f}" y="{box.top:.1f}" width="{box.right - box.left:.1f}" '
        f'height="{box.bottom - box.top:.1f}" rx="3" fill="#ffffff" fill-opacity="0.92"/>'
        + _text(x, y, text, fill=fill)
    )


def _coupled_layer(layout: _Layout, nodes: list[int], label: str) -> str:
    """A dashed box around a layer whose nodes share one function (softmax), named beneath it."""
    xs = [layout.position[n][0] for n in nodes]
    ys = [layout.position[n][1] for n in nodes]
    left, right = min(xs) - RADIUS - 6, max(xs) + RADIUS + 6
    top, bottom = min(ys) - RADIUS - 6, max(ys) + RADIUS + 6
    # A path, not a rect: rects are the label backgrounds that must never overlap.
    outline = f"M {left:.1f} {top:.1f} H {right:.1f} V {bottom:.1f} H {left:.1f} Z"
    return (
        f'<path class="coupled-layer" d="{outline}" fill="none" stroke="#6a3d9a" stroke-width="1.4" '
        f'stroke-dasharray="5 3"/>' + _text((left + right) / 2, bottom + 14, label, size=12, fill="#6a3d9a")
    )


def network_svg(exercise: Exercise, edge_labels: str = "value", language: str = "en") -> str:
    """The exercise's network as an SVG string.

    ``edge_labels`` is "value" (0.3), "name" (w₅₃) or "both" (w₅₃ = 0.3); biases and thresholds are
    shown at their nodes, inputs and targets too when the exercise has a single sample.  Layer
    names and the title are in ``language`` ("en" or "zh").
    """
    ex, layout = exercise, _Layout(exercise, COLUMN if edge_labels == "value" else WIDE_COLUMN)
    shape = "-".join(map(str, ex.layers))
    svg_title = say("{title}: network {shape}", language, title=ex.text("title", language), shape=shape)
    marker = "arrow-" + digest(repr(sorted(ex.to_mapping().items(), key=str)), size=4).hex()
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width:.0f} {layout.height:.0f}" '
        f'width="{layout.width:.0f}" height="{layout.height:.0f}" role="img" '
        f'font-family="DejaVu Sans, Noto Sans, Helvetica, Arial, sans-serif">',
        f"<title>{escape(svg_title)}</title>",
        f'<defs><marker id="{marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    ]
    names = layer_names(ex, language)
    functions = ex.activation_functions
    for k in range(len(layout.layers)):
        caption = names[k] if k == 0 else f"{names[k]} · {functions[k - 1].label(language)}"
        parts.append(_text(MARGIN_X + k * layout.column, 18, caption, size=12, fill="#555"))
    if functions[-1].output_only:
        parts.append(_coupled_layer(layout, layout.layers[-1], functions[-1].label(language)))
    for j, i in layout.edges:
        (x0, y0), (x1, y1) = layout.ends(j, i)
        parts.append(
            f'<line x1="{x0:.1f}" y1="{y0:.1f}" x2="{x1:.1f}" y2="{y1:.1f}" stroke="#777" '
            f'stroke-width="1.3" marker-end="url(#{marker})"/>'
        )
    for node, (x, y) in layout.position.items():
        kind = "input" if node in layout.layers[0] else "output" if node in layout.layers[-1] else "hidden"
        parts.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{RADIUS}" fill="{FILL.get(kind, "#ffffff")}" '
            'stroke="#222" stroke-width="1.6"/>'
        )
        parts.append(_text(x, y + 5, str(node), weight="bold", size=15))
    single = len(ex.samples) == 1
    for k, node in enumerate(layout.layers[0]):
        x, y = layout.position[node]
        text = f"y{subscript(node)}" + (f" = {given(ex.samples[0].inputs[k])}" if single else "")
        parts.append(_text(x - RADIUS - 8, y + 5, text, anchor="end"))
    outputs = layout.layers[-1]
    for k, node in enumerate(outputs):
        if single:
            x, y = layout.position[node]
            name = "t" if len(outputs) == 1 else f"t{subscript(node)}"
            parts.append(_text(x + RADIUS + 8, y + 5, f"{name} = {given(ex.samples[0].targets[k])}", anchor="start"))
    for name, value in ex.biases.items():
        x, y = layout.position[int(name[1:])]
        text = f"b{subscript(int(name[1:]))} = {given(value)}"
        lx, ly = layout.place([(x, y + RADIUS + 17), (x, y - RADIUS - 9), (x + 8, y + RADIUS + 30)], text)
        parts.append(_label(lx, ly, text, fill="#7a2e0e"))
    for j, i in layout.edges:
        name = f"w{j}_{i}"
        value = given(ex.weights[name])
        symbol = "w" + subscript(j, i)
        text = {"value": value, "name": symbol, "both": f"{symbol} = {value}"}[edge_labels]
        (x0, y0), (x1, y1) = layout.ends(j, i)
        spots = [(x0 + t * (x1 - x0), y0 + t * (y1 - y0) + 4) for t in EDGE_SPOTS]
        parts.append(_label(*layout.place(spots, text, own=(j, i)), text))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
