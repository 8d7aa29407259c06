"""The files of a generated set, written to one directory, byte-identical on every run.

::

    OUT/
      set.yaml                 manifest: template, content hash, seed, versions, one entry per student
      template.yaml            the template as it was used
      worksheets.html/.md      every student's worksheet (HTML: one per A4 page group)
      answer-keys.html/.md     every answer key
      answers.csv              student, variant, key, label, expected value
      moodle.xml               one Cloze question per variant (when a tolerance is given)
      s001/exercise.yaml       the concrete exercise (``grader solve`` reads it)
      s001/worksheet.html/.md, s001/answer-key.html/.md, s001/network.svg
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import yaml

import grader
from grader.generation import Template, Variant
from grader.worksheets.exercise_file import exercise_yaml
from grader.worksheets.moodle import moodle_xml
from grader.worksheets.notation import label
from grader.worksheets.render import render_body, render_page, set_title, sheet_title
from grader.worksheets.sheet import build_sheet


def manifest_yaml(template: Template, variants: Sequence[Variant]) -> str:
    """The set's manifest: everything needed to rebuild and to audit it."""
    first = variants[0]
    doc = {
        "template": template.name,
        "title": template.title,
        "content_hash": template.content_hash,
        "seed": first.seed,
        "engine_version": first.engine_version,
        "generator_version": first.generator_version,
        "grader_version": grader.__version__,
        "students": [
            {
                "student": v.student,
                "variant": v.id,
                "resamples": v.resamples,
                "directory": v.student,
                **({"warnings": list(v.warnings)} if v.warnings else {}),
            }
            for v in variants
        ],
    }
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100)


def answers_csv(variants: Sequence[Variant]) -> str:
    """Every asked key's expected value, one row per student and key, full precision."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["student", "variant", "key", "label", "expected"])
    for v in variants:
        for key in v.trace.asked_keys():
            writer.writerow([v.student, v.id, key, label(key), repr(v.trace[key])])
    return out.getvalue()


def write_set(
    directory: str | Path,
    template: Template,
    variants: Sequence[Variant],
    tolerance: Callable[[float], float] | None = None,
    progress: Callable[[Variant], None] | None = None,
    language: str = "en",
) -> list[Path]:
    """Write every file of the set under ``directory``; return their paths, in writing order.

    Worksheets, answer keys, diagrams and the Moodle export are in ``language`` ("en" or "zh").
    """
    root = Path(directory)
    root.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []

    def write(relative: str, text: str) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)

    sheets, bodies = [], {(k, f): [] for k in ("worksheet", "answer_key") for f in ("html", "md")}
    for variant in variants:
        sheet = build_sheet(variant, language)
        sheets.append(sheet)
        folder = variant.student
        write(f"{folder}/exercise.yaml", exercise_yaml(variant))
        write(f"{folder}/network.svg", sheet.svg)
        for (kind, fmt), collected in bodies.items():
            own = render_body(sheet, kind, fmt, "network.svg")
            write(
                f"{folder}/{kind.replace('_', '-')}.{fmt}", render_page([own], fmt, sheet_title(sheet, kind), language)
            )
            # In the set's Markdown the diagram sits in the student's folder.
            collected.append(own if fmt == "html" else own.replace("](network.svg)", f"]({folder}/network.svg)"))
        if progress:
            progress(variant)
    name = template.text("title", language)
    for (kind, fmt), collected in bodies.items():
        plural = "worksheets" if kind == "worksheet" else "answer-keys"
        write(f"{plural}.{fmt}", render_page(collected, fmt, set_title(kind, name, language), language))
    write("answers.csv", answers_csv(variants))
    if tolerance is not None:
        write("moodle.xml", moodle_xml(variants, tolerance, sheets=sheets))
    write("template.yaml", template.source)
    write("set.yaml", manifest_yaml(template, variants))
    return written
