"""LTI set grants expire with the page session of the launch that gave them (renewed by every
staff launch), so staff whose role the LMS removed lose the set when their last session ends.

Revision ID: 0009_klti
Revises: 0008_klti
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa


revision = '0009_klti'
down_revision = '0008_klti'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('lti_set_grants') as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    # The sessions that gave existing grants were signed cookies, which this release no longer
    # accepts: their grants have ended too, and the next staff launch renews them.
    op.execute("UPDATE lti_set_grants SET expires_at = created_at")
    with op.batch_alter_table('lti_set_grants') as batch_op:
        batch_op.alter_column('expires_at', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('lti_set_grants') as batch_op:
        batch_op.drop_column('expires_at')
