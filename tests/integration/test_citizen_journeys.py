"""What a citizen meets on the way: registering, applying, answering (the citizen walk)."""

import io
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.models import User
from benefits.accounts.service import CitizenRegistration, create_staff_user, register_citizen
from benefits.cases.models import Case
from benefits.extensions import db
from tests.builders import CITIZEN_FORM as CITIZEN
from tests.builders import PASSWORD

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def funeral_application(token="form-1", **changes):  # noqa: S107 - a form token
    data = {
        "submission_token": token, "full_name": "Hoàng Văn Cụ", "date_of_birth": "1940-03-02",
        "sex": "M", "national_id": "001040000123", "commune_code": "00070",
        "on_behalf": "y", "declarant_name": "Hoàng Thị Dân",
        "declarant_national_id": "001190000777", "declarant_relationship": "con gái",
        "date_of_death": "2025-03-01", "action": "submit",
    }  # fmt: skip
    data.update(changes)
    return data


def post_application(client, data, files=((PNG, "giay-chung-tu.png"),), code="1.001731",
                     query=""):  # fmt: skip
    payload = dict(data)
    payload["attachments"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(f"/me/apply/{code}{query}", data=payload,
                       content_type="multipart/form-data")  # fmt: skip


def cases():
    return db.session.scalar(select(func.count()).select_from(Case))


def errors_of(response):
    page = BeautifulSoup(response.data, "html.parser")
    return {p.parent.get("id", "").removesuffix("-field"): p.get_text(" ", strip=True)
            for p in page.select(".error-message")}  # fmt: skip


def accounts():
    return db.session.scalar(select(func.count()).select_from(User))


@pytest.mark.parametrize(
    ("changes", "field", "vietnamese", "english"),
    [
        ({"full_name": ""}, "full_name", "Vui lòng điền mục này.", "This field is required."),
        ({"date_of_birth": "1990-02-30"}, "date_of_birth", "Ngày không hợp lệ",
         "Not a valid date value."),
        ({"full_name": "Dân" * 41}, "full_name", "Không được dài quá 120 ký tự",
         "longer than 120 characters"),
        ({"email": "dan@"}, "email", "Địa chỉ thư điện tử không hợp lệ.",
         "Invalid email address."),
    ],
)  # fmt: skip
def test_form_errors_read_in_the_citizens_language(client, changes, field, vietnamese,
                                                   english):  # fmt: skip
    response = client.post("/register", data={**CITIZEN, **changes})
    assert vietnamese in errors_of(response)[field]
    assert english not in response.get_data(as_text=True)
    client.get("/language/en")
    response = client.post("/register", data={**CITIZEN, **changes})
    assert english in errors_of(response)[field]
    assert accounts() == 0


def test_an_impossible_date_is_called_impossible_not_missing(client, citizen):
    response = post_application(client, funeral_application(date_of_death="2025-02-30"))
    assert "Ngày không hợp lệ" in errors_of(response)["date_of_death"]
    assert "Vui lòng điền mục này." not in errors_of(response)["date_of_death"]
    assert cases() == 0


def test_a_double_click_on_save_keeps_one_draft(client, citizen):
    first = post_application(client, funeral_application(action="draft"))
    again = post_application(client, funeral_application(action="draft"))
    assert first.headers["Location"] == again.headers["Location"]
    assert cases() == 1
    assert len(db.session.scalar(select(Case)).attachments) == 1  # the same paper kept once
    card = BeautifulSoup(client.get("/me/").data, "html.parser").select_one(".dossiers li")
    assert card.get_text(" ", strip=True).count("Bản nháp") == 1  # said once, as the status


def test_a_double_click_on_submitting_a_draft_shows_the_receipt_twice(client, citizen):
    saved = post_application(client, funeral_application(action="draft"))
    draft = db.session.scalar(select(Case))
    form = funeral_application(token="form-2")
    first = post_application(client, form, files=(), query=f"?draft={draft.id}")
    again = post_application(client, form, files=(), query=f"?draft={draft.id}")
    assert first.status_code == again.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    assert "/receipt" in again.headers["Location"]
    assert cases() == 1
    # The old "finish later" link now leads to the dossier, not to "page not found".
    stale = client.get(saved.headers["Location"])
    db.session.refresh(draft)
    assert stale.status_code == 302
    assert stale.headers["Location"].endswith(f"/me/dossiers/{draft.code}")


def test_an_expired_form_is_explained_and_shown_again(client, app, monkeypatch):
    # A phone's browser restores a tab after its session is gone: the form's token is stale.
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/register", data={**CITIZEN, "csrf_token": "stale"})
    # Shown again at once, with what was typed (decision 126).
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Biểu mẫu đã hết hạn" in page and CITIZEN["full_name"] in page
    assert accounts() == 0


def test_files_too_large_together_are_explained_and_nothing_is_sent(client, app, citizen,
                                                                     monkeypatch):  # fmt: skip
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)
    big = b"%PDF-" + b"0" * 8192
    response = post_application(client, funeral_application(), files=((big, "anh.pdf"),))
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/me/apply/1.001731")
    page = client.get("/me/apply/1.001731").get_data(as_text=True)
    assert "quá lớn" in page
    assert cases() == 0


def test_my_dossiers_name_the_procedure_and_the_person_in_words(client, citizen):
    post_application(client, funeral_application())
    home = BeautifulSoup(client.get("/me/").data, "html.parser")
    row = home.select_one(".dossiers li").get_text(" ", strip=True)
    assert "Hỗ trợ chi phí mai táng" in row and "1.001731" not in row
    assert "Hoàng Văn Cụ" in row  # declared on behalf of someone else
    case = db.session.scalar(select(Case))
    dossier = client.get(f"/me/dossiers/{case.code}").get_data(as_text=True)
    assert "Hoàng Văn Cụ" in dossier
    client.get("/language/en")
    assert "Funeral cost support" in client.get("/me/").get_data(as_text=True)


@pytest.fixture
def papers_asked(client, app, citizen):
    """A dossier on which the commune officer asked for more papers."""
    post_application(client, funeral_application())
    case = db.session.scalar(select(Case))
    officer = app.test_client()
    create_staff_user("officer", "o@xa.gov.vn", "Cán Bộ", PASSWORD, Actor.system("test"),
                      commune_code="00070")  # fmt: skip
    officer.post("/login", data={"username": "o@xa.gov.vn", "password": PASSWORD})
    officer.post(f"/officer/cases/{case.code}/supplement", data={"message": "Thiếu giấy chứng tử"})
    db.session.refresh(case)
    assert case.status == "supplement_requested"
    return case


def answer(client, case, message="", files=()):
    return client.post(f"/me/dossiers/{case.code}", content_type="multipart/form-data",
                       data={"message": message,
                             "attachments": [(io.BytesIO(c), n) for c, n in files]})  # fmt: skip


def test_the_dossier_says_the_time_limit_is_paused(client, papers_asked):
    page = client.get(f"/me/dossiers/{papers_asked.code}").get_data(as_text=True)
    assert "tạm dừng cho đến khi bạn trả lời" in page


def test_an_empty_answer_is_not_sent(client, papers_asked):
    response = answer(client, papers_asked)
    assert response.status_code == 200
    assert "Viết câu trả lời hoặc đính kèm giấy tờ" in errors_of(response)["message"]
    db.session.refresh(papers_asked)
    assert papers_asked.status == "supplement_requested"


def test_a_refused_paper_keeps_the_answer_written(client, papers_asked):
    response = answer(client, papers_asked, "Tôi gửi giấy chứng tử", ((b"not a pdf", "a.pdf"),))
    assert response.status_code == 200
    assert "a.pdf" in errors_of(response)["attachments"]
    page = BeautifulSoup(response.data, "html.parser")
    assert page.select_one("#message").get_text() == "Tôi gửi giấy chứng tử"
    db.session.refresh(papers_asked)
    assert papers_asked.status == "supplement_requested" and len(papers_asked.attachments) == 1


def test_an_id_number_typed_in_groups_is_understood(client, citizen):
    # People copy the number as it is read out: "001 190 000 777", "001.215.000.123".
    client.post("/logout")
    logged_in = client.post("/login", data={"username": " 001 190 000 777 ", "password": PASSWORD})
    assert logged_in.status_code == 302 and logged_in.headers["Location"].endswith("/me/")
    grouped = funeral_application(national_id="001.040.000.123",
                                  declarant_national_id="001-190-000-777")  # fmt: skip
    post_application(client, grouped)
    case = db.session.scalar(select(Case))
    assert case.subject_national_id == "001040000123"
    assert case.declarant_national_id == "001190000777"


def test_registering_with_an_id_number_in_groups(client):
    response = client.post("/register", data={**CITIZEN, "national_id": "001 190 000 777"})
    assert response.status_code == 302
    assert db.session.scalar(select(User.national_id)) == "001190000777"
    client.post("/logout")  # registering again, as someone who forgot they had
    again = client.post("/register", data={**CITIZEN, "national_id": "001190000777"})
    assert "đã có tài khoản" in errors_of(again)["national_id"]
    assert "đăng nhập" in errors_of(again)["national_id"]  # and what to do instead


@pytest.mark.parametrize("phone", ["không có", "09123abc45", "+84 91"])
def test_a_phone_number_must_be_digits(client, phone):
    response = client.post("/register", data={**CITIZEN, "phone": phone})
    assert "số điện thoại" in errors_of(response)["phone"].lower()
    assert accounts() == 0


def test_a_phone_number_is_kept_as_digits(client):
    client.post("/register", data={**CITIZEN, "phone": "0912 345 678"})
    assert db.session.scalar(select(User.phone)) == "0912345678"


def test_applying_for_someone_else_asks_to_say_so(client, citizen):
    # Grandfather's details typed in, "on behalf" forgotten: the dossier would claim that
    # he filed it himself (domain.md section 2: who declares gives their own details).
    alone = {k: v for k, v in funeral_application().items() if not k.startswith("declarant")}
    del alone["on_behalf"]
    response = post_application(client, alone)
    assert response.status_code == 200
    assert "Tôi khai thay" in errors_of(response)["on_behalf"]
    assert cases() == 0


def test_the_declarant_block_is_pre_filled_with_the_account(client, citizen):
    page = BeautifulSoup(client.get("/me/apply/1.001731").data, "html.parser")
    assert page.select_one("#declarant_name")["value"] == "Hoàng Thị Dân"
    assert page.select_one("#declarant_national_id")["value"] == "001190000777"


@pytest.mark.parametrize(
    ("day", "why"),
    [("2052-03-01", "tương lai"), ("1939-12-31", "trước ngày sinh")],
)
def test_a_date_of_death_must_be_possible(client, citizen, day, why):
    response = post_application(client, funeral_application(date_of_death=day))
    assert why in errors_of(response)["date_of_death"]
    assert cases() == 0


def test_an_empty_file_is_called_empty(client, citizen):
    response = post_application(client, funeral_application(), files=((b"", "chung-tu.pdf"),))
    assert "chung-tu.pdf" in errors_of(response)["attachments"]
    assert "trống" in errors_of(response)["attachments"]
    assert cases() == 0


def test_too_many_files_are_refused(client, citizen):
    photos = tuple((PNG + bytes([i]), f"trang-{i}.png") for i in range(21))
    response = post_application(client, funeral_application(), files=photos)
    assert "20" in errors_of(response)["attachments"]
    assert cases() == 0


def test_files_chosen_on_a_form_with_mistakes_must_be_chosen_again(client, citizen):
    # The browser empties a file input when the page comes back with errors: say so.
    response = post_application(client, funeral_application(commune_code="99999"))
    assert "commune_code" in errors_of(response)
    assert "chọn lại" in errors_of(response)["attachments"]


@pytest.mark.parametrize("typed", ["Phường Hoàn Kiếm", "hoàn kiếm", "Hoan Kiem", "00070"])
def test_the_commune_is_given_by_its_name_or_its_code(client, citizen, typed):
    # Nobody knows their ward's 5-digit code; they know its name.
    response = post_application(client, funeral_application(commune_code=typed))
    assert response.status_code == 302
    assert db.session.scalar(select(Case.commune_code)) == "00070"


def test_a_commune_name_shared_by_several_provinces_asks_which(client, citizen):
    response = post_application(client, funeral_application(commune_code="Tân Phú"))
    error = errors_of(response)["commune_code"]
    assert "Đồng Nai" in error and "26116" in error and "Nghệ An" in error
    assert cases() == 0
    chosen = post_application(client, funeral_application(commune_code="Tân Phú, Đồng Nai"))
    assert chosen.status_code == 302
    assert db.session.scalar(select(Case.commune_code)) == "26116"


def test_an_unknown_commune_name_is_explained(client, citizen):
    response = post_application(client, funeral_application(commune_code="Xã Không Có"))
    assert "Không có xã, phường" in errors_of(response)["commune_code"]
    assert cases() == 0


def test_a_dossier_waiting_for_the_citizen_says_so_on_my_dossiers(client, papers_asked):
    page = BeautifulSoup(client.get("/me/").data, "html.parser")
    assert "BTXH" not in page.title.get_text()  # the messages are on the page, not its title
    assert "cần bổ sung giấy tờ" in page.select_one("main").get_text(" ", strip=True)
    card = page.select_one(".dossiers li")
    assert "Cần bạn trả lời" in card.get_text(" ", strip=True)
    assert card.select_one("a")["href"].endswith(f"/me/dossiers/{papers_asked.code}")


@pytest.mark.parametrize("code", ["1.001731", "EMERGENCY-FUNERAL", "2.002913"])
def test_a_funeral_form_does_not_take_the_applicant_for_the_deceased(client, citizen, code):
    page = BeautifulSoup(client.get(f"/me/apply/{code}").data, "html.parser")
    assert not page.select_one("#full_name").get("value")
    assert not page.select_one("#national_id").get("value")
    assert page.select_one("#on_behalf").has_attr("checked")
    assert "Người đã mất" in page.select_one("fieldset legend").get_text()


def test_emergency_funeral_support_asks_for_the_date_of_death_and_the_death_notice(client, citizen):
    # ND20 Art 14 and domain.md section 2: Mẫu 04 with a death notice.
    form = funeral_application()
    response = post_application(client, {**form, "date_of_death": ""}, files=(),
                                code="EMERGENCY-FUNERAL")  # fmt: skip
    errors = errors_of(response)
    assert "date_of_death" in errors and "attachments" not in errors  # one thing at a time
    response = post_application(client, form, files=(), code="EMERGENCY-FUNERAL")
    assert "attachments" in errors_of(response)
    assert cases() == 0
    assert post_application(client, form, code="EMERGENCY-FUNERAL").status_code == 302
    assert db.session.scalar(select(Case.data))["date_of_death"] == "2025-03-01"


def test_the_same_request_sent_again_points_to_the_dossier_already_open(client, citizen):
    # Unsure the first went through, the citizen fills the form again (a new form, a new token).
    first = post_application(client, funeral_application(token="form-1"))
    assert first.status_code == 302
    code = db.session.scalar(select(Case.code))
    again = post_application(client, funeral_application(token="form-2"))
    assert again.status_code == 200
    assert code in errors_of(again)["national_id"]
    assert cases() == 1


def test_someone_elses_open_dossier_is_not_revealed(client, app, citizen):
    post_application(client, funeral_application(token="form-1"))
    code = db.session.scalar(select(Case.code))
    sister = app.test_client()
    sister_account = CitizenRegistration("Hoàng Thị Em", date(1992, 1, 1), "F", "001192000555",
                                         "0912000555", None, PASSWORD)  # fmt: skip
    register_citizen(sister_account, Actor.system("t"))
    sister.post("/login", data={"username": "001192000555", "password": PASSWORD})
    form = funeral_application(token="form-9", declarant_name="Hoàng Thị Em",
                               declarant_national_id="001192000555")  # fmt: skip
    response = post_application(sister, form)
    error = errors_of(response)["national_id"]
    assert "đang được Ủy ban nhân dân xã giải quyết" in error and code not in error
    assert cases() == 1


def test_the_clock_stops_while_papers_are_asked_for(client, app, citizen):
    # domain.md section 2: the deadline does not run between the request and the answer.
    login = {"username": "001190000777", "password": PASSWORD}
    with time_machine.travel(datetime(2025, 3, 3, 9, 0, tzinfo=HANOI), tick=False):
        client.post("/login", data=login)
        post_application(client, funeral_application())  # Monday; due in 3 working days
    case = db.session.scalar(select(Case))
    assert case.due_on == date(2025, 3, 6)
    officer = app.test_client()
    create_staff_user("officer", "o@xa.gov.vn", "Cán Bộ", PASSWORD, Actor.system("test"),
                      commune_code="00070")  # fmt: skip
    with time_machine.travel(datetime(2025, 3, 4, 6, 30, tzinfo=HANOI), tick=False):
        officer.post("/login", data={"username": "o@xa.gov.vn", "password": PASSWORD})
        officer.post(f"/officer/cases/{case.code}/supplement", data={"message": "Thiếu giấy"})
    with time_machine.travel(datetime(2025, 3, 11, 10, 0, tzinfo=HANOI), tick=False):
        client.post("/login", data=login)
        answer(client, case, "Đã gửi", ((PNG + b"3", "giay.png"),))
        page = client.get(f"/me/dossiers/{case.code}").get_data(as_text=True)
    db.session.refresh(case)
    assert case.status == "checking"
    # Waited Wed 5 to Tue 11 March: 5 working days added to the due date.
    assert case.due_on == date(2025, 3, 13)
    assert "13/03/2025" in page


def test_early_in_the_morning_the_day_is_vietnams_not_the_servers(client, citizen):
    # 06:00 on Tuesday 4 March in Vietnam; the server's clock (UTC) still says Monday 3.
    with time_machine.travel(datetime(2025, 3, 3, 23, 0, tzinfo=UTC), tick=False):
        client.post("/login", data={"username": "001190000777", "password": PASSWORD})
        response = post_application(client, funeral_application(date_of_death="2025-03-04"))
    assert response.status_code == 302, errors_of(response)  # died this morning: not "future"
    case = db.session.scalar(select(Case))
    assert case.received_on == date(2025, 3, 4)
    assert case.due_on == date(2025, 3, 7)  # 3 working days from Tuesday


def test_the_error_summary_names_each_field(client, citizen):
    response = post_application(client, funeral_application(date_of_death="", commune_code=""))
    summary = BeautifulSoup(response.data, "html.parser").select(".error-summary li a")
    texts = [a.get_text(" ", strip=True) for a in summary]
    assert "Ngày mất: Vui lòng điền mục này." in texts
    assert "Xã, phường nơi cư trú: Vui lòng điền mục này." in texts


def test_the_category_is_chosen_not_assumed(client, citizen):
    # A pre-selected first category would be sent as the citizen's choice without a look.
    page = BeautifulSoup(client.get("/me/apply/1.001776").data, "html.parser")
    chosen = page.select_one("#category option[selected]") or page.select_one("#category option")
    assert chosen["value"] == ""
    child = {**funeral_application(), "date_of_birth": "2015-06-01", "national_id": "001215000123",
             "full_name": "Hoàng Văn Bé", "category": ""}  # fmt: skip
    response = post_application(client, child, code="1.001776")
    assert "category" in errors_of(response)
    assert cases() == 0


def child_for_the_allowance(**changes):
    data = {**funeral_application(), "date_of_birth": "2015-06-01",
            "national_id": "001215000123", "full_name": "Hoàng Văn Bé",
            "category": "CHILD_NO_SUPPORT"}  # fmt: skip
    del data["date_of_death"]
    data.update(changes)
    return data


def test_a_category_that_does_not_fit_the_age_is_explained(client, citizen):
    # domain.md section 3: an elderly person's category for a child of ten.
    response = post_application(client, child_for_the_allowance(category="ELDERLY_POOR_ALONE"),
                                code="1.001776")  # fmt: skip
    assert "không phù hợp với tuổi" in errors_of(response)["category"]
    assert cases() == 0
    fits = post_application(client, child_for_the_allowance(), code="1.001776")
    assert fits.status_code == 302


def test_categories_closed_to_new_entrants_are_not_offered(client, citizen):
    # Decree 176/2025: 5.5.b and 5.5.c take no new entrants from 2025-07.
    page = BeautifulSoup(client.get("/me/apply/1.001776").data, "html.parser")
    offered = {o["value"] for o in page.select("#category option")}
    assert "ELDERLY_80_NO_PENSION" not in offered and "ELDERLY_75_DIFFICULT_AREA" not in offered
    assert "ELDERLY_POOR_ALONE" in offered


def test_a_page_behind_the_login_says_why_the_login_is_asked(client):
    sent = client.get("/me/apply/1.001731")
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Đăng nhập để tiếp tục" in page


def test_a_draft_for_a_person_with_an_open_dossier_is_not_kept(client, citizen):
    post_application(client, funeral_application(token="form-1"))
    response = post_application(client, funeral_application(token="form-2", action="draft"))
    assert response.status_code == 200
    assert "Bạn đã gửi hồ sơ cho người này" in errors_of(response)["national_id"]
    assert cases() == 1


@pytest.mark.parametrize("path", ["/register", "/login"])
def test_a_logged_in_citizen_is_not_offered_a_second_account_or_login(client, citizen, path):
    response = client.get(path)
    assert response.status_code == 302 and response.headers["Location"].endswith("/me/")
    assert client.post("/register", data={**CITIZEN, "national_id": "001091000888",
                                          "sex": "M", "date_of_birth": "1991-01-01",
                                          "email": ""}).status_code == 302  # fmt: skip
    assert accounts() == 1
