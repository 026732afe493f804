"""A payment line is checked against the items it pays, once per statement, instead of
three foreign keys checked row by row.

Every line pays items of its own batch (the same person, kind, dossier or care record);
the items hold the foreign keys to the batch, the beneficiary, the dossier and the care
record (the ledger of months paid, domain.md section 6). The line's own foreign keys
repeated those checks one row at a time: 7 µs a line, a third of the time to write a
province's lines. Instead, on PostgreSQL:

- after an insert of lines, every line of the batches concerned must have its items;
- after a delete of items, no line of those batches may be left without them;
- a line's identity (batch, person, dossier, care record, kind) never changes.

SQLite, the embedded default for small caseloads, checks each inserted line with a row
trigger instead (through the items' partial unique indexes) and keeps the identity fixed.

Revision ID: 0020_lines_pay_items
Revises: 0018_care_support_lines
"""
from alembic import op

revision = '0020_lines_pay_items'
down_revision = '0018_care_support_lines'
branch_labels = None
depends_on = None

LINE_FOREIGN_KEYS = {
    "fk_payment_lines_batch_id_payment_batches": "(batch_id) REFERENCES payment_batches (id)",
    "fk_payment_lines_beneficiary_id_beneficiaries": "(beneficiary_id) REFERENCES beneficiaries (id)",
    "fk_payment_lines_case_id_cases": "(case_id) REFERENCES cases (id)",
}
# What a line and its items share (NULLs compared as 0: ids start at 1).
PAID_BY = "kind, COALESCE(beneficiary_id, 0), COALESCE(case_id, 0), COALESCE(care_support_id, 0)"


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        _drop_sqlite_lock_triggers()
        with op.batch_alter_table('payment_lines', schema=None) as batch_op:
            for name in LINE_FOREIGN_KEYS:
                batch_op.drop_constraint(name, type_='foreignkey')
        _create_sqlite_lock_triggers()
        _create_sqlite_item_checks()
        return
    for name in LINE_FOREIGN_KEYS:
        op.execute(f"ALTER TABLE payment_lines DROP CONSTRAINT {name}")
    op.execute(f"""
        CREATE FUNCTION payment_lines_have_items() RETURNS trigger AS $$
        DECLARE
          batch integer;
        BEGIN
          FOR batch IN SELECT DISTINCT batch_id FROM changed_rows LOOP
            PERFORM 1 FROM (
              SELECT {PAID_BY} FROM payment_lines WHERE batch_id = batch
              EXCEPT
              SELECT {PAID_BY} FROM payment_items WHERE batch_id = batch
            ) AS without_items;
            IF FOUND THEN
              RAISE EXCEPTION 'payment batch % has a line without the items it pays', batch
                USING ERRCODE = 'foreign_key_violation';
            END IF;
          END LOOP;
          RETURN NULL;
        END $$ LANGUAGE plpgsql""")
    op.execute(
        "CREATE TRIGGER payment_lines_have_items AFTER INSERT ON payment_lines "
        "REFERENCING NEW TABLE AS changed_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION payment_lines_have_items()"
    )
    op.execute(
        "CREATE TRIGGER payment_items_kept_for_lines AFTER DELETE ON payment_items "
        "REFERENCING OLD TABLE AS changed_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION payment_lines_have_items()"
    )
    op.execute("""
        CREATE FUNCTION payment_lines_identity_fixed() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION 'the batch, person, dossier, care record and kind of payment line % are fixed',
            OLD.id USING ERRCODE = 'foreign_key_violation';
        END $$ LANGUAGE plpgsql""")
    op.execute(
        "CREATE TRIGGER payment_lines_identity_fixed "
        "BEFORE UPDATE OF batch_id, beneficiary_id, case_id, care_support_id, kind "
        "ON payment_lines FOR EACH ROW WHEN ("
        "(OLD.batch_id, OLD.beneficiary_id, OLD.case_id, OLD.care_support_id, OLD.kind) "
        "IS DISTINCT FROM "
        "(NEW.batch_id, NEW.beneficiary_id, NEW.case_id, NEW.care_support_id, NEW.kind)) "
        "EXECUTE FUNCTION payment_lines_identity_fixed()"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in SQLITE_ITEM_CHECKS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        _drop_sqlite_lock_triggers()
        with op.batch_alter_table('payment_lines', schema=None) as batch_op:
            for name, definition in LINE_FOREIGN_KEYS.items():
                column, table = definition.split(" REFERENCES ")
                batch_op.create_foreign_key(name, table.split()[0], [column.strip("()")], ['id'])
        _create_sqlite_lock_triggers()
        return
    op.execute("DROP TRIGGER payment_lines_identity_fixed ON payment_lines")
    op.execute("DROP FUNCTION payment_lines_identity_fixed()")
    op.execute("DROP TRIGGER payment_items_kept_for_lines ON payment_items")
    op.execute("DROP TRIGGER payment_lines_have_items ON payment_lines")
    op.execute("DROP FUNCTION payment_lines_have_items()")
    for name, definition in LINE_FOREIGN_KEYS.items():
        op.execute(f"ALTER TABLE payment_lines ADD CONSTRAINT {name} FOREIGN KEY {definition}")


SQLITE_ITEM_CHECKS = ("payment_lines_have_monthly_items", "payment_lines_have_one_off_items",
                      "payment_lines_identity_fixed")
# The WHERE terms of the items' partial unique indexes, so that SQLite probes them.
SQLITE_ISSUED = "i.status IN ('issued', 'paid')"


def _create_sqlite_item_checks():
    refuse = "BEGIN SELECT RAISE(ABORT, 'payment line without the items it pays'); END"
    op.execute(f"""
        CREATE TRIGGER payment_lines_have_monthly_items AFTER INSERT ON payment_lines
        WHEN NEW.case_id IS NULL AND NOT EXISTS (
          SELECT 1 FROM payment_items i
          WHERE i.beneficiary_id = NEW.beneficiary_id AND i.kind = NEW.kind
            AND {SQLITE_ISSUED} AND i.case_id IS NULL AND i.batch_id = NEW.batch_id
            AND COALESCE(i.care_support_id, 0) = COALESCE(NEW.care_support_id, 0))
        {refuse}""")
    op.execute(f"""
        CREATE TRIGGER payment_lines_have_one_off_items AFTER INSERT ON payment_lines
        WHEN NEW.case_id IS NOT NULL AND NOT EXISTS (
          SELECT 1 FROM payment_items i
          WHERE i.case_id = NEW.case_id AND {SQLITE_ISSUED} AND i.case_id IS NOT NULL
            AND i.batch_id = NEW.batch_id AND i.kind = NEW.kind)
        {refuse}""")
    op.execute("""
        CREATE TRIGGER payment_lines_identity_fixed
        BEFORE UPDATE OF batch_id, beneficiary_id, case_id, care_support_id, kind ON payment_lines
        WHEN OLD.batch_id IS NOT NEW.batch_id OR OLD.beneficiary_id IS NOT NEW.beneficiary_id
          OR OLD.case_id IS NOT NEW.case_id OR OLD.care_support_id IS NOT NEW.care_support_id
          OR OLD.kind IS NOT NEW.kind
        BEGIN SELECT RAISE(ABORT, 'the identity of a payment line is fixed'); END""")


# As in 0005 and 0011: SQLite drops a table's triggers when batch mode rebuilds it.
FROZEN_LINE_COLUMNS = (
    "batch_id, line_no, beneficiary_id, kind, province_code, commune_code, payment_method, "
    "payment_point, beneficiary_code, national_id, full_name, date_of_birth, address, "
    "payee_name, payee_national_id, category_codes, coefficient_pct, monthly_amount, "
    "arrears_amount, arrears_months, one_off_amount, total_amount"
)
BATCH_LOCKED = "(SELECT status FROM payment_batches WHERE id = {row}.batch_id) = 'locked'"
SQLITE_LINE_TRIGGERS = ("payment_lines_frozen_insert", "payment_lines_frozen_update",
                        "payment_lines_frozen_delete")


def _drop_sqlite_lock_triggers():
    for name in SQLITE_LINE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_sqlite_lock_triggers():
    refuse = "BEGIN SELECT RAISE(ABORT, 'payment batch is locked'); END"
    op.execute(
        f"CREATE TRIGGER payment_lines_frozen_insert BEFORE INSERT ON payment_lines "
        f"WHEN {BATCH_LOCKED.format(row='NEW')} {refuse}"
    )
    op.execute(
        f"CREATE TRIGGER payment_lines_frozen_update BEFORE UPDATE OF {FROZEN_LINE_COLUMNS} "
        f"ON payment_lines WHEN {BATCH_LOCKED.format(row='OLD')} {refuse}"
    )
    op.execute(
        f"CREATE TRIGGER payment_lines_frozen_delete BEFORE DELETE ON payment_lines "
        f"WHEN {BATCH_LOCKED.format(row='OLD')} {refuse}"
    )
