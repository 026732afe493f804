"""Demo accounts for ``make run`` (passwords in the README)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.accounts.models import User
from benefits.accounts.service import CitizenRegistration, create_staff_user, register_citizen
from benefits.extensions import db

DEMO_PASSWORD = "demo-portal-2025"  # noqa: S105 - documented demo data, not a secret
# role, email, name, commune, province
STAFF = [
    ("officer", "officer.hoankiem@demo.gov.vn", "Nguyễn Thị Cán Bộ", "00070", None),
    ("chairman", "chairman.hoankiem@demo.gov.vn", "Trần Văn Chủ Tịch", "00070", None),
    ("payment", "payment.hoankiem@demo.gov.vn", "Lê Thị Chi Trả", "00070", None),
    ("admin", "admin.hanoi@demo.gov.vn", "Phạm Văn Quản Trị", None, "01"),
    ("officer", "officer.vungtau@demo.gov.vn", "Võ Thị Vũng Tàu", "26506", None),
    ("chairman", "chairman.vungtau@demo.gov.vn", "Đặng Văn Vũng Tàu", "26506", None),
]
CITIZEN = CitizenRegistration(
    full_name="Hoàng Thị Dân", date_of_birth=date(1990, 5, 17), sex="F",
    national_id="001190000777", phone="0912345678", email="dan@example.vn",
    password=DEMO_PASSWORD,
)  # fmt: skip


def load_demo_accounts() -> int:
    actor = Actor.system("demo")
    created = 0
    for role, email, name, commune, province in STAFF:
        if db.session.scalar(select(User.id).where(User.email == email)) is None:
            create_staff_user(role, email, name, DEMO_PASSWORD, actor, commune, province)
            created += 1
    if db.session.scalar(select(User.id).where(User.national_id == CITIZEN.national_id)) is None:
        register_citizen(CITIZEN, actor)
        created += 1
    return created
