"""A category its holder continues under past its ages (domain.md section 3; issue 25
item 7; decision 161).

``categories.continues_as``: a 5.5.b beneficiary (ELDERLY_75_DIFFICULT_AREA, 75 to under
80) reaching 80 continues under 5.5.c (ELDERLY_80_NO_PENSION) from the birthday month,
with no new decision and no gap; not a new entrant, so it holds after 2025-07 too
(Decree 176/2025 closes both to new entrants only). The entitlement reads a held category
as also holding its continuation, over the same months, within the continuation's ages.

Revision ID: 0037d_category_continuation
Revises: 0037c_funeral_from_2014
"""

import sqlalchemy as sa
from alembic import op

revision = "0037d_category_continuation"
down_revision = "0037c_funeral_from_2014"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite adds a column with its reference in place: rebuilding ``categories``
        # (batch mode) would drop a table every rule table refers to.
        op.execute(
            "ALTER TABLE categories ADD COLUMN continues_as VARCHAR(40) "
            "CONSTRAINT fk_categories_continues_as_categories REFERENCES categories (code)"
        )
    else:
        op.add_column("categories", sa.Column("continues_as", sa.String(length=40)))
        op.create_foreign_key(
            "fk_categories_continues_as_categories",
            "categories", "categories", ["continues_as"], ["code"],
        )  # fmt: skip
    op.execute(
        "UPDATE categories SET continues_as = 'ELDERLY_80_NO_PENSION' "
        "WHERE code = 'ELDERLY_75_DIFFICULT_AREA'"
    )


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        # SQLite drops no column a reference uses, nor rebuilds ``categories`` while rule
        # tables refer to it: the column stays, read by no code, and is emptied.
        op.execute("UPDATE categories SET continues_as = NULL")
    else:
        op.drop_constraint(
            "fk_categories_continues_as_categories", "categories", type_="foreignkey"
        )
        op.drop_column("categories", "continues_as")
