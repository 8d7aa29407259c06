"""Worksheets and answer keys: well-formed HTML, every asked key in order, the walk-through's numbers."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from grader.worksheets.notation import fixed, symbol
from grader.worksheets.render import render, render_body, render_page
from grader.worksheets.sheet import build_sheet

VOID = {"meta", "br", "img", "hr", "input", "link"}
SVG_LEAVES = {"line", "circle", "rect", "path"}


class Checker(HTMLParser):
    """Checks that tags nest and close, and collects data-key attributes in document order."""

    def __init__(self):
        super().__init__()
        self.stack, self.keys, self.errors, self.svgs = [], [], [], 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if "data-key" in attributes:
            self.keys.append(attributes["data-key"])
        self.svgs += tag == "svg"
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()


def check(html):
    checker = Checker()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    return checker


def test_worksheet_html_asks_every_key_in_order(variants):
    for variant in variants:
        html = render(variant, "worksheet", "html")
        assert html.startswith("<!DOCTYPE html>") and "@page { size: A4" in html
        checker = check(html)
        assert checker.keys == variant.trace.asked_keys()
        assert checker.svgs == 1
        givens = {fixed(s.value) for s in variant.trace.steps.values() if s.phase == "given"}
        for key in variant.trace.asked_keys():  # no answer leaks onto a worksheet
            value = fixed(variant.trace[key])
            assert value in givens or f">{value}<" not in html


def test_answer_key_html_has_every_step_and_value(variants):
    for variant in variants:
        html = render(variant, "answer_key", "html")
        checker = check(html)
        computed = [k for k, s in variant.trace.steps.items() if s.phase != "given"]
        assert checker.keys == computed
        for key in variant.trace.asked_keys():
            assert f'<td class="value">{fixed(variant.trace[key])}</td>' in html


def test_set_page_puts_each_variant_on_its_own_pages(variants):
    bodies = [render_body(build_sheet(v), "worksheet", "html") for v in variants]
    html = render_page(bodies, "html", "set")
    checker = check(html)
    assert checker.svgs == len(variants)
    assert html.count("<article") == len(variants)
    assert "article + article { break-before: page;" in html


def test_markdown_worksheet_and_answer_key(variants):
    variant = variants[0]
    sheet = build_sheet(variant)
    worksheet = render(sheet, "worksheet", "md")
    key = render(sheet, "answer_key", "md")
    assert "![Network " in worksheet and "](network.svg)" in worksheet
    grid = re.findall(r"^\| (\S[^|]*?) \| \|$", worksheet, flags=re.M)
    assert grid == [symbol(k) for k in variant.trace.asked_keys()]
    for k in variant.trace.asked_keys():
        assert f"**{fixed(variant.trace[k])}**" in key
    assert "\n\n\n\n" not in worksheet


def test_seed_answer_key_reads_like_the_tutorial(seed_exercise):
    from grader.generation import find_template, generate_variant

    html = render(generate_variant(find_template("seed-classic"), 1, "s001"), "answer_key")
    assert "w₃₁·y₁ + w₃₂·y₂" in html and "0.1·0.35 + 0.8·0.9" in html and ">0.755<" in html
    assert ">0.0406811<" in html and ">0.272326<" in html and ">0.0165654<" in html
