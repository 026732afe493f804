"""Who proposed a dossier and who signed its decision, never one person (issue 29.6,
decision 181): ``cases.proposed_by_user_id``, ``cases.decided_by_user_id`` and a check
that they differ.

SQLite rebuilds ``cases`` here (batch mode), as 0030 did: the trigger of 0022 on ``cases``
goes with the old table and is created again.

Revision ID: 0038b_case_duties
Revises: 0037_notification_outbox
"""
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

revision = '0038b_case_duties'
down_revision = '0038a_overpayment_recovery'
branch_labels = None
depends_on = None

SIGNER_NOT_PROPOSER = ("decided_by_user_id IS NULL OR proposed_by_user_id IS NULL "
                       "OR decided_by_user_id <> proposed_by_user_id")


def upgrade():
    with _rebuilding_cases():
        with op.batch_alter_table('cases', schema=None) as batch_op:
            batch_op.add_column(sa.Column('proposed_by_user_id', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('decided_by_user_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(op.f('fk_cases_proposed_by_user_id_users'), 'users',
                                        ['proposed_by_user_id'], ['id'])
            batch_op.create_foreign_key(op.f('fk_cases_decided_by_user_id_users'), 'users',
                                        ['decided_by_user_id'], ['id'])
            batch_op.create_check_constraint(op.f('ck_cases_signer_not_proposer'),
                                             SIGNER_NOT_PROPOSER)


def downgrade():
    with _rebuilding_cases():
        with op.batch_alter_table('cases', schema=None) as batch_op:
            batch_op.drop_constraint(op.f('ck_cases_signer_not_proposer'), type_='check')
            batch_op.drop_constraint(op.f('fk_cases_decided_by_user_id_users'),
                                     type_='foreignkey')
            batch_op.drop_constraint(op.f('fk_cases_proposed_by_user_id_users'),
                                     type_='foreignkey')
            batch_op.drop_column('decided_by_user_id')
            batch_op.drop_column('proposed_by_user_id')


@contextmanager
def _rebuilding_cases():
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = ON")
    yield
    if sqlite:
        op.execute("PRAGMA legacy_alter_table = OFF")
        # As in 0022, 0025 and 0030: a dossier named by a payment item is not deleted.
        op.execute(
            "CREATE TRIGGER cases_kept_for_payment_items BEFORE DELETE ON cases "
            "WHEN EXISTS (SELECT 1 FROM payment_items WHERE case_id = OLD.id) "
            "BEGIN SELECT RAISE(ABORT, 'payment items name this cases row'); END"
        )
