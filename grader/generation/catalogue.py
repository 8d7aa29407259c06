"""The template catalogue shipped in ``exercises/`` (the package ``grader.exercises``).

Found through importlib.resources, so it works from a checkout and after a plain ``pip install .``.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from grader.engine import Problem
from grader.generation.template import Template, TemplateError, load_template, parse_template

SUFFIXES = (".yaml", ".yml", ".json")


def _entries():
    root = resources.files("grader.exercises")
    return sorted((e for e in root.iterdir() if e.name.endswith(SUFFIXES)), key=lambda e: e.name)


def template_names() -> list[str]:
    """The names of the catalogue's templates, e.g. ``seed-classic``."""
    return [e.name.rsplit(".", 1)[0] for e in _entries()]


def catalogue_template(name: str) -> Template:
    """The catalogue template called ``name``."""
    for entry in _entries():
        if entry.name.rsplit(".", 1)[0] == name or entry.name == name:
            return parse_template(entry.read_text(encoding="utf-8"), entry.name.rsplit(".", 1)[0])
    raise TemplateError(
        [Problem.of("", "no_catalogue_template", name=repr(name), names=", ".join(template_names()))], name
    )


def catalogue() -> list[Template]:
    """Every template of the catalogue, by name."""
    return [catalogue_template(name) for name in template_names()]


def find_template(reference: str) -> Template:
    """A template by file path, or else by catalogue name."""
    path = Path(reference)
    if path.is_file():
        return load_template(path)
    if reference.endswith(SUFFIXES) and ("/" in reference or "\\" in reference):
        raise TemplateError([Problem.of("", "no_such_file", path=reference)], path.stem)
    return catalogue_template(reference)
