"""Every bad exercise file gets an error naming the field (a JSON pointer) and the problem."""

from __future__ import annotations

import copy
import json

import pytest
import yaml

from grader.engine import Exercise, ExerciseError, keys, load_exercise, parse_exercise, solve


@pytest.fixture
def seed_doc(seed_path) -> dict:
    return yaml.safe_load(seed_path.read_text(encoding="utf-8"))


@pytest.fixture
def seed_text(seed_path) -> str:
    return seed_path.read_text(encoding="utf-8")


def problems_of(doc) -> dict[str, str]:
    """pointer -> message of every problem in a parsed document (parse_exercise, which also checks ask)."""
    with pytest.raises(ExerciseError) as caught:
        parse_exercise(json.dumps(doc), "doc.json")
    found = {p.pointer: p.message for p in caught.value.problems}
    assert len(found) == len(caught.value.problems), "one problem per field"
    return found


def text_problems(text: str, source: str = "bad.yaml") -> dict[str, str]:
    with pytest.raises(ExerciseError) as caught:
        parse_exercise(text, source)
    return {p.pointer: p.message for p in caught.value.problems}


def changed(doc: dict, change) -> dict:
    doc = copy.deepcopy(doc)
    change(doc)
    return doc


def test_seed_file_loads(seed_exercise):
    assert seed_exercise.layers == (2, 2, 1)
    assert seed_exercise.activations == ("sigmoid", "sigmoid")
    assert seed_exercise.weights == {"w3_1": 0.1, "w3_2": 0.8, "w4_1": 0.4, "w4_2": 0.6, "w5_3": 0.3, "w5_4": 0.9}
    assert seed_exercise.samples[0].inputs == (0.35, 0.9)
    assert seed_exercise.samples[0].targets == (0.5,)
    assert seed_exercise.ask == ("forward", "loss", "backward", "gradients", "updates")


def test_json_file_loads(seed_doc, seed_exercise, tmp_path):
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(seed_doc), encoding="utf-8")
    exercise = load_exercise(path)
    assert exercise == seed_exercise
    assert solve(exercise).values == solve(seed_exercise).values


def test_round_trip(seed_exercise):
    assert Exercise.from_mapping(seed_exercise.to_mapping()) == seed_exercise


def test_missing_weight(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d["weights"].pop("w5_3")))
    assert found == {"/weights/w5_3": "missing weight w5_3"}


def test_extra_weight(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d["weights"].update(w6_1=0.5)))
    assert list(found) == ["/weights/w6_1"]
    assert "unexpected weight 'w6_1'" in found["/weights/w6_1"]
    assert "w3_1, w3_2, w4_1, w4_2, w5_3, w5_4" in found["/weights/w6_1"]


def test_input_count(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d["samples"][0].update(inputs=[0.35, 0.9, 0.1])))
    assert found == {"/samples/0/inputs": "needs 2 inputs to match the layers, got 3"}


def test_target_count(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d["samples"][0].update(targets=[0.5, 0.5])))
    assert found == {"/samples/0/targets": "needs 1 targets to match the layers, got 2"}


def test_unknown_activation(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(activation="swish")))
    assert list(found) == ["/activation"]
    assert "unknown activation 'swish'" in found["/activation"]
    assert "sigmoid, tanh, relu, leaky_relu, linear, softmax" in found["/activation"]


def test_softmax_is_for_the_output_layer_only(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(activation="softmax")))
    assert found == {"/activation": "softmax is for the output layer only"}
    found = problems_of(changed(seed_doc, lambda d: d.update(activation=["softmax", "sigmoid"])))
    assert found == {"/activation/0": "softmax is for the output layer only"}
    # The seed has one output: softmax of one node is always 1.
    found = problems_of(changed(seed_doc, lambda d: d.update(activation=["sigmoid", "softmax"])))
    assert found == {"/activation/1": "softmax needs two or more outputs"}


def _two_outputs(doc: dict, targets: list, loss: str = "cross_entropy", output: str = "softmax") -> None:
    doc.update(layers=[2, 2, 2], activation=["sigmoid", output], loss=loss)
    doc["weights"].update(w6_3=0.2, w6_4=-0.5)
    doc["weights"]["w5_3"], doc["weights"]["w5_4"] = 0.3, 0.9
    doc["samples"][0]["targets"] = targets


@pytest.mark.parametrize(
    ("targets", "message"),
    [
        ([0.5, 0.4], "cross_entropy needs targets that sum to 1 (one-hot or a distribution), got a sum of 0.9"),
        ([1.5, -0.5], "cross_entropy needs targets between 0 and 1 (one-hot or a distribution), got [1.5, -0.5]"),
    ],
)
def test_cross_entropy_targets_must_be_a_distribution(seed_doc, targets, message):
    found = problems_of(changed(seed_doc, lambda d: _two_outputs(d, targets)))
    assert found == {"/samples/0/targets": message}


def test_cross_entropy_accepts_one_hot_and_distributions(seed_doc):
    for targets in ([0, 1], [0.25, 0.75], [0.1, 0.9]):
        Exercise.from_mapping(changed(seed_doc, lambda d, t=targets: _two_outputs(d, t)))


def test_loss_needs_its_outputs(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: _two_outputs(d, [0, 1], output="tanh")))
    assert found == {"/loss": "cross_entropy needs a softmax or sigmoid output layer, so that 0 < y < 1"}


@pytest.mark.parametrize("slope", [0, 1, -0.1, "steep"])
def test_leaky_slope_is_checked(seed_doc, slope):
    found = problems_of(changed(seed_doc, lambda d: d.update(activation="leaky_relu", leaky_slope=slope)))
    assert list(found) == ["/leaky_slope"]


def test_unknown_activation_in_a_list(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(activation=["tanh", "step"])))
    assert list(found) == ["/activation/1"]
    assert "unknown activation 'step'" in found["/activation/1"]


def test_activation_list_of_the_wrong_length(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(activation=["tanh"])))
    assert "a list of 2 (one per non-input layer)" in found["/activation"]


def test_activation_that_is_not_a_name(seed_doc):
    # A list where a name belongs must be reported, not crash a dictionary lookup.
    found = problems_of(changed(seed_doc, lambda d: d.update(activation=[["sigmoid"], "sigmoid"])))
    assert "unknown activation ['sigmoid']" in found["/activation/0"]


def test_unknown_loss(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(loss="hinge")))
    assert list(found) == ["/loss"]
    assert "unknown loss 'hinge'" in found["/loss"]
    assert "half_sse, sse, mse, binary_cross_entropy" in found["/loss"]


def test_cross_entropy_needs_a_sigmoid_output(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(loss="binary_cross_entropy", activation="tanh")))
    assert "needs a sigmoid output layer" in found["/loss"]


@pytest.mark.parametrize(
    ("old", "new", "pointer"),
    [
        ("w5_3: 0.3", "w5_3: .nan", "/weights/w5_3"),
        ("w5_3: 0.3", "w5_3: .inf", "/weights/w5_3"),
        ("inputs: [0.35, 0.9]", "inputs: [0.35, -.inf]", "/samples/0/inputs/1"),
        ("targets: [0.5]", "targets: [.NaN]", "/samples/0/targets/0"),
        ("learning_rate: 1.0", "learning_rate: .inf", "/learning_rate"),
        ("w5_3: 0.3", "w5_3: 1" + "0" * 400, "/weights/w5_3"),  # an integer too large for a float
    ],
)
def test_non_finite_number_in_yaml(seed_text, old, new, pointer):
    found = text_problems(seed_text.replace(old, new))
    assert list(found) == [pointer]
    assert found[pointer].startswith("must be a finite number")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_number_in_json(seed_doc, literal):
    text = json.dumps(seed_doc).replace('"w3_2": 0.8', f'"w3_2": {literal}')
    assert literal in text
    found = text_problems(text, "bad.json")
    assert list(found) == ["/weights/w3_2"]
    assert found["/weights/w3_2"].startswith("must be a finite number")


@pytest.mark.parametrize(
    ("old", "new"), [("layers: [2, 2, 1]", "layers: [2, .inf, 1]"), ("layers: [2, 2, 1]", "layers: [2, .nan, 1]")]
)
def test_non_finite_layer_width(seed_text, old, new):
    found = text_problems(seed_text.replace(old, new))
    assert list(found) == ["/layers"]
    assert "must be a list of whole numbers" in found["/layers"]


@pytest.mark.parametrize("value", [".inf", ".nan", "2.5", "0", "1001"])
def test_bad_iterations(seed_text, value):
    found = text_problems(seed_text.replace("iterations: 1", f"iterations: {value}"))
    assert list(found) == ["/iterations"]
    assert "must be a whole number from 1 to 1000" in found["/iterations"]


@pytest.mark.parametrize("layers", [[2], []])
def test_fewer_than_two_layers(seed_doc, layers):
    found = problems_of(changed(seed_doc, lambda d: d.update(layers=layers)))
    assert found == {"/layers": f"needs between 2 and 6 layers, got {len(layers)}"}


def test_missing_layers(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.pop("layers")))
    assert "required" in found["/layers"]


@pytest.mark.parametrize("biases", [{"b3": 0.1}, 0, False, [0.1]])
def test_bias_given_when_bias_is_none(seed_doc, biases):
    found = problems_of(changed(seed_doc, lambda d: d.update(biases=biases)))
    assert found == {"/biases": "biases are given but bias is 'none'; set bias: bias or bias: threshold"}


def test_missing_and_extra_bias(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(bias="threshold", biases={"b3": 0.1, "b4": 0.2, "b9": 1})))
    assert found["/biases/b5"] == "missing bias b5"
    assert "unexpected bias 'b9'" in found["/biases/b9"]
    assert "b3, b4, b5" in found["/biases/b9"]


def test_unknown_top_level_field(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(momentum=0.9)))
    assert list(found) == ["/momentum"]
    assert "unknown field 'momentum'" in found["/momentum"]
    assert "learning_rate" in found["/momentum"]


def test_unknown_sample_field(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d["samples"][0].update(weight=2)))
    assert list(found) == ["/samples/0/weight"]
    assert "unknown field 'weight'" in found["/samples/0/weight"]


def test_ask_for_a_step_that_does_not_exist(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(ask=["z3", "z6"])))
    assert list(found) == ["/ask/1"]
    message = found["/ask/1"]
    assert "no step 'z6'" in message
    valid = message.partition("valid keys: ")[2].split(", ")
    assert valid[:3] == ["z3", "y3", "z4"]
    assert valid[-1] == "it2.E"
    assert "grad_w5_3" in valid


def test_ask_for_something_that_is_not_a_key(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(ask=["forward", "everything"])))
    assert "'everything' is neither a phase" in found["/ask/1"]


def test_malformed_yaml():
    found = text_problems("layers: [2, 2\nweights: {w3_1: 0.1")
    assert list(found) == [""]
    assert "bad.yaml is not valid YAML/JSON" in found[""]


def test_malformed_json(seed_doc):
    found = text_problems(json.dumps(seed_doc)[:-5], "bad.json")
    assert "bad.json is not valid YAML/JSON" in found[""]


@pytest.mark.parametrize("text", ["- 1\n- 2\n", "just words\n", "", "42\n"])
def test_document_that_is_not_a_mapping(text):
    assert text_problems(text) == {"": "an exercise must be a mapping of fields"}


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda d: d["weights"].update(w5_3=True), "/weights/w5_3"),
        (lambda d: d.update(learning_rate=False), "/learning_rate"),
        (lambda d: d["samples"][0].update(inputs=[True, 0.9]), "/samples/0/inputs/0"),
        (lambda d: d["samples"][0].update(targets=["0.5"]), "/samples/0/targets/0"),
    ],
)
def test_not_a_number(seed_doc, change, pointer):
    found = problems_of(changed(seed_doc, change))
    assert list(found) == [pointer]
    assert found[pointer].startswith("must be a number, got ")


def test_yaml_bool_words_are_not_numbers(seed_text):
    # YAML 1.1 reads "yes" as true; it must not become the learning rate 1.
    found = text_problems(seed_text.replace("learning_rate: 1.0", "learning_rate: yes"))
    assert found == {"/learning_rate": "must be a number, got True"}


def test_bools_are_not_layer_widths(seed_doc):
    found = problems_of(changed(seed_doc, lambda d: d.update(layers=[2, True, 1])))
    assert "must be a list of whole numbers" in found["/layers"]


@pytest.mark.parametrize(("literal", "value"), [("1e-3", 0.001), ("2E-1", 0.2), ("1.0e-2", 0.01), ("5e0", 5.0)])
def test_exponent_floats_are_numbers(seed_text, literal, value):
    # PyYAML's YAML 1.1 would read 1e-3 as a string; exercise authors mean a number.
    exercise = parse_exercise(seed_text.replace("learning_rate: 1.0", f"learning_rate: {literal}"), "ok.yaml")
    assert exercise.learning_rate == value


@pytest.mark.parametrize(
    ("change", "step"),
    [
        # A linear network with a huge weight: z3 is finite but E = 1/2 (y5 - t)^2 overflows.
        (lambda d: d.update(activation="linear", weights={**d["weights"], "w3_1": 1e300}), "E"),
        # Cross-entropy with a sigmoid output that rounds to exactly 1.0: ln(1 - y) is -inf.
        (lambda d: d.update(loss="binary_cross_entropy", weights={**d["weights"], "w5_3": 80.0}), "E"),
    ],
)
def test_overflowing_exercise(seed_doc, change, step):
    found = problems_of(changed(seed_doc, change))
    assert list(found) == [""]
    assert found[""].startswith(f"step {step} is inf")


def test_every_problem_is_reported_at_once(seed_doc):
    def many(d):
        d["weights"].pop("w4_2")
        d["loss"] = "l1"
        d["samples"][0]["inputs"] = [0.1]
        d["colour"] = "red"

    found = problems_of(changed(seed_doc, many))
    assert set(found) == {"/weights/w4_2", "/loss", "/samples/0/inputs", "/colour"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("bias", "offset"),
        ("update", "minibatch"),
        ("batch_reduction", "median"),
        ("delta_convention", "dz/dE"),
        ("difficulty", "hard"),
    ],
)
def test_unknown_choice(seed_doc, field, value):
    found = problems_of(changed(seed_doc, lambda d: d.update({field: value})))
    assert list(found) == [f"/{field}"]
    assert f"unknown {field} {value!r}" in found[f"/{field}"]


def test_unreadable_file(tmp_path):
    with pytest.raises(ExerciseError) as caught:
        load_exercise(tmp_path / "absent.yaml")
    assert caught.value.problems[0].pointer == ""
    assert "cannot read" in caught.value.problems[0].message


def test_problem_text_names_the_pointer(seed_doc):
    with pytest.raises(ExerciseError) as caught:
        parse_exercise(json.dumps(changed(seed_doc, lambda d: d["weights"].pop("w5_3"))), "x.json")
    assert "/weights/w5_3: missing weight w5_3" in str(caught.value)


def test_an_exercise_too_big_to_grade_is_refused(seed_doc):
    wide = [16] * 6
    doc = changed(
        seed_doc,
        lambda d: d.update(
            layers=wide,
            weights=dict.fromkeys(keys.weight_names(wide), 0.1),
            samples=[{"inputs": [0.1] * 16, "targets": [0.5] * 16}] * 16,
            iterations=1000,
        ),
    )
    problems = problems_of(doc)
    assert "more than 50,000" in problems["/iterations"]


def test_a_hundred_iterations_of_the_seed_are_fine(seed_doc):
    doc = changed(seed_doc, lambda d: d.update(iterations=100))
    assert len(solve(Exercise.from_mapping(doc)).steps) > 2000
