"""Stable draws: pinned values, so a change of Python, numpy or machine can never change a variant."""

from __future__ import annotations

from collections import Counter

from grader.generation.draws import Draws, content_hash, digest


def test_pinned_draws_never_change():
    # Pinned: if these change, every stored variant would change. Do not "fix" them.
    draws = Draws("cd50bb315e7d", 42, "s001", 0)
    assert digest("a", 1, "b").hex() == "7931f823c3c09c216d4a216d8fa9e8ee"
    assert [draws.index("/weights/w3_1", 1000), draws.index("/weights/w3_2", 1000)] == [326, 593]
    assert content_hash("{}") == "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"


def test_every_part_of_the_source_matters():
    base = Draws("hash", 1, "s001", 0)
    others = [
        Draws("other", 1, "s001", 0),
        Draws("hash", 2, "s001", 0),
        Draws("hash", 1, "s002", 0),
        Draws("hash", 1, "s001", 1),
    ]
    values = {d.index("/weights/w3_1", 2**60) for d in [base, *others]}
    assert len(values) == 5
    assert base.index("/weights/w3_1", 2**60) != base.index("/weights/w3_2", 2**60)


def test_indexes_are_roughly_uniform():
    draws = Draws("hash", 7, "s001", 0)
    counts = Counter(draws.index(f"/p/{k}", 4) for k in range(4000))
    assert set(counts) == {0, 1, 2, 3}
    assert all(850 < n < 1150 for n in counts.values())
