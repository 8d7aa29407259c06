"""Templates: wildcards, validation with pointers, content hash."""

from __future__ import annotations

import pytest
import yaml

from grader.generation import Template, TemplateError, parse_template
from grader.generation.draws import Draws

BASE = {
    "title": "t",
    "layers": [2, 2, 1],
    "learning_rate": {"choice": [0.5, 2.0]},
    "weights": {"*": {"uniform": [-1, 1], "decimals": 1, "exclude": [0]}, "w5_3": 0.3},
    "samples": [{"inputs": {"uniform": [0, 1], "decimals": 2}, "targets": [0.5]}],
}


def problems_of(doc):
    with pytest.raises(TemplateError) as caught:
        Template.from_mapping(doc)
    return [str(p) for p in caught.value.problems]


def test_wildcards_expand_to_every_weight_and_input():
    template = Template.from_mapping(BASE)
    pointers = [p for p, _ in template.slots]
    assert "/weights/w3_1" in pointers and "/weights/w5_4" in pointers
    assert "/samples/0/inputs/1" in pointers and "/samples/0/targets/0" in pointers
    doc = template.resolve(Draws(template.content_hash, 1, "s001", 0))
    assert doc["weights"]["w5_3"] == 0.3
    assert set(doc["weights"]) == {"w3_1", "w3_2", "w4_1", "w4_2", "w5_3", "w5_4"}
    assert len(doc["samples"][0]["inputs"]) == 2 and doc["learning_rate"] in (0.5, 2.0)


def test_rule_errors_name_the_field():
    doc = dict(BASE, weights={"*": {"uniform": [-1, 1], "decimals": 1}, "w3_1": {"uniform": [1, 0], "decimals": 1}})
    assert "/weights/w3_1: uniform needs low < high, got [1, 0]" in problems_of(doc)


def test_exercise_errors_name_the_field():
    assert any(
        p.startswith("/weights/w6_1: unexpected weight")
        for p in problems_of(dict(BASE, weights={"*": {"uniform": [-1, 1], "decimals": 1}, "w6_1": 0.2}))
    )
    assert any(
        p.startswith("/activation: unknown activation 'sigmod'")
        for p in problems_of(dict(BASE, activation={"choice": ["sigmoid", "sigmod"]}))
    )


def test_extremes_of_a_rule_are_validated():
    found = problems_of(dict(BASE, learning_rate={"uniform": [0, 1], "decimals": 1}))
    assert any(p.startswith("/learning_rate: must be positive") and "can draw 0" in p for p in found)


def test_structure_cannot_be_random():
    found = problems_of(dict(BASE, loss={"choice": ["half_sse", "sse"]}))
    assert any(p.startswith("/loss: loss must be fixed in a template") for p in found)


def test_constraints_block_is_checked():
    found = problems_of(dict(BASE, constraints={"max_net_input": -1, "bogus": 1, "distinguish": {"nope": False}}))
    assert any(p.startswith("/constraints/max_net_input: must be a number >= 0") for p in found)
    assert any(p.startswith("/constraints/bogus: unknown constraint") for p in found)
    assert any(p.startswith("/constraints/distinguish/nope: unknown misconception") for p in found)
    template = Template.from_mapping(
        dict(BASE, constraints={"min_slope": False, "distinguish": {"missing_learning_rate": False}})
    )
    assert template.constraints.min_slope is None
    assert "missing_learning_rate" not in template.constraints.distinguish


def test_content_hash_ignores_layout_but_not_content():
    text = yaml.safe_dump(BASE)
    same = "# a comment\n" + yaml.safe_dump(BASE, default_flow_style=True, width=40)
    changed = yaml.safe_dump(dict(BASE, title="u"))
    assert parse_template(text).content_hash == parse_template(same).content_hash
    assert parse_template(text).content_hash != parse_template(changed).content_hash


def test_yaml_syntax_errors_are_template_errors():
    with pytest.raises(TemplateError, match="not valid YAML"):
        parse_template("layers: [2, 2")
