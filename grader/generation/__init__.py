"""Exercise templates and per-student variants: random rules, hand-computability, the catalogue.

``find_template("seed-classic")`` or ``load_template(path)`` gives a Template; ``generate_set(template,
seed, students)`` gives one reproducible, hand-computable Variant per student.
"""

from grader.generation import problems as problems  # the codes, defined before any module raises them
from grader.generation.catalogue import catalogue, catalogue_template, find_template, template_names
from grader.generation.constraints import MISCONCEPTIONS, Constraints, Violation
from grader.generation.draws import GENERATOR_VERSION
from grader.generation.generator import (
    GenerationError,
    Variant,
    check_students,
    default_students,
    generate_set,
    generate_variant,
    variant_violations,
)
from grader.generation.template import Template, TemplateError, load_template, parse_template

__all__ = [
    "GENERATOR_VERSION",
    "MISCONCEPTIONS",
    "Constraints",
    "GenerationError",
    "Template",
    "TemplateError",
    "Variant",
    "Violation",
    "catalogue",
    "catalogue_template",
    "check_students",
    "default_students",
    "find_template",
    "generate_set",
    "generate_variant",
    "load_template",
    "parse_template",
    "template_names",
    "variant_violations",
]
