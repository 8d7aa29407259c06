"""Copy flags: a submission whose values match another student's variant rather than its own.

Revision ID: 0005_i10
Revises: 0004_i15
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa


revision = "0005_i10"
down_revision = "0004_i15"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "copy_flags",
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("matched_student_id", sa.String(length=128), nullable=False),
        sa.Column("matched_keys", sa.Integer(), nullable=False),
        sa.Column("own_keys", sa.Integer(), nullable=False),
        sa.Column("answered_keys", sa.Integer(), nullable=False),
        sa.Column("flagged_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_copy_flags_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_copy_flags")),
    )


def downgrade() -> None:
    op.drop_table("copy_flags")
