"""The service facade (in the spirit of nbgrader's Gradebook): every operation on the database.

Blueprints, the CLI and the web pages call these functions with a SQLAlchemy session; they
hold the rules (who sees what, attempts, idempotency, versioned policies) so that no caller has
to.  Each module is one concept: ``keys``, ``catalogue``, ``exercise_sets``, ``assignments``,
``submissions``, ``idempotency``, ``reports``, ``regrading``, ``limits``.
"""
