"""Grades keep their score and maximum beside the results, so the gradebook is built in SQL;
the unused index on grades.policy_id goes.

Existing grades get their scores from their results, summed in the database (credit × weight
and weight over the keys), as ``grade_records.score`` sums them.

Revision ID: 0004_i15
Revises: 0003_i14
Create Date: 2026-11-29
"""

from alembic import op
import sqlalchemy as sa


revision = '0004_i15'
down_revision = '0003_i14'
branch_labels = None
depends_on = None

BACKFILL = {
    "postgresql": """
        UPDATE grades SET score = sums.score, max_score = sums.max_score
        FROM (
            SELECT g.id,
                   coalesce(sum((e.value->>1)::float8 * (e.value->>2)::float8), 0) AS score,
                   coalesce(sum((e.value->>2)::float8), 0) AS max_score
            FROM grades g LEFT JOIN LATERAL json_each(g.results) e ON true
            GROUP BY g.id
        ) AS sums
        WHERE sums.id = grades.id
    """,
    "sqlite": """
        UPDATE grades SET
            score = coalesce((SELECT sum(json_extract(value, '$[1]') * json_extract(value, '$[2]'))
                              FROM json_each(grades.results)), 0),
            max_score = coalesce((SELECT sum(json_extract(value, '$[2]')) FROM json_each(grades.results)), 0)
    """,
}


def upgrade() -> None:
    with op.batch_alter_table('grades', schema=None) as batch_op:
        batch_op.add_column(sa.Column('score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('max_score', sa.Float(), nullable=True))
        batch_op.drop_index(batch_op.f('ix_grades_policy_id'))
    op.execute(BACKFILL[op.get_bind().dialect.name])
    with op.batch_alter_table('grades', schema=None) as batch_op:
        batch_op.alter_column('score', existing_type=sa.Float(), nullable=False)
        batch_op.alter_column('max_score', existing_type=sa.Float(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('grades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_grades_policy_id'), ['policy_id'], unique=False)
        batch_op.drop_column('max_score')
        batch_op.drop_column('score')
