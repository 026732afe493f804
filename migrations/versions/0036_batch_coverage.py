"""One national batch, and batches of one month that never overlap (interchange.md
section 3; issue 27 items 1 and 2; decisions 131 and 132).

- ``payment_batches`` takes the scope ``national`` (no scope code) and counts the
  communes whose lines a national run has still to write (``communes_pending``); a batch
  with any is not locked (a check).
- ``payment_batch_communes``: the communes each batch holds, one row per month and
  commune (the primary key): a commune's lines of a month are in one batch only.
- On PostgreSQL the line numbers of a batch are unique at the end of a transaction
  (``DEFERRABLE``): a national batch is numbered once every province has written its
  lines, in one statement.

SQLite rebuilds ``payment_batches`` (batch mode); its triggers go with the old table and
are created again, as they were.

Revision ID: 0036_batch_coverage
Revises: 0030_case_decisions
"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = '0036_batch_coverage'
down_revision = '0035_case_queue_indexes'
branch_labels = None
depends_on = None

SCOPE_KNOWN = "scope_kind IN ('province', 'commune', 'national')"
SCOPE_CODE_SET = "(scope_kind = 'national') = (scope_code IS NULL)"
COMPLETE_WHEN_LOCKED = "status <> 'locked' OR communes_pending = 0"


def upgrade():
    with _rebuilding_batches():
        with op.batch_alter_table('payment_batches', schema=None) as batch_op:
            batch_op.add_column(sa.Column('communes_pending', sa.Integer(), nullable=False,
                                          server_default='0'))
            batch_op.alter_column('scope_code', existing_type=sa.String(length=5),
                                  nullable=True)
            batch_op.drop_constraint(op.f('ck_payment_batches_scope_known'), type_='check')
            batch_op.create_check_constraint(op.f('ck_payment_batches_scope_known'), SCOPE_KNOWN)
            batch_op.create_check_constraint(op.f('ck_payment_batches_scope_code_set'),
                                             SCOPE_CODE_SET)
            batch_op.create_check_constraint(op.f('ck_payment_batches_complete_when_locked'),
                                             COMPLETE_WHEN_LOCKED)
            batch_op.create_check_constraint(op.f('ck_payment_batches_communes_pending_counted'),
                                             "communes_pending >= 0")
    op.create_table(
        'payment_batch_communes',
        sa.Column('month', sa.Integer(), nullable=False),
        sa.Column('commune_code', sa.String(length=5), nullable=False),
        sa.Column('batch_id', sa.Integer(), nullable=False),
        # Its lines are still to be written by the national run under way.
        sa.Column('pending', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.ForeignKeyConstraint(['batch_id'], ['payment_batches.id'],
                                name=op.f('fk_payment_batch_communes_batch_id_payment_batches')),
        sa.ForeignKeyConstraint(['commune_code'], ['communes.code'],
                                name=op.f('fk_payment_batch_communes_commune_code_communes')),
        sa.PrimaryKeyConstraint('month', 'commune_code', name=op.f('pk_payment_batch_communes')),
    )
    op.create_index(op.f('ix_payment_batch_communes_batch_id'), 'payment_batch_communes',
                    ['batch_id', 'commune_code'])
    # The batches made before: each holds its scope's communes; where two overlapped, the
    # one made first keeps the commune.
    op.execute("""
        INSERT INTO payment_batch_communes (month, commune_code, batch_id, pending)
        SELECT b.month, c.code, min(b.id), false
        FROM payment_batches b
        JOIN communes c ON (b.scope_kind = 'commune' AND c.code = b.scope_code)
                        OR (b.scope_kind = 'province' AND c.province_code = b.scope_code)
        GROUP BY b.month, c.code""")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE payment_lines DROP CONSTRAINT uq_payment_lines_batch_id_line_no")
        op.execute("ALTER TABLE payment_lines ADD CONSTRAINT uq_payment_lines_batch_id_line_no "
                   "UNIQUE (batch_id, line_no) DEFERRABLE INITIALLY IMMEDIATE")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE payment_lines DROP CONSTRAINT uq_payment_lines_batch_id_line_no")
        op.execute("ALTER TABLE payment_lines ADD CONSTRAINT uq_payment_lines_batch_id_line_no "
                   "UNIQUE (batch_id, line_no)")
    op.drop_index(op.f('ix_payment_batch_communes_batch_id'), table_name='payment_batch_communes')
    op.drop_table('payment_batch_communes')
    with _rebuilding_batches():
        with op.batch_alter_table('payment_batches', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_payment_batches_communes_pending_counted'),
                                     type_='check')
            batch_op.drop_constraint(op.f('ck_payment_batches_complete_when_locked'),
                                     type_='check')
            batch_op.drop_constraint(op.f('ck_payment_batches_scope_code_set'), type_='check')
            batch_op.drop_constraint(op.f('ck_payment_batches_scope_known'), type_='check')
            batch_op.create_check_constraint(op.f('ck_payment_batches_scope_known'),
                                             "scope_kind IN ('province', 'commune')")
            batch_op.alter_column('scope_code', existing_type=sa.String(length=5),
                                  nullable=False)
            batch_op.drop_column('communes_pending')


@contextmanager
def _rebuilding_batches():
    sqlite = op.get_bind().dialect.name == "sqlite"
    triggers = []
    if sqlite:
        triggers = op.get_bind().exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' "
            "AND tbl_name = 'payment_batches'").scalars().all()
        op.execute("PRAGMA legacy_alter_table = ON")
    yield
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = OFF")
        for sql in triggers:
            op.execute(sql)
