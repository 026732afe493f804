"""The outbox of notifications' copies by email and SMS (issue 29.2, decision 140): each
written in the transaction of its cause, sent by a job that retries until sent.

Notifications written before it get no copy here: one whose email job was lost is old
news by now (decision 140).

Revision ID: 0037_notification_outbox
Revises: 0035_case_queue_indexes
"""
import sqlalchemy as sa
from alembic import op

revision = '0037_notification_outbox'
# The head of this branch; the coordinator re-chains at merge (brief: after 0030).
down_revision = '0036_batch_coverage'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'notification_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('notification_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=10), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.String(length=80), nullable=True),
        sa.CheckConstraint("channel IN ('email', 'sms')",
                           name=op.f('ck_notification_outbox_channel_known')),
        sa.CheckConstraint('attempts >= 0',
                           name=op.f('ck_notification_outbox_attempts_not_negative')),
        sa.ForeignKeyConstraint(['notification_id'], ['notifications.id'],
                                name=op.f('fk_notification_outbox_notification_id_notifications')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_outbox')),
        sa.UniqueConstraint('notification_id', 'channel',
                            name=op.f('uq_notification_outbox_notification_id_channel')),
    )
    with op.batch_alter_table('notification_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_notification_outbox_due', ['sent_at', 'next_attempt_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('notification_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_outbox_due')
    op.drop_table('notification_outbox')
