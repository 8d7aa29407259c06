"""The service facade (in the spirit of nbgrader's Gradebook): every operation on the database.

Blueprints, the CLI and the web pages call these functions with a SQLAlchemy session and parsed
input; they hold the rules (who sees what, attempts, idempotency, versioned policies) so that no
caller has to.  The facade speaks the domain: it raises the errors of ``errors`` and never an
HTTP error; ``api/`` and ``pages/`` each map those once.  Each module is one concept:
``errors``, ``principals`` (the caller and which sets it sees), ``keys``, ``signin``,
``catalogue``, ``exercise_sets``, ``assignments``, ``targets``, ``submissions``, ``attempts``,
``idempotency``, ``student_records``, ``reports``, ``regrading``, ``sheets``, ``limits``.
"""
