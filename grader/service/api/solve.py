"""``POST /solve``: the reference solution of an inline exercise (instructors)."""

from __future__ import annotations

import math

from flask import current_app

from grader.engine import ENGINE_VERSION, Exercise, ExerciseError, solve
from grader.service.api import Blueprint
from grader.service.api.context import caller, errors, language
from grader.service.facade.limits import check_size
from grader.service.problems import ProblemError, body_errors
from grader.service.rate_limits import expensive
from grader.service.schemas.templates import SolveRequestSchema, SolveSchema

blp = Blueprint("Solve", __name__, description="Reference solutions of inline exercises.")


@blp.route("/solve", methods=["POST"])
@blp.arguments(SolveRequestSchema)
@blp.response(200, SolveSchema)
@errors(blp, 401, 403, 415)
@expensive("solve")
def solve_exercise(body):
    """Every step of an exercise: value, phase, inputs and formula. Instructor or admin key."""
    caller().require_staff()
    document = body["exercise"]
    check_size(document, current_app.config["MAX_TRACE_STEPS"], "#/exercise")
    try:
        exercise = Exercise.from_mapping(document)
        trace = solve(exercise)
        asked = trace.asked_keys()
    except ExerciseError as error:
        raise ProblemError(
            422,
            "invalid-exercise",
            "the exercise cannot be used",
            body_errors(error.problems, "exercise", language=language()),
        ) from None
    except (ArithmeticError, ValueError) as error:
        # e.g. ln(0) in cross-entropy at a saturated output
        raise ProblemError(422, "invalid-exercise", f"the exercise cannot be solved: {error}") from None
    if not all(math.isfinite(v) for v in trace.values.values()):
        raise ProblemError(422, "invalid-exercise", "the exercise's numbers overflow float64 somewhere in the trace")
    steps = []
    for key, step in trace.steps.items():
        if step.phase == "given":
            continue
        formula, substituted = step.rule.explain(step.inputs, [trace[k] for k in step.inputs])
        steps.append(
            {
                "key": key,
                "phase": step.phase,
                "kind": step.kind,
                "inputs": list(step.inputs),
                "value": step.value,
                "formula": formula,
                "substituted": substituted,
            }
        )
    return {
        "exercise": exercise.to_mapping(),
        "values": trace.values,
        "asked": asked,
        "steps": steps,
        "engine_version": ENGINE_VERSION,
    }
