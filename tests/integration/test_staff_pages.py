"""What staff read and do on their pages: scoping, words instead of codes, clear errors
on bad input with nothing changed (the staff walk of November 2026)."""

from datetime import date

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry, User
from benefits.accounts.service import create_staff_user
from benefits.extensions import db

PASSWORD = "một-mật-khẩu-dài"


def staff(role, email, commune="00070", province=None):
    return create_staff_user(role, email, "Cán Bộ", PASSWORD, Actor.system("test"),
                             commune_code=commune, province_code=province)  # fmt: skip


def login(client, username, lang="vi"):
    client.set_cookie("lang", lang)
    return client.post("/login", data={"username": username, "password": PASSWORD})


def page_of(response):
    return BeautifulSoup(response.data, "html.parser")


def errors_of(response):
    return {p.parent.get("id", "").removesuffix("-field"): p.get_text(" ", strip=True)
            for p in page_of(response).select(".error-message")}  # fmt: skip


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_a_province_admin_cannot_create_an_account_in_another_provinces_commune(client):
    staff("admin", "admin@so.gov.vn", commune=None, province="01")
    login(client, "admin@so.gov.vn")
    audits = count(AuditEntry)
    response = client.post("/admin/users/new", data={
        "full_name": "Cán Bộ Vũng Tàu", "email": "vt@xa.gov.vn", "role": "officer",
        "commune": "26506", "password": PASSWORD})  # fmt: skip
    assert response.status_code == 200
    assert errors_of(response)["commune"] == "Phường Vũng Tàu (26506) không thuộc Thành phố Hà Nội."
    assert count(User, User.email == "vt@xa.gov.vn") == 0
    assert count(AuditEntry) == audits


def test_the_staff_list_names_roles_and_communes_in_the_readers_language(client):
    staff("officer", "o@xa.gov.vn")
    staff("admin", "admin@so.gov.vn", commune=None, province="01")
    login(client, "admin@so.gov.vn")
    rows = {r.select("td")[1].get_text(): [td.get_text(" ", strip=True) for td in r.select("td")]
            for r in page_of(client.get("/admin/")).select("tbody tr")}  # fmt: skip
    assert rows["o@xa.gov.vn"][2:4] == ["Công chức văn hóa - xã hội", "Phường Hoàn Kiếm (00070)"]
    assert rows["admin@so.gov.vn"][2:4] == ["Quản trị cấp tỉnh", "toàn tỉnh"]
    options = page_of(client.get("/admin/users/new")).select("select[name=role] option")
    assert [(o["value"], o.get_text()) for o in options][:2] == [
        ("officer", "Công chức văn hóa - xã hội"), ("chairman", "Chủ tịch UBND xã")]  # fmt: skip
    client.set_cookie("lang", "en")
    rows = page_of(client.get("/admin/")).select("tbody tr")
    assert "Commune officer" in {r.select("td")[2].get_text() for r in rows}


def test_the_rule_tables_write_coefficients_as_the_reader_does_and_name_the_province(client):
    from benefits.month import Month
    from benefits.rules.service import add_standard_level

    add_standard_level("01", Month(2099, 1), 600_000, "NQ 01/2098/NQ-HĐND", Actor.system("t"),
                       Month(2025, 1))  # fmt: skip
    staff("admin", "admin@so.gov.vn", commune=None, province="01")
    login(client, "admin@so.gov.vn")
    page = page_of(client.get("/admin/rules"))
    levels, coefficients = page.select("table")[:2]
    assert "Thành phố Hà Nội (01)" in levels.get_text()
    cells = {r.select("td")[3].get_text() for r in coefficients.select("tbody tr")}
    assert {"2,5", "1,5", "3,0"} <= cells and "2.5" not in cells
    client.set_cookie("lang", "en")
    coefficients = page_of(client.get("/admin/rules")).select("table")[1]
    assert "2.5" in {r.select("td")[3].get_text() for r in coefficients.select("tbody tr")}


def test_the_beneficiary_page_writes_coefficients_the_vietnamese_way(client):
    from datetime import date

    from tests.builders import create_beneficiary

    son = create_beneficiary(full_name="Lâm Văn Sơn", date_of_birth=date(1950, 10, 10),
                             categories=["ELDERLY_POOR_ALONE"])  # fmt: skip
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    month_rows = page_of(client.get(f"/officer/registry/{son.code}")).select("tr[id^=month-]")
    assert {r.select("td")[2].get_text() for r in month_rows} == {"1,5"}
    client.set_cookie("lang", "en")
    month_rows = page_of(client.get(f"/officer/registry/{son.code}")).select("tr[id^=month-]")
    assert {r.select("td")[2].get_text() for r in month_rows} == {"1.5"}


def _linked_death_dossier():
    from datetime import date

    from benefits.cases.service import open_case

    return open_case(
        "2.002913", "00070", "Trịnh Thị Mơ", Actor.system("t"), date(2025, 3, 17),
        subject_national_id="001309700005",
        declarant={"full_name": "Trịnh Văn Con", "national_id": "001080012345",
                   "relationship": "con"},
        data={"date_of_death": "2025-03-10", "components": "death_funeral",
              "date_of_birth": "2009-05-05", "sex": "F", "address": "Tổ 1"},
    )  # fmt: skip


def test_the_queue_and_the_dossier_name_the_procedure_and_show_what_was_filed(client):
    case = _linked_death_dossier()
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    queue = page_of(client.get("/officer/")).select("tbody tr")[0].get_text(" ", strip=True)
    assert "Liên thông đăng ký khai tử" in queue and "2.002913" not in queue
    page = page_of(client.get(f"/officer/cases/{case.code}"))
    terms = [dt.get_text(" ", strip=True) for dt in page.select("dt")]
    values = [dd.get_text(" ", strip=True) for dd in page.select("dd")]
    facts = dict(zip(terms, values, strict=True))
    assert facts["Thủ tục"].startswith("Liên thông đăng ký khai tử")
    assert facts["Người khai"] == "Trịnh Văn Con (001******345), quan hệ: con"
    assert facts["Ngày mất"] == "10/03/2025"
    assert facts["Các thủ tục đề nghị giải quyết"] == "Khai tử và mai táng phí"
    assert facts["Ngày sinh"] == "05/05/2009" and facts["Giới tính"] == "Nữ"
    client.set_cookie("lang", "en")
    page = page_of(client.get(f"/officer/cases/{case.code}")).get_text(" ", strip=True)
    assert "Date of death 10 Mar 2025" in page and "Death and funeral support" in page


def test_a_dossier_step_sent_twice_is_refused_in_words_and_changes_nothing(client):
    from benefits.cases.models import CaseEvent

    case = _linked_death_dossier()
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    assert client.post(f"/officer/cases/{case.code}/check").status_code == 302
    events = count(CaseEvent)
    page = page_of(client.post(f"/officer/cases/{case.code}/check", follow_redirects=True))
    assert page.select_one(".notice, .flash, [role=alert]") is not None
    text = page.get_text(" ", strip=True)
    assert "Hồ sơ đã ở bước này rồi: Đang kiểm tra." in text
    assert "checking" not in text
    assert count(CaseEvent) == events


def test_the_beneficiary_page_says_what_is_empty_and_names_who_acted(client):
    from tests.builders import create_beneficiary

    son = create_beneficiary(full_name="Lâm Văn Sơn", categories=["DISABLED_EXTREMELY_SEVERE"])
    officer = staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    text = page_of(client.get(f"/officer/registry/{son.code}")).get_text(" ", strip=True)
    assert "Chưa ghi nhận hỗ trợ kinh phí chăm sóc." in text
    assert "Chưa ghi nhận trợ cấp hưu trí xã hội." in text
    assert "Người này chưa có trong danh sách chi trả nào." in text
    response = client.post(f"/officer/registry/{son.code}/care-support", data={
        "care_group": "CARE_HOUSEHOLD_EXTREMELY_SEVERE", "carer_name": "Lâm Thị Hoa",
        "from_month": "2025-01"})  # fmt: skip
    assert response.status_code == 302
    trail = page_of(client.get(f"/officer/registry/{son.code}")).select("h2 + ul li")
    assert any(f"{officer.full_name}: Ghi nhận hỗ trợ chăm sóc" in li.get_text() for li in trail)
    assert not any(f"user:{officer.id}" in li.get_text() for li in trail)


def test_the_deaths_page_says_when_none_is_recorded(client):
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    rows = page_of(client.get("/officer/deaths")).select("tbody tr")
    assert [r.get_text(strip=True) for r in rows] == ["Xã chưa ghi nhận trường hợp khai tử nào."]


def test_a_form_sent_after_logging_out_elsewhere_says_so_in_words_and_changes_nothing(app, client):
    from benefits.cases.models import CaseEvent

    case = _linked_death_dossier()
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    events = count(CaseEvent)
    app.config["WTF_CSRF_ENABLED"] = True
    try:  # the token of a page opened before a log-out in another tab no longer matches
        referer = {"Referer": f"http://localhost/officer/cases/{case.code}"}
        response = client.post(f"/officer/cases/{case.code}/check", data={"csrf_token": "old"},
                               headers=referer)  # fmt: skip
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert response.status_code == 400
    page = page_of(response)
    assert page.select_one("h1").get_text() == "Không gửi được biểu mẫu"
    assert "Không có gì bị thay đổi." in page.get_text()
    assert page.select_one("main a, .content a, h1 ~ p a")["href"].endswith(case.code)
    assert count(CaseEvent) == events and case.status == "submitted"


def test_a_request_too_large_says_so_in_words(app, client):
    case = _linked_death_dossier()
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn", lang="en")
    limit = app.config["MAX_CONTENT_LENGTH"]
    app.config["MAX_CONTENT_LENGTH"] = 1024 * 1024
    try:
        response = client.post(f"/officer/cases/{case.code}/supplement",
                               data={"message": "x" * (1024 * 1024 + 1)})  # fmt: skip
    finally:
        app.config["MAX_CONTENT_LENGTH"] = limit
    assert response.status_code == 413
    assert "larger than 1 MB" in page_of(response).get_text()
    assert case.status == "submitted"


def test_form_messages_are_in_vietnamese_and_money_is_read_as_people_write_it(client):
    from benefits.month import Month
    from benefits.rules.models import StandardLevel

    staff("admin", "admin@so.gov.vn", commune=None, province="01")
    login(client, "admin@so.gov.vn")
    users = count(User)
    response = client.post("/admin/users/new", data={
        "full_name": "", "email": "khong-phai-thu", "role": "officer", "commune": "00070",
        "password": "ngắn"})  # fmt: skip
    assert errors_of(response) == {
        "full_name": "Vui lòng điền mục này.",
        "email": "Địa chỉ thư điện tử không hợp lệ.",
    }
    assert count(User) == users
    levels = count(StandardLevel)
    month = str(Month(2099, 1))
    for amount, error in (("", "Vui lòng điền mục này."),
                          ("sáu trăm nghìn", "Ghi số tiền bằng đồng, ví dụ 600.000.")):  # fmt: skip
        response = client.post("/admin/rules", data={
            "month": month, "amount": amount, "legal_basis": "NQ 01/2098/NQ-HĐND"})  # fmt: skip
        assert errors_of(response) == {"amount": error}
    assert count(StandardLevel) == levels
    response = client.post("/admin/rules", data={
        "month": month, "amount": "600.000 ₫", "legal_basis": "NQ 01/2098/NQ-HĐND"})  # fmt: skip
    assert response.status_code == 302
    added = db.session.scalar(select(StandardLevel).where(StandardLevel.province_code == "01"))
    assert added.amount == 600_000
    client.set_cookie("lang", "en")
    response = client.post("/admin/users/new", data={"email": "x@xa.gov.vn", "role": "officer"})
    assert errors_of(response)["full_name"] == "This field is required."


def test_a_flagged_line_says_its_kind_and_who_collects_it(client):
    from benefits.month import Month
    from benefits.payments.generation import generate_batch
    from benefits.registry.care_support import grant_care_support
    from tests.builders import create_beneficiary

    son = create_beneficiary(full_name="Lâm Văn Sơn", categories=["DISABLED_EXTREMELY_SEVERE"],
                             effective_month="2024-01")  # fmt: skip
    grant_care_support(son, "CARE_HOUSEHOLD_EXTREMELY_SEVERE", "Lâm Thị Hoa", None,
                       Month(2024, 1), Actor.system("t"))  # fmt: skip
    batch = generate_batch(Month(2025, 3), "commune", "00070", Actor.system("t"))
    staff("payment", "p@xa.gov.vn")
    login(client, "p@xa.gov.vn")
    page = page_of(client.get(f"/payments/batches/{batch.id}"))
    flagged = [li.get_text(" ", strip=True) for li in page.select("h3 + ul li")]
    assert any("Lâm Văn Sơn" in f and "Trợ cấp xã hội hàng tháng" in f for f in flagged), flagged
    assert any("Hỗ trợ kinh phí chăm sóc" in f and "người nhận: Lâm Thị Hoa" in f for f in flagged)


def test_the_dossier_timeline_says_who_did_each_step(client):
    case = _linked_death_dossier()
    officer = staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    client.post(f"/officer/cases/{case.code}/supplement", data={"message": "Thiếu giấy báo tử"})
    timeline = page_of(client.get(f"/officer/cases/{case.code}")).select("ol.timeline li")
    steps = [li.get_text(" ", strip=True) for li in timeline]
    assert f"({officer.full_name}): Đang kiểm tra" in steps[1]
    assert steps[2].endswith(f"({officer.full_name}): Yêu cầu bổ sung giấy tờ – Thiếu giấy báo tử")
    assert not any(f"user:{officer.id}" in step for step in steps)


def test_an_officer_cannot_record_the_death_of_another_communes_beneficiary(client):
    from benefits.cases.models import Case
    from benefits.deaths.models import DeathRecord
    from tests.builders import create_beneficiary

    there = create_beneficiary(full_name="Ông Văn Đức", commune_code="26506")
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    audits = count(AuditEntry)
    response = client.post("/officer/deaths", data={
        "registration_number": "KT-TAY-9", "national_id": there.person.national_id,
        "full_name": "Ông Văn Đức", "date_of_death": "2025-03-14", "registered_on": "2025-03-16",
        "declarant_name": "Nguyễn Thị B", "declarant_national_id": "001190054321"})  # fmt: skip
    assert response.status_code == 200
    refusal = errors_of(response)["national_id"]
    assert refusal.startswith("Không có cư dân nào của xã")
    db.session.refresh(there)
    assert there.status == "active"
    assert count(DeathRecord) == 0 and count(Case) == 0 and count(AuditEntry) == audits
    # Issue 29.5: an ID number the portal does not know gets the very same answer, so the
    # refusal does not tell that the first belongs to another commune's resident.
    unknown = client.post("/officer/deaths", data={
        "registration_number": "KT-TAY-9", "national_id": "001050799999",
        "full_name": "Ông Văn Đức", "date_of_death": "2025-03-14", "registered_on": "2025-03-16",
        "declarant_name": "Nguyễn Thị B", "declarant_national_id": "001190054321"})  # fmt: skip
    assert errors_of(unknown)["national_id"] == refusal
    assert count(DeathRecord) == 0 and count(AuditEntry) == audits


def test_a_search_by_another_communes_id_number_answers_as_an_unknown_one(client):
    # Issue 29.5: the officer's queue finds no dossier of another commune's resident, in
    # the same words as for a number no one holds.
    from benefits.accounts.audit import Actor as _Actor
    from benefits.cases.service import open_case

    open_case("1.001776", "26506", "Ông Văn Đức", _Actor.system("test"), date(2025, 3, 3),
              subject_national_id="001050700004")  # fmt: skip
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")

    def search(number):
        return page_of(client.post("/officer/queue/search", data={
            "q": number, "state": "all", "procedure": "", "deadline": ""},
            follow_redirects=True))  # fmt: skip

    there, nobody = search("001050700004"), search("001050799999")
    assert "Ông Văn Đức" not in there.get_text()
    assert there.select_one("main").get_text(" ", strip=True).replace(
        "001050700004", "N") == nobody.select_one("main").get_text(" ", strip=True).replace(
        "001050799999", "N")  # fmt: skip


def test_an_impossible_date_of_death_is_called_impossible_not_missing(client):
    from benefits.deaths.models import DeathRecord

    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    response = client.post("/officer/deaths", data={
        "registration_number": "KT-30-2", "national_id": "001050700004",
        "full_name": "Lâm Văn Sơn", "date_of_death": "2025-02-30", "registered_on": "",
        "declarant_name": "Nguyễn Thị B", "declarant_national_id": "001190054321"})  # fmt: skip
    errors = errors_of(response)
    assert errors["date_of_death"].startswith("Ngày không hợp lệ: hãy nhập ngày có thật")
    assert errors["registered_on"] == "Vui lòng điền mục này."
    assert count(DeathRecord) == 0


def test_an_officer_cancels_a_death_recorded_by_hand_by_mistake(client):
    from datetime import date

    from benefits.deaths.models import DeathRecord
    from benefits.deaths.service import DeathReport, record_death
    from tests.builders import create_beneficiary

    son = create_beneficiary(full_name="Lâm Văn Sơn", national_id="001050700004")
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    client.post("/officer/deaths", data={
        "registration_number": "KT-NHAM-1", "national_id": "001050700004",
        "full_name": "Lâm Văn Sơn", "date_of_death": "2025-03-14", "registered_on": "2025-03-16",
        "declarant_name": "Nguyễn Thị B", "declarant_national_id": "001190054321"})  # fmt: skip
    db.session.refresh(son)
    assert son.status == "deceased"
    url = "/officer/deaths/KT-NHAM-1/cancel"
    page = page_of(client.post(url, data={"reason": "Nhầm người"}, follow_redirects=True))
    assert "Vui lòng đánh dấu để xác nhận việc hủy." in page.get_text()
    db.session.refresh(son)
    assert son.status == "deceased"  # not confirmed: nothing changed
    page = page_of(client.post(url, data={"reason": "Nhầm người", "confirm": "y"},
                               follow_redirects=True))  # fmt: skip
    assert "Đã hủy bản ghi KT-NHAM-1." in page.get_text()
    assert "Nhầm người" in page.get_text()
    db.session.refresh(son)
    assert son.status == "active"
    assert db.session.scalar(select(DeathRecord.status)) == "cancelled"
    assert client.post(url, data={"reason": "x", "confirm": "y"}).status_code == 404  # once
    # A death from the civil registry is corrected there, not on this page.
    report = DeathReport(
        registration_number="KT-HT-2", national_id="001050700004", full_name="Lâm Văn Sơn",
        date_of_death=date(2025, 3, 14), registered_on=date(2025, 3, 16), commune_code="00070",
        declarant={"full_name": "Nguyễn Thị B", "national_id": "001190054321"},
    )  # fmt: skip
    record_death(report, Actor.system("civil-registry"), "civil_registry", date(2025, 3, 16))
    page = page_of(client.get("/officer/deaths"))
    assert len(page.select("details.cancel-death")) == 0
    cancel = client.post("/officer/deaths/KT-HT-2/cancel", data={"reason": "x", "confirm": "y"})
    assert cancel.status_code == 404


def test_a_new_staff_account_chooses_its_commune_by_name_among_the_provinces(client):
    staff("admin", "admin@so.gov.vn", commune=None, province="01")
    login(client, "admin@so.gov.vn")
    select_ = page_of(client.get("/admin/users/new")).select_one("select[name=commune]")
    options = {o["value"]: o.get_text() for o in select_.select("option")}
    assert options[""] == "Không: tài khoản cấp tỉnh"
    assert options["00070"] == "Phường Hoàn Kiếm (00070)"
    assert "26506" not in options  # another province's commune
    response = client.post("/admin/users/new", data={
        "full_name": "Cán Bộ Mới", "email": "moi@xa.gov.vn", "role": "officer",
        "commune": "00070", "password": PASSWORD})  # fmt: skip
    assert response.status_code == 302
    assert db.session.scalar(select(User).where(User.email == "moi@xa.gov.vn")).commune_code == (
        "00070")  # fmt: skip


def test_the_audit_log_is_filtered_by_what_was_done_in_words(client):
    from benefits.deaths.service import DeathReport, record_death
    from tests.builders import create_beneficiary

    son = create_beneficiary(full_name="Lâm Văn Sơn")
    for number in ("KT-1", "KT-2"):  # the second: the same death reported again
        record_death(DeathReport(
            registration_number=number, national_id=son.person.national_id,
            full_name="Lâm Văn Sơn", date_of_death=date(2025, 3, 14),
            registered_on=date(2025, 3, 16), commune_code="00070",
            declarant={"full_name": "Lâm Thị Hoa", "national_id": "001190054321"},
        ), Actor.system("t"), "test", date(2025, 3, 17))  # fmt: skip
    staff("admin", "admin@so.gov.vn", commune=None, province="01")
    login(client, "admin@so.gov.vn")
    page = page_of(client.get("/admin/audit"))
    actions = {o["value"]: o.get_text() for o in page.select("select[name=action] option")}
    assert actions["death.duplicate"] == "Khai tử được báo lại (có thể trùng)"
    assert actions["case.checking"] == "Hồ sơ: Đang kiểm tra"
    kinds = {o["value"]: o.get_text() for o in page.select("select[name=object_type] option")}
    assert kinds[""] == "Mọi loại" and kinds["death"] == "Khai tử"
    rows = page_of(client.get("/admin/audit?action=death.duplicate")).select("tbody tr")
    assert len(rows) == 1
    cells = [td.get_text(" ", strip=True) for td in rows[0].select("td")]
    assert cells[2].startswith("Khai tử được báo lại") and cells[3] == "Khai tử KT-2"


def test_the_registry_search_takes_what_people_type(client):
    from tests.builders import create_beneficiary

    son = create_beneficiary(full_name="Lâm Văn Sơn", national_id="001050700004")
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    create_beneficiary(full_name="Lâm Văn Sọn", national_id="001050700009")
    for typed in ("Văn  Sơn", " lâm văn sơn ", son.code.lower(), "001 050 700 004", "001050700004",
                  "LÂM VĂN SƠN", "Sơn"):  # fmt: skip
        rows = page_of(client.get("/officer/registry", query_string={"q": typed})).select(
            "tbody tr a"
        )
        assert [a.get_text() for a in rows] == [son.code], typed
    # Typed without marks, as on a keyboard without Vietnamese input: both are found.
    rows = page_of(client.get("/officer/registry", query_string={"q": "lam van son"}))
    assert len(rows.select("tbody tr a")) == 2


def test_a_death_dossier_is_accepted_only_once_the_officer_confirms(client):
    from benefits.cases.models import Case
    from benefits.deaths.models import DeathRecord
    from tests.builders import create_beneficiary

    mo = create_beneficiary(full_name="Trịnh Thị Mơ", national_id="001309700005",
                            categories=["CHILD_NO_SUPPORT"])  # fmt: skip
    case = _linked_death_dossier()
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    page = page_of(client.get(f"/officer/cases/{case.code}"))
    assert page.select_one("#accept-death input[type=checkbox][name=confirm]") is not None
    response = client.post(f"/officer/cases/{case.code}/accept-death", follow_redirects=True)
    assert "Đánh dấu vào ô để xác nhận việc khai tử." in page_of(response).get_text()
    db.session.refresh(mo)
    assert mo.status == "active" and case.status == "submitted"
    assert count(DeathRecord) == 0 and count(Case) == 1
    response = client.post(f"/officer/cases/{case.code}/accept-death", data={"confirm": "y"})
    assert response.status_code == 302
    db.session.refresh(mo)
    db.session.refresh(case)
    assert mo.status == "deceased" and case.status == "approved"


def test_the_dossier_page_shows_the_papers_before_the_actions_each_under_its_heading(client):
    case = _linked_death_dossier()
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    page = page_of(client.get(f"/officer/cases/{case.code}"))
    headings = [h.get_text() for h in page.select("h2")]
    assert headings.index("Giấy tờ") < headings.index("Tiếp nhận: ghi nhận khai tử")
    assert headings.index("Tiếp nhận: ghi nhận khai tử") < headings.index("Yêu cầu bổ sung giấy tờ")


def test_the_beneficiary_forms_stand_under_their_own_headings(client):
    from tests.builders import create_beneficiary

    son = create_beneficiary(full_name="Lâm Văn Sơn")
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    page = page_of(client.get(f"/officer/registry/{son.code}"))
    care = page.select_one("#record-care-support")
    pension = page.select_one("#record-social-pension")
    assert care.get_text() == "Ghi nhận hỗ trợ kinh phí chăm sóc"
    assert care.find_next("form")["action"].endswith("/care-support")
    assert pension.get_text() == "Ghi nhận trợ cấp hưu trí xã hội đang hưởng"
    assert pension.find_next("form")["action"].endswith("/social-pension")


def test_the_deaths_page_says_what_each_death_did_with_links(client):
    from tests.builders import create_beneficiary

    son = create_beneficiary(full_name="Lâm Văn Sơn", national_id="001050700004")
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    form = {"registration_number": "KT-1", "national_id": "001050700004",
            "full_name": "Lâm Văn Sơn", "date_of_death": "2025-03-14",
            "registered_on": "2025-03-16", "declarant_name": "Lâm Thị Hoa",
            "declarant_national_id": "001190054321"}  # fmt: skip
    assert client.post("/officer/deaths", data=form).status_code == 302
    assert (
        client.post("/officer/deaths", data={**form, "registration_number": "KT-2"}).status_code
        == 302
    )
    rows = {r.select("td")[0].get_text(): r.select("td")[4]
            for r in page_of(client.get("/officer/deaths")).select("tbody tr")}  # fmt: skip
    first = rows["KT-1"]
    assert "Trợ cấp được chi đến hết tháng 03/2025:" in first.get_text()
    links = {a.get_text(): a["href"] for a in first.select("a")}
    assert links[son.code].endswith(f"/officer/registry/{son.code}")
    funeral = next(code for code in links if code != son.code)
    assert links[funeral].endswith(f"/officer/cases/{funeral}")
    assert "10.000.000" in first.get_text()
    assert rows["KT-2"].get_text(strip=True) == "Đã báo trước đó: không có hiệu lực lặp lại."


def test_a_closed_dossier_can_still_be_found_from_the_queue(client):
    from benefits.cases.service import move_case, open_case

    case = _linked_death_dossier()
    there = open_case("1.001731", "26506", "Người Vũng Tàu", Actor.system("t"), date(2025, 3, 17))
    for closed in (case, there):
        move_case(closed, "checking", Actor.system("t"))
        move_case(closed, "refused", Actor.system("t"))
    staff("officer", "o@xa.gov.vn")
    login(client, "o@xa.gov.vn")
    page = page_of(client.get("/officer/"))
    rows = page.select_one("#closed").find_next("table").select("tbody tr")
    assert [r.select_one("a").get_text() for r in rows] == [case.code]
    assert "Không chấp thuận" in rows[0].get_text()
    assert there.code not in page.get_text()


def test_the_batch_page_lists_its_lines_with_kind_payee_and_status(client):
    from benefits.month import Month
    from benefits.payments.generation import generate_batch
    from benefits.registry.care_support import grant_care_support
    from tests.builders import create_beneficiary

    son = create_beneficiary(full_name="Lâm Văn Sơn", categories=["DISABLED_EXTREMELY_SEVERE"])
    grant_care_support(son, "CARE_HOUSEHOLD_EXTREMELY_SEVERE", "Lâm Thị Hoa", None,
                       Month(2025, 3), Actor.system("t"))  # fmt: skip
    batch = generate_batch(Month(2025, 3), "commune", "00070", Actor.system("t"))
    empty = generate_batch(Month(2025, 3), "commune", "00004", Actor.system("t"))
    staff("payment", "p@xa.gov.vn", commune=None, province="01")
    login(client, "p@xa.gov.vn")
    table = page_of(client.get(f"/payments/batches/{batch.id}")).select_one("#lines + div table")
    rows = [[td.get_text(" ", strip=True) for td in tr.select("td")]
            for tr in table.select("tbody tr")]  # fmt: skip
    assert [r[0] for r in rows] == ["1", "2"]
    kinds = {r[2]: r for r in rows}
    assert kinds["Hỗ trợ kinh phí chăm sóc, nuôi dưỡng"][3] == "Lâm Thị Hoa"
    assert kinds["Trợ cấp xã hội hàng tháng"][3] == "Lâm Văn Sơn"
    assert all(r[-1] == "Chưa có kết quả" for r in rows)
    page = page_of(client.get(f"/payments/batches/{empty.id}")).get_text(" ", strip=True)
    assert "Danh sách không có dòng nào: tháng này không ai được chi." in page
