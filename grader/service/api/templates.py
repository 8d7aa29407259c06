"""``GET /templates``: the exercise template catalogue."""

from __future__ import annotations

from grader.service.api import Blueprint
from grader.service.api.context import caller, errors
from grader.service.facade import catalogue
from grader.service.schemas.templates import TemplateDetailSchema, TemplateSchema

blp = Blueprint("Templates", __name__, description="The catalogue of exercise templates sets are made from.")


@blp.route("/templates")
@blp.response(200, TemplateSchema(many=True))
@errors(blp, 401)
def list_templates():
    """Every catalogue template: name, title, description, objective, difficulty, shape."""
    caller()
    return catalogue.list_templates()


@blp.route("/templates/<string:name>")
@blp.response(200, TemplateDetailSchema)
@errors(blp, 401, 404)
def get_template(name: str):
    """One template, with its document."""
    caller()
    return catalogue.get_template(name)
