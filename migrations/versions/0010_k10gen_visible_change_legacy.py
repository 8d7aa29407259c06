"""Sets made before the visible_change constraint keep the rules they were made under.

Generator version 2 turns the ``visible_change`` constraint on by default.  A set stores its
template document, and a student who first opens an older set gets a variant drawn from it: under
the new default, a template drawn for version 1 may give few variants or none (its updates hide
inside the tolerance), and the student could not start.  So every stored template document that
does not say ``visible_change`` gets ``visible_change: false``, the rule it was made under, and
the set's template hash becomes that of the document it now stores.  Students who already have a
variant keep it whole (assignments store their exercise).  Downgrading leaves the documents as
they are: ``false`` is what version 1 did anyway.

Revision ID: 0010_k10gen
Revises: 0009_klti
Create Date: 2026-11-29 22:50:00
"""

import hashlib
import json

import sqlalchemy as sa
from alembic import op

revision = "0010_k10gen"
down_revision = "0009_klti"
branch_labels = None
depends_on = None

SETS = sa.table(
    "exercise_sets",
    sa.column("id", sa.Integer),
    sa.column("template", sa.JSON),
    sa.column("template_hash", sa.String),
)


def _content_hash(document: dict) -> str:
    # grader.generation.template's content hash, written out: a migration must not change with the code.
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def upgrade() -> None:
    connection = op.get_bind()
    for set_id, document in connection.execute(sa.select(SETS.c.id, SETS.c.template)).all():
        if not isinstance(document, dict):
            continue
        constraints = document.get("constraints")
        constraints = dict(constraints) if isinstance(constraints, dict) else {}
        if "visible_change" in constraints:
            continue
        document = {**document, "constraints": {**constraints, "visible_change": False}}
        connection.execute(
            SETS.update().where(SETS.c.id == set_id).values(template=document, template_hash=_content_hash(document))
        )


def downgrade() -> None:
    pass
