"""Funeral support for a death before 2021-07 (domain.md section 4; issue 25 item 7;
decision 160).

Decree 136/2013/NĐ-CP Art 11 gave the same 20 × the standard level for funeral support
as ND20 Art 11, so the FUNERAL rule holds from 2014-01: 20 × 270,000 = 5,400,000 VND for a
death before 2021-07. The row is added the way 0003_rules seeds the rule tables: history
is never edited, a new dated row.

Revision ID: 0037c_funeral_from_2014
Revises: 0036_batch_coverage
"""

import sqlalchemy as sa
from alembic import op

revision = "0037c_funeral_from_2014"
down_revision = "0037_notification_outbox"
branch_labels = None
depends_on = None

FROM_2014 = 201401
LEGAL_BASIS = "Nghị định 136/2013/NĐ-CP, Điều 11"


def upgrade():
    one_off_rules = sa.Table("one_off_rules", sa.MetaData(), autoload_with=op.get_bind())
    op.bulk_insert(one_off_rules, [
        {"code": "FUNERAL", "name_vi": "Hỗ trợ chi phí mai táng",
         "name_en": "Funeral cost support", "effective_month": FROM_2014,
         "multiple_pct": 2000, "fixed_amount": None, "legal_basis": LEGAL_BASIS},
    ])  # fmt: skip


def downgrade():
    op.execute(
        sa.text(
            "DELETE FROM one_off_rules WHERE code = 'FUNERAL' AND effective_month = :month"
        ).bindparams(month=FROM_2014)
    )
