"""Indexes for the officer's case queue (decision 121): the open dossiers of a commune by
status and due date, in the queue's order, and a person's dossiers by ID number.

``ix_cases_queue`` (commune, status, due date, id) serves the queue's page (keyset on due
date and id), its counts by status and deadline, and its filters by state;
``ix_cases_subject_national_id`` the search by ID number (and the check for a second open
dossier of the same person, ``fetch_open_case_for``).

Revision ID: 0035_case_queue_indexes
Revises: 0030_case_decisions
"""
from alembic import op

revision = '0035_case_queue_indexes'
down_revision = '0034_report_summaries'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index('ix_cases_queue', ['commune_code', 'status', 'due_on', 'id'],
                              unique=False)
        batch_op.create_index('ix_cases_subject_national_id', ['subject_national_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_cases_subject_national_id')
        batch_op.drop_index('ix_cases_queue')
