"""The template catalogue as the API lists it."""

from __future__ import annotations

import functools
from typing import Any

import yaml

from grader.generation import Template, catalogue_template, template_names
from grader.service.facade.errors import NotFound


def describe(template: Template, with_document: bool = False, language: str = "en") -> dict[str, Any]:
    """A template's summary: name, texts (in ``language``), shape and whether its numbers vary per student."""
    doc = template.document
    out = {
        "name": template.name,
        "title": template.text("title", language),
        "description": template.text("description", language),
        "objective": template.text("objective", language),
        "difficulty": doc.get("difficulty", "introductory"),
        "layers": doc.get("layers"),
        "ask": doc.get("ask", []),
        "random": template.random,
        "content_hash": template.content_hash,
    }
    if with_document:
        out["document"] = yaml.safe_load(template.source)
    return out


@functools.cache
def _catalogue() -> dict[str, Template]:
    # The catalogue ships inside the package and does not change while the process runs.
    return {name: catalogue_template(name) for name in template_names()}


def list_templates(language: str = "en") -> list[dict[str, Any]]:
    """Every catalogue template, by name, its texts in ``language``."""
    return [describe(template, language=language) for template in _catalogue().values()]


def get_template(name: str) -> dict[str, Any]:
    """One catalogue template with its document, or ``NotFound``."""
    templates = _catalogue()
    if name not in templates:
        raise NotFound(f"no template {name!r}; known: {', '.join(templates)}")
    return describe(templates[name], with_document=True)
