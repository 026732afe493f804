"""What a result file did to a batch, kept for the page shown after the redirect, so
that reloading it sends no file again (decision 77).

Revision ID: 0029_reconciliation_reports
Revises: 0028_audit_province
"""
from alembic import op
import sqlalchemy as sa

revision = '0029_reconciliation_reports'
down_revision = '0028_audit_province'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'reconciliation_reports',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('paid', sa.Integer(), nullable=False),
        sa.Column('unpaid', sa.Integer(), nullable=False),
        sa.Column('unknown', sa.Integer(), nullable=False),
        sa.Column('rows', sa.JSON(), nullable=False),
        sa.Column('rows_total', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_reconciliation_reports_actor_id_users')),
        sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'],
                                name=op.f('fk_reconciliation_reports_batch_id_payment_batches')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_reconciliation_reports')),
    )
    op.create_index(op.f('ix_reconciliation_reports_batch_id'), 'reconciliation_reports',
                    ['batch_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_reconciliation_reports_batch_id'), table_name='reconciliation_reports')
    op.drop_table('reconciliation_reports')
