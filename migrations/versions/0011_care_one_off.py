"""Care support (ND20 Art 20) and one-off support (Art 11, 14, 15) in payment batches.

Care-support rules get a group and an age band (the cared person's age picks the row);
``care_supports`` records who is paid to care for whom; payment items and lines may pay an
approved dossier (``case_id``), once. SQLite rebuilds ``payment_lines`` here, which drops
its lock triggers: they are created again as in 0005.

Revision ID: 0011_care_one_off
Revises: 0010_posting_settings
Create Date: 2026-11-24 20:15:02.095772

"""
from alembic import op
import sqlalchemy as sa

import benefits.month


# revision identifiers, used by Alembic.
revision = '0011_care_one_off'
down_revision = '0010_posting_settings'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('care_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_id', sa.Integer(), nullable=False),
    sa.Column('care_group', sa.String(length=60), nullable=False),
    sa.Column('carer_person_id', sa.Integer(), nullable=True),
    sa.Column('carer_name', sa.String(length=120), nullable=False),
    sa.Column('carer_national_id', sa.String(length=12), nullable=True),
    sa.Column('from_month', benefits.month.MonthType(), nullable=False),
    sa.Column('to_month', benefits.month.MonthType(), nullable=True),
    sa.Column('decision_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('to_month IS NULL OR to_month >= from_month', name=op.f('ck_care_supports_period_ordered')),
    sa.ForeignKeyConstraint(['beneficiary_id'], ['beneficiaries.id'], name=op.f('fk_care_supports_beneficiary_id_beneficiaries')),
    sa.ForeignKeyConstraint(['carer_person_id'], ['persons.id'], name=op.f('fk_care_supports_carer_person_id_persons')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_care_supports_decision_id_decisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_supports')),
    sa.UniqueConstraint('beneficiary_id', 'from_month', name=op.f('uq_care_supports_beneficiary_id_from_month'))
    )
    with op.batch_alter_table('care_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_supports_beneficiary_id'), ['beneficiary_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_care_supports_carer_person_id'), ['carer_person_id'], unique=False)

    with op.batch_alter_table('care_support_rules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('care_group', sa.String(length=60), nullable=True))
        batch_op.add_column(sa.Column('min_age', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('max_age', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_care_support_rules_care_group'), ['care_group'], unique=False)
    rules = sa.table('care_support_rules', sa.column('code', sa.String), sa.column('care_group', sa.String),
                     sa.column('min_age', sa.Integer), sa.column('max_age', sa.Integer))
    for code, group, min_age, max_age in CARE_GROUPS:
        op.execute(rules.update().where(rules.c.code == code)
                   .values(care_group=group, min_age=min_age, max_age=max_age))
    with op.batch_alter_table('care_support_rules', schema=None) as batch_op:
        batch_op.alter_column('care_group', existing_type=sa.String(length=60), nullable=False)

    with op.batch_alter_table('payment_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('care_support_id', sa.Integer(), nullable=True))
        batch_op.alter_column('beneficiary_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.drop_index('uq_payment_items_entitlement_month')
        batch_op.create_index('uq_payment_items_entitlement_month', ['beneficiary_id', 'kind', 'month'], unique=True, sqlite_where=sa.text("status IN ('issued', 'paid') AND case_id IS NULL"), postgresql_where=sa.text("status IN ('issued', 'paid') AND case_id IS NULL"))
        batch_op.create_index('uq_payment_items_case', ['case_id'], unique=True, sqlite_where=sa.text("status IN ('issued', 'paid') AND case_id IS NOT NULL"), postgresql_where=sa.text("status IN ('issued', 'paid') AND case_id IS NOT NULL"))
        batch_op.create_foreign_key(batch_op.f('fk_payment_items_care_support_id_care_supports'), 'care_supports', ['care_support_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_payment_items_case_id_cases'), 'cases', ['case_id'], ['id'])

    _drop_sqlite_lock_triggers()
    with op.batch_alter_table('payment_lines', schema=None) as batch_op:
        batch_op.add_column(sa.Column('case_id', sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f('ck_payment_lines_about_someone'), 'beneficiary_id IS NOT NULL OR case_id IS NOT NULL')
        batch_op.alter_column('beneficiary_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.drop_constraint(batch_op.f('uq_payment_lines_batch_id_beneficiary_id_kind'), type_='unique')
        batch_op.create_index('uq_payment_lines_monthly', ['batch_id', 'beneficiary_id', 'kind'], unique=True, sqlite_where=sa.text('case_id IS NULL'), postgresql_where=sa.text('case_id IS NULL'))
        batch_op.create_index('uq_payment_lines_one_off', ['batch_id', 'case_id'], unique=True, sqlite_where=sa.text('case_id IS NOT NULL'), postgresql_where=sa.text('case_id IS NOT NULL'))
        batch_op.create_foreign_key(batch_op.f('fk_payment_lines_case_id_cases'), 'cases', ['case_id'], ['id'])
    _create_sqlite_lock_triggers()


def downgrade():
    op.execute("DELETE FROM payment_items WHERE case_id IS NOT NULL OR care_support_id IS NOT NULL")
    _drop_sqlite_lock_triggers()
    with op.batch_alter_table('payment_lines', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('ck_payment_lines_about_someone'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_payment_lines_case_id_cases'), type_='foreignkey')
        batch_op.drop_index('uq_payment_lines_one_off', sqlite_where=sa.text('case_id IS NOT NULL'), postgresql_where=sa.text('case_id IS NOT NULL'))
        batch_op.drop_index('uq_payment_lines_monthly', sqlite_where=sa.text('case_id IS NULL'), postgresql_where=sa.text('case_id IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_payment_lines_batch_id_beneficiary_id_kind'), ['batch_id', 'beneficiary_id', 'kind'])
        batch_op.alter_column('beneficiary_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('case_id')
    _create_sqlite_lock_triggers()

    with op.batch_alter_table('payment_items', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_payment_items_case_id_cases'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_payment_items_care_support_id_care_supports'), type_='foreignkey')
        batch_op.drop_index('uq_payment_items_case', sqlite_where=sa.text("status IN ('issued', 'paid') AND case_id IS NOT NULL"), postgresql_where=sa.text("status IN ('issued', 'paid') AND case_id IS NOT NULL"))
        batch_op.drop_index('uq_payment_items_entitlement_month')
        batch_op.create_index('uq_payment_items_entitlement_month', ['beneficiary_id', 'kind', 'month'], unique=True, sqlite_where=sa.text("status IN ('issued', 'paid')"), postgresql_where=sa.text("status IN ('issued', 'paid')"))
        batch_op.alter_column('beneficiary_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('care_support_id')
        batch_op.drop_column('case_id')

    with op.batch_alter_table('care_support_rules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_support_rules_care_group'))
        batch_op.drop_column('max_age')
        batch_op.drop_column('min_age')
        batch_op.drop_column('care_group')

    with op.batch_alter_table('care_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_supports_carer_person_id'))
        batch_op.drop_index(batch_op.f('ix_care_supports_beneficiary_id'))

    op.drop_table('care_supports')


# ND20 Art 20: the rows of a group differ by the age of the person cared for.
CARE_GROUPS = [
    ("CARE_CHILD_UNDER_4", "CARE_CHILD", None, 4),  # Art 20.1.a: a 5.1 child under 4
    ("CARE_CHILD_FROM_4", "CARE_CHILD", 4, None),  # Art 20.1.b: from 4
    ("CARE_ELDERLY_COMMUNITY", "CARE_ELDERLY_COMMUNITY", None, None),
    ("CARE_HOUSEHOLD_EXTREMELY_SEVERE", "CARE_HOUSEHOLD_EXTREMELY_SEVERE", None, None),
    ("FOSTER_EXTREMELY_SEVERE_CHILD", "FOSTER_EXTREMELY_SEVERE", None, 16),  # Art 20.3
    ("FOSTER_EXTREMELY_SEVERE", "FOSTER_EXTREMELY_SEVERE", 16, None),
    ("DISABLED_PARENT_PREGNANT_OR_ONE_CHILD", "DISABLED_PARENT_PREGNANT_OR_ONE_CHILD", None, None),
    ("DISABLED_PARENT_PREGNANT_AND_CHILD_OR_TWO_CHILDREN",
     "DISABLED_PARENT_PREGNANT_AND_CHILD_OR_TWO_CHILDREN", None, None),
]

# As in 0005: SQLite drops a table's triggers when batch mode rebuilds it.
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
    if op.get_bind().dialect.name != "sqlite":
        return
    for name in SQLITE_LINE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}")


def _create_sqlite_lock_triggers():
    if op.get_bind().dialect.name != "sqlite":
        return
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
