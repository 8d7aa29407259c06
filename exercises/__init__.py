"""The exercise template catalogue, shipped as the package ``grader.exercises``."""
