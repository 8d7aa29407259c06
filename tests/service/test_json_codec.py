"""Writing JSON with orjson: the same documents as the standard library, huge integers included."""

from __future__ import annotations

import json

import pytest

from grader.service import json_codec


@pytest.mark.parametrize(
    "document",
    [
        {"z3": 0.755, "y3": "0,6803", "message": "δ₅ = (y − t)·y(1 − y)", "zh": "正确"},
        {"tiny": 1e-05, "third": 1 / 3, "negative": -0.0, "none": None, "flags": [True, False]},
        {"huge": 10**300, "beyond_64_bits": 2**64 + 1},
    ],
)
def test_documents_read_back_unchanged(document):
    text = json_codec.dumps(document)
    assert json.loads(text) == document
    assert json.loads(json_codec.encode(document).decode("utf-8")) == document


def test_non_ascii_is_written_as_it_is():
    assert json_codec.dumps({"m": "正确"}) == '{"m":"正确"}'


def test_an_integer_beyond_64_bits_keeps_every_digit():
    assert json_codec.dumps([2**70]) == f"[{2**70}]"


def test_a_submission_of_a_huge_integer_answer_is_echoed_exactly(client, auth, seed_set, submit):
    response = submit(seed_set["id"], "s1", {"z3": 10**300})
    assert response.status_code == 201, response.json
    assert f'"z3":{10**300}'.encode() in response.data.replace(b" ", b"")
    assert response.json["results"]["z3"]["verdict"] == "incorrect"
