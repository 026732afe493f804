"""Drop two indexes that repeat the leading column of a unique index.

``ix_beneficiary_categories_beneficiary_id`` is served by the unique key
(beneficiary_id, category_code, from_month) and ``ix_payment_lines_batch_id`` by the
unique key (batch_id, line_no): each cost a write per row on the two largest inserts of
the portal (the caseload import, the monthly batch) for no read.

Revision ID: 0017_drop_redundant_indexes
Revises: 0013_social_pension
"""
from alembic import op

revision = '0017_drop_redundant_indexes'
down_revision = '0013_social_pension'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('beneficiary_categories', schema=None) as batch_op:
        batch_op.drop_index('ix_beneficiary_categories_beneficiary_id')
    with op.batch_alter_table('payment_lines', schema=None) as batch_op:
        batch_op.drop_index('ix_payment_lines_batch_id')


def downgrade():
    with op.batch_alter_table('payment_lines', schema=None) as batch_op:
        batch_op.create_index('ix_payment_lines_batch_id', ['batch_id'], unique=False)
    with op.batch_alter_table('beneficiary_categories', schema=None) as batch_op:
        batch_op.create_index('ix_beneficiary_categories_beneficiary_id', ['beneficiary_id'],
                              unique=False)
