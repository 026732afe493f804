"""The payment officer locks a batch and records the post office's result on its page
(issue 7: lock, reconciliation; interchange.md section 3)."""

import io

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from benefits.payments.models import PaymentBatch, PaymentLine
from benefits.places.calendar import vietnam_today
from tests.integration.test_payment_batches import (  # noqa: F401 (fixture)
    RESULT_HEADER,
    caseload,
    export_rows,
    generate,
)

PASSWORD = "một-mật-khẩu-dài"
# The sample caseload (Hoàn Kiếm, 00070) in every test.
pytestmark = pytest.mark.usefixtures("caseload")


def payment_officer(app, email="p@xa.gov.vn", commune="00070"):
    create_staff_user("payment", email, "Chi Trả", PASSWORD, Actor.system("t"),
                      commune_code=commune)  # fmt: skip
    client = app.test_client()
    client.post("/login", data={"username": email, "password": PASSWORD})
    return client


def batch_of(batch_id: int) -> PaymentBatch:
    batch = db.session.get(PaymentBatch, batch_id)
    db.session.refresh(batch)
    return batch


def upload(client, batch_id, content: bytes, name="ket-qua.csv"):
    return client.post(
        f"/payments/batches/{batch_id}/reconcile",
        data={"result_file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def test_the_month_field_suggests_next_month(app):

    from benefits.month import Month

    page = BeautifulSoup(payment_officer(app).get("/payments/").data, "html.parser")
    following = str(Month.of(vietnam_today()) + 1)
    assert page.select_one("#month")["value"] == following
    assert f"Ví dụ {following}." in page.get_text()


def test_the_batch_is_locked_from_its_page_once_the_officer_confirms(app):
    batch = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    client = payment_officer(app)
    page = BeautifulSoup(client.get(f"/payments/batches/{batch}").data, "html.parser")
    assert page.select_one("#lock").get_text() == "Khóa để chi trả"
    # The lock's box and the emptying's box are two: each label ticks its own.
    boxes = [page.select_one(f"#{label['for']}") for label in page.select("form label[for]")]
    assert [box["name"] for box in boxes if box.get("type") == "checkbox"] == ["confirm"] * 2
    assert len({id(box) for box in boxes}) == len(boxes)

    unconfirmed = client.post(f"/payments/batches/{batch}/lock", data={})
    assert unconfirmed.status_code == 400
    assert "Đánh dấu vào ô để xác nhận khóa." in unconfirmed.get_data(as_text=True)
    assert batch_of(batch).status == "open"

    locked = client.post(f"/payments/batches/{batch}/lock", data={"confirm": "y"})
    assert locked.status_code == 302
    assert batch_of(batch).status == "locked" and batch_of(batch).csv_sha256
    page = client.get(f"/payments/batches/{batch}").get_data(as_text=True)
    assert "Danh sách đã được khóa" in page and 'id="lock"' not in page
    assert 'id="reconcile"' in page
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payments.lock"))
    assert entry.object_id == str(batch) and entry.actor_label.startswith("user:")

    again = client.post(
        f"/payments/batches/{batch}/lock", data={"confirm": "y"}, follow_redirects=True
    )
    assert "đã được khóa" in again.get_data(as_text=True)  # already locked: said, nothing done


def test_another_communes_officer_can_neither_lock_nor_reconcile(app):
    batch = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    client = payment_officer(app, "other@xa.gov.vn", commune="00004")
    assert client.post(f"/payments/batches/{batch}/lock", data={"confirm": "y"}).status_code == 404
    assert upload(client, batch, RESULT_HEADER.encode()).status_code == 404
    assert batch_of(batch).status == "open"


def test_the_post_offices_result_is_recorded_from_the_batch_page(app, tmp_path):
    batch = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    client = payment_officer(app)
    client.post(f"/payments/batches/{batch}/lock", data={"confirm": "y"})
    lines = {r["full_name"]: r for r in export_rows(app, batch, tmp_path)}
    son, mo = lines["Lâm Văn Sơn"], lines["Trịnh Thị Mơ"]
    result = "\n".join([
        RESULT_HEADER,
        f"{son['line_no']},{son['national_id']},PAID,2025-03-05",
        f"{mo['line_no']},{mo['national_id']},UNPAID,",
        "99,001000000000,PAID,2025-03-05",
    ]) + "\n"  # fmt: skip

    response = upload(client, batch, result.encode())

    # The report is shown after a redirect: reloading its page sends no file again.
    assert response.status_code == 302 and response.headers["Location"].endswith("#reported")
    page = BeautifulSoup(client.get(response.headers["Location"]).data, "html.parser")
    assert "1 dòng đã chi, 1 dòng chưa chi, 1 dòng không khớp" in page.get_text()
    assert page.select_one("#reported + ul").get_text() == (
        "Dòng 4 của tệp: không khớp với dòng nào của danh sách này"
    )
    reloaded = BeautifulSoup(client.get(response.headers["Location"]).data, "html.parser")
    assert reloaded.select_one("#reported + ul").get_text() == (
        "Dòng 4 của tệp: không khớp với dòng nào của danh sách này"
    )
    assert (
        db.session.scalar(select(func.count()).where(AuditEntry.action == "payments.reconcile"))
        == 1
    )
    # Kept as codes, the report reads in the language of whoever opens it.
    client.get("/language/en")
    in_english = BeautifulSoup(client.get(response.headers["Location"]).data, "html.parser")
    assert in_english.select_one("#reported + ul").get_text() == (
        "row 4 of the file: matches no line of this batch"
    )
    client.get("/language/vi")
    # The report of one batch is not shown on another's page.
    other = generate(app, "2025-04", "--commune", "00070")["batch_id"]
    report_id = response.headers["Location"].split("report=")[1].split("#")[0]
    elsewhere = client.get(f"/payments/batches/{other}?report={report_id}")
    assert elsewhere.status_code == 200 and 'id="reported"' not in elsewhere.get_data(as_text=True)
    statuses = dict(db.session.execute(
        select(PaymentLine.line_no, PaymentLine.status).where(PaymentLine.batch_id == batch)
    ).all())  # fmt: skip
    assert statuses[int(son["line_no"])] == "paid"
    assert statuses[int(mo["line_no"])] == "unpaid"
    april = {r["full_name"]: r for r in export_rows(app, other, tmp_path)}
    assert april["Trịnh Thị Mơ"]["arrears_months"] == "2025-03"


def test_a_result_file_that_cannot_be_read_records_nothing(app):
    batch = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    client = payment_officer(app)
    open_batch = upload(client, batch, RESULT_HEADER.encode())
    assert open_batch.status_code == 400  # only a locked batch is reconciled
    assert "khóa" in open_batch.get_data(as_text=True)
    client.post(f"/payments/batches/{batch}/lock", data={"confirm": "y"})
    windows_1258 = (RESULT_HEADER + "\n1,001050700004,PAID,2025-03-05 Sơn\n").encode("utf-16")
    refused = upload(client, batch, windows_1258)
    assert refused.status_code == 400
    assert "không phải văn bản UTF-8" in refused.get_data(as_text=True)
    not_csv = upload(client, batch, b"%PDF-1.4", name="ket-qua.pdf")
    assert not_csv.status_code == 400
    assert "Tệp kết quả phải là tệp CSV" in not_csv.get_data(as_text=True)
    nothing = upload(client, batch, b"", name="")
    assert nothing.status_code == 400
    assert "Chọn tệp kết quả" in nothing.get_data(as_text=True)
    statuses = set(db.session.scalars(
        select(PaymentLine.status).where(PaymentLine.batch_id == batch)
    ))  # fmt: skip
    assert statuses == {"open"}
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payments.reconcile"))
        is None
    )


def test_a_file_that_is_not_a_result_file_is_refused_whole_and_records_nothing(app, tmp_path):
    """The payment list itself, a header-less list or an empty file sent by mistake: refused
    in words, instead of each row counted as matching no line (interchange.md section 3)."""
    from tests.integration.test_payment_batches import cli

    batch = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    client = payment_officer(app)
    client.post(f"/payments/batches/{batch}/lock", data={"confirm": "y"})
    payment_list = client.get(f"/payments/batches/{batch}/export.csv").data
    line = export_rows(app, batch, tmp_path)[0]
    no_header = f"{line['line_no']},{line['national_id']},PAID,2025-03-05\n".encode()
    for content, message in (
        (payment_list, "không phải tệp kết quả của bưu điện"),
        (no_header, "thiếu cột line_no, national_id, status"),
        (b"", "Tệp kết quả không có nội dung"),
    ):
        refused = upload(client, batch, content)
        assert refused.status_code == 400
        text = BeautifulSoup(refused.data, "html.parser").get_text(" ", strip=True)
        assert message in text and "chưa ghi nhận gì" in text
        assert "dòng đã chi" not in text
    statuses = set(db.session.scalars(
        select(PaymentLine.status).where(PaymentLine.batch_id == batch)
    ))  # fmt: skip
    assert statuses == {"open"}
    assert db.session.scalar(
        select(AuditEntry).where(AuditEntry.action == "payments.reconcile")
    ) is None  # fmt: skip
    path = tmp_path / "list.csv"
    path.write_bytes(payment_list)
    result = cli(app, "payments", "reconcile", str(batch), str(path), "--json")
    assert result.exit_code != 0 and "line_no" in result.stderr


def test_a_batch_generated_by_mistake_is_emptied_and_its_months_paid_elsewhere(app):
    """Decision 67: the commune's batch held its people's March; emptied, the province's
    batch pays them."""
    mistake = generate(app, "2025-03", "--commune", "00070")
    province = generate(app, "2025-03", "--province", "01")
    assert mistake["lines"] > 0  # the province's batch lacks the commune's people
    client = payment_officer(app)

    unconfirmed = client.post(f"/payments/batches/{mistake['batch_id']}/empty", data={})
    assert unconfirmed.status_code == 400 and batch_of(mistake["batch_id"]).line_count > 0

    emptied = client.post(f"/payments/batches/{mistake['batch_id']}/empty", data={"confirm": "y"})
    assert emptied.status_code == 302
    batch = batch_of(mistake["batch_id"])
    assert (batch.line_count, batch.total_amount, batch.generated_at) == (0, 0, None)
    assert db.session.scalar(
        select(PaymentLine.id).where(PaymentLine.batch_id == batch.id)
    ) is None  # fmt: skip
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payments.empty"))
    assert entry.object_id == str(batch.id) and entry.changes["lines"] == [mistake["lines"], 0]

    again = generate(app, "2025-03", "--province", "01")
    assert again["lines"] == province["lines"] + mistake["lines"]
    assert again["total_amount"] == province["total_amount"] + mistake["total_amount"]


def test_a_locked_batch_cannot_be_emptied_nor_another_communes(app):
    batch = generate(app, "2025-03", "--commune", "00070")
    other = payment_officer(app, "other@xa.gov.vn", commune="00004")
    assert other.post(f"/payments/batches/{batch['batch_id']}/empty",
                      data={"confirm": "y"}).status_code == 404  # fmt: skip
    client = payment_officer(app)
    client.post(f"/payments/batches/{batch['batch_id']}/lock", data={"confirm": "y"})
    page = client.get(f"/payments/batches/{batch['batch_id']}").get_data(as_text=True)
    assert 'id="empty"' not in page
    refused = client.post(f"/payments/batches/{batch['batch_id']}/empty", data={"confirm": "y"},
                          follow_redirects=True)  # fmt: skip
    assert "không thể làm trống" in refused.get_data(as_text=True)
    assert batch_of(batch["batch_id"]).line_count == batch["lines"]


def test_a_batch_being_generated_is_not_emptied(app):
    from benefits.errors import InvalidTransition
    from benefits.month import Month
    from benefits.payments.models import PaymentJob, PaymentRun
    from benefits.payments.service import empty_batch

    batch = generate(app, "2025-03", "--commune", "00070")
    run = PaymentRun(month=Month(2025, 3), scope_kind="commune", scope_code="00070",
                     requested_by="test")  # fmt: skip
    live = PaymentJob(id="live-job", kind="generate", month=Month(2025, 3),
                      scope_kind="commune", scope_code="00070", status="running")  # fmt: skip
    run.jobs.append(live)
    db.session.add(run)
    db.session.flush()
    with pytest.raises(InvalidTransition):
        empty_batch(batch["batch_id"], Actor.system("test"))
    assert batch_of(batch["batch_id"]).line_count == batch["lines"]


def test_the_language_links_of_a_page_answering_a_form_lead_back_to_a_page(app):
    """A page shown in answer to a POST: switching language reads a page again by GET,
    never the form's address that answers only POST (405)."""
    batch = generate(app, "2025-03", "--commune", "00070")["batch_id"]
    client = payment_officer(app)
    page_url = f"/payments/batches/{batch}"
    refused = client.post(f"{page_url}/reconcile", data={},
                          headers={"Referer": f"http://localhost{page_url}"})  # fmt: skip
    assert refused.status_code == 400
    english = BeautifulSoup(refused.data, "html.parser").select_one("a[hreflang=en]")["href"]
    switched = client.get(english)
    assert switched.status_code == 302 and switched.headers["Location"] == page_url
    again = client.get(page_url)
    assert again.status_code == 200 and '<html lang="en"' in again.get_data(as_text=True)


def test_a_province_batch_is_in_the_audit_log_of_its_own_province_only(app):
    # Decision 74: the row of a province's batch names no commune, but it is the
    # province's, not every province admin's.
    from benefits.payments.service import lock_batch

    lock_batch(generate(app, "2025-03", "--province", "01")["batch_id"], Actor.system("t"))
    pages = {}
    for province, email in (("01", "so@hanoi.gov.vn"), ("79", "so@hcm.gov.vn")):
        create_staff_user("admin", email, "Sở Y Tế", PASSWORD, Actor.system("t"),
                          province_code=province)  # fmt: skip
        client = app.test_client()
        client.post("/login", data={"username": email, "password": PASSWORD})
        page = BeautifulSoup(client.get("/admin/audit?action=payments.lock").data, "html.parser")
        pages[province] = [row.select("td")[2].get_text() for row in page.select("tbody tr")]
    assert pages == {"01": ["Khóa danh sách chi trả"], "79": []}
