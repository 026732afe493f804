"""Beneficiaries of the monthly social allowance, the categories they hold and the
decisions that granted them."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from benefits.extensions import db
from benefits.models_base import Timestamps
from benefits.month import Month, MonthType
from benefits.people.models import Person

# ``deceased`` is distinct from ``stopped`` (eligibility lost, moved away, terminated)
# and from ``suspended`` (TT02 Art 2.3: unpaid 3 months running; may be resumed).
BENEFICIARY_STATUSES = ("active", "suspended", "stopped", "deceased")
PAYMENT_METHODS = ("POST", "BANK", "COMMUNE")


class Decision(Timestamps, db.Model):
    """A numbered decision (quyết định) of the commune (before 2025-07, the district)."""

    __tablename__ = "decisions"
    __table_args__ = (
        UniqueConstraint("commune_code", "number", "signed_on"),
        CheckConstraint(
            "kind IN ('grant', 'adjust', 'stop', 'suspend', 'resume', 'refuse')", name="kind_known"
        ),
        # One decision per dossier, whoever signs first (issue 25 item 1, migration 0032).
        Index("uq_decisions_case_id", "case_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60))
    signed_on: Mapped[date] = mapped_column(Date)
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"))
    kind: Mapped[str] = mapped_column(String(20), default="grant")
    legal_basis: Mapped[str | None] = mapped_column(String(255))
    # The dossier it decides (none for a decision of the previous system, imported).
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id", use_alter=True))
    # The beneficiary record it changed, for the record's history.
    beneficiary_id: Mapped[int | None] = mapped_column(
        ForeignKey("beneficiaries.id", use_alter=True), index=True
    )


class Beneficiary(Timestamps, db.Model):
    """Đối tượng hưởng trợ cấp xã hội hằng tháng: one per person."""

    __tablename__ = "beneficiaries"
    __table_args__ = (
        CheckConstraint(
            "status IN ('active', 'suspended', 'stopped', 'deceased')", name="status_known"
        ),
        CheckConstraint("payment_method IN ('POST', 'BANK', 'COMMUNE')", name="method_known"),
        CheckConstraint(
            "payment_method <> 'POST' OR payment_point IS NOT NULL", name="post_has_point"
        ),
        CheckConstraint(
            "payment_method <> 'BANK' OR (bank_code IS NOT NULL AND bank_account IS NOT NULL)",
            name="bank_has_account",
        ),
        CheckConstraint("dependent_children >= 0", name="children_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Readable code, e.g. BTXH-00070-000123 (commune + sequence).
    code: Mapped[str] = mapped_column(String(40), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), unique=True)
    # Where the person is paid (and whose officers see them).
    commune_code: Mapped[str] = mapped_column(ForeignKey("communes.code"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="active")
    # First month the allowance is due (ND20 Art 8.1).
    effective_month: Mapped[Month] = mapped_column(MonthType)
    # Last month the previous system paid (caseload import); arrears start after it.
    paid_through_month: Mapped[Month | None] = mapped_column(MonthType)
    # Last month of entitlement once stopped or deceased (ND20 Art 8.2: the month of
    # death or loss of eligibility is still paid).
    last_entitled_month: Mapped[Month | None] = mapped_column(MonthType)
    dependent_children: Mapped[int] = mapped_column(default=0)
    # The first month a back-dated increase (an adjustment, ND20 Art 8.1) makes up: the
    # next batches pay the difference for the months already issued from it (arrears).
    top_up_from: Mapped[Month | None] = mapped_column(MonthType)
    payment_method: Mapped[str] = mapped_column(String(10))
    payment_point: Mapped[str | None] = mapped_column(String(40))
    bank_code: Mapped[str | None] = mapped_column(String(20))
    bank_account: Mapped[str | None] = mapped_column(String(40))
    # Who collects when not the person: a guardian (người giám hộ) or a carer.
    payee_name: Mapped[str | None] = mapped_column(String(120))
    payee_national_id: Mapped[str | None] = mapped_column(String(12))
    # SHA-1 of the last imported caseload row: a re-import of the same row changes nothing.
    import_fingerprint: Mapped[str | None] = mapped_column(String(40))

    person: Mapped[Person] = relationship()
    categories: Mapped[list[BeneficiaryCategory]] = relationship(
        back_populates="beneficiary", order_by="BeneficiaryCategory.id"
    )
    social_pension_periods: Mapped[list[SocialPensionPeriod]] = relationship(
        back_populates="beneficiary", order_by="SocialPensionPeriod.from_month"
    )

    def __repr__(self) -> str:
        return f"<Beneficiary {self.code} {self.status}>"


class BeneficiaryCategory(db.Model):
    """A category a beneficiary holds, from a month, until a month (NULL: open)."""

    __tablename__ = "beneficiary_categories"
    __table_args__ = (UniqueConstraint("beneficiary_id", "category_code", "from_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"))
    category_code: Mapped[str] = mapped_column(ForeignKey("categories.code"))
    from_month: Mapped[Month] = mapped_column(MonthType)
    to_month: Mapped[Month | None] = mapped_column(MonthType)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))

    beneficiary: Mapped[Beneficiary] = relationship(back_populates="categories")
    decision: Mapped[Decision | None] = relationship()


class CareSupport(Timestamps, db.Model):
    """Hỗ trợ kinh phí chăm sóc, nuôi dưỡng hằng tháng (ND20 Art 20): paid to a carer for a
    beneficiary (``beneficiary_id``, the person cared for; for a parent with a disability
    raising a young child, herself) from a month, until a month (NULL: open)."""

    __tablename__ = "care_supports"
    __table_args__ = (
        UniqueConstraint("beneficiary_id", "from_month"),
        CheckConstraint("to_month IS NULL OR to_month >= from_month", name="period_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    # A ``care_support_rules.care_group``: the age of the person cared for picks the row.
    care_group: Mapped[str] = mapped_column(String(60))
    carer_person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"), index=True)
    carer_name: Mapped[str] = mapped_column(String(120))
    carer_national_id: Mapped[str | None] = mapped_column(String(12))
    from_month: Mapped[Month] = mapped_column(MonthType)
    to_month: Mapped[Month | None] = mapped_column(MonthType)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))

    beneficiary: Mapped[Beneficiary] = relationship()


class SocialPensionPeriod(Timestamps, db.Model):
    """The months a beneficiary receives the social pension (trợ cấp hưu trí xã hội,
    Decree 176/2025/NĐ-CP), from a month until a month (NULL: open), as decided by the
    decision ``reference``. In those months the allowance is paid only when it is the
    higher of the two (``rules.entitlement``)."""

    __tablename__ = "social_pension_periods"
    __table_args__ = (
        UniqueConstraint("beneficiary_id", "from_month"),
        CheckConstraint("to_month IS NULL OR to_month >= from_month", name="months_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    beneficiary_id: Mapped[int] = mapped_column(ForeignKey("beneficiaries.id"), index=True)
    from_month: Mapped[Month] = mapped_column(MonthType)
    to_month: Mapped[Month | None] = mapped_column(MonthType)
    # The social pension decision (number and date, or the paying body's reference).
    reference: Mapped[str] = mapped_column(String(120))

    beneficiary: Mapped[Beneficiary] = relationship(back_populates="social_pension_periods")
