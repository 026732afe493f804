"""The dashboards' summary tables (decision 112): money paid by month and commune,
beneficiaries by category, dossiers by procedure, a commune's complaints and
overpayments, and when each province's were computed.

Revision ID: 0034_report_summaries
Revises: 0030_case_decisions
"""
from alembic import op
import sqlalchemy as sa

revision = '0034_report_summaries'
down_revision = '0032b_allowance_top_ups'
branch_labels = None
depends_on = None


def _province_index(table):
    op.create_index(op.f(f'ix_{table}_province_code'), table, ['province_code'], unique=False)


def upgrade():
    op.create_table(
        'report_paid_by_month',
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('commune_code', sa.String(length=5), nullable=False),
        sa.Column('kind', sa.String(length=12), nullable=False),
        sa.Column('province_code', sa.String(length=2), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('lines', sa.Integer(), nullable=False),
        sa.Column('paid_lines', sa.Integer(), nullable=False),
        sa.Column('paid_amount', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('month', 'commune_code', 'kind',
                                name=op.f('pk_report_paid_by_month')),
    )
    _province_index('report_paid_by_month')
    op.create_table(
        'report_beneficiary_counts',
        sa.Column('commune_code', sa.String(length=5), nullable=False),
        sa.Column('category_code', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('province_code', sa.String(length=2), nullable=False),
        sa.Column('people', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('commune_code', 'category_code', 'status',
                                name=op.f('pk_report_beneficiary_counts')),
    )
    _province_index('report_beneficiary_counts')
    op.create_table(
        'report_case_counts',
        sa.Column('commune_code', sa.String(length=5), nullable=False),
        sa.Column('procedure_code', sa.String(length=30), nullable=False),
        sa.Column('province_code', sa.String(length=2), nullable=False),
        sa.Column('received', sa.Integer(), nullable=False),
        sa.Column('decided', sa.Integer(), nullable=False),
        sa.Column('decided_in_time', sa.Integer(), nullable=False),
        sa.Column('open', sa.Integer(), nullable=False),
        sa.Column('overdue', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('commune_code', 'procedure_code',
                                name=op.f('pk_report_case_counts')),
    )
    _province_index('report_case_counts')
    op.create_table(
        'report_commune_figures',
        sa.Column('commune_code', sa.String(length=5), nullable=False),
        sa.Column('province_code', sa.String(length=2), nullable=False),
        sa.Column('complaints_open', sa.Integer(), nullable=False),
        sa.Column('complaints_overdue', sa.Integer(), nullable=False),
        sa.Column('overpayments', sa.Integer(), nullable=False),
        sa.Column('overpayment_amount', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('commune_code', name=op.f('pk_report_commune_figures')),
    )
    _province_index('report_commune_figures')
    op.create_table(
        'report_refreshes',
        sa.Column('province_code', sa.String(length=2), nullable=False),
        sa.Column('as_of', sa.Date(), nullable=False),
        sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('province_code', name=op.f('pk_report_refreshes')),
    )


def downgrade():
    for table in ('report_paid_by_month', 'report_beneficiary_counts', 'report_case_counts',
                  'report_commune_figures'):
        op.drop_index(op.f(f'ix_{table}_province_code'), table_name=table)
        op.drop_table(table)
    op.drop_table('report_refreshes')
