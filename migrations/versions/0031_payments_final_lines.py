"""A line the post office has reported is final (interchange.md section 3): what it
reported is kept on the line (``reported``), a later file that contradicts it is kept as
a conflict for the payment officer (``payment_line_conflicts``), and only the officer's
correction, which counts itself on the line (``corrections``), changes it. A trigger on
both databases refuses any other change (decision 80).

Revision ID: 0031_payments_final_lines
Revises: 0030_case_decisions
"""
from alembic import op
import sqlalchemy as sa

revision = '0031_payments_final_lines'
down_revision = '0030_case_decisions'
branch_labels = None
depends_on = None

MESSAGE = "a payment line reported by the post office is final: only a correction changes it"
# The report, the status or the payment date of a reported line changes only when the
# same statement counts one more correction.
CHANGED = (
    "OLD.reported IS NOT NULL AND NEW.corrections IS NOT OLD.corrections + 1 AND ("
    "NEW.status IS NOT OLD.status OR NEW.paid_on IS NOT OLD.paid_on "
    "OR NEW.reported IS NOT OLD.reported)"
)


def upgrade():
    # Plain ADD COLUMN on both databases: a batch-mode rebuild would drop SQLite's triggers.
    op.add_column('payment_lines', sa.Column('reported', sa.String(length=6), nullable=True))
    op.add_column('payment_lines', sa.Column('corrections', sa.Integer(), nullable=False,
                                             server_default='0'))
    # What was reported before this revision is what the lines' statuses say.
    op.execute("UPDATE payment_lines SET reported = 'PAID' WHERE status = 'paid'")
    op.execute("UPDATE payment_lines SET reported = 'UNPAID' WHERE status = 'unpaid'")
    op.add_column('reconciliation_reports', sa.Column('conflicts', sa.Integer(),
                                                      nullable=False, server_default='0'))
    op.create_table(
        'payment_line_conflicts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        sa.Column('line_no', sa.Integer(), nullable=False),
        sa.Column('file_row', sa.Integer(), nullable=False),
        sa.Column('recorded', sa.String(length=6), nullable=False),
        sa.Column('reported', sa.String(length=6), nullable=False),
        sa.Column('reported_paid_on', sa.Date(), nullable=True),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("recorded IN ('PAID', 'UNPAID')",
                           name=op.f('ck_payment_line_conflicts_recorded_known')),
        sa.CheckConstraint("reported IN ('PAID', 'UNPAID') AND reported <> recorded",
                           name=op.f('ck_payment_line_conflicts_contradicts')),
        sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'],
                                name=op.f('fk_payment_line_conflicts_batch_id_payment_batches')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'],
                                name=op.f('fk_payment_line_conflicts_actor_id_users')),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['users.id'],
                                name=op.f('fk_payment_line_conflicts_resolved_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_line_conflicts')),
    )
    op.create_index('ix_payment_line_conflicts_batch_line', 'payment_line_conflicts',
                    ['batch_id', 'line_no'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION payment_lines_reported_final() RETURNS trigger AS $$
            BEGIN
              RAISE EXCEPTION '{MESSAGE} (line %)', OLD.id;
            END $$ LANGUAGE plpgsql""")
        condition = CHANGED.replace(" IS NOT ", " IS DISTINCT FROM ")
        op.execute(
            "CREATE TRIGGER payment_lines_reported_final "
            "BEFORE UPDATE OF status, paid_on, reported, corrections ON payment_lines "
            f"FOR EACH ROW WHEN ({condition}) EXECUTE FUNCTION payment_lines_reported_final()"
        )
    else:
        op.execute(
            "CREATE TRIGGER payment_lines_reported_final "
            "BEFORE UPDATE OF status, paid_on, reported, corrections ON payment_lines "
            f"WHEN {CHANGED} BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER payment_lines_reported_final ON payment_lines")
        op.execute("DROP FUNCTION payment_lines_reported_final()")
    else:
        op.execute("DROP TRIGGER payment_lines_reported_final")
    op.drop_index('ix_payment_line_conflicts_batch_line', table_name='payment_line_conflicts')
    op.drop_table('payment_line_conflicts')
    op.drop_column('reconciliation_reports', 'conflicts')
    # SQLite 3.35+ drops a column in place (no rebuild): the other triggers stay.
    op.drop_column('payment_lines', 'corrections')
    op.drop_column('payment_lines', 'reported')
