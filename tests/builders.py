"""Plain builder functions for tests: realistic defaults, any field overridable."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy import func, select

from benefits.extensions import db
from benefits.month import Month
from benefits.payments.models import PaymentJob, PaymentLine
from benefits.people.models import Person
from benefits.registry.models import Beneficiary, BeneficiaryCategory, SocialPensionPeriod

_sequence = itertools.count(1)


# The password of the accounts tests create, and the registration form of the citizen
# of the ``citizen`` fixture (tests/conftest.py).
PASSWORD = "một-mật-khẩu-dài"
CITIZEN_FORM = {
    "full_name": "Hoàng Thị Dân", "date_of_birth": "1990-05-17", "sex": "F",
    "national_id": "001190000777", "phone": "0912345678", "email": "dan@example.vn",
    "password": PASSWORD, "password_confirm": PASSWORD,
}  # fmt: skip


def national_id_for(date_of_birth: date, sex: str, serial: int | None = None) -> str:
    """A valid personal ID number for that birth date and sex (Hà Nội, code 001)."""
    century = 0 if date_of_birth.year < 2000 else 2
    digit = century + (1 if sex == "F" else 0)
    serial = next(_sequence) if serial is None else serial
    return f"001{digit}{date_of_birth.year % 100:02d}{serial % 1_000_000:06d}"


def create_person(**overrides) -> Person:
    date_of_birth = overrides.pop("date_of_birth", date(1950, 5, 17))
    sex = overrides.pop("sex", "M")
    values = {
        "national_id": national_id_for(date_of_birth, sex),
        "full_name": "Nguyễn Văn An",
        "date_of_birth": date_of_birth,
        "sex": sex,
        "commune_code": "00070",
        "address": "Tổ 1",
    }
    values.update(overrides)
    person = Person(**values)
    db.session.add(person)
    db.session.flush()
    return person


def create_beneficiary(
    categories=("ELDERLY_POOR_ALONE",),
    effective_month: Month | str = "2024-01",
    person: Person | None = None,
    social_pension=(),
    **overrides,
) -> Beneficiary:
    """A beneficiary holding ``categories`` from ``effective_month`` (codes, or tuples
    ``(code, from_month, to_month)``), receiving the social pension in the periods
    ``social_pension`` (tuples ``(from_month, to_month or None)``)."""
    person_fields = {
        k: overrides.pop(k)
        for k in ("date_of_birth", "sex", "full_name", "national_id")
        if k in overrides
    }
    person = person or create_person(
        **person_fields, commune_code=overrides.get("commune_code", "00070")
    )
    if isinstance(effective_month, str):
        effective_month = Month.parse(effective_month)
    values = {
        "code": f"BTXH-{person.commune_code}-{person.id:07d}",
        "person_id": person.id,
        "commune_code": person.commune_code,
        "status": "active",
        "effective_month": effective_month,
        "payment_method": "POST",
        "payment_point": "PO-01",
        "dependent_children": 0,
    }
    values.update(overrides)
    beneficiary = Beneficiary(**values)
    db.session.add(beneficiary)
    db.session.flush()
    for held in categories:
        code, from_month, to_month = (
            (held, effective_month, None) if isinstance(held, str) else held
        )
        db.session.add(
            BeneficiaryCategory(
                beneficiary_id=beneficiary.id,
                category_code=code,
                from_month=from_month,
                to_month=to_month,
            )
        )
    for from_month, to_month in social_pension:
        db.session.add(
            SocialPensionPeriod(
                beneficiary_id=beneficiary.id,
                from_month=from_month,
                to_month=to_month,
                reference="QĐ hưu trí xã hội (test)",
            )
        )
    db.session.flush()
    db.session.refresh(beneficiary)
    return beneficiary


def jobs_of(run_id: int) -> dict[str, PaymentJob]:
    """The jobs of a payment run by province or commune code, as the database has them."""
    db.session.expire_all()
    jobs = db.session.scalars(select(PaymentJob).where(PaymentJob.run_id == run_id))
    return {job.scope_code: job for job in jobs}


def line_count() -> int:
    """Payment lines in every batch."""
    return db.session.scalar(select(func.count()).select_from(PaymentLine))
