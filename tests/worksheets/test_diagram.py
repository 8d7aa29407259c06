"""The network diagram: valid standalone SVG, every weight and bias shown, no label on another."""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET

import pytest

from grader.generation import catalogue_template, generate_variant, template_names
from grader.worksheets.diagram import network_svg
from grader.worksheets.notation import given

SVG = "{http://www.w3.org/2000/svg}"


def rects(root):
    for r in root.iter(f"{SVG}rect"):
        x, y, w, h = (float(r.get(a)) for a in ("x", "y", "width", "height"))
        yield (x, y, x + w, y + h)


@pytest.mark.parametrize("name", template_names())
def test_diagram_shows_the_network(name):
    exercise = generate_variant(catalogue_template(name), 3, "s001").exercise
    root = ET.fromstring(network_svg(exercise))
    assert root.tag == f"{SVG}svg"
    texts = [t.text for t in root.iter(f"{SVG}text")]
    nodes = [n for layer in exercise.node_layers for n in layer]
    assert len(list(root.iter(f"{SVG}circle"))) == len(nodes)
    assert all(str(n) in texts for n in nodes)
    assert len(list(root.iter(f"{SVG}line"))) == len(exercise.weights)
    for value in exercise.weights.values():
        assert given(value) in texts
    for name_, value in exercise.biases.items():
        assert any(t.startswith("b") and t.endswith(f"= {given(value)}") for t in texts), name_
    boxes = list(rects(root))
    assert len(boxes) == len(exercise.weights) + len(exercise.biases)
    for a, b in itertools.combinations(boxes, 2):  # labels never cover one another
        assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], (a, b)


def test_the_softmax_layer_is_marked():
    exercise = generate_variant(catalogue_template("softmax-233"), 3, "s001").exercise
    root = ET.fromstring(network_svg(exercise))
    marks = [p for p in root.iter(f"{SVG}path") if p.get("class") == "coupled-layer"]
    assert len(marks) == 1
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "softmax" in texts and "output · softmax" in texts
    # The seed's sigmoid output layer is not marked.
    seed = generate_variant(catalogue_template("seed-classic"), 3, "s001").exercise
    assert 'class="coupled-layer"' not in network_svg(seed)


def test_edge_label_styles(seed_exercise):
    assert "w₅₃ = 0.3" in network_svg(seed_exercise, "both")
    assert ">w₅₃<" in network_svg(seed_exercise, "name")


def test_diagram_is_deterministic(seed_exercise):
    assert network_svg(seed_exercise) == network_svg(seed_exercise)
