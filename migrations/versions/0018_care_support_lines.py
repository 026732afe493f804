"""A care-support line per care record: when the carer changes, the months of the carer
before are paid to that carer, not to the new one.

Revision ID: 0018_care_support_lines
Revises: 0017_drop_redundant_indexes
"""
from alembic import op
import sqlalchemy as sa

revision = '0018_care_support_lines'
down_revision = '0017_drop_redundant_indexes'
branch_labels = None
depends_on = None

MONTHLY_BEFORE = "case_id IS NULL"
MONTHLY_AFTER = "case_id IS NULL AND care_support_id IS NULL"


def upgrade():
    # Plain ALTER TABLE and index statements: SQLite keeps the table (and its lock triggers).
    op.add_column('payment_lines', sa.Column('care_support_id', sa.Integer(), nullable=True))
    op.execute("""
        UPDATE payment_lines SET care_support_id = (
          SELECT MAX(i.care_support_id) FROM payment_items i
          WHERE i.batch_id = payment_lines.batch_id
            AND i.beneficiary_id = payment_lines.beneficiary_id
            AND i.kind = payment_lines.kind AND i.case_id IS NULL)
        WHERE kind = 'CARE_SUPPORT'""")
    _monthly_index(MONTHLY_AFTER)
    op.create_index('uq_payment_lines_care_support', 'payment_lines',
                    ['batch_id', 'care_support_id'], unique=True,
                    sqlite_where=sa.text("care_support_id IS NOT NULL"),
                    postgresql_where=sa.text("care_support_id IS NOT NULL"))


def downgrade():
    op.drop_index('uq_payment_lines_care_support', table_name='payment_lines')
    _monthly_index(MONTHLY_BEFORE)
    op.drop_column('payment_lines', 'care_support_id')  # SQLite 3.35+: no table rebuild


def _monthly_index(where: str) -> None:
    op.drop_index('uq_payment_lines_monthly', table_name='payment_lines')
    op.create_index('uq_payment_lines_monthly', 'payment_lines',
                    ['batch_id', 'beneficiary_id', 'kind'], unique=True,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))
