"""A locked batch's lines are frozen by statement-level triggers on PostgreSQL.

0005 checked every inserted, updated or deleted line with a row trigger (one look-up of
its batch per row: a third of the time of generating a province's batch). The same rule
is now checked once per statement over its transition tables. SQLite keeps 0005's row
triggers (the embedded default, for small caseloads).

Revision ID: 0016_statement_lock_triggers
Revises: 0011_care_one_off
"""
from alembic import op

revision = '0016_statement_lock_triggers'
down_revision = '0011_care_one_off'
branch_labels = None
depends_on = None

FROZEN_LINE_COLUMNS = (
    "batch_id, line_no, beneficiary_id, case_id, kind, province_code, commune_code, "
    "payment_method, payment_point, beneficiary_code, national_id, full_name, date_of_birth, "
    "address, payee_name, payee_national_id, category_codes, coefficient_pct, monthly_amount, "
    "arrears_amount, arrears_months, one_off_amount, total_amount"
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS payment_lines_frozen ON payment_lines")
    op.execute("DROP FUNCTION IF EXISTS payment_lines_frozen()")
    columns = [c.strip() for c in FROZEN_LINE_COLUMNS.split(",")]
    new = ", ".join(f"n.{c}" for c in columns)
    old = ", ".join(f"o.{c}" for c in columns)
    op.execute(f"""
        CREATE FUNCTION payment_lines_frozen() RETURNS trigger AS $$
        DECLARE
          locked_id integer;
        BEGIN
          IF TG_OP = 'INSERT' THEN
            SELECT b.id INTO locked_id FROM payment_batches b
              WHERE b.status = 'locked' AND b.id IN (SELECT DISTINCT batch_id FROM new_rows)
              LIMIT 1;
          ELSIF TG_OP = 'DELETE' THEN
            SELECT b.id INTO locked_id FROM payment_batches b
              WHERE b.status = 'locked' AND b.id IN (SELECT DISTINCT batch_id FROM old_rows)
              LIMIT 1;
          ELSE
            SELECT o.batch_id INTO locked_id
              FROM old_rows o JOIN new_rows n ON n.id = o.id
              JOIN payment_batches b ON b.id = o.batch_id
              WHERE b.status = 'locked' AND ROW({new}) IS DISTINCT FROM ROW({old})
              LIMIT 1;
          END IF;
          IF locked_id IS NOT NULL THEN
            RAISE EXCEPTION 'payment batch % is locked', locked_id;
          END IF;
          RETURN NULL;
        END $$ LANGUAGE plpgsql""")
    op.execute(
        "CREATE TRIGGER payment_lines_frozen_insert AFTER INSERT ON payment_lines "
        "REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION payment_lines_frozen()"
    )
    op.execute(
        "CREATE TRIGGER payment_lines_frozen_update AFTER UPDATE ON payment_lines "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION payment_lines_frozen()"
    )
    op.execute(
        "CREATE TRIGGER payment_lines_frozen_delete AFTER DELETE ON payment_lines "
        "REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION payment_lines_frozen()"
    )


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER IF EXISTS payment_lines_frozen_{name} ON payment_lines")
    op.execute("DROP FUNCTION IF EXISTS payment_lines_frozen()")
    # 0005's row trigger, as it was.
    columns = [c.strip() for c in FROZEN_LINE_COLUMNS.split(",")]
    new = ", ".join(f"NEW.{c}" for c in columns)
    old = ", ".join(f"OLD.{c}" for c in columns)
    locked = "(SELECT status FROM payment_batches WHERE id = {row}.batch_id) = 'locked'"
    op.execute(f"""
        CREATE FUNCTION payment_lines_frozen() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'INSERT' THEN
            IF {locked.format(row="NEW")} THEN
              RAISE EXCEPTION 'payment batch % is locked', NEW.batch_id;
            END IF;
            RETURN NEW;
          END IF;
          IF {locked.format(row="OLD")} THEN
            IF TG_OP = 'DELETE' OR ROW({new}) IS DISTINCT FROM ROW({old}) THEN
              RAISE EXCEPTION 'payment batch % is locked', OLD.batch_id;
            END IF;
          END IF;
          RETURN COALESCE(NEW, OLD);
        END $$ LANGUAGE plpgsql""")
    op.execute(
        "CREATE TRIGGER payment_lines_frozen BEFORE INSERT OR UPDATE OR DELETE "
        "ON payment_lines FOR EACH ROW EXECUTE FUNCTION payment_lines_frozen()"
    )
