"""The reference back-propagation engine: an exercise in, a trace of every step out."""

from grader.engine.exercise import Exercise, ExerciseError, Problem, Sample
from grader.engine.loader import load_exercise, parse_exercise
from grader.engine.trace import Step, Trace, solve

ENGINE_VERSION = "1"

__all__ = [
    "ENGINE_VERSION",
    "Exercise",
    "ExerciseError",
    "Problem",
    "Sample",
    "Step",
    "Trace",
    "load_exercise",
    "parse_exercise",
    "solve",
]
