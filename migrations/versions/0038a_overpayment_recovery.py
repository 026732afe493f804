"""Overpayments are recovered (issue 25 item 8; decision 172): what each one has had
repaid (or offset) and waived, kept on it under a CHECK that the two never exceed what
was overpaid, and each recovery's row (``overpayment_recoveries``: a repayment with its
amount and date, a waiver with its reason).

SQLite adds the two columns in place with their CHECK (a column's CHECK may name other
columns): rebuilding ``overpayments`` would drop its triggers (migration 0021).

Revision ID: 0038a_overpayment_recovery
Revises: 0037_notification_outbox
"""
from alembic import op
import sqlalchemy as sa

revision = '0038a_overpayment_recovery'
down_revision = '0037d_category_continuation'
branch_labels = None
depends_on = None

CHECK = "recovered_amount >= 0 AND waived_amount >= 0 AND recovered_amount + waived_amount <= amount"


def upgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE overpayments ADD COLUMN recovered_amount BIGINT NOT NULL DEFAULT 0")
        op.execute("ALTER TABLE overpayments ADD COLUMN waived_amount BIGINT NOT NULL DEFAULT 0 "
                   f"CONSTRAINT ck_overpayments_settled_within_amount CHECK ({CHECK})")
    else:
        for column in ('recovered_amount', 'waived_amount'):
            op.add_column('overpayments', sa.Column(column, sa.BigInteger(), nullable=False,
                                                    server_default='0'))
        op.create_check_constraint('ck_overpayments_settled_within_amount', 'overpayments', CHECK)
    op.create_table(
        'overpayment_recoveries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('overpayment_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('amount', sa.BigInteger(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('repayment', 'waiver', 'offset')",
                           name=op.f('ck_overpayment_recoveries_kind_known')),
        sa.CheckConstraint('amount > 0', name=op.f('ck_overpayment_recoveries_amount_positive')),
        sa.CheckConstraint("kind <> 'waiver' OR reason IS NOT NULL",
                           name=op.f('ck_overpayment_recoveries_waiver_has_reason')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_overpayment_recoveries_actor_id_users')),
        sa.ForeignKeyConstraint(['overpayment_id'], ['overpayments.id'],
                                name=op.f('fk_overpayment_recoveries_overpayment_id_overpayments')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_overpayment_recoveries')),
    )
    op.create_index(op.f('ix_overpayment_recoveries_overpayment_id'), 'overpayment_recoveries',
                    ['overpayment_id'])


def downgrade():
    op.drop_index(op.f('ix_overpayment_recoveries_overpayment_id'),
                  table_name='overpayment_recoveries')
    op.drop_table('overpayment_recoveries')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("ALTER TABLE overpayments DROP COLUMN waived_amount")
        op.execute("ALTER TABLE overpayments DROP COLUMN recovered_amount")
    else:
        op.drop_constraint('ck_overpayments_settled_within_amount', 'overpayments')
        op.drop_column('overpayments', 'waived_amount')
        op.drop_column('overpayments', 'recovered_amount')
