"""A payment item's batch, care record and dossier are checked once per statement, with
the same locks as the foreign keys they replace.

The items are the ledger of months paid (domain.md section 6). Their foreign keys to the
batch, the care record and the dossier were checked one row at a time, even where the
column is NULL (an allowance has no care record nor dossier): 108 ms of the 600 ms that
writing a province's 30,000 items takes. Instead:

- after an insert of items, each batch, care record and dossier they name must exist, and
  is locked against deletion until the transaction ends (``FOR KEY SHARE``, as a foreign
  key does), once per distinct row named (one batch for a whole province);
- a batch, care record or dossier that items name cannot be deleted, nor its id changed;
- an item's batch, care record and dossier never change.

The foreign key to the beneficiary stays: locking the 30,000 beneficiaries of a province
set-based was measured no faster than the foreign key's own look-ups.

Revision ID: 0022_item_references
Revises: 0021_overpayment_line_check
"""
from alembic import op
import sqlalchemy as sa

revision = '0022_item_references'
down_revision = '0021_overpayment_line_check'
branch_labels = None
depends_on = None

# column of payment_items -> (foreign key, table it names)
REFERENCES = {
    "batch_id": ("fk_payment_items_batch_id_payment_batches", "payment_batches"),
    "care_support_id": ("fk_payment_items_care_support_id_care_supports", "care_supports"),
    "case_id": ("fk_payment_items_case_id_cases", "cases"),
}
# For the checks of a deletion: the items that name a care record or a dossier.
PARTIAL_INDEXES = ("care_support_id", "case_id")


def upgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        # The rebuilt table takes the old one's name; the payment_lines triggers of 0020
        # that read payment_items stay as they are (no check of them on the rename).
        op.execute("PRAGMA legacy_alter_table = ON")
        with op.batch_alter_table('payment_items', schema=None) as batch_op:
            for foreign_key, _table in REFERENCES.values():
                batch_op.drop_constraint(foreign_key, type_='foreignkey')
        op.execute("PRAGMA legacy_alter_table = OFF")
    else:
        for foreign_key, _table in REFERENCES.values():
            op.execute(f"ALTER TABLE payment_items DROP CONSTRAINT {foreign_key}")
    for column in PARTIAL_INDEXES:
        op.create_index(f'ix_payment_items_{column}', 'payment_items', [column],
                        sqlite_where=sa.text(f"{column} IS NOT NULL"),
                        postgresql_where=sa.text(f"{column} IS NOT NULL"))
    if sqlite:
        _create_sqlite_triggers()
    else:
        _create_postgresql_triggers()


def downgrade():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute("DROP TRIGGER payment_items_name_what_exists ON payment_items")
        op.execute("DROP FUNCTION payment_items_name_what_exists()")
        op.execute("DROP TRIGGER payment_items_references_fixed ON payment_items")
        op.execute("DROP FUNCTION payment_items_references_fixed()")
        for column, (_foreign_key, table) in REFERENCES.items():
            op.execute(f"DROP TRIGGER {table}_kept_for_payment_items ON {table}")
        op.execute("DROP FUNCTION kept_for_payment_items()")
    for column in PARTIAL_INDEXES:
        op.drop_index(f'ix_payment_items_{column}', table_name='payment_items')
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = ON")
        with op.batch_alter_table('payment_items', schema=None) as batch_op:
            for column, (foreign_key, table) in REFERENCES.items():
                batch_op.create_foreign_key(foreign_key, table, [column], ['id'])
        op.execute("PRAGMA legacy_alter_table = OFF")
    else:
        for column, (foreign_key, table) in REFERENCES.items():
            op.execute(f"ALTER TABLE payment_items ADD CONSTRAINT {foreign_key} "
                       f"FOREIGN KEY ({column}) REFERENCES {table} (id)")


def _create_postgresql_triggers():
    checks = "\n".join(f"""
          FOR named IN SELECT DISTINCT {column} FROM changed_rows
                       WHERE {column} IS NOT NULL LOOP
            PERFORM 1 FROM {table} WHERE id = named FOR KEY SHARE;
            IF NOT FOUND THEN
              RAISE EXCEPTION 'a payment item names {table} row %, which does not exist', named
                USING ERRCODE = 'foreign_key_violation';
            END IF;
          END LOOP;""" for column, (_foreign_key, table) in REFERENCES.items())
    op.execute(f"""
        CREATE FUNCTION payment_items_name_what_exists() RETURNS trigger AS $$
        DECLARE
          named integer;
        BEGIN
          {checks}
          RETURN NULL;
        END $$ LANGUAGE plpgsql""")
    op.execute(
        "CREATE TRIGGER payment_items_name_what_exists AFTER INSERT ON payment_items "
        "REFERENCING NEW TABLE AS changed_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION payment_items_name_what_exists()"
    )
    op.execute("""
        CREATE FUNCTION payment_items_references_fixed() RETURNS trigger AS $$
        BEGIN
          RAISE EXCEPTION 'the batch, care record and dossier of payment item % are fixed',
            OLD.id USING ERRCODE = 'foreign_key_violation';
        END $$ LANGUAGE plpgsql""")
    op.execute(
        "CREATE TRIGGER payment_items_references_fixed "
        "BEFORE UPDATE OF batch_id, care_support_id, case_id ON payment_items FOR EACH ROW "
        "WHEN ((OLD.batch_id, OLD.care_support_id, OLD.case_id) IS DISTINCT FROM "
        "(NEW.batch_id, NEW.care_support_id, NEW.case_id)) "
        "EXECUTE FUNCTION payment_items_references_fixed()"
    )
    # TG_ARGV[0]: the column of payment_items that names the row deleted or changed.
    op.execute("""
        CREATE FUNCTION kept_for_payment_items() RETURNS trigger AS $$
        DECLARE
          named boolean;
        BEGIN
          EXECUTE format('SELECT EXISTS (SELECT 1 FROM payment_items WHERE %I = $1)',
                         TG_ARGV[0]) INTO named USING OLD.id;
          IF named THEN
            RAISE EXCEPTION 'payment items name % row %', TG_TABLE_NAME, OLD.id
              USING ERRCODE = 'foreign_key_violation';
          END IF;
          RETURN COALESCE(NEW, OLD);
        END $$ LANGUAGE plpgsql""")
    for column, (_foreign_key, table) in REFERENCES.items():
        op.execute(
            f"CREATE TRIGGER {table}_kept_for_payment_items BEFORE DELETE OR UPDATE OF id "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION kept_for_payment_items('{column}')"
        )


SQLITE_TRIGGERS = (
    "payment_items_name_what_exists", "payment_items_references_fixed",
    *(f"{table}_kept_for_payment_items" for _fk, table in REFERENCES.values()),
)


def _create_sqlite_triggers():
    refuse = "BEGIN SELECT RAISE(ABORT, '{}'); END"
    missing = " OR ".join(
        f"(NEW.{column} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {table} WHERE id = NEW.{column}))"
        for column, (_foreign_key, table) in REFERENCES.items()
    )
    op.execute(
        f"CREATE TRIGGER payment_items_name_what_exists BEFORE INSERT ON payment_items "
        f"WHEN {missing} {refuse.format('a payment item names a row that does not exist')}"
    )
    op.execute(
        "CREATE TRIGGER payment_items_references_fixed "
        "BEFORE UPDATE OF batch_id, care_support_id, case_id ON payment_items "
        "WHEN OLD.batch_id IS NOT NEW.batch_id OR OLD.care_support_id IS NOT NEW.care_support_id "
        "OR OLD.case_id IS NOT NEW.case_id "
        + refuse.format("the batch, care record and dossier of a payment item are fixed")
    )
    for column, (_foreign_key, table) in REFERENCES.items():
        op.execute(
            f"CREATE TRIGGER {table}_kept_for_payment_items BEFORE DELETE ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM payment_items WHERE {column} = OLD.id) "
            + refuse.format(f"payment items name this {table} row")
        )
