"""Recording monthly care support (hỗ trợ kinh phí chăm sóc, nuôi dưỡng, ND20 Art 20).

A record says who is paid (the carer) to care for which beneficiary, under which group of
``care_support_rules``, from a month. The amount of each month comes from the rule tables
when the payment batch is generated (``benefits.rules.care_support_sql``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.people.models import Person
from benefits.people.national_id import check_national_id
from benefits.registry.models import Beneficiary, CareSupport
from benefits.registry.queries import first_overlapping_period
from benefits.rules.models import CareSupportRule


def care_groups() -> list[str]:
    return list(db.session.scalars(select(CareSupportRule.care_group).distinct()))


def care_group_choices(locale: str) -> list[tuple[str, str]]:
    """``(group, label)`` for a form: the names of a group's rows (its age bands) joined."""
    names: dict[str, list[str]] = {}
    rows = db.session.execute(
        select(
            CareSupportRule.care_group, CareSupportRule.name_vi, CareSupportRule.name_en
        ).order_by(CareSupportRule.care_group, CareSupportRule.min_age.nulls_first())
    )
    for group, name_vi, name_en in rows:
        name = name_en if locale == "en" else name_vi
        if name not in names.setdefault(group, []):
            names[group].append(name)
    return [(group, " / ".join(labels)) for group, labels in names.items()]


def grant_care_support(
    beneficiary: Beneficiary,
    care_group: str,
    carer_name: str,
    carer_national_id: str | None,
    from_month: Month,
    actor: Actor,
    *,
    to_month: Month | None = None,
    decision_id: int | None = None,
) -> CareSupport:
    """Record that ``carer_name`` is paid to care for ``beneficiary`` from ``from_month``."""
    if care_group not in care_groups():
        raise DomainError(_l("Unknown kind of care support %(code)s.", code=care_group),
                          field="care_group")  # fmt: skip
    if to_month is not None and to_month < from_month:
        raise DomainError(_l("The last month cannot be before the first month."), field="to_month")
    # One care-support record a month for a person: the batch pays each month once.
    overlapping = first_overlapping_period(CareSupport, beneficiary.id, from_month, to_month)
    if overlapping is not None:
        raise DomainError(
            _l("Care support is already recorded from %(month)s (%(carer)s) for some of "
               "these months.", month=str(overlapping.from_month), carer=overlapping.carer_name),
            field="from_month",
        )  # fmt: skip
    carer_person_id = None
    if carer_national_id:
        check_national_id(carer_national_id)
        carer_person_id = db.session.scalar(
            select(Person.id).where(Person.national_id == carer_national_id)
        )
    record = CareSupport(
        beneficiary_id=beneficiary.id, care_group=care_group, carer_name=carer_name,
        carer_national_id=carer_national_id, carer_person_id=carer_person_id,
        from_month=from_month, to_month=to_month, decision_id=decision_id,
    )  # fmt: skip
    db.session.add(record)
    db.session.flush()
    record_audit(
        actor, "registry.care_support", "beneficiary", beneficiary.code,
        {"care_group": care_group, "carer": carer_name, "from_month": str(from_month),
         "to_month": str(to_month) if to_month else None},
        commune_code=beneficiary.commune_code,
    )  # fmt: skip
    return record
