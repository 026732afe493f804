"""Officers find beneficiaries of their commune; admins add a provincial level (issue 4)."""

from datetime import date

from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from benefits.month import Month
from benefits.places.calendar import vietnam_today
from benefits.rules.models import StandardLevel
from benefits.rules.standard import standard_level_for
from tests.builders import create_beneficiary

PASSWORD = "một-mật-khẩu-dài"


def log_in(client, role, email, commune=None, province=None):
    create_staff_user(
        role,
        email,
        "Cán Bộ",
        PASSWORD,
        Actor.system("test"),
        commune_code=commune,
        province_code=province,
    )
    client.post("/login", data={"username": email, "password": PASSWORD})


def test_an_officer_searches_the_commune_and_sees_the_monthly_entitlement(client):
    here = create_beneficiary(
        full_name="Lâm Văn Sơn",
        date_of_birth=date(1950, 10, 10),
        categories=["ELDERLY_POOR_ALONE"],
        commune_code="00070",
    )
    there = create_beneficiary(full_name="Lâm Văn Xa", commune_code="26506")
    log_in(client, "officer", "o@xa.gov.vn", commune="00070")
    listing = client.get("/officer/registry?q=Lâm").get_data(as_text=True)
    assert here.code in listing and there.code not in listing
    assert here.person.national_id not in listing  # masked in lists
    page = client.get(f"/officer/registry/{here.code}").get_data(as_text=True)
    assert "750.000" in page  # 500,000 × 1.5 this month
    assert client.get(f"/officer/registry/{there.code}").status_code == 404


def test_the_registry_pages_name_statuses_methods_and_categories_in_the_readers_language(
    client,
):
    son = create_beneficiary(
        full_name="Lâm Văn Sơn",
        date_of_birth=date(1950, 10, 10),
        categories=["ELDERLY_POOR_ALONE"],
        commune_code="00070",
    )
    log_in(client, "officer", "o@xa.gov.vn", commune="00070")
    listing = client.get("/officer/registry?q=Lâm").get_data(as_text=True)
    assert "<td>Đang hưởng</td>" in listing and "<td>active</td>" not in listing
    page = client.get(f"/officer/registry/{son.code}").get_data(as_text=True)
    assert "Đang hưởng" in page and "Nhận tại bưu điện" in page
    elderly = "Người cao tuổi thuộc hộ nghèo không có người có nghĩa vụ phụng dưỡng"
    assert elderly in page and "ELDERLY_POOR_ALONE" not in page
    # Each month names its categories by their article, the full name on hover.
    assert f'<abbr title="{elderly}">5.5.a</abbr>' in page
    client.get("/language/en")
    page = client.get(f"/officer/registry/{son.code}").get_data(as_text=True)
    assert "Receiving" in page and "At the post office" in page
    assert "Elderly in a poor household with no one obliged to support them" in page


def test_an_admin_adds_a_provincial_top_up_from_a_future_month(client):
    log_in(client, "admin", "a@so.gov.vn", province="79")
    next_month = Month.of(vietnam_today()) + 1
    response = client.post(
        "/admin/rules",
        data={"month": str(next_month), "amount": "650000", "legal_basis": "Nghị quyết 01/2026"},
    )
    assert response.status_code == 302
    assert standard_level_for("79", next_month) == 650_000
    assert standard_level_for("01", next_month) == 500_000


def test_history_is_never_edited_in_place(client):
    log_in(client, "admin", "a@so.gov.vn", province="79")
    before = db.session.scalars(select(StandardLevel)).all()
    past = client.post(
        "/admin/rules", data={"month": "2024-01", "amount": "650000", "legal_basis": "x"}
    )
    lower = client.post(
        "/admin/rules",
        data={"month": str(Month.of(vietnam_today()) + 1), "amount": "400000", "legal_basis": "x"},
    )
    assert past.status_code == 200 and lower.status_code == 200
    assert db.session.scalars(select(StandardLevel)).all() == before
