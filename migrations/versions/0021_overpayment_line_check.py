"""An overpayment's line is checked by triggers instead of a foreign key, so that
regenerating a batch does not look up the overpayments once per deleted line.

An overpayment (domain.md section 5.4) is recorded against a paid line of a locked batch,
and the foreign key to ``payment_lines`` made every deletion of a line (the open batch's
lines, replaced on each regeneration) look for overpayments row by row: 5 µs a line,
a tenth of the time to regenerate a province. Instead:

- recording an overpayment (or changing its line) checks that the line exists, and
  locks it against deletion as the foreign key did (``FOR KEY SHARE``);
- deleting lines refuses, once per statement on PostgreSQL (row by row on SQLite), to
  delete a line that an overpayment names.

Revision ID: 0021_overpayment_line_check
Revises: 0020_lines_pay_items
"""
from alembic import op

revision = '0021_overpayment_line_check'
down_revision = '0020_lines_pay_items'
branch_labels = None
depends_on = None

FOREIGN_KEY = "fk_overpayments_line_id_payment_lines"


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        with op.batch_alter_table('overpayments', schema=None) as batch_op:
            batch_op.drop_constraint(FOREIGN_KEY, type_='foreignkey')
    else:
        op.execute(f"ALTER TABLE overpayments DROP CONSTRAINT {FOREIGN_KEY}")
    op.create_index('ix_overpayments_line_id', 'overpayments', ['line_id'])
    if sqlite:
        op.execute("""
            CREATE TRIGGER overpayments_name_a_line BEFORE INSERT ON overpayments
            WHEN NOT EXISTS (SELECT 1 FROM payment_lines WHERE id = NEW.line_id)
            BEGIN SELECT RAISE(ABORT, 'an overpayment names a payment line that does not exist'); END""")
        op.execute("""
            CREATE TRIGGER overpayments_keep_their_line BEFORE UPDATE OF line_id ON overpayments
            WHEN NOT EXISTS (SELECT 1 FROM payment_lines WHERE id = NEW.line_id)
            BEGIN SELECT RAISE(ABORT, 'an overpayment names a payment line that does not exist'); END""")
        op.execute("""
            CREATE TRIGGER payment_lines_kept_for_overpayments BEFORE DELETE ON payment_lines
            WHEN EXISTS (SELECT 1 FROM overpayments WHERE line_id = OLD.id)
            BEGIN SELECT RAISE(ABORT, 'an overpayment names this payment line'); END""")
        return
    op.execute("""
        CREATE FUNCTION overpayments_name_a_line() RETURNS trigger AS $$
        BEGIN
          PERFORM 1 FROM payment_lines WHERE id = NEW.line_id FOR KEY SHARE;
          IF NOT FOUND THEN
            RAISE EXCEPTION 'an overpayment names payment line %, which does not exist',
              NEW.line_id USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql""")
    op.execute(
        "CREATE TRIGGER overpayments_name_a_line BEFORE INSERT OR UPDATE OF line_id "
        "ON overpayments FOR EACH ROW EXECUTE FUNCTION overpayments_name_a_line()"
    )
    op.execute("""
        CREATE FUNCTION payment_lines_kept_for_overpayments() RETURNS trigger AS $$
        DECLARE
          named integer;
        BEGIN
          SELECT o.line_id INTO named FROM overpayments o
            WHERE o.line_id IN (SELECT id FROM changed_rows) LIMIT 1;
          IF named IS NOT NULL THEN
            RAISE EXCEPTION 'an overpayment names payment line %', named
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql""")
    op.execute(
        "CREATE TRIGGER payment_lines_kept_for_overpayments AFTER DELETE ON payment_lines "
        "REFERENCING OLD TABLE AS changed_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION payment_lines_kept_for_overpayments()"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("overpayments_name_a_line", "overpayments_keep_their_line",
                     "payment_lines_kept_for_overpayments"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.drop_index('ix_overpayments_line_id', table_name='overpayments')
        with op.batch_alter_table('overpayments', schema=None) as batch_op:
            batch_op.create_foreign_key(FOREIGN_KEY, 'payment_lines', ['line_id'], ['id'])
        return
    op.execute("DROP TRIGGER payment_lines_kept_for_overpayments ON payment_lines")
    op.execute("DROP FUNCTION payment_lines_kept_for_overpayments()")
    op.execute("DROP TRIGGER overpayments_name_a_line ON overpayments")
    op.execute("DROP FUNCTION overpayments_name_a_line()")
    op.drop_index('ix_overpayments_line_id', table_name='overpayments')
    op.execute(
        f"ALTER TABLE overpayments ADD CONSTRAINT {FOREIGN_KEY} "
        "FOREIGN KEY (line_id) REFERENCES payment_lines (id)"
    )
