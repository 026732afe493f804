"""Each audit row names its province, so that a province admin reads only their own
province's log and what is national (decision 74).

Rows written before name the province of their commune; a row with no commune stays
national, as it was shown before.

Revision ID: 0028_audit_province
Revises: 0027_login_sessions
"""
from alembic import op
import sqlalchemy as sa

revision = '0028_audit_province'
down_revision = '0027_login_sessions'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('audit_log', sa.Column('province_code', sa.String(length=2), nullable=True))
    op.create_index(op.f('ix_audit_log_province_code'), 'audit_log', ['province_code'],
                    unique=False)
    # The audit log refuses updates (0008): its triggers are set aside while it is filled.
    fill = (
        "UPDATE audit_log SET province_code = (SELECT communes.province_code FROM communes "
        "WHERE communes.code = audit_log.commune_code) WHERE commune_code IS NOT NULL"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only")
        op.execute(fill)
        op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only")
        return
    op.execute("DROP TRIGGER audit_log_no_update")
    op.execute(fill)
    op.execute(
        "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END"
    )


def downgrade():
    op.drop_index(op.f('ix_audit_log_province_code'), table_name='audit_log')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('province_code')
