"""An index of grades by policy version, for the set page's count of stale grades.

The set summary (every view of the set page and of ``GET /exercise-sets/{id}``) says how many
submissions are not yet graded under the current policy version.  Counting them as the set's
submissions minus the version's grades reads one range of this index; without it, the count
looked for each submission's grade (40-50 ms a view at 100,000 submissions).  0004 dropped an
index on ``policy_id`` alone that no query used; this one has a user, and its second column keeps
a regrade's "has this submission a grade under this version" probe on the same index.

Revision ID: 0011_s5
Revises: 0010_k10gen
Create Date: 2026-11-30 01:20:00
"""

from alembic import op

revision = "0011_s5"
down_revision = "0010_k10gen"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("grades", schema=None) as batch_op:
        batch_op.create_index("ix_grades_policy_id_submission_id", ["policy_id", "submission_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("grades", schema=None) as batch_op:
        batch_op.drop_index("ix_grades_policy_id_submission_id")
