"""Write an exercise in the browser: a form for the common case (layers, activation, loss, weights,
one sample) or the template's YAML, checked by the engine, previewed, then saved as a new set.

Works without JavaScript: the form lays out one field per weight when the layers are set ("Lay
out the weights"), and every button posts the whole form.  Each problem the engine finds comes
with a JSON pointer and is shown at its field: the form field it names, or the YAML line.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from grader.engine import Exercise, Problem
from grader.engine.activations import ACTIVATIONS
from grader.engine.exercise import BIAS_MODES, MAX_LAYER_WIDTH, MAX_LAYERS
from grader.engine.losses import LOSSES
from grader.generation import catalogue_template
from grader.generation.generator import GenerationError
from grader.service.database import get_session
from grader.service.facade import authoring, idempotency
from grader.service.facade.errors import DomainError
from grader.service.facade.exercise_sets import create_set
from grader.service.facade.idempotency import StoredResponse
from grader.service.pages import errors
from grader.service.pages.formatting import problem_html
from grader.service.pages.forms import one_time_key
from grader.service.pages.language import current_language
from grader.service.pages.signin import current_account, current_principal, protect

bp = Blueprint("editor", __name__)
errors.register(bp)
protect(bp)

STARTER = "seed-classic"  # the YAML editor starts from the worked example
MODES = ("form", "yaml")
NUMBER = re.compile(r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$")
FORM_FIELDS = (
    "title",
    "title_zh",
    "layers",
    "activation",
    "loss",
    "bias",
    "learning_rate",
    "iterations",
    "inputs",
    "targets",
)


@dataclass
class ExerciseForm:
    """The form's raw values, and the problems found, by field name (``""``: the whole form)."""

    values: dict[str, str]
    layers: tuple[int, ...] | None = None
    problems: dict[str, list[str | Markup]] = field(default_factory=dict)

    def add(self, name: str, message: str | Markup) -> None:
        self.problems.setdefault(name, []).append(message)

    def weight_names(self) -> list[str]:
        return (
            Exercise(layers=self.layers, activations=(), weights={}, samples=()).weight_names() if self.layers else []
        )

    def bias_names(self) -> list[str]:
        if not self.layers or self.values.get("bias", "none") == "none":
            return []
        return Exercise(layers=self.layers, activations=(), weights={}, samples=(), bias="bias").bias_names()


def _default_form() -> ExerciseForm:
    values = {
        "title": "",
        "title_zh": "",
        "layers": "2, 2, 1",
        "activation": "sigmoid",
        "loss": "half_sse",
        "bias": "none",
        "learning_rate": "0.5",
        "iterations": "1",
        "inputs": "",
        "targets": "",
    }
    form = ExerciseForm(values)
    form.layers = (2, 2, 1)
    return form


def _read_form() -> ExerciseForm:
    """The posted form, its layers parsed (for laying out the weight fields)."""
    values = {name: request.form.get(name, "").strip() for name in FORM_FIELDS}
    for name, value in request.form.items():
        if name.startswith(("weight:", "bias:")):
            values[name] = value.strip()
    form = ExerciseForm(values)
    parts = [p for p in re.split(r"[\s,]+", values["layers"]) if p]
    if parts and all(p.isdigit() for p in parts) and 2 <= len(parts) <= MAX_LAYERS:
        layers = tuple(int(p) for p in parts)
        if all(1 <= n <= MAX_LAYER_WIDTH for n in layers):
            form.layers = layers
    if form.layers is None:
        form.add("layers", _("Nodes per layer, inputs first, e.g. 2, 2, 1: 2 to 6 layers of 1 to 16 nodes."))
    return form


def _number(form: ExerciseForm, name: str, text: str) -> float | None:
    if not text:
        form.add(name, _("Enter a number."))
        return None
    if not NUMBER.match(text.replace(",", ".")):
        form.add(name, _("“%(text)s” is not a number.", text=text))
        return None
    return float(text.replace(",", "."))


def _numbers(form: ExerciseForm, name: str, count: int) -> list[float]:
    parts = [p for p in re.split(r"[\s,;]+", form.values[name]) if p]
    values = [_number(form, name, part) for part in parts]
    if form.layers and len(parts) != count and not form.problems.get(name):
        form.add(name, _("Enter %(n)d numbers.", n=count))
    return [v for v in values if v is not None]


def _parameters(form: ExerciseForm, kind: str, names: list[str]) -> dict[str, float]:
    """{name: number} from the fields "weight:w3_1" (or "bias:b3"); unreadable ones are form problems."""
    out = {}
    for name in names:
        number = _number(form, f"{kind}:{name}", form.values.get(f"{kind}:{name}", ""))
        if number is not None:
            out[name] = number
    return out


def form_document(form: ExerciseForm) -> dict[str, Any]:
    """The template document the form describes (problems of form syntax are added to ``form``)."""
    values = form.values
    doc: dict[str, Any] = {}
    for name in ("title", "title_zh"):
        if values[name]:
            doc[name] = values[name]
    doc["layers"] = list(form.layers or [])
    doc["activation"] = values["activation"]
    doc["loss"] = values["loss"]
    doc["bias"] = values["bias"]
    rate = _number(form, "learning_rate", values["learning_rate"])
    doc["learning_rate"] = rate if rate is not None else 1.0
    iterations = values["iterations"] or "1"
    if iterations.isdigit():
        doc["iterations"] = int(iterations)
    else:
        form.add("iterations", _("Enter a whole number."))
    doc["weights"] = _parameters(form, "weight", form.weight_names())
    if form.bias_names():
        doc["biases"] = _parameters(form, "bias", form.bias_names())
    if form.layers:
        doc["samples"] = [
            {
                "inputs": _numbers(form, "inputs", form.layers[0]),
                "targets": _numbers(form, "targets", form.layers[-1]),
            }
        ]
    return doc


def _field_of(pointer: str) -> str:
    """The form field a JSON pointer of the template document names ("" for the form as a whole)."""
    parts = pointer.strip("/").split("/")
    head = parts[0]
    if head in ("weights", "biases") and len(parts) > 1:
        return f"{'weight' if head == 'weights' else 'bias'}:{parts[1]}"
    if head == "samples" and len(parts) > 2:
        return parts[2]
    if head in FORM_FIELDS:
        return head
    return ""


def _names():
    return {
        "activations": {
            "sigmoid": "sigmoid",
            "tanh": "tanh",
            "relu": "ReLU",
            "linear": _("linear"),
        },
        "losses": {
            "half_sse": "E = ½ Σ (y − t)²",
            "sse": "E = Σ (y − t)²",
            "mse": "E = (1/n) Σ (y − t)²",
            "binary_cross_entropy": "E = −Σ [t ln y + (1 − t) ln(1 − y)]",
        },
        "bias": {"none": _("none"), "bias": _("biases (z = Σ w·y + b)"), "threshold": _("thresholds (z = Σ w·y − θ)")},
    }


def _render(mode: str, form: ExerciseForm, text: str, checked=None, status: int = 200):
    shown = None
    if checked is not None and checked.ok:
        try:
            shown = authoring.preview(checked.template, current_language())
        except GenerationError as error:
            checked.problems.append(authoring.no_variant(error))
            status = 422
    yaml_problems = []
    if mode == "yaml" and checked is not None:
        lines = authoring.line_of_pointers(text)
        yaml_problems = [
            (authoring.line_of(p.pointer, lines), p.pointer or "/", problem_html(p)) for p in checked.problems
        ]
    activations = [a for a in ACTIVATIONS if a in _names()["activations"]] or list(ACTIVATIONS)
    return (
        render_template(
            "instructor/editor.html",
            account=current_account(),
            mode=mode,
            form=form,
            text=text,
            yaml_problems=yaml_problems,
            preview=shown,
            diagram=Markup(shown.svg) if shown else None,
            names=_names(),
            activations=activations,
            losses=[loss for loss in LOSSES if loss in _names()["losses"]] or list(LOSSES),
            bias_modes=BIAS_MODES,
            request_key=request.form.get("request_key") or str(uuid.uuid4()),
        ),
        status,
    )


@bp.route("/exercises/new", methods=["GET"])
def new_exercise():
    """The editor: the form (``?mode=form``, the default) or the YAML text (``?mode=yaml``)."""
    mode = request.args.get("mode", "form")
    mode = mode if mode in MODES else "form"
    return _render(mode, _default_form(), catalogue_template(STARTER).source)


@bp.route("/exercises/new", methods=["POST"])
def post_exercise():
    """Lay out the weight fields, check and preview, switch to YAML, or save as a new set."""
    mode = request.form.get("mode", "form")
    mode = mode if mode in MODES else "form"
    action = request.form.get("action", "preview")
    max_steps = current_app.config["MAX_TRACE_STEPS"]
    form = _read_form() if mode == "form" else _default_form()
    text = request.form.get("yaml", "")
    if mode == "form":
        if action == "layout":
            return _render(mode, form, text)
        document = form_document(form)
        if action == "to_yaml":
            return _render("yaml", form, authoring.to_yaml(document))
        checked = authoring.check_document(document, max_steps) if not form.problems else None
        if checked is not None:
            for problem in checked.problems:
                form.add(_field_of(problem.pointer), problem_html(problem))
    else:
        checked = authoring.check_text(text, max_steps)
    failed = bool(form.problems) or checked is None or not checked.ok
    if failed or action != "save":
        return _render(mode, form, text, checked, 422 if failed else 200)
    return _save(checked, mode, form, text)


def _save(checked, mode: str, form: ExerciseForm, text: str):
    session = get_session()
    document = checked.document
    title = checked.template.text("title", current_language())

    def work() -> StoredResponse:
        created = create_set(
            session,
            current_account(),
            {"template_document": document, "title": title, "seed": None},
            current_app.config["MAX_TRACE_STEPS"],
        )
        return StoredResponse(201, {"id": created.id, "title": created.title}, None)

    try:
        # The page's one-time key makes a double click save one set, not two.
        stored, _replayed = idempotency.run(
            session,
            current_principal().scope,
            one_time_key(request.form.get("request_key")),
            idempotency.fingerprint(request.method, request.path, request.get_data()),
            work,
        )
    except DomainError as error:
        session.rollback()
        detail = errors.explain(error)[1]
        checked.problems.append(Problem("", detail))
        if mode == "form":
            form.add("", detail)
        return _render(mode, form, text, checked, 422)
    flash(
        _("Created the set “%(title)s”. Add students to hand out their variants.", title=stored.body["title"]),
        "success",
    )
    return redirect(url_for("set_page.show", set_id=stored.body["id"]))
