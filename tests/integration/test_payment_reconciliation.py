"""A line the post office has reported is final (interchange.md section 3; issue 27 item
5): a later file that contradicts it changes nothing, is listed for the payment officer,
who corrects the line with a reason; ``paid_on`` and ``status`` are checked."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from benefits.accounts.models import AuditEntry
from benefits.extensions import db
from benefits.payments.models import (
    Overpayment,
    PaymentItem,
    PaymentLine,
    PaymentLineConflict,
    ReconciliationReport,
)
from tests.integration.test_payment_batches import (  # noqa: F401 (fixture)
    caseload,
    cli,
    export_rows,
    generate,
    last_json,
    payment_officer_client,
    reconcile,
    result_file,
)

pytestmark = pytest.mark.usefixtures("caseload")


def locked_march(app, tmp_path):
    """Hoàn Kiếm's March batch, locked: Sơn's and Mơ's lines by name."""
    march = generate(app, "2025-03", "--commune", "00070")
    assert cli(app, "payments", "lock", str(march["batch_id"])).exit_code == 0
    lines = {r["full_name"]: r for r in export_rows(app, march["batch_id"], tmp_path)}
    return march["batch_id"], lines["Lâm Văn Sơn"], lines["Trịnh Thị Mơ"]


def row(line, status, paid_on=""):
    return f"{line['line_no']},{line['national_id']},{status},{paid_on}"


def line_of(batch_id, line):
    found = db.session.scalar(
        select(PaymentLine).where(
            PaymentLine.batch_id == batch_id, PaymentLine.line_no == int(line["line_no"])
        )
    )
    db.session.refresh(found)
    return found


def test_a_paid_line_turned_unpaid_by_a_later_file_is_not_paid_again_next_month(app, tmp_path):
    batch_id, son, _mo = locked_march(app, tmp_path)
    reconcile(app, batch_id, tmp_path, [row(son, "PAID", "2025-03-05")])
    later = reconcile(app, batch_id, tmp_path, [row(son, "UNPAID")])
    assert last_json(later)["conflicts"] == 1 and last_json(later)["unpaid"] == 0
    assert "Dòng 2 của tệp" in later.stderr and "chờ cán bộ chi trả" in later.stderr
    assert "1 dòng của tệp trái với kết quả bưu điện đã báo trước đó" in later.stderr
    line = line_of(batch_id, son)
    assert (line.status, line.reported, line.paid_on) == ("paid", "PAID", date(2025, 3, 5))
    april = generate(app, "2025-04", "--commune", "00070")
    rows = {r["full_name"]: r for r in export_rows(app, april["batch_id"], tmp_path)}
    assert rows["Lâm Văn Sơn"]["arrears_amount"] == "0"
    assert rows["Lâm Văn Sơn"]["arrears_months"] == ""
    # Counted once in the database: March of Sơn's allowance is paid, in one item.
    assert db.session.scalar(
        select(func.count()).select_from(PaymentItem).where(
            PaymentItem.beneficiary_id == line.beneficiary_id, PaymentItem.month == "2025-03",
            PaymentItem.status.in_(("issued", "paid")))
    ) == 1  # fmt: skip


def test_the_database_refuses_to_change_a_reported_line_outside_a_correction(app, tmp_path):
    batch_id, son, _mo = locked_march(app, tmp_path)
    reconcile(app, batch_id, tmp_path, [row(son, "PAID", "2025-03-05")])
    line = line_of(batch_id, son)
    for change in ("status = 'unpaid'", "reported = 'UNPAID'", "paid_on = NULL",
                   "status = 'unpaid', corrections = corrections + 2"):  # fmt: skip
        with pytest.raises(DatabaseError), db.session.begin_nested():
            db.session.execute(
                text(f"UPDATE payment_lines SET {change} WHERE id = :id"),  # noqa: S608
                {"id": line.id},
            )
    # The correction path: one more correction in the same statement.
    with db.session.begin_nested():
        db.session.execute(
            text("UPDATE payment_lines SET paid_on = :day, corrections = corrections + 1 "
                 "WHERE id = :id"), {"id": line.id, "day": date(2025, 3, 6)},
        )  # fmt: skip
    assert line_of(batch_id, son).paid_on == date(2025, 3, 6)


def test_the_conflict_is_listed_and_corrected_on_the_batch_page_with_a_reason(app, tmp_path):
    batch_id, son, mo = locked_march(app, tmp_path)
    client = payment_officer_client(app)
    reconcile(
        app, batch_id, tmp_path, [row(son, "PAID", "2025-03-05"), row(mo, "PAID", "2025-03-06")]
    )
    upload = client.post(
        f"/payments/batches/{batch_id}/reconcile",
        data={"result_file": (result_file(tmp_path, [row(son, "UNPAID")]).open("rb"),
                              "ket-qua.csv")},
        content_type="multipart/form-data",
    )  # fmt: skip
    assert upload.status_code == 302
    reloaded = client.get(upload.headers["Location"]).get_data(as_text=True)
    assert "trái với kết quả bưu điện đã báo trước đó" in reloaded  # the flash
    # The report of the file stays on the page it redirects to, reloaded as often as wished.
    for _reload in range(2):
        report = BeautifulSoup(client.get(upload.headers["Location"]).data, "html.parser")
        assert f"line_no {son['line_no']} đã được báo đã chi trước đó" in report.select_one(
            "#reported + ul").get_text()  # fmt: skip
    page = BeautifulSoup(client.get(f"/payments/batches/{batch_id}").data, "html.parser")
    listed = page.select("#conflict-list tbody tr")
    assert len(listed) == 1
    assert "Lâm Văn Sơn" in listed[0].get_text() and "chưa chi" in listed[0].get_text()
    assert db.session.scalar(select(ReconciliationReport.conflicts)) == 1

    without_reason = client.post(f"/payments/batches/{batch_id}/correct",
                                 data={"line_no": son["line_no"], "status": "UNPAID"})  # fmt: skip
    assert without_reason.status_code == 400
    assert "Nhập lý do điều chỉnh." in without_reason.get_data(as_text=True)
    future = client.post(
        f"/payments/batches/{batch_id}/correct",
        data={"line_no": mo["line_no"], "status": "PAID", "paid_on": "2999-01-01", "reason": "x"},
    )
    assert future.status_code == 400
    assert "2999-01-01 là ngày trong tương lai" in future.get_data(as_text=True)
    unknown_line = client.post(
        f"/payments/batches/{batch_id}/correct",
        data={"line_no": 99, "status": "PAID", "paid_on": "2025-03-05", "reason": "x"},
    )
    assert unknown_line.status_code == 400
    assert line_of(batch_id, mo).corrections == 0  # nothing changed

    corrected = client.post(f"/payments/batches/{batch_id}/correct", data={
        "line_no": son["line_no"], "status": "UNPAID",
        "reason": "Công văn 7/BĐ: ông Sơn chưa nhận tiền"})  # fmt: skip
    assert corrected.status_code == 302
    line = line_of(batch_id, son)
    assert (line.status, line.reported, line.paid_on, line.corrections) == (
        "unpaid",
        "UNPAID",
        None,
        1,
    )
    assert db.session.scalar(
        select(func.count()).select_from(PaymentLineConflict)
        .where(PaymentLineConflict.resolved_at.is_(None))
    ) == 0  # fmt: skip
    audit = db.session.scalar(select(AuditEntry).where(
        AuditEntry.action == "payments.correct_line"))  # fmt: skip
    assert audit.changes["reason"] == "Công văn 7/BĐ: ông Sơn chưa nhận tiền"
    assert audit.changes["reported"] == ["PAID", "UNPAID"]
    # Corrected to unpaid, March is paid in April as arrears: once.
    april = generate(app, "2025-04", "--commune", "00070")
    rows = {r["full_name"]: r for r in export_rows(app, april["batch_id"], tmp_path)}
    assert rows["Lâm Văn Sơn"]["arrears_months"] == "2025-03"
    assert rows["Trịnh Thị Mơ"]["arrears_amount"] == "0"


def test_paid_on_and_status_are_checked_row_by_row(app, tmp_path):
    batch_id, son, mo = locked_march(app, tmp_path)
    result = cli(app, "payments", "reconcile", str(batch_id), str(result_file(tmp_path, [
        row(son, "PAID", "2999-03-05"),     # row 2: in the future
        row(son, "PAID", "2025-02-28"),     # row 3: before March
        row(son, "PAID", ""),               # row 4: no day
        row(son, "PAID", "05/03/2025"),     # row 5: not YYYY-MM-DD
        row(son, "UNPAID", "2025-03-05"),   # row 6: a day though unpaid
        row(mo, "REFUSED", ""),             # row 7: unknown status
        row(mo, "paid", "2025-03-10"),      # row 8: recorded
    ])), "--json")  # fmt: skip
    assert result.exit_code == 0
    assert last_json(result) == {"paid": 1, "unpaid": 0, "unknown": 6, "conflicts": 0,
                                 "unchanged": 0}  # fmt: skip
    for words in ("Dòng 2 của tệp: paid_on: 2999-03-05 là ngày trong tương lai",
                  "Dòng 3 của tệp: paid_on: 2025-02-28 trước tháng của danh sách 2025-03",
                  "Dòng 4 của tệp: paid_on: dòng báo PAID (đã chi) phải có ngày chi trả",
                  "Dòng 5 của tệp: paid_on: không phải ngày",
                  "Dòng 6 của tệp: paid_on: phải để trống",
                  "Dòng 7 của tệp: status: trạng thái không hợp lệ REFUSED"):  # fmt: skip
        assert words in result.stderr
    assert line_of(batch_id, son).status == "open"
    assert line_of(batch_id, mo).paid_on == date(2025, 3, 10)


def test_a_stopped_line_reported_unpaid_is_final_too(app, tmp_path):
    from tests.integration.test_payment_batches import hung_stopped_in_a_locked_march

    march, hung = hung_stopped_in_a_locked_march(app, tmp_path)
    reconcile(app, march["batch_id"], tmp_path, [row(hung, "UNPAID")])
    later = reconcile(app, march["batch_id"], tmp_path, [row(hung, "PAID", "2025-03-05")])
    assert last_json(later)["conflicts"] == 1
    line = line_of(march["batch_id"], hung)
    assert (line.status, line.reported) == ("do_not_pay", "UNPAID")
    assert db.session.scalar(select(func.count()).select_from(Overpayment)) == 0


@pytest.mark.postgres
def test_two_contradicting_files_at_the_same_moment_record_one_and_list_the_other(
    app, committed_db, tmp_path
):
    """Sent at once, the second file waits for the first and finds the line reported:
    one report is recorded, the other is a conflict; neither fails."""
    import threading
    from concurrent.futures import ThreadPoolExecutor
    from pathlib import Path

    from benefits.accounts.audit import Actor
    from benefits.payments.service import reconcile_batch

    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (DATABASE_URL)")
    batch_id, son, _mo = locked_march(app, tmp_path)
    files = []
    for number, status in enumerate(("PAID", "UNPAID")):
        path = Path(tmp_path / f"result-{number}.csv")
        day = "2025-03-05" if status == "PAID" else ""
        path.write_text(f"line_no,national_id,status,paid_on\n{row(son, status, day)}\n")
        files.append(path)
    start = threading.Barrier(2)

    def send(path):
        with app.app_context():
            start.wait()
            result = reconcile_batch(batch_id, path, Actor.system("test"), lambda _row: None)
            db.session.commit()
            return result

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(send, files))
    assert sorted((r.paid + r.unpaid, r.conflicts) for r in results) == [(0, 1), (1, 0)]
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(PaymentLineConflict)) == 1
