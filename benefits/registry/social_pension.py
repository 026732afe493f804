"""Recording that a beneficiary receives the social pension (trợ cấp hưu trí xã hội,
Decree 176/2025/NĐ-CP).

The pension is decided and paid outside the monthly allowance; the registry keeps the
months in which the person receives it, so that the entitlement pays the allowance only
in the months it is the higher of the two (``rules.entitlement``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.places.models import Commune
from benefits.registry.models import Beneficiary, SocialPensionPeriod
from benefits.registry.queries import first_overlapping_period
from benefits.rules.models import SocialPensionLevel
from benefits.rules.standard import social_pension_level_for


def record_social_pension(
    beneficiary: Beneficiary,
    from_month: Month,
    to_month: Month | None,
    reference: str,
    actor: Actor,
) -> SocialPensionPeriod:
    """The person receives the social pension from ``from_month`` until ``to_month``
    (``None``: still receiving it), by the decision ``reference``."""
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
    overlapping = first_overlapping_period(
        SocialPensionPeriod, beneficiary.id, from_month, to_month
    )
    if overlapping is not None:
        raise DomainError(
            _l(
                "The social pension is already recorded from %(month)s (%(reference)s) for "
                "some of these months.",
                month=str(overlapping.from_month),
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
        {"social_pension_from": from_month, "social_pension_to": to_month, "reference": reference},
        commune_code=beneficiary.commune_code,
    )
    return period


def end_social_pension(period: SocialPensionPeriod, last_month: Month, actor: Actor) -> None:
    """The person no longer receives the social pension after ``last_month``: the allowance
    is compared with it no more from the month after."""
    if period.to_month is not None:
        raise DomainError(
            _l("This social pension already ends in %(month)s.", month=str(period.to_month))
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
        month=str(month),
        first=str(first),
    )
