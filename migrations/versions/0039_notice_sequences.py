"""A refusal is a notice (thông báo), numbered in the commune's own series of notices
(``3/TB-UBND``), not among its decisions (issue 30 item 6; Decree 30/2020/NĐ-CP, Annex III:
each kind of document has its own number series): ``notice_sequences``, as
``decision_sequences`` for decisions.

Revision ID: 0039_notice_sequences
Revises: 0038b_case_duties
"""
import sqlalchemy as sa
from alembic import op

revision = '0039_notice_sequences'
down_revision = '0038b_case_duties'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notice_sequences',
        sa.Column('commune_code', sa.String(length=5), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_value', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['commune_code'], ['communes.code'],
                                name=op.f('fk_notice_sequences_commune_code_communes')),
        sa.PrimaryKeyConstraint('commune_code', 'year', name=op.f('pk_notice_sequences')),
    )


def downgrade():
    op.drop_table('notice_sequences')
