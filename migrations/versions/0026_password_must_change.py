"""A temporary password given at the commune's desk must be changed at the next log-in
(decision 65).

Revision ID: 0026_password_must_change
Revises: 0025_partial_drafts
"""
from alembic import op
import sqlalchemy as sa

revision = '0026_password_must_change'
down_revision = '0025_partial_drafts'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('password_must_change', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('password_must_change')
