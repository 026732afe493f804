"""Citizens apply online and follow their dossier (issue 5)."""

import io
from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor
from benefits.accounts.service import CitizenRegistration, create_staff_user, register_citizen
from benefits.cases.models import Attachment, Case
from benefits.extensions import db
from benefits.notify.models import Notification
from benefits.places.calendar import add_working_days, vietnam_today
from tests.builders import PASSWORD

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
TODAY = vietnam_today()


def child_application(token="form-1", **changes):  # noqa: S107 - a form token
    data = {
        "submission_token": token, "full_name": "Hoàng Văn Bé", "date_of_birth": "2015-06-01",
        "sex": "M", "national_id": "001215000123", "commune_code": "00070",
        "address": "Tổ 3", "on_behalf": "y", "declarant_name": "Hoàng Thị Dân",
        "declarant_national_id": "001190000777", "declarant_relationship": "mẹ",
        "category": "CHILD_NO_SUPPORT", "parents_situation": "Bố mất năm 2020",
        "action": "submit",
    }  # fmt: skip
    data.update(changes)
    return data


def post_application(client, data, files=((PNG, "giay-to.png"),)):
    payload = dict(data)
    payload["attachments"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post("/me/apply/1.001776", data=payload, content_type="multipart/form-data")


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def errors_of(response):
    page = BeautifulSoup(response.data, "html.parser")
    return {p.parent.get("id", "").removesuffix("-field"): p.get_text(" ", strip=True)
            for p in page.select(".error-message")}  # fmt: skip


def test_the_form_is_pre_filled_for_oneself(client, citizen):
    page = BeautifulSoup(client.get("/me/apply/1.001776").data, "html.parser")
    assert page.select_one("#national_id")["value"] == "001190000777"
    assert page.select_one("#category") is not None  # the procedure's own field
    assert page.select_one("#submission_token")["value"]


def test_applying_gives_a_receipt_with_code_and_due_date(client, citizen):
    response = post_application(client, child_application())
    assert response.status_code == 302
    case = db.session.scalar(select(Case))
    assert case.code == f"BTXH-00070-{TODAY.year}-000001"
    assert case.due_on == add_working_days(TODAY, 10)  # ND20 Art 8.1: 10 working days
    assert case.declarant_relationship == "mẹ" and case.data["category"] == "CHILD_NO_SUPPORT"
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    assert case.code in receipt
    tracking = client.get("/me/").get_data(as_text=True)
    assert case.code in tracking
    assert "Đã tiếp nhận, chờ kiểm tra" in tracking  # the status, in plain words
    stored = db.session.scalar(select(Attachment))
    assert stored.content_type == "image/png" and len(stored.sha256) == 64
    assert stored.stored_name != "giay-to.png"
    assert count(Notification) == 1


def test_a_replayed_submission_creates_one_dossier(client, citizen):
    first = post_application(client, child_application())
    again = post_application(client, child_application())
    assert first.headers["Location"] == again.headers["Location"]
    assert count(Case) == 1


@pytest.mark.parametrize(
    ("files", "why"),
    [
        (((b"just text, not a PDF", "giay.pdf"),), "PDF"),
        (((b"%PDF-" + b"0" * (10 * 1024 * 1024), "big.pdf"),), "10 MB"),
        ((), "papers"),
    ],
)
def test_bad_attachments_are_refused_and_nothing_is_stored(client, citizen, files, why):
    response = post_application(client, child_application(), files=files)
    assert response.status_code == 200
    assert "attachments" in errors_of(response)
    assert count(Case) == 0 and count(Attachment) == 0


def test_a_wrong_id_number_is_explained_next_to_the_field(client, citizen):
    response = post_application(client, child_application(national_id="001015000123"))
    assert "national_id" in errors_of(response)
    assert count(Case) == 0


def test_an_unknown_commune_is_refused(client, citizen):
    response = post_application(client, child_application(commune_code="99999"))
    assert "commune_code" in errors_of(response)


def test_a_draft_is_saved_and_resumed(client, citizen):
    response = post_application(client, child_application(action="draft"))
    assert response.status_code == 302
    draft = db.session.scalar(select(Case))
    assert draft.status == "draft" and draft.code is None
    resumed = BeautifulSoup(client.get(response.headers["Location"]).data, "html.parser")
    assert resumed.select_one("#full_name")["value"] == "Hoàng Văn Bé"
    payload = {**child_application(token="form-2"), "attachments": []}
    submitted = client.post(f"/me/apply/1.001776?draft={draft.id}", data=payload,
                            content_type="multipart/form-data")  # fmt: skip
    assert submitted.status_code == 302  # the draft's attachment counts
    db.session.refresh(draft)
    assert draft.status == "submitted" and draft.code is not None
    assert count(Case) == 1


def draft_of(client, fields, files=()):
    """Save and finish later with only ``fields`` filled in; the draft's page after."""
    response = post_application(client, {"submission_token": "draft-1", "action": "draft",
                                         **fields}, files=files)  # fmt: skip
    assert response.status_code == 302
    return BeautifulSoup(client.get(response.headers["Location"]).data, "html.parser")


@pytest.mark.parametrize("language", ["vi", "en"])
def test_an_empty_form_is_kept_as_a_draft(client, citizen, language):
    client.get(f"/language/{language}")
    page = draft_of(client, {})
    draft = db.session.scalar(select(Case))
    assert draft.status == "draft" and draft.subject_name is None and draft.commune_code is None
    assert errors_of_page(page) == {}
    assert page.select_one("#full_name").get("value", "") == ""
    listed = client.get("/me/").get_data(as_text=True)
    deleting = client.get(f"/me/drafts/{draft.id}/delete").get_data(as_text=True)
    for html in (str(page), listed, deleting):
        shown = BeautifulSoup(html, "html.parser")
        for option in shown.select("option"):  # "None" is an English choice of a list
            option.decompose()
        assert "None" not in shown.get_text() and 'value="None"' not in str(shown)
    assert ("Bản nháp" if language == "vi" else "Draft") in listed


def errors_of_page(page):
    return errors_of(type("Response", (), {"data": str(page).encode()}))


@pytest.mark.parametrize(
    ("given", "field", "message"),
    [
        ({"date_of_birth": "2015-02-30"}, "date_of_birth", "Ngày không hợp lệ"),
        ({"national_id": "00121500"}, "national_id", "phải gồm đúng 12 chữ số"),
        ({"commune_code": "99999"}, "commune_code", "Không có xã, phường"),
        ({"category": "CHILD_NO_SUPPORT", "date_of_birth": "1950-01-01"}, "category", ""),
    ],
)
def test_a_draft_with_a_malformed_value_is_refused_and_not_saved(client, citizen, given,
                                                                 field, message):  # fmt: skip
    response = post_application(client, {"submission_token": "draft-1", "action": "draft",
                                         **given}, files=())  # fmt: skip
    assert response.status_code == 200
    errors = errors_of(response)
    assert list(errors) == [field] and message in errors[field]
    assert count(Case) == 0


def test_a_draft_with_a_bad_paper_is_refused_and_not_saved(client, citizen):
    response = post_application(client, {"submission_token": "draft-1", "action": "draft"},
                                files=((b"just text, not a PDF", "giay.pdf"),))  # fmt: skip
    assert "attachments" in errors_of(response)
    assert count(Case) == 0 and count(Attachment) == 0


def test_a_partial_draft_is_reopened_and_sent_only_once_complete(client, citizen):
    typed = {"full_name": "Hoàng Văn Bé", "date_of_birth": "2015-06-01",
             "category": "CHILD_NO_SUPPORT", "on_behalf": "y",
             "declarant_relationship": "mẹ"}  # fmt: skip
    page = draft_of(client, typed, files=((PNG, "giay-to.png"),))
    draft = db.session.scalar(select(Case))
    assert page.select_one("#full_name")["value"] == "Hoàng Văn Bé"
    assert page.select_one("#date_of_birth")["value"] == "2015-06-01"
    assert page.select_one("#category option[selected]")["value"] == "CHILD_NO_SUPPORT"
    assert page.select_one("#national_id").get("value", "") == ""
    assert page.select_one("#on_behalf").has_attr("checked")
    assert page.select_one("#declarant_relationship")["value"] == "mẹ"
    assert "giay-to.png" in page.text  # the paper already attached
    # Sent as the page holds it: what is missing is asked for, nothing is sent.
    url = f"/me/apply/1.001776?draft={draft.id}"
    sent = client.post(url, data={"submission_token": "draft-2", "action": "submit", **typed})
    assert sent.status_code == 200
    assert {"national_id", "sex", "commune_code", "declarant_name"} <= set(errors_of(sent))
    assert "Vui lòng điền mục này." in errors_of(sent)["sex"]
    db.session.refresh(draft)
    assert draft.status == "draft" and draft.code is None and count(Notification) == 0
    # Completed later, it is sent like any dossier.
    done = client.post(url, data={**child_application(token="draft-3"), "attachments": []},
                       content_type="multipart/form-data")  # fmt: skip
    assert done.status_code == 302 and done.headers["Location"].endswith("/receipt")
    db.session.refresh(draft)
    assert draft.status == "submitted" and draft.code is not None
    assert draft.commune_code == "00070" and count(Case) == 1


@pytest.mark.parametrize("missing", ["commune_code", "subject_name"])
def test_the_database_refuses_a_sent_dossier_without_what_a_draft_may_lack(citizen, missing):
    values = {"commune_code": "00070", "subject_name": "Hoàng Văn Bé", missing: None}
    draft = Case(procedure_code="1.001776", status="draft", data={}, **values)
    with db.session.begin_nested():
        db.session.add(draft)  # a draft may lack it
    draft.status = "submitted"
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.flush()


def test_the_supplement_loop(client, app, citizen):
    post_application(client, child_application())
    case = db.session.scalar(select(Case))
    officer = app.test_client()
    create_staff_user("officer", "o@xa.gov.vn", "Cán Bộ", PASSWORD, Actor.system("test"),
                      commune_code="00070")  # fmt: skip
    officer.post("/login", data={"username": "o@xa.gov.vn", "password": PASSWORD})
    proof = db.session.scalar(select(Attachment.id))
    assert officer.get(f"/officer/cases/{case.code}/attachments/{proof}").status_code == 200
    officer.post(f"/officer/cases/{case.code}/supplement", data={"message": "Thiếu giấy khai sinh"})
    db.session.refresh(case)
    assert case.status == "supplement_requested"
    page = client.get(f"/me/dossiers/{case.code}").get_data(as_text=True)
    assert "Thiếu giấy khai sinh" in page
    birth_certificate = (io.BytesIO(PNG + b"2"), "khai-sinh.png")
    answer = client.post(
        f"/me/dossiers/{case.code}", content_type="multipart/form-data",
        data={"message": "Đã bổ sung", "attachments": [birth_certificate]},
    )  # fmt: skip
    assert answer.status_code == 302
    db.session.refresh(case)
    assert case.status == "checking"
    assert count(Attachment) == 2
    assert count(Notification, Notification.user_id == citizen.id) >= 3


def test_attachments_are_served_only_to_the_applicant_and_the_commune(client, app, citizen):
    post_application(client, child_application())
    case = db.session.scalar(select(Case))
    proof = db.session.scalar(select(Attachment.id))
    url = f"/me/dossiers/{case.code}/attachments/{proof}"
    assert client.get(url).data == PNG
    other = app.test_client()
    stranger = CitizenRegistration(
        "Người Khác", date(1991, 1, 1), "M", "001091000888", "0912345679", None, PASSWORD
    )
    register_citizen(stranger, Actor.system("t"))
    other.post("/login", data={"username": "001091000888", "password": PASSWORD})
    assert other.get(url).status_code == 404
    elsewhere = app.test_client()
    create_staff_user("officer", "x@vt.gov.vn", "Cán Bộ", PASSWORD, Actor.system("test"),
                      commune_code="26506")  # fmt: skip
    elsewhere.post("/login", data={"username": "x@vt.gov.vn", "password": PASSWORD})
    assert elsewhere.get(f"/officer/cases/{case.code}/attachments/{proof}").status_code == 404


def test_the_procedures_are_listed_for_the_public(client):
    page = BeautifulSoup(client.get("/procedures").data, "html.parser").get_text(" ")
    assert "1.001776" in page and "1.001731" in page
    # The portal's own keys of procedures the national catalogue gives no code are not
    # shown to citizens as if they were codes.
    assert "MOVE-IN-PROVINCE" not in page and "EMERGENCY-FUNERAL" not in page
    assert "Nghị định 20/2021/NĐ-CP, Điều 8.3" in page


def test_the_legal_basis_reads_in_english_on_english_pages(client):
    client.get("/language/en")
    page = BeautifulSoup(client.get("/procedures").data, "html.parser").get_text(" ")
    assert "Decree 20/2021/NĐ-CP, Art 8.3" in page and "Điều" not in page
    assert "Law on Persons with Disabilities 51/2010/QH12" in page


def test_the_form_states_a_deadline_in_calendar_days_as_days(client, citizen):
    # The disability assessment runs 30 days, not 30 working days (the catalogue).
    page = BeautifulSoup(client.get("/me/apply/1.001699").data, "html.parser")
    hint = page.select_one("h1 + p.hint").get_text(" ", strip=True)
    assert "30 ngày" in hint and "làm việc" not in hint
    funeral = BeautifulSoup(client.get("/me/apply/1.001731").data, "html.parser")
    assert "3 ngày làm việc" in funeral.select_one("h1 + p.hint").get_text(" ", strip=True)
