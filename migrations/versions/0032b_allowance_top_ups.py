"""A back-dated increase made up in the next batch (issue 25 item 2; domain.md section 2,
1.001776 adjust; ND20 Art 8.1): ``payment_items.tops_up`` marks an item paying the
difference for a month already issued at a lower amount. The rule that no month is paid
twice for the same entitlement now holds for the months' first items; a month's top-ups
are unique by coefficient (one per increase), and the batch pays only what the month's
items do not already add up to.

Added in place on both databases (no table rebuild: the triggers of 0022 stay).

Revision ID: 0032b_allowance_top_ups
Revises: 0032_decision_effects
"""
from alembic import op
import sqlalchemy as sa

revision = '0032b_allowance_top_ups'
down_revision = '0032_decision_effects'
branch_labels = None
depends_on = None

FIRST = "status IN ('issued', 'paid') AND case_id IS NULL"


def upgrade():
    op.add_column('payment_items', sa.Column('tops_up', sa.Boolean(), nullable=False,
                                             server_default=sa.false()))
    op.drop_index('uq_payment_items_entitlement_month', table_name='payment_items')
    op.create_index('uq_payment_items_entitlement_month', 'payment_items',
                    ['beneficiary_id', 'kind', 'month'], unique=True,
                    sqlite_where=sa.text(f"{FIRST} AND NOT tops_up"),
                    postgresql_where=sa.text(f"{FIRST} AND NOT tops_up"))
    op.create_index('uq_payment_items_top_up', 'payment_items',
                    ['beneficiary_id', 'kind', 'month', 'coefficient_pct'], unique=True,
                    sqlite_where=sa.text(f"{FIRST} AND tops_up"),
                    postgresql_where=sa.text(f"{FIRST} AND tops_up"))


def downgrade():
    op.drop_index('uq_payment_items_top_up', table_name='payment_items')
    op.drop_index('uq_payment_items_entitlement_month', table_name='payment_items')
    op.execute("DELETE FROM payment_items WHERE tops_up")
    op.create_index('uq_payment_items_entitlement_month', 'payment_items',
                    ['beneficiary_id', 'kind', 'month'], unique=True,
                    sqlite_where=sa.text(FIRST), postgresql_where=sa.text(FIRST))
    with op.batch_alter_table('payment_items') as batch_op:
        batch_op.drop_column('tops_up')
