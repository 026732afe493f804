"""Recording monthly care support (hỗ trợ kinh phí chăm sóc, nuôi dưỡng, ND20 Art 20).

A record says who is paid (the carer) to care for which beneficiary, under which group of
``care_support_rules``, from a month. The amount of each month comes from the rule tables
when the payment batch is generated (``benefits.rules.care_support_sql``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Protocol

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from benefits.accounts.audit import Actor, record_audit
from benefits.accounts.duties import refuse_own_carer
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.i18n import format_month
from benefits.month import Month
from benefits.people.models import Person
from benefits.people.national_id import check_national_id
from benefits.places.calendar import vietnam_today
from benefits.registry.models import Beneficiary, BeneficiaryCategory, CareSupport
from benefits.registry.queries import first_overlapping_period
from benefits.rules.models import CareGroupCategory, CareSupportRule, Category


class _Held(Protocol):
    """A category held for months (``BeneficiaryCategory``)."""

    category_code: str
    from_month: Month
    to_month: Month | None


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
    today: date | None = None,
) -> CareSupport:
    """Record that ``carer_name`` is paid to care for ``beneficiary`` from ``from_month``.

    Refused (``DomainError`` naming the field) when the kind of care does not fit a
    category the person holds in ``from_month``, when ``from_month`` is after the current
    month, or when the months run past the end of that category."""
    if care_group not in care_groups():
        raise DomainError(_l("Unknown kind of care support %(code)s.", code=care_group),
                          field="care_group")  # fmt: skip
    if to_month is not None and to_month < from_month:
        raise DomainError(_l("The last month cannot be before the first month."), field="to_month")
    fits = db.session.execute(
        select(CareGroupCategory.category_code, CareGroupCategory.effective_month).where(
            CareGroupCategory.care_group == care_group
        )
    ).all()
    if not fits:
        raise DomainError(
            _l("No category of person fits this kind of care in the rule tables."),
            field="care_group",
        )
    check_care_months(
        _held_categories(beneficiary), {code: _article(code) for code, _month in fits},
        from_month, to_month, Month.of(today or vietnam_today()),
    )  # fmt: skip
    # The rows are dated: none in force yet in ``from_month`` (ND20 took effect 2021-07).
    first = min(effective for _code, effective in fits)
    if from_month < first:
        raise DomainError(
            _l("This kind of care is paid from %(first)s, not %(month)s.",
               first=format_month(first), month=format_month(from_month)),
            field="from_month",
        )  # fmt: skip
    # One care-support record a month for a person: the batch pays each month once.
    overlapping = first_overlapping_period(CareSupport, beneficiary.id, from_month, to_month)
    if overlapping is not None:
        raise DomainError(
            _l("Care support is already recorded from %(month)s (%(carer)s) for some of "
               "these months.", month=format_month(overlapping.from_month),
               carer=overlapping.carer_name),
            field="from_month",
        )  # fmt: skip
    carer_person_id = None
    # Issue 29.6 (decision 180): the officer recording it is not the carer it pays.
    refuse_own_carer(actor, carer_national_id)
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


def _held_categories(beneficiary: Beneficiary) -> list[BeneficiaryCategory]:
    return list(
        db.session.scalars(
            select(BeneficiaryCategory).where(BeneficiaryCategory.beneficiary_id == beneficiary.id)
        )
    )


def check_care_months(
    held: Sequence[_Held],
    fitting: dict[str, str],
    from_month: Month,
    to_month: Month | None,
    this_month: Month,
) -> _Held:
    """The category of ``held`` (each with ``category_code``, ``from_month``, ``to_month``)
    that makes care support from ``from_month`` (until ``to_month``, ``None``: open) due:
    one whose code is in ``fitting`` (code: article of ND20 Art 5), held in ``from_month``.

    ND20 Art 20: care support is for a person of the categories the kind of care names;
    Art 8.1: from the month the decision is signed, so neither before the person holds the
    category nor after ``this_month``; it ends, at the latest, with the category.
    Raises ``DomainError`` naming the field to correct."""
    if from_month > this_month:
        raise DomainError(
            _l(
                "Care support cannot start after this month (%(month)s).",
                month=format_month(this_month),
            ),
            field="from_month",
        )
    held = sorted((h for h in held if h.category_code in fitting), key=lambda h: h.from_month)
    if not held:
        raise DomainError(
            _l("This kind of care is for a person in category %(articles)s (Decree 20/2021, "
               "Art 5); this person is in none of them.",
               articles=", ".join(sorted(set(fitting.values())))),
            field="care_group",
        )  # fmt: skip
    period = next(
        (h for h in held if h.from_month <= from_month
         and (h.to_month is None or from_month <= h.to_month)),
        None,
    )  # fmt: skip
    if period is None:
        later = next((h for h in held if h.from_month > from_month), None)
        if later is not None:
            raise DomainError(
                _l("The person is in category %(article)s (Decree 20/2021, Art 5) from "
                   "%(first)s: care support cannot start before then.",
                   article=fitting[later.category_code],
                   first=format_month(later.from_month)),
                field="from_month",
            )  # fmt: skip
        raise DomainError(
            _l("The person is no longer in category %(article)s (Decree 20/2021, Art 5) in "
               "%(month)s.",
               article=fitting[held[-1].category_code], month=format_month(from_month)),
            field="from_month",
        )  # fmt: skip
    if period.to_month is not None and (to_month is None or to_month > period.to_month):
        raise DomainError(
            _l("The person is in category %(article)s (Decree 20/2021, Art 5) only until "
               "%(month)s: give a last month no later than that.",
               article=fitting[period.category_code],
               month=format_month(period.to_month)),
            field="to_month",
        )  # fmt: skip
    return period


def _article(category_code: str) -> str:
    """The article of ND20 defining a category (``"5.1"``), as officers name it."""
    return db.session.scalar(select(Category.article).where(Category.code == category_code))
