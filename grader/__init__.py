"""BP Grader: grades students' hand calculations of back-propagation, step by step."""

__version__ = "0.1.0"
