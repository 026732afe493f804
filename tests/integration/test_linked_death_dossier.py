"""A citizen files death + residence deregistration + funeral support as one dossier; on
acceptance the same effects engine as the civil-registry API applies it (issue 5 item 7)."""

import io
from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.service import CitizenRegistration, create_staff_user, register_citizen
from benefits.cases.models import Case
from benefits.deaths.models import DeathRecord
from benefits.extensions import db
from tests.builders import create_beneficiary

PASSWORD = "một-mật-khẩu-dài"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def elderly_beneficiary(commune_code="00070"):
    """Ông Văn Đức, born 31 December 1944, an elderly beneficiary of ``commune_code``."""
    return create_beneficiary(
        categories=["ELDERLY_COMMUNITY_CARE"], full_name="Ông Văn Đức",
        date_of_birth=date(1944, 12, 31), commune_code=commune_code,
    )  # fmt: skip


@pytest.fixture
def deceased():
    return elderly_beneficiary()


def file_dossier(app, deceased, components):
    citizen = app.test_client()
    child = CitizenRegistration(
        "Ông Thị Con", date(1970, 1, 1), "F", "001170000555", "0912345678", None, PASSWORD
    )
    register_citizen(child, Actor.system("t"))
    citizen.post("/login", data={"username": "001170000555", "password": PASSWORD})
    response = citizen.post("/me/apply/2.002913", content_type="multipart/form-data", data={
        "submission_token": f"linked-{components}", "full_name": "Ông Văn Đức",
        "date_of_birth": "1944-12-31", "sex": "M", "national_id": deceased.person.national_id,
        "commune_code": "00070", "on_behalf": "y", "declarant_name": "Ông Thị Con",
        "declarant_national_id": "001170000555", "declarant_relationship": "con",
        "date_of_death": "2025-03-14", "components": components, "action": "submit",
        "attachments": [(io.BytesIO(PNG), "giay-bao-tu.png")]})  # fmt: skip
    assert response.status_code == 302
    return db.session.scalar(select(Case).where(Case.procedure_code == "2.002913"))


def citizen_client(app):
    citizen = app.test_client()
    citizen.post("/login", data={"username": "001170000555", "password": PASSWORD})
    return citizen


def accept(app, case):
    officer = app.test_client()
    create_staff_user("officer", "o@xa.gov.vn", "Cán Bộ", PASSWORD, Actor.system("t"),
                      commune_code="00070")  # fmt: skip
    officer.post("/login", data={"username": "o@xa.gov.vn", "password": PASSWORD})
    response = officer.post(f"/officer/cases/{case.code}/accept-death", data={"confirm": "y"})
    assert response.status_code == 302


def test_the_three_procedures_in_one_dossier(app, deceased):
    case = file_dossier(app, deceased, "all")
    accept(app, case)
    db.session.refresh(case)
    db.session.refresh(deceased)
    assert case.status == "approved"
    assert deceased.status == "deceased"
    assert deceased.person.residence_deregistration_ref == case.code
    funeral = db.session.scalar(select(Case).where(Case.procedure_code == "1.001731"))
    assert funeral.amount == 10_000_000 and funeral.declarant_name == "Ông Thị Con"
    # Issue 25 item 6: the funeral case is in the list of the citizen who filed, with its
    # amount.
    mine = BeautifulSoup(citizen_client(app).get("/me/").data, "html.parser")
    [card] = [li for li in mine.select(".dossiers li") if funeral.code in li.get_text()]
    assert "10.000.000" in card.get_text(" ")


def test_two_of_three_leaves_the_third_out(app, deceased):
    case = file_dossier(app, deceased, "death_residence")
    accept(app, case)
    db.session.refresh(deceased)
    assert deceased.status == "deceased"
    assert deceased.person.residence_deregistered_on is not None
    assert db.session.scalar(select(func.count()).select_from(Case).where(
        Case.procedure_code == "1.001731")) == 0  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(DeathRecord)) == 1


def test_a_dossier_filed_in_one_commune_cannot_record_another_communes_beneficiary(app):
    elsewhere = elderly_beneficiary(commune_code="26506")
    case = file_dossier(app, elsewhere, "all")
    accept(app, case)
    db.session.refresh(case)
    db.session.refresh(elsewhere)
    assert elsewhere.status == "active"
    assert case.status != "approved"
    assert db.session.scalar(select(func.count()).select_from(DeathRecord)) == 0
    assert db.session.scalar(select(func.count()).select_from(Case).where(
        Case.procedure_code == "1.001731")) == 0  # fmt: skip
