"""Who may be cared for under each kind of care support (ND20 Art 20), and the ages from
which the social pension is due (Decree 176/2025/NĐ-CP), as dated rule data.

- ``care_group_categories``: a care-support group fits a person holding one of its
  categories (Art 20: a 5.1 child or a 5.5.d elderly person; a person with extremely
  severe disability, cared for by their household or a foster carer; a person with severe
  or extremely severe disability who is pregnant or raising a child under 36 months).
- ``social_pension_conditions``: 75, or 70 in a poor or near-poor household, from 2025-07.
- ``categories.poor_or_near_poor``: holding the category means the household is poor or
  near-poor (ND20 Art 5.3, 5.4, 5.5.a, 5.5.b, 5.5.d, 5.7, 5.8).

Revision ID: 0024_care_and_pension_conditions
Revises: 0022_item_references
"""
from alembic import op
import sqlalchemy as sa

import benefits.month

revision = '0024_care_and_pension_conditions'
down_revision = '0022_item_references'
branch_labels = None
depends_on = None

ND20 = "Nghị định 20/2021/NĐ-CP"

ART20 = ND20 + ", Điều 20"

# care group, category held by the person cared for, legal basis (domain.md section 3:
# "caring for a 5.1 child ... or a 5.5.d elderly person", "a person with extremely severe
# disability", "a person with severe or extremely severe disability who is pregnant...").
CARE_GROUP_CATEGORIES = [
    ("CARE_CHILD", "CHILD_NO_SUPPORT", ART20 + " (khoản 1 Điều 5)"),
    ("CARE_ELDERLY_COMMUNITY", "ELDERLY_COMMUNITY_CARE", ART20 + " (điểm d khoản 5 Điều 5)"),
    ("CARE_HOUSEHOLD_EXTREMELY_SEVERE", "DISABLED_EXTREMELY_SEVERE",
     ART20 + " (khuyết tật đặc biệt nặng)"),
    ("FOSTER_EXTREMELY_SEVERE", "DISABLED_EXTREMELY_SEVERE", ART20 + " (khuyết tật đặc biệt nặng)"),
    ("DISABLED_PARENT_PREGNANT_OR_ONE_CHILD", "DISABLED_SEVERE", ART20 + " (khuyết tật nặng)"),
    ("DISABLED_PARENT_PREGNANT_OR_ONE_CHILD", "DISABLED_EXTREMELY_SEVERE",
     ART20 + " (khuyết tật đặc biệt nặng)"),
    ("DISABLED_PARENT_PREGNANT_AND_CHILD_OR_TWO_CHILDREN", "DISABLED_SEVERE",
     ART20 + " (khuyết tật nặng)"),
    ("DISABLED_PARENT_PREGNANT_AND_CHILD_OR_TWO_CHILDREN", "DISABLED_EXTREMELY_SEVERE",
     ART20 + " (khuyết tật đặc biệt nặng)"),
]

POOR_OR_NEAR_POOR = ("CHILD_HIV_POOR", "SINGLE_PARENT_POOR", "ELDERLY_POOR_ALONE",
                     "ELDERLY_75_DIFFICULT_AREA", "ELDERLY_COMMUNITY_CARE",
                     "CHILD_UNDER_3_POOR_AREA", "HIV_POOR")


def upgrade():
    groups = op.create_table('care_group_categories',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('care_group', sa.String(length=60), nullable=False),
    sa.Column('category_code', sa.String(length=40), nullable=False),
    sa.Column('effective_month', benefits.month.MonthType(), nullable=False),
    sa.Column('legal_basis', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['category_code'], ['categories.code'], name=op.f('fk_care_group_categories_category_code_categories')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_group_categories')),
    sa.UniqueConstraint('care_group', 'category_code', 'effective_month', name=op.f('uq_care_group_categories_care_group_category_code_effective_month'))
    )
    with op.batch_alter_table('care_group_categories', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_care_group_categories_care_group'), ['care_group'], unique=False)
    conditions = op.create_table('social_pension_conditions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('effective_month', benefits.month.MonthType(), nullable=False),
    sa.Column('min_age', sa.Integer(), nullable=False),
    sa.Column('min_age_poor_or_near_poor', sa.Integer(), nullable=False),
    sa.Column('legal_basis', sa.String(length=255), nullable=False),
    sa.CheckConstraint('min_age_poor_or_near_poor <= min_age', name=op.f('ck_social_pension_conditions_poor_age_not_above')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_social_pension_conditions')),
    sa.UniqueConstraint('effective_month', name=op.f('uq_social_pension_conditions_effective_month'))
    )
    # Plain ALTER TABLE: SQLite keeps the table (a rebuild would drop it under its foreign keys).
    op.add_column('categories', sa.Column('poor_or_near_poor', sa.Boolean(), nullable=False,
                                          server_default=sa.false()))
    # ND20 Art 20 took effect with the decree, in July 2021 (the first care-support rules).
    op.bulk_insert(groups, [
        {"care_group": group, "category_code": code,
         "effective_month": benefits.month.Month(2021, 7), "legal_basis": basis}
        for group, code, basis in CARE_GROUP_CATEGORIES
    ])
    op.bulk_insert(conditions, [
        {"effective_month": benefits.month.Month(2025, 7), "min_age": 75,
         "min_age_poor_or_near_poor": 70, "legal_basis": "Nghị định 176/2025/NĐ-CP"},
    ])
    categories = sa.table('categories', sa.column('code', sa.String),
                          sa.column('poor_or_near_poor', sa.Boolean))
    op.execute(categories.update().where(categories.c.code.in_(POOR_OR_NEAR_POOR))
               .values(poor_or_near_poor=True))


def downgrade():
    op.drop_column('categories', 'poor_or_near_poor')  # SQLite 3.35+: no table rebuild
    op.drop_table('social_pension_conditions')
    with op.batch_alter_table('care_group_categories', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_care_group_categories_care_group'))
    op.drop_table('care_group_categories')
