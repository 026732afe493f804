"""A citizen deletes a draft they saved, and withdraws a dossier before the chairman has it
(rút hồ sơ; docs/decisions.md 58)."""

import http.cookiejar
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry
from benefits.accounts.service import CitizenRegistration, create_staff_user, register_citizen
from benefits.cases.attachments import Upload, store_attachments
from benefits.cases.models import Attachment, Case, CaseEvent
from benefits.cases.service import delete_draft, move_case, open_case
from benefits.cases.workflow import Proposal, propose
from benefits.extensions import db
from benefits.places.calendar import vietnam_today
from tests.builders import PASSWORD
from tests.integration.test_citizen_applications import (
    PNG,
    child_application,
    post_application,
)
from tests.integration.test_death_concurrency import server  # noqa: F401 (fixture)

SYSTEM = Actor.system("test")
REASON = "Gia đình đã lo được cho cháu"


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return [folder / name for name in db.session.scalars(select(Attachment.stored_name))]


def flashed(page) -> str:
    return " ".join(n.get_text(" ", strip=True) for n in page.select(".notice[role]"))


def page_of(response) -> BeautifulSoup:
    return BeautifulSoup(response.data, "html.parser")


def log_in_someone_else(app):
    other = app.test_client()
    register_citizen(CitizenRegistration("Người Khác", date(1991, 1, 1), "M", "001091000888",
                                         "0912345679", None, PASSWORD), SYSTEM)  # fmt: skip
    other.post("/login", data={"username": "001091000888", "password": PASSWORD})
    return other


@pytest.fixture
def draft(client, citizen):
    post_application(client, child_application(action="draft"))
    return db.session.scalar(select(Case))


@pytest.fixture
def dossier(client, citizen):
    post_application(client, child_application())
    return db.session.scalar(select(Case))


def take_steps(case, steps):
    """Move the dossier through ``steps``; the posting and the chairman through the
    officer's proposal (decision 78), as the commune office does."""
    for status in steps:
        if status in ("posting", "proposed"):
            outcome = "approve" if status == "posting" else "refuse"
            terms = Proposal(outcome, reasons="Chưa đủ điều kiện", category="CHILD_NO_SUPPORT",
                             payment_method="COMMUNE")  # fmt: skip
            propose(case, terms, SYSTEM, vietnam_today())
            assert case.status == status
        else:
            move_case(case, status, SYSTEM)


def withdraw(client, case, reason=REASON, confirm="y"):
    return client.post(f"/me/dossiers/{case.code}/withdraw",
                       data={"reason": reason, "confirm": confirm})  # fmt: skip


# Deleting a draft


def test_a_draft_is_deleted_with_its_papers_after_a_confirmation(client, app, citizen, draft):
    files = stored_files(app)
    assert files and all(f.exists() for f in files)
    home = page_of(client.get("/me/"))
    link = home.find("a", string="Xóa bản nháp")
    confirmation = page_of(client.get(link["href"]))
    assert confirmation.h1.get_text(strip=True) == "Xóa bản nháp?"
    assert "giay-to.png" in confirmation.get_text()
    assert count(Case) == 1  # asking deletes nothing

    response = client.post(f"/me/drafts/{draft.id}/delete")
    assert response.headers["Location"].endswith("/me/")
    assert count(Case) == 0 and count(Attachment) == 0
    assert not any(f.exists() for f in files)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.draft_deleted"))
    assert entry.actor_id == citizen.id and entry.object_id == str(draft.id)
    assert entry.changes["papers"] == 1
    home = page_of(client.get("/me/"))
    assert "Đã xóa bản nháp" in flashed(home)
    assert "Bạn chưa có hồ sơ nào" in home.get_text()


def test_the_draft_page_offers_to_delete_it(client, draft):
    page = page_of(client.get(f"/me/apply/1.001776?draft={draft.id}"))
    assert page.find("a", string="Xóa bản nháp")["href"].endswith(f"/me/drafts/{draft.id}/delete")


def test_a_second_click_on_delete_is_answered_as_done(client, draft):
    client.post(f"/me/drafts/{draft.id}/delete")
    again = client.post(f"/me/drafts/{draft.id}/delete")
    assert again.status_code == 302
    assert "Bản nháp này đã được xóa" in flashed(page_of(client.get("/me/")))
    assert count(AuditEntry, AuditEntry.action == "case.draft_deleted") == 1


def test_someone_elses_draft_cannot_be_seen_or_deleted(app, draft):
    other = log_in_someone_else(app)
    assert other.get(f"/me/drafts/{draft.id}/delete").status_code == 404
    assert other.post(f"/me/drafts/{draft.id}/delete").status_code == 404
    assert count(Case) == 1 and all(f.exists() for f in stored_files(app))


def test_a_missing_draft_is_not_found(client, citizen):
    assert client.post("/me/drafts/999999/delete").status_code == 404


def test_a_sent_dossier_cannot_be_deleted(client, app, dossier):
    asked = client.get(f"/me/drafts/{dossier.id}/delete")
    assert asked.headers["Location"].endswith(f"/me/dossiers/{dossier.code}")
    response = client.post(f"/me/drafts/{dossier.id}/delete")
    assert response.headers["Location"].endswith(f"/me/dossiers/{dossier.code}")
    page = page_of(client.get(response.headers["Location"]))
    assert "không thể xóa" in flashed(page)
    assert count(Case) == 1 and all(f.exists() for f in stored_files(app))
    home = page_of(client.get("/me/"))
    assert home.find("a", string="Xóa bản nháp") is None


def test_the_files_stay_when_the_deletion_is_rolled_back(app, citizen, draft):
    files = stored_files(app)
    db.session.commit()  # the test's own savepoint: the rollback below undoes only the deletion
    with app.test_request_context():
        delete_draft(draft, SYSTEM, Path(app.config["UPLOAD_FOLDER"]))
        db.session.rollback()
    assert all(f.exists() for f in files)
    assert count(Case) == 1


def test_the_files_of_a_rolled_back_submission_are_not_left_behind(app, client, citizen):
    """A submission refused after its papers were written (here rolled back by hand, as
    the view does on a refusal or a concurrent double submission) leaves no file."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    before = set(folder.iterdir()) if folder.exists() else set()
    post_application(client, child_application(action="draft"))
    kept = set(folder.iterdir()) - before
    assert len(kept) == 1  # committed with its row
    db.session.commit()  # the test's own savepoint: the rollback below undoes only the next
    with app.test_request_context():
        draft = db.session.scalar(select(Case))
        upload = Upload("giay-to-2.png", PNG + b"other paper")
        store_attachments(draft, [upload], folder)
        assert len(set(folder.iterdir()) - before) == 2
        db.session.rollback()
    assert set(folder.iterdir()) - before == kept


# Withdrawing a dossier


@pytest.fixture
def officer(app):
    client = app.test_client()
    create_staff_user("officer", "o@xa.gov.vn", "Cán Bộ", PASSWORD, SYSTEM, commune_code="00070")
    client.post("/login", data={"username": "o@xa.gov.vn", "password": PASSWORD})
    return client


def test_withdrawing_closes_the_dossier_with_the_reason(client, citizen, dossier, officer):
    queue = officer.get("/officer/").get_data(as_text=True).split('id="closed"')[0]
    assert dossier.code in queue
    form = page_of(client.get(f"/me/dossiers/{dossier.code}")).select_one("#withdraw form")
    assert form.select_one("#reason") is not None and form.select_one("#confirm") is not None

    response = withdraw(client, dossier)
    assert response.headers["Location"].endswith(f"/me/dossiers/{dossier.code}")
    db.session.refresh(dossier)
    assert dossier.status == "withdrawn"
    event = dossier.events[-1]
    assert (event.from_status, event.to_status, event.note) == ("submitted", "withdrawn", REASON)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "case.withdrawn"))
    assert entry.actor_id == citizen.id and entry.object_id == dossier.code
    assert entry.changes == {"status": ["submitted", "withdrawn"], "note": REASON}

    page = page_of(client.get(response.headers["Location"]))
    assert "Hồ sơ đã được rút" in flashed(page)
    notice = page.select_one("#withdrawal").get_text(" ", strip=True)
    assert "Bạn đã rút hồ sơ này" in notice and REASON in notice
    assert event.at.strftime("%Y") in notice
    assert "Đã rút" in page.select_one(".summary-list").get_text()
    assert page.select_one("#withdraw") is None  # nothing left to withdraw
    assert REASON in page.select_one(".timeline").get_text()

    officer_page = officer.get("/officer/").get_data(as_text=True)
    queue, closed = officer_page.split('id="closed"')
    assert dossier.code not in queue and dossier.code in closed
    case_page = officer.get(f"/officer/cases/{dossier.code}").get_data(as_text=True)
    assert REASON in case_page and "Hoàng Thị Dân" in case_page  # who withdrew, and why


@pytest.mark.parametrize(
    "steps", [("checking",), ("checking", "supplement_requested"), ("checking", "posting")]
)
def test_a_dossier_can_be_withdrawn_until_the_chairman_has_it(client, dossier, steps):
    take_steps(dossier, steps)
    withdraw(client, dossier)
    db.session.refresh(dossier)
    assert dossier.status == "withdrawn"


def test_a_replayed_withdrawal_changes_nothing(client, dossier):
    withdraw(client, dossier)
    again = withdraw(client, dossier, reason="Lần hai")
    assert again.status_code == 302
    page = page_of(client.get(again.headers["Location"]))
    assert "Hồ sơ này đã được rút" in flashed(page)
    assert count(CaseEvent, CaseEvent.to_status == "withdrawn") == 1
    assert count(AuditEntry, AuditEntry.action == "case.withdrawn") == 1
    assert "Lần hai" not in page.get_text()


@pytest.mark.parametrize(
    ("steps", "why"),
    [
        (("checking", "approved"), "đã đóng"),
        (("checking", "refused"), "đã đóng"),
        (("checking", "proposed"), "Chủ tịch"),
    ],
)
def test_a_dossier_with_the_chairman_or_decided_cannot_be_withdrawn(client, dossier, steps,
                                                                       why):  # fmt: skip
    take_steps(dossier, steps)
    page = page_of(client.get(f"/me/dossiers/{dossier.code}"))
    assert page.select_one("#withdraw") is None
    events = count(CaseEvent)
    response = withdraw(client, dossier)
    db.session.refresh(dossier)
    assert dossier.status == steps[-1] and count(CaseEvent) == events
    assert why in flashed(page_of(client.get(response.headers["Location"])))


@pytest.mark.parametrize(
    ("reason", "confirm", "field", "message"),
    [
        ("", "y", "reason", "Hãy cho biết lý do rút hồ sơ"),
        ("   ", "y", "reason", "Hãy cho biết lý do rút hồ sơ"),
        ("x" * 501, "y", "reason", "500"),
        (REASON, "", "confirm", "Đánh dấu vào ô"),
    ],
)
def test_a_withdrawal_needs_a_reason_and_a_confirmation(client, dossier, reason, confirm, field,
                                                        message):  # fmt: skip
    response = withdraw(client, dossier, reason=reason, confirm=confirm)
    assert response.status_code == 200
    page = page_of(response)
    assert message in page.select_one(f"#{field}-field .error-message").get_text()
    assert page.select_one(".error-summary") is not None
    assert page.select_one("#withdraw").has_attr("open")
    db.session.refresh(dossier)
    assert dossier.status == "submitted"


def test_a_dossier_closed_for_want_of_an_answer_does_not_say_the_citizen_withdrew_it(
    client, dossier
):
    move_case(dossier, "checking", SYSTEM)
    move_case(dossier, "supplement_requested", SYSTEM, note="Thiếu giấy khai sinh")
    move_case(dossier, "withdrawn", SYSTEM, note="no answer within 30 days")
    notice = page_of(client.get(f"/me/dossiers/{dossier.code}")).select_one("#withdrawal")
    assert "Hồ sơ này đã được đóng do rút hồ sơ" in notice.get_text()
    assert "Bạn đã rút" not in notice.get_text() and "Lý do" not in notice.get_text()


def test_someone_elses_dossier_cannot_be_withdrawn(app, dossier):
    other = log_in_someone_else(app)
    assert withdraw(other, dossier).status_code == 404
    db.session.refresh(dossier)
    assert dossier.status == "submitted"


def test_a_withdrawal_without_the_forms_token_is_refused(client, app, dossier, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = withdraw(client, dossier)
    assert response.status_code == 400
    db.session.refresh(dossier)
    assert dossier.status == "submitted"


def test_the_withdrawal_reads_in_english(client, dossier):
    client.get("/language/en")
    page = page_of(client.get(f"/me/dossiers/{dossier.code}"))
    assert page.select_one("#withdraw summary").get_text(strip=True) == "Withdraw this dossier"
    withdraw(client, dossier)
    page = page_of(client.get(f"/me/dossiers/{dossier.code}"))
    assert "You withdrew this dossier" in page.select_one("#withdrawal").get_text()


# At the same moment, on a real server and a real PostgreSQL


def logged_in_opener(server_url: str, national_id: str):
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect()
    )
    post(opener, f"{server_url}/login", {"username": national_id, "password": PASSWORD})
    return opener


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # the 302 is the answer looked at


def post(opener, url: str, fields: dict) -> int:
    data = urllib.parse.urlencode(fields).encode()
    try:
        with opener.open(url, data=data, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as answer:
        return answer.code


def a_citizens_dossier() -> Case:
    user = register_citizen(CitizenRegistration("Hoàng Thị Dân", date(1990, 5, 17), "F",
                                                "001190000777", "0912345678", None, PASSWORD),
                            SYSTEM)  # fmt: skip
    case = open_case("1.001731", "00070", "Hoàng Văn Cụ", SYSTEM, vietnam_today(),
                     subject_national_id="001040000123", applicant_user_id=user.id)  # fmt: skip
    db.session.commit()
    return case


@pytest.mark.postgres
def test_withdrawals_sent_at_the_same_moment_withdraw_once(server):  # noqa: F811
    case = a_citizens_dossier()
    opener = logged_in_opener(server, "001190000777")
    url = f"{server}/me/dossiers/{case.code}/withdraw"
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: post(opener, url, {"reason": REASON, "confirm": "y"}),
                                 range(6)))  # fmt: skip
    assert statuses == [302] * 6
    db.session.remove()
    assert count(CaseEvent, CaseEvent.to_status == "withdrawn") == 1
    assert count(AuditEntry, AuditEntry.action == "case.withdrawn") == 1


@pytest.mark.postgres
def test_deletions_sent_at_the_same_moment_delete_once(server):  # noqa: F811
    case = a_citizens_dossier()
    case.status, case.code = "draft", None
    db.session.commit()
    opener = logged_in_opener(server, "001190000777")
    url = f"{server}/me/drafts/{case.id}/delete"
    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(lambda _: post(opener, url, {}), range(6)))
    assert statuses == [302] * 6
    db.session.remove()
    assert count(Case) == 0
    assert count(AuditEntry, AuditEntry.action == "case.draft_deleted") == 1
