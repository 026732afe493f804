"""A draft keeps whatever was typed (decision 62): ``cases.commune_code`` and
``cases.subject_name`` may be empty, but only while the dossier is a draft.

SQLite rebuilds ``cases`` here (batch mode), as 0009 did: the trigger of 0022 on ``cases``
goes with the old table and is created again; the triggers of ``payment_items`` that read
``cases`` stay as they are (no check of them on the rename, as in 0022).

Revision ID: 0025_partial_drafts
Revises: 0024_care_and_pension_conditions
"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa

revision = '0025_partial_drafts'
down_revision = '0024_care_and_pension_conditions'
branch_labels = None
depends_on = None


def upgrade():
    with _rebuilding_cases():
        with op.batch_alter_table('cases', schema=None) as batch_op:
            batch_op.alter_column('commune_code', existing_type=sa.String(length=5), nullable=True)
            batch_op.alter_column('subject_name', existing_type=sa.String(length=120),
                                  nullable=True)
            batch_op.create_check_constraint(op.f('ck_cases_commune_unless_draft'),
                                             "status = 'draft' OR commune_code IS NOT NULL")
            batch_op.create_check_constraint(op.f('ck_cases_subject_name_unless_draft'),
                                             "status = 'draft' OR subject_name IS NOT NULL")


def downgrade():
    # A draft without them cannot stay: it was never sent, so it goes (with what points at it).
    incomplete = "SELECT id FROM cases WHERE commune_code IS NULL OR subject_name IS NULL"
    for table in ('attachments', 'case_events', 'notifications'):
        op.execute(f"DELETE FROM {table} WHERE case_id IN ({incomplete})")
    op.execute("DELETE FROM cases WHERE commune_code IS NULL OR subject_name IS NULL")
    with _rebuilding_cases():
        with op.batch_alter_table('cases', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_cases_subject_name_unless_draft'), type_='check')
            batch_op.drop_constraint(op.f('ck_cases_commune_unless_draft'), type_='check')
            batch_op.alter_column('subject_name', existing_type=sa.String(length=120),
                                  nullable=False)
            batch_op.alter_column('commune_code', existing_type=sa.String(length=5),
                                  nullable=False)


@contextmanager
def _rebuilding_cases():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = ON")
    yield
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = OFF")
        # As in 0022: a dossier named by a payment item is not deleted.
        op.execute(
            "CREATE TRIGGER cases_kept_for_payment_items BEFORE DELETE ON cases "
            "WHEN EXISTS (SELECT 1 FROM payment_items WHERE case_id = OLD.id) "
            "BEGIN SELECT RAISE(ABORT, 'payment items name this cases row'); END"
        )
