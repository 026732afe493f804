"""The officer's proposal, the public posting and the chairman's decision on a dossier
(decision 78): columns of ``cases``, the complaints made during a posting, and the
per-commune, per-year counter of decision numbers.

SQLite rebuilds ``cases`` here (batch mode), as 0025 did: the trigger of 0022 on ``cases``
goes with the old table and is created again.

Revision ID: 0030_case_decisions
Revises: 0029_reconciliation_reports
"""
from contextlib import contextmanager

from alembic import op
import sqlalchemy as sa

revision = '0030_case_decisions'
down_revision = '0029_reconciliation_reports'
branch_labels = None
depends_on = None


def upgrade():
    with _rebuilding_cases():
        with op.batch_alter_table('cases', schema=None) as batch_op:
            batch_op.add_column(sa.Column('proposed_outcome', sa.String(length=10), nullable=True))
            batch_op.add_column(sa.Column('proposal', sa.JSON(), nullable=True))
            batch_op.add_column(sa.Column('posted_on', sa.Date(), nullable=True))
            batch_op.add_column(sa.Column('posting_ends_on', sa.Date(), nullable=True))
            batch_op.add_column(sa.Column('decision_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('decision_reasons', sa.String(length=2000),
                                          nullable=True))
            batch_op.create_unique_constraint(op.f('uq_cases_decision_id'), ['decision_id'])
            batch_op.create_foreign_key(op.f('fk_cases_decision_id_decisions'), 'decisions',
                                        ['decision_id'], ['id'])
            batch_op.create_check_constraint(
                op.f('ck_cases_proposed_outcome_known'),
                "proposed_outcome IS NULL OR proposed_outcome IN ('approve', 'refuse')")
            batch_op.create_check_constraint(
                op.f('ck_cases_posting_has_both_days'),
                "(posted_on IS NULL) = (posting_ends_on IS NULL)")
            batch_op.create_check_constraint(
                op.f('ck_cases_posting_has_days'), "status <> 'posting' OR posted_on IS NOT NULL")
            batch_op.create_check_constraint(
                op.f('ck_cases_proposed_has_outcome'),
                "status <> 'proposed' OR proposed_outcome IS NOT NULL")
    op.create_table(
        'case_complaints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('received_on', sa.Date(), nullable=False),
        sa.Column('examine_by', sa.Date(), nullable=False),
        sa.Column('complainant', sa.String(length=120), nullable=False),
        sa.Column('text', sa.String(length=2000), nullable=False),
        sa.Column('answered_on', sa.Date(), nullable=True),
        sa.Column('answer', sa.String(length=2000), nullable=True),
        sa.CheckConstraint('(answered_on IS NULL) = (answer IS NULL)',
                           name=op.f('ck_case_complaints_answer_has_day')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'],
                                name=op.f('fk_case_complaints_case_id_cases')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_case_complaints')),
    )
    op.create_index(op.f('ix_case_complaints_case_id'), 'case_complaints', ['case_id'],
                    unique=False)
    op.create_table(
        'decision_sequences',
        sa.Column('commune_code', sa.String(length=5), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('last_value', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['commune_code'], ['communes.code'],
                                name=op.f('fk_decision_sequences_commune_code_communes')),
        sa.PrimaryKeyConstraint('commune_code', 'year', name=op.f('pk_decision_sequences')),
    )


def downgrade():
    op.drop_table('decision_sequences')
    op.drop_index(op.f('ix_case_complaints_case_id'), table_name='case_complaints')
    op.drop_table('case_complaints')
    with _rebuilding_cases():
        with op.batch_alter_table('cases', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_cases_proposed_has_outcome'), type_='check')
            batch_op.drop_constraint(op.f('ck_cases_posting_has_days'), type_='check')
            batch_op.drop_constraint(op.f('ck_cases_posting_has_both_days'), type_='check')
            batch_op.drop_constraint(op.f('ck_cases_proposed_outcome_known'), type_='check')
            batch_op.drop_constraint(op.f('fk_cases_decision_id_decisions'), type_='foreignkey')
            batch_op.drop_constraint(op.f('uq_cases_decision_id'), type_='unique')
            for column in ('decision_reasons', 'decision_id', 'posting_ends_on', 'posted_on',
                           'proposal', 'proposed_outcome'):
                batch_op.drop_column(column)


@contextmanager
def _rebuilding_cases():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = ON")
    yield
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = OFF")
        # As in 0022 and 0025: a dossier named by a payment item is not deleted.
        op.execute(
            "CREATE TRIGGER cases_kept_for_payment_items BEFORE DELETE ON cases "
            "WHEN EXISTS (SELECT 1 FROM payment_items WHERE case_id = OLD.id) "
            "BEGIN SELECT RAISE(ABORT, 'payment items name this cases row'); END"
        )
