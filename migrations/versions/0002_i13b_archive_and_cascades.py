"""Archived sets, and deletes that cascade: a set takes its policies, assignments, tokens,
submissions and grades with it, and a removed student their tokens, submissions and grades, in the
database itself, so nothing is ever left half-deleted.

Revision ID: 0002_i13b
Revises: 0001
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa


revision = "0002_i13b"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, column, referred table) of every foreign key that now cascades on delete.
CASCADES = [
    ("policy_versions", "set_id", "exercise_sets"),
    ("assignments", "set_id", "exercise_sets"),
    ("access_tokens", "assignment_id", "assignments"),
    ("submissions", "assignment_id", "assignments"),
    ("grades", "submission_id", "submissions"),
    ("grades", "policy_id", "policy_versions"),
]


def _refit(ondelete) -> None:
    for table, column, referred in CASCADES:
        name = f"fk_{table}_{column}_{referred}"
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(name, type_="foreignkey")
            batch.create_foreign_key(name, referred, [column], ["id"], ondelete=ondelete)


def upgrade() -> None:
    with op.batch_alter_table("exercise_sets") as batch:
        batch.add_column(sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True))
    _refit("CASCADE")


def downgrade() -> None:
    _refit(None)
    with op.batch_alter_table("exercise_sets") as batch:
        batch.drop_column("archived_at")
