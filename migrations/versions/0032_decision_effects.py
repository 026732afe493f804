"""One decision per dossier, in the database (issue 25 item 1): ``decisions.case_id``,
unique, so that two chairmen signing the same dossier at once sign once; and the
beneficiary a decision changed (``decisions.beneficiary_id``), for the record's history;
and ``beneficiaries.top_up_from``, the first month a back-dated increase makes up in the
next batch (ND20 Art 8.1, domain.md section 2).

Both columns are added in place (SQLite's ADD COLUMN takes a REFERENCES clause); the
unique rule is a unique index, which SQLite can add without rebuilding the table.

Revision ID: 0032_decision_effects
Revises: 0030_case_decisions
"""
from alembic import op
import sqlalchemy as sa

revision = '0032_decision_effects'
down_revision = '0031_payments_final_lines'
branch_labels = None
depends_on = None


def upgrade():
    for column, table in (('case_id', 'cases'), ('beneficiary_id', 'beneficiaries')):
        name = f'fk_decisions_{column}_{table}'
        if op.get_bind().dialect.name == 'sqlite':
            op.execute(f'ALTER TABLE decisions ADD COLUMN {column} INTEGER '
                       f'CONSTRAINT {name} REFERENCES {table} (id)')
        else:
            op.add_column('decisions', sa.Column(column, sa.Integer(), nullable=True))
            op.create_foreign_key(name, 'decisions', table, [column], ['id'])
    op.add_column('beneficiaries', sa.Column('top_up_from', sa.Integer(), nullable=True))
    op.create_index('uq_decisions_case_id', 'decisions', ['case_id'], unique=True)
    op.create_index(op.f('ix_decisions_beneficiary_id'), 'decisions', ['beneficiary_id'])
    # The decisions signed before this revision: each dossier's, from ``cases.decision_id``.
    op.execute("UPDATE decisions SET case_id = (SELECT cases.id FROM cases "
               "WHERE cases.decision_id = decisions.id)")


def downgrade():
    op.drop_index(op.f('ix_decisions_beneficiary_id'), table_name='decisions')
    op.drop_index('uq_decisions_case_id', table_name='decisions')
    with op.batch_alter_table('beneficiaries') as batch_op:
        batch_op.drop_column('top_up_from')
    with op.batch_alter_table('decisions') as batch_op:
        batch_op.drop_column('beneficiary_id')
        batch_op.drop_column('case_id')
