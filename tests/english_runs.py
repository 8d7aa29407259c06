"""Find English left in a Chinese page: the visible text and the texts read aloud (alt, title, aria-label,
placeholder), minus formulas, step keys and proper names.

A "run" is one Latin word or more in a row.  What is allowed:

- anything inside an element marked as a formula or a key (class ``formula``, ``key``, ``sym``, ``work``,
  ``num``, ``<code>``, ``<pre>``, ``<kbd>``, ``<math>``), and the contents of ``<style>``/``<script>``;
- words that are formula notation (sigmoid, tanh, ReLU, leaky ReLU, softmax, ln, max, e), step keys (z3,
  delta5, grad_w5_3, it2.E) and the names of things (BP Grader, Moodle, LMS, CSV, YAML, JSON, API, URL, ID, M-P);
- user content the test itself typed (passed as ``allowed``).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

SKIP_TAGS = {"style", "script", "code", "pre", "kbd", "math", "textarea"}
SKIP_CLASSES = {"formula", "key", "sym", "work", "num", "value", "mono"}
READ_ATTRIBUTES = ("alt", "title", "aria-label", "placeholder")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

# Formula notation, units and proper names that a Chinese text writes in Latin letters too.
NAMES = {
    "sigmoid",
    "english",
    # derivative notation as the feedback writes it: delta = dE/dz, dE/dw
    "delta",
    "de",
    "dz",
    "dw",
    "dy",
    "db",
    "tanh",
    "relu",
    "leaky",  # leaky ReLU and softmax are written in Latin letters in Chinese texts too
    "softmax",
    "ln",
    "max",
    "exp",
    "e",
    "f",
    "bp",
    "grader",
    "moodle",
    "lms",
    "csv",
    "yaml",
    "json",
    "api",
    "url",
    "id",
    "m-p",
    "lti",
    "svg",
    "html",
    "pdf",
    "a4",
    "utc",
    "ok",
    "xml",
    "sse",
    "mse",
}
KEY = re.compile(r"^(?:it\d+\.)?(?:s\d+\.)?(?:E|[zyb]\d+|delta\d+|(?:grad_|new_)?[wb]\d+(?:_\d+)?|t\d*)$")
WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-']*")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[bool] = []  # per open element: is its content skipped?
        self.chunks: list[str] = []

    def _skipped(self) -> bool:
        return any(self.stack)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = set((attributes.get("class") or "").split())
        skip = tag in SKIP_TAGS or bool(classes & SKIP_CLASSES) or attributes.get("translate") == "no"
        if not self._skipped() and not skip:
            for name in READ_ATTRIBUTES:
                if attributes.get(name):
                    self.chunks.append(attributes[name])
            if tag == "input" and attributes.get("type") in ("submit", "button") and attributes.get("value"):
                self.chunks.append(attributes["value"])
        if tag not in VOID:
            self.stack.append(skip)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag not in VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not self._skipped():
            self.chunks.append(data)


def visible_texts(html: str) -> list[str]:
    """The texts a reader sees or hears, outside formulas and keys."""
    parser = _Text()
    parser.feed(html)
    return [chunk.strip() for chunk in parser.chunks if chunk.strip()]


def is_allowed(word: str, allowed: set[str]) -> bool:
    bare = word.strip(".-'")
    return (
        bare.lower() in NAMES
        or bool(KEY.match(bare))
        or bare in allowed
        or len(bare) == 1  # a variable: y, t, w, z, n, i, j
        or bool(re.fullmatch(r"[a-zA-Z]\d*", bare))
        or bool(re.fullmatch(r"[0-9a-f]{10,}", bare))  # variant ids and hashes
        or bool(re.fullmatch(r"[\d.]+e[-+]?\d+", bare))  # 1e-4
    )


def english_runs(html: str, allowed: set[str] = frozenset()) -> list[str]:
    """Every run of English words in the page's visible text, with a little context."""
    found = []
    for text in visible_texts(html):
        words = [
            m for m in WORD.finditer(text) if re.search("[A-Za-z]", m.group(0)) and not is_allowed(m.group(0), allowed)
        ]
        if words:
            found.append(f"{' '.join(w.group(0) for w in words)!r} in {text[:120]!r}")
    return found
