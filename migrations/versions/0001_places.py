"""Provinces and communes of the 2025 administrative map, with their reference rows.

Revision ID: 0001_places
Revises:
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

from benefits.places.reference import commune_rows, province_rows

revision = "0001_places"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    provinces = op.create_table(
        "provinces",
        sa.Column("code", sa.String(length=2), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("division_type", sa.String(length=40), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_provinces")),
    )
    communes = op.create_table(
        "communes",
        sa.Column("code", sa.String(length=5), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("division_type", sa.String(length=40), nullable=False),
        sa.Column("province_code", sa.String(length=2), nullable=False),
        sa.ForeignKeyConstraint(["province_code"], ["provinces.code"],
                                name=op.f("fk_communes_province_code_provinces")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_communes")),
    )
    with op.batch_alter_table("communes") as batch_op:
        batch_op.create_index(batch_op.f("ix_communes_province_code"), ["province_code"])
    # Decision 19/2025/QĐ-TTg: the 34 provinces and 3,321 communes, from vietnam-provinces.
    op.bulk_insert(provinces, province_rows())
    op.bulk_insert(communes, commune_rows())


def downgrade():
    with op.batch_alter_table("communes") as batch_op:
        batch_op.drop_index(batch_op.f("ix_communes_province_code"))
    op.drop_table("communes")
    op.drop_table("provinces")
