"""Recording that a beneficiary receives the social pension (trợ cấp hưu trí xã hội,
Decree 176/2025/NĐ-CP).

The pension is decided and paid outside the monthly allowance; the registry keeps the
months in which the person receives it, so that the entitlement pays the allowance only
in the months it is the higher of the two (``rules.entitlement``).
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.i18n import format_month
from benefits.month import Month
from benefits.places.models import Commune
from benefits.registry.models import Beneficiary, BeneficiaryCategory, SocialPensionPeriod
from benefits.registry.queries import first_overlapping_period
from benefits.rules.entitlement import age_in_month
from benefits.rules.models import Category, SocialPensionCondition, SocialPensionLevel
from benefits.rules.standard import social_pension_level_for


def record_social_pension(
    beneficiary: Beneficiary,
    from_month: Month,
    to_month: Month | None,
    reference: str,
    actor: Actor,
    *,
    poor_or_near_poor: bool = False,
) -> SocialPensionPeriod:
    """The person receives the social pension from ``from_month`` until ``to_month``
    (``None``: still receiving it), by the decision ``reference``.

    ``poor_or_near_poor``: the officer states that the person's household is poor or
    near-poor (else it is so only if the person holds such a category in ``from_month``)."""
    reference = reference.strip()
    if not reference:
        raise DomainError(
            _l("Give the number and date of the social pension decision."), field="reference"
        )
    if to_month is not None and to_month < from_month:
        raise DomainError(_l("The last month cannot be before the first month."), field="to_month")
    province = db.session.scalar(
        select(Commune.province_code).where(Commune.code == beneficiary.commune_code)
    )
    if social_pension_level_for(province, from_month) is None:
        raise DomainError(_no_pension_yet(province, from_month), field="from_month")
    check_pension_age(beneficiary, from_month, poor_or_near_poor)
    overlapping = first_overlapping_period(
        SocialPensionPeriod, beneficiary.id, from_month, to_month
    )
    if overlapping is not None:
        raise DomainError(
            _l(
                "The social pension is already recorded from %(month)s (%(reference)s) for "
                "some of these months.",
                month=format_month(overlapping.from_month),
                reference=overlapping.reference,
            ),
            field="from_month",
        )
    period = SocialPensionPeriod(
        beneficiary_id=beneficiary.id,
        from_month=from_month,
        to_month=to_month,
        reference=reference,
    )
    db.session.add(period)
    db.session.flush()
    record_audit(
        actor,
        "registry.social_pension_recorded",
        "beneficiary",
        beneficiary.code,
        {
            "social_pension_from": from_month,
            "social_pension_to": to_month,
            "reference": reference,
            "poor_or_near_poor": poor_or_near_poor or None,
        },
        commune_code=beneficiary.commune_code,
    )
    return period


def end_social_pension(period: SocialPensionPeriod, last_month: Month, actor: Actor) -> None:
    """The person no longer receives the social pension after ``last_month``: the allowance
    is compared with it no more from the month after."""
    if period.to_month is not None:
        raise DomainError(
            _l(
                "This social pension already ends in %(month)s.",
                month=format_month(period.to_month),
            )
        )
    if last_month < period.from_month:
        raise DomainError(_l("The last month cannot be before the first month."))
    period.to_month = last_month
    db.session.flush()
    beneficiary = period.beneficiary
    record_audit(
        actor,
        "registry.social_pension_ended",
        "beneficiary",
        beneficiary.code,
        {"social_pension_from": period.from_month, "social_pension_to": [None, last_month]},
        commune_code=beneficiary.commune_code,
    )


def _no_pension_yet(province: str | None, month: Month):
    first = db.session.scalar(
        select(SocialPensionLevel.effective_month)
        .where(
            or_(
                SocialPensionLevel.province_code.is_(None),
                SocialPensionLevel.province_code == province,
            )
        )
        .order_by(SocialPensionLevel.effective_month)
        .limit(1)
    )
    if first is None:
        return _l("There is no social pension level in the rule tables.")
    return _l(
        "There is no social pension in %(month)s: it is paid from %(first)s.",
        month=format_month(month),
        first=format_month(first),
    )


def check_pension_age(beneficiary: Beneficiary, month: Month, stated_poor: bool) -> None:
    """Decree 176/2025/NĐ-CP: refuse a person too young in ``month`` (the ages are rows of
    ``social_pension_conditions``; poor or near-poor as stated, or by a category held)."""
    condition = db.session.scalars(
        select(SocialPensionCondition)
        .where(SocialPensionCondition.effective_month <= month)
        .order_by(SocialPensionCondition.effective_month.desc())
        .limit(1)
    ).first()
    if condition is None:
        raise DomainError(
            _l("There is no age condition for the social pension in %(month)s in the rule "
               "tables.", month=format_month(month)),
            field="from_month",
        )  # fmt: skip
    poor = stated_poor or held_poor_category(beneficiary, month)
    refuse_if_too_young(
        beneficiary.person.date_of_birth, month, condition.min_age,
        condition.min_age_poor_or_near_poor, poor=poor,
    )  # fmt: skip


def refuse_if_too_young(
    date_of_birth: date, month: Month, min_age: int, min_age_poor: int, *, poor: bool
) -> None:
    """Decree 176/2025/NĐ-CP: the social pension is due from ``min_age`` (75), or from
    ``min_age_poor`` (70) for a person of a poor or near-poor household. The age is the one
    reached in the month: from the month of the birthday (domain.md section 3, ND20 Art
    8.1). Raises ``DomainError`` on ``from_month`` when the person is too young."""
    age = age_in_month(date_of_birth, month)
    needed = min_age_poor if poor else min_age
    if age >= needed:
        return
    if not poor and age >= min_age_poor:
        raise DomainError(
            _l("The social pension is due from age %(age)s, or %(poor_age)s for a person of a "
               "poor or near-poor household (Decree 176/2025): this person is %(years)s in "
               "%(month)s and reaches %(age)s in %(reaches)s.", age=min_age,
               poor_age=min_age_poor, years=age, month=format_month(month),
               reaches=format_month(Month.of(date_of_birth) + 12 * min_age)),
            field="from_month",
        )  # fmt: skip
    raise DomainError(
        _l("The social pension is due from age %(age)s (Decree 176/2025): this person, born "
           "%(born)s, reaches it in %(month)s.", age=needed,
           born=date_of_birth.strftime("%d/%m/%Y"),
           month=format_month(Month.of(date_of_birth) + 12 * needed)),
        field="from_month",
    )  # fmt: skip


def held_poor_category(beneficiary: Beneficiary, month: Month) -> bool:
    """Whether the person holds, in ``month``, a category that means a poor or near-poor
    household (``categories.poor_or_near_poor``, e.g. ND20 Art 5.5.a)."""
    return (
        db.session.scalar(
            select(BeneficiaryCategory.id)
            .join(Category, Category.code == BeneficiaryCategory.category_code)
            .where(
                BeneficiaryCategory.beneficiary_id == beneficiary.id,
                Category.poor_or_near_poor.is_(True),
                BeneficiaryCategory.from_month <= month,
                or_(BeneficiaryCategory.to_month.is_(None), BeneficiaryCategory.to_month >= month),
            )
            .limit(1)
        )
        is not None
    )
