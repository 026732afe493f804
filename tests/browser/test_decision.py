"""A funeral support dossier from the citizen's application to the chairman's signed
decision (decision 78): the officer checks and proposes on a phone, the chairman signs,
the citizen reads the decision and downloads its letter."""

import io
from datetime import date

from pypdf import PdfReader

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from tests.browser.steps import PASSWORD, PNG, no_overflow, register
from tests.builders import create_beneficiary


def staff_page(browser, live_app, live_server, role, email):
    with live_app.app_context():
        create_staff_user(role, email, "Trần Văn Chủ Tịch" if role == "chairman" else "Cán Bộ",
                          PASSWORD, Actor.system("test"), commune_code="26506")  # fmt: skip
        db.session.commit()
    page = browser.new_context(base_url=live_server, locale="vi-VN").new_page()
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto("/login")
    page.fill("#username", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url("**/officer/")
    return page


def test_a_funeral_dossier_is_proposed_signed_and_its_decision_downloaded(
    page, browser, live_app, live_server, output_dir, tmp_path
):
    # In Vũng Tàu: the other journeys' payment lists are Hà Nội's, and the batch generated
    # after this approval pays the funeral support. ND20 Art 11: the deceased received the
    # monthly allowance (5.5.c) there.
    with live_app.app_context():
        create_beneficiary(categories=("ELDERLY_80_NO_PENSION",), effective_month="2024-01",
                           national_id="001041000791", full_name="Phạm Văn Cha",
                           date_of_birth=date(1941, 4, 2), commune_code="26506")  # fmt: skip
        db.session.commit()
    register(page, "001190000791", "Phạm Thị Con")
    page.goto("/me/apply/1.001731")
    page.fill("#full_name", "Phạm Văn Cha")
    page.fill("#date_of_birth", "1941-04-02")
    page.select_option("#sex", "M")
    page.fill("#national_id", "001041000791")
    page.fill("#commune_code", "26506")
    page.fill("#declarant_relationship", "con gái")
    page.fill("#date_of_death", "2025-03-01")
    proof = tmp_path / "giay-chung-tu.png"
    proof.write_bytes(PNG)
    page.set_input_files("#attachments", str(proof))
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/receipt")
    code = page.locator(".dossier-code").inner_text()

    officer = staff_page(browser, live_app, live_server, "officer", "o.decide@xa.gov.vn")
    officer.goto(f"/officer/cases/{code}")
    officer.get_by_role("button", name="Bắt đầu kiểm tra").click()
    # Nothing chosen: the refusal is next to the field, the dossier still being checked.
    officer.get_by_role("button", name="Đề xuất", exact=True).click()
    assert "Chọn phê duyệt hoặc từ chối." in officer.locator("#outcome-field").inner_text()
    assert no_overflow(officer)
    officer.check("#outcome-0")
    officer.get_by_role("button", name="Đề xuất", exact=True).click()
    assert "Đề xuất đã được trình Chủ tịch." in officer.content()
    # ND20 Art 11: 20 × the standard level in force on the date of death.
    assert "10.000.000" in officer.locator(".summary-list").first.inner_text()
    officer.screenshot(path=str(output_dir / "officer-proposed-360.png"), full_page=True)
    officer.context.close()

    chairman = staff_page(browser, live_app, live_server, "chairman", "ct.decide@xa.gov.vn")
    chairman.goto(f"/officer/cases/{code}")
    chairman.check("#outcome-0")
    chairman.get_by_role("button", name="Ký quyết định").click()
    assert "đã được ký" in chairman.locator(".flash, .notice").first.inner_text()
    assert no_overflow(chairman)
    chairman.context.close()

    page.goto(f"/me/dossiers/{code}")
    decision = page.locator("#decision")
    assert "Đã phê duyệt theo quyết định" in decision.inner_text()
    with page.expect_download() as download:
        decision.get_by_role("link", name="Tải quyết định (PDF)").click()
    letter = download.value.path().read_bytes()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(letter)).pages)
    assert "Phạm Văn Cha" in text and "10.000.000 đồng" in text and "Trần Văn Chủ Tịch" in text
    page.screenshot(path=str(output_dir / "citizen-decision.png"), full_page=True)
