"""Page sessions for LTI staff: a page session references an API key or an LTI user (with the
deployment of the launch), and records when it was last used (idle expiry).

Revision ID: 0008_klti
Revises: 0007_i12
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa


revision = '0008_klti'
down_revision = '0007_i12'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('page_sessions') as batch_op:
        batch_op.add_column(sa.Column('lti_user_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('lti_deployment_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.alter_column('key_id', existing_type=sa.Integer(), nullable=True)
    # Sessions opened before this revision were last seen, as far as anyone knows, when they opened.
    op.execute("UPDATE page_sessions SET last_seen_at = created_at")
    with op.batch_alter_table('page_sessions') as batch_op:
        batch_op.alter_column('last_seen_at', existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index(batch_op.f('ix_page_sessions_lti_user_id'), ['lti_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_page_sessions_lti_deployment_id'), ['lti_deployment_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_page_sessions_lti_user_id_lti_users'), 'lti_users', ['lti_user_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_page_sessions_lti_deployment_id_lti_deployments'), 'lti_deployments',
            ['lti_deployment_id'], ['id'], ondelete='CASCADE',
        )
        batch_op.create_check_constraint(
            batch_op.f('ck_page_sessions_one_kind'), '(key_id IS NULL) <> (lti_user_id IS NULL)'
        )


def downgrade() -> None:
    # Sessions of LTI staff have no key to fall back on: they end.
    op.execute("DELETE FROM page_sessions WHERE key_id IS NULL")
    with op.batch_alter_table('page_sessions') as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_page_sessions_one_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_page_sessions_lti_deployment_id_lti_deployments'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_page_sessions_lti_user_id_lti_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_page_sessions_lti_deployment_id'))
        batch_op.drop_index(batch_op.f('ix_page_sessions_lti_user_id'))
        batch_op.drop_column('last_seen_at')
        batch_op.drop_column('lti_deployment_id')
        batch_op.drop_column('lti_user_id')
        batch_op.alter_column('key_id', existing_type=sa.Integer(), nullable=False)
