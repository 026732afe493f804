"""Issue 29.5 (decision 182): a citizen's draft is read in the audit log of their own
province's admin only; a draft that names no commune yet is no other province's."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from benefits.people.models import Person
from tests.builders import PASSWORD
from tests.integration.test_citizen_applications import post_application


def draft_rows(app, province):
    email = f"admin{province}@so.gov.vn"
    create_staff_user("admin", email, "Quản Trị", PASSWORD, Actor.system("test"),
                      province_code=province)  # fmt: skip
    admin = app.test_client()
    admin.post("/login", data={"username": email, "password": PASSWORD})
    page = BeautifulSoup(admin.get("/admin/audit?action=case.draft_saved").data, "html.parser")
    return page.select("tbody tr")


def save_empty_draft(client):
    response = post_application(client, {"submission_token": "draft-1", "action": "draft"})
    assert response.status_code == 302


def test_a_draft_naming_no_commune_is_read_by_no_province_admin(app, client, citizen):
    save_empty_draft(client)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.draft_saved"))
    assert entry.province_code is None
    assert draft_rows(app, "01") == [] and draft_rows(app, "79") == []


def test_a_citizens_draft_is_read_by_their_own_provinces_admin_only(app, client, citizen):
    # The portal knows Hoàng Thị Dân as a resident of Phường Hoàn Kiếm (Hà Nội, 01).
    from datetime import date

    db.session.add(Person(national_id=citizen.national_id, full_name=citizen.full_name,
                          date_of_birth=date(1990, 5, 17), sex="F",
                          commune_code="00070"))  # fmt: skip
    db.session.commit()
    save_empty_draft(client)
    assert len(draft_rows(app, "01")) == 1
    assert draft_rows(app, "79") == []  # Hồ Chí Minh City's admin does not see it
