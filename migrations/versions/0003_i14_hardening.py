"""Hardening: rate-limit counters shared by every process, server-side page sessions, and
student access tokens that expire per set.

Revision ID: 0003_i14
Revises: 0002_i13b
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa


revision = '0003_i14'
down_revision = '0002_i13b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rate_limit_counters',
    sa.Column('key', sa.String(length=255), nullable=False),
    sa.Column('hits', sa.Integer(), nullable=False),
    sa.Column('expires_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_rate_limit_counters'))
    )
    op.create_index(op.f('ix_rate_limit_counters_expires_at'), 'rate_limit_counters', ['expires_at'], unique=False)
    op.create_table('page_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['key_id'], ['api_keys.id'], name=op.f('fk_page_sessions_key_id_api_keys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_sessions')),
    sa.UniqueConstraint('secret_hash', name=op.f('uq_page_sessions_secret_hash'))
    )
    op.create_index(op.f('ix_page_sessions_key_id'), 'page_sessions', ['key_id'], unique=False)
    with op.batch_alter_table('access_tokens') as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('exercise_sets') as batch_op:
        batch_op.add_column(sa.Column('token_lifetime_days', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('exercise_sets') as batch_op:
        batch_op.drop_column('token_lifetime_days')
    with op.batch_alter_table('access_tokens') as batch_op:
        batch_op.drop_column('expires_at')
    op.drop_index(op.f('ix_page_sessions_key_id'), table_name='page_sessions')
    op.drop_table('page_sessions')
    op.drop_index(op.f('ix_rate_limit_counters_expires_at'), table_name='rate_limit_counters')
    op.drop_table('rate_limit_counters')
