"""Monthly payment batches: generate, lock, export, reconcile (interchange.md section 3;
domain.md section 6)."""

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import DatabaseError, IntegrityError

from benefits.accounts.audit import Actor
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import Overpayment, PaymentBatch, PaymentItem, PaymentLine
from benefits.registry.models import Beneficiary

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
RESULT_HEADER = "line_no,national_id,status,paid_on"


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def last_json(result):
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture
def caseload(app):
    assert cli(app, "registry", "import", str(SAMPLES / "caseload.csv")).exit_code == 0


def generate(app, month, *scope):
    result = cli(app, "payments", "generate", "--month", month, *scope, "--json")
    assert result.exit_code == 0, result.output
    return last_json(result)


def export_rows(app, batch_id, tmp_path):
    out = tmp_path / f"batch-{batch_id}.csv"
    result = cli(app, "payments", "export", str(batch_id), "--format", "csv", "--out", str(out))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # a UTF-8 BOM, for Excel
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))


def national_batches(app):
    return {code: generate(app, "2025-03", "--province", code) for code in ("01", "42", "79")}


def test_the_first_batch_of_march_2025_matches_the_worked_example(app, caseload, tmp_path):
    batches = national_batches(app)
    rows = []
    for figures in batches.values():
        rows += export_rows(app, figures["batch_id"], tmp_path)
    with (SAMPLES / "expected-2025-03.csv").open(encoding="utf-8-sig") as fh:
        expected = {r["national_id"]: r for r in csv.DictReader(fh)}
    assert len(rows) == len(expected) == 8
    for row in rows:
        want = expected[row["national_id"]]
        for column in ("coefficient", "monthly_amount", "arrears_amount", "arrears_months",
                       "total_amount"):  # fmt: skip
            assert row[column] == want[column], (want["full_name"], column)
        assert row["kind"] == "ALLOWANCE" and row["month"] == "2025-03"
        assert row["one_off_amount"] == "0"
    assert sum(b["total_amount"] for b in batches.values()) == sum(
        int(r["total_amount"]) for r in expected.values()
    )


def test_csv_columns_and_order_follow_the_contract(app, caseload, tmp_path):
    batch = generate(app, "2025-03", "--province", "01")
    rows = export_rows(app, batch["batch_id"], tmp_path)
    assert list(rows[0].keys()) == [
        "month", "province_code", "commune_code", "payment_method", "payment_point", "line_no",
        "kind", "beneficiary_code", "national_id", "full_name", "date_of_birth", "address",
        "payee_name", "payee_national_id", "category_codes", "coefficient", "monthly_amount",
        "arrears_amount", "arrears_months", "one_off_amount", "total_amount"]  # fmt: skip
    # Sorted by commune, payment point, then given name: Ba Đình (Hạnh, Lan, Tâm) first.
    assert [r["full_name"] for r in rows] == [
        "Kiều Thị Hạnh", "Mai Thị Lan", "Phan Văn Tâm", "Trịnh Thị Mơ", "Lâm Văn Sơn"]  # fmt: skip
    assert [r["line_no"] for r in rows] == ["1", "2", "3", "4", "5"]


def test_generating_again_recomputes_in_place_without_duplicates(app, caseload):
    first = generate(app, "2025-03", "--province", "01")
    again = generate(app, "2025-03", "--province", "01")
    assert again == first
    assert db.session.scalar(select(func.count()).select_from(PaymentLine)) == 5


def test_a_month_already_issued_is_never_issued_again(app, caseload):
    generate(app, "2025-03", "--commune", "00004")
    province = generate(app, "2025-03", "--province", "01")
    assert province["lines"] == 2  # only Hoàn Kiếm's people: Ba Đình's are issued
    item = db.session.scalars(select(PaymentItem).limit(1)).first()
    duplicate = PaymentItem(
        batch_id=item.batch_id, beneficiary_id=item.beneficiary_id, kind=item.kind,
        month=item.month, coefficient_pct=100, standard_level=1, amount=1,
    )  # fmt: skip
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(duplicate)
        db.session.flush()


def test_a_locked_batch_is_refused_and_frozen_in_the_database(app, caseload):
    batch = generate(app, "2025-03", "--province", "01")
    assert cli(app, "payments", "lock", str(batch["batch_id"])).exit_code == 0
    locked = db.session.get(PaymentBatch, batch["batch_id"])
    db.session.refresh(locked)
    assert locked.status == "locked" and len(locked.csv_sha256) == 64
    refused = cli(app, "payments", "generate", "--month", "2025-03", "--province", "01")
    assert refused.exit_code != 0
    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.execute(
            update(PaymentLine)
            .where(PaymentLine.batch_id == batch["batch_id"])
            .values(total_amount=PaymentLine.total_amount + 1,
                    monthly_amount=PaymentLine.monthly_amount + 1)
        )  # fmt: skip
    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.execute(text("DELETE FROM payment_lines"))


def test_a_line_pays_items_of_its_batch_and_keeps_who_it_is_about(app, caseload):
    """The items of a line hold its foreign keys (migration 0020): the database refuses a
    line without them, and a line that would change person, kind or batch."""
    batch = generate(app, "2025-03", "--commune", "00070")
    line = db.session.scalars(
        select(PaymentLine).where(PaymentLine.batch_id == batch["batch_id"])
    ).first()
    in_batch = select(PaymentLine.beneficiary_id).where(PaymentLine.batch_id == batch["batch_id"])
    other = db.session.scalar(select(Beneficiary.id).where(Beneficiary.id.not_in(in_batch)))
    copied = {c.key: getattr(line, c.key) for c in PaymentLine.__table__.columns if c.key != "id"}
    for change in ({"beneficiary_id": other}, {"kind": "FUNERAL", "case_id": None},
                   {"batch_id": batch["batch_id"] + 1000}):  # fmt: skip
        with pytest.raises(DatabaseError), db.session.begin_nested():
            db.session.add(PaymentLine(**{**copied, "line_no": 10_000, **change}))
            db.session.flush()
        with pytest.raises(DatabaseError), db.session.begin_nested():
            db.session.execute(
                update(PaymentLine).where(PaymentLine.id == line.id).values(**change)
            )
    if db.engine.dialect.name == "postgresql":
        with pytest.raises(DatabaseError), db.session.begin_nested():
            db.session.execute(
                text("DELETE FROM payment_items WHERE batch_id = :id"), {"id": batch["batch_id"]}
            )
    db.session.rollback()
    again = generate(app, "2025-03", "--commune", "00070")
    assert again == batch


# An item and a line written by one statement, as generation writes them on PostgreSQL.
ITEM_AND_LINE = text("""
    WITH item AS (
      INSERT INTO payment_items (batch_id, beneficiary_id, kind, month, coefficient_pct,
        standard_level, amount, category_codes, status)
      VALUES (:batch, :item_for, 'ALLOWANCE', 203101, 100, 1, 1, '', 'issued')
      RETURNING batch_id)
    INSERT INTO payment_lines (batch_id, line_no, beneficiary_id, kind, province_code,
      commune_code, payment_method, beneficiary_code, national_id, full_name, date_of_birth,
      payee_name, category_codes, coefficient_pct, monthly_amount, arrears_amount,
      arrears_months, one_off_amount, total_amount, status)
    SELECT batch_id, :line_no, :line_for, 'ALLOWANCE', '01', '00070', 'COMMUNE', 'X',
      '001050000001', 'X', DATE '1950-01-01', 'X', '', 100, 1, 0, '', 0, 1, 'open'
    FROM item""")


def test_a_line_written_with_its_items_in_one_statement_is_checked_at_its_end(app, caseload):
    """The lines' check (migration 0020) runs at the end of the statement: it sees the items
    the same statement wrote (decision 47), and still refuses a line without its items."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no INSERT inside a WITH")
    batch = generate(app, "2025-03", "--commune", "00070")
    in_batch = select(PaymentLine.beneficiary_id).where(PaymentLine.batch_id == batch["batch_id"])
    one, two, three = db.session.scalars(
        select(Beneficiary.id).where(Beneficiary.id.not_in(in_batch)).limit(3)
    )
    with db.session.begin_nested():
        db.session.execute(
            ITEM_AND_LINE,
            {"batch": batch["batch_id"], "item_for": one, "line_for": one, "line_no": 10_000},
        )
    with pytest.raises(IntegrityError, match="without the items"), db.session.begin_nested():
        db.session.execute(
            ITEM_AND_LINE,
            {"batch": batch["batch_id"], "item_for": two, "line_for": three, "line_no": 10_001},
        )
    written = select(func.count()).where(PaymentLine.batch_id == batch["batch_id"])
    assert db.session.scalar(written) == batch["lines"] + 1


def test_an_item_names_a_batch_dossier_and_care_record_that_exist_and_stay(app, caseload):
    """Migration 0022: the ledger's references are checked and kept by the database, as
    foreign keys would."""
    batch = generate(app, "2025-03", "--commune", "00070")
    item = db.session.scalars(
        select(PaymentItem).where(PaymentItem.batch_id == batch["batch_id"])
    ).first()
    copied = {c.key: getattr(item, c.key) for c in PaymentItem.__table__.columns if c.key != "id"}
    absent = 1_000_000
    for names in ({"batch_id": absent}, {"case_id": absent}, {"care_support_id": absent}):
        with pytest.raises(DatabaseError), db.session.begin_nested():
            db.session.add(PaymentItem(**{**copied, "month": Month(2031, 1), **names}))
            db.session.flush()
    other = generate(app, "2025-03", "--commune", "00073")
    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.execute(
            update(PaymentItem).where(PaymentItem.id == item.id).values(batch_id=other["batch_id"])
        )
    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.execute(
            text("DELETE FROM payment_batches WHERE id = :id"), {"id": batch["batch_id"]}
        )
    db.session.rollback()
    assert generate(app, "2025-03", "--commune", "00070") == batch


def test_an_overpayment_names_a_line_that_exists_and_stays(app, caseload):
    """Migration 0021: the line of an overpayment to recover is checked and kept by the
    database, as a foreign key would."""
    batch = generate(app, "2025-03", "--commune", "00070")
    line = db.session.scalars(
        select(PaymentLine).where(PaymentLine.batch_id == batch["batch_id"])
    ).first()

    def overpayment(line_id):
        return Overpayment(beneficiary_id=line.beneficiary_id, batch_id=line.batch_id,
                           line_id=line_id, months="2025-03", amount=1, reason="test")  # fmt: skip

    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.add(overpayment(line.id + 1_000_000))
        db.session.flush()
    db.session.add(overpayment(line.id))
    db.session.flush()
    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.execute(text("DELETE FROM payment_lines WHERE id = :id"), {"id": line.id})
    # Regenerating would delete it too: the database's own reason reaches the officer.
    with pytest.raises(DatabaseError, match="overpayment names"), db.session.begin_nested():
        generate_batch(Month(2025, 3), "commune", "00070", Actor.system("test"))
    other = db.session.scalar(
        select(PaymentLine.id).where(
            PaymentLine.batch_id == batch["batch_id"], PaymentLine.id != line.id
        )
    )
    with db.session.begin_nested():
        db.session.execute(text("DELETE FROM payment_lines WHERE id = :id"), {"id": other})
    db.session.rollback()


def result_file(tmp_path, rows):
    path = tmp_path / "result.csv"
    path.write_text("\n".join([RESULT_HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_reconciliation_closes_paid_lines_and_carries_unpaid_ones(app, caseload, tmp_path):
    march = generate(app, "2025-03", "--commune", "00070")
    cli(app, "payments", "lock", str(march["batch_id"]))
    lines = {r["full_name"]: r for r in export_rows(app, march["batch_id"], tmp_path)}
    son, mo = lines["Lâm Văn Sơn"], lines["Trịnh Thị Mơ"]
    path = result_file(tmp_path, [
        f"{son['line_no']},{son['national_id']},PAID,2025-03-05",
        f"{mo['line_no']},{mo['national_id']},UNPAID,",
        "99,001000000000,PAID,2025-03-05",
    ])  # fmt: skip
    result = cli(app, "payments", "reconcile", str(march["batch_id"]), str(path), "--json")
    assert result.exit_code == 0
    assert last_json(result) == {
        "paid": 1,
        "unpaid": 1,
        "unknown": 1,
        "conflicts": 0,
        "unchanged": 0,
    }
    assert "Dòng 4 của tệp" in result.stderr

    april = generate(app, "2025-04", "--commune", "00070")
    rows = {r["full_name"]: r for r in export_rows(app, april["batch_id"], tmp_path)}
    assert rows["Trịnh Thị Mơ"]["arrears_months"] == "2025-03"
    assert rows["Trịnh Thị Mơ"]["arrears_amount"] == "750000"
    assert rows["Lâm Văn Sơn"]["arrears_amount"] == "0"


def reconcile(app, batch_id, tmp_path, rows):
    result = cli(app, "payments", "reconcile", str(batch_id), str(result_file(tmp_path, rows)),
                 "--json")  # fmt: skip
    assert result.exit_code == 0, result.output
    return result


def test_a_later_file_contradicting_a_report_changes_nothing(app, caseload, tmp_path):
    """interchange.md section 3: a reported line is final. A later file turning Sơn's paid
    line unpaid and Mơ's unpaid line paid changes nothing: it is reported on stderr and
    counted as conflicts; April pays Mơ's March as arrears and Sơn's March not again."""
    march = generate(app, "2025-03", "--commune", "00070")
    cli(app, "payments", "lock", str(march["batch_id"]))
    lines = {r["full_name"]: r for r in export_rows(app, march["batch_id"], tmp_path)}
    son, mo = lines["Lâm Văn Sơn"], lines["Trịnh Thị Mơ"]
    first = [f"{son['line_no']},{son['national_id']},PAID,2025-03-05",
             f"{mo['line_no']},{mo['national_id']},UNPAID,"]  # fmt: skip
    later = [f"{son['line_no']},{son['national_id']},UNPAID,",
             f"{mo['line_no']},{mo['national_id']},PAID,2025-03-09"]  # fmt: skip
    reconcile(app, march["batch_id"], tmp_path, first)
    result = reconcile(app, march["batch_id"], tmp_path, later)
    assert last_json(result) == {"paid": 0, "unpaid": 0, "unknown": 0, "conflicts": 2,
                                 "unchanged": 0}  # fmt: skip
    assert f"Dòng 2 của tệp: line_no {son['line_no']} đã được báo đã chi" in result.stderr
    again = reconcile(app, march["batch_id"], tmp_path, first)  # the first file once more
    assert last_json(again)["unchanged"] == 2 and last_json(again)["paid"] == 0
    april = generate(app, "2025-04", "--commune", "00070")
    rows = {r["full_name"]: r for r in export_rows(app, april["batch_id"], tmp_path)}
    assert rows["Lâm Văn Sơn"]["arrears_amount"] == "0"
    assert rows["Trịnh Thị Mơ"]["arrears_months"] == "2025-03"
    assert db.session.scalar(select(func.count()).select_from(Overpayment)) == 0


def test_a_line_corrected_to_paid_after_april_paid_its_month_again_is_an_overpayment(
    app, caseload, tmp_path
):
    march = generate(app, "2025-03", "--commune", "00070")
    cli(app, "payments", "lock", str(march["batch_id"]))
    mo = next(r for r in export_rows(app, march["batch_id"], tmp_path)
              if r["full_name"] == "Trịnh Thị Mơ")  # fmt: skip
    reconcile(app, march["batch_id"], tmp_path, [f"{mo['line_no']},{mo['national_id']},UNPAID,"])
    generate(app, "2025-04", "--commune", "00070")  # pays March again, as arrears
    paid = [f"{mo['line_no']},{mo['national_id']},PAID,2025-03-20"]
    assert last_json(reconcile(app, march["batch_id"], tmp_path, paid))["conflicts"] == 1
    assert db.session.scalar(select(func.count()).select_from(Overpayment)) == 0
    client = payment_officer_client(app)
    corrected = client.post(f"/payments/batches/{march['batch_id']}/correct", data={
        "line_no": mo["line_no"], "status": "PAID", "paid_on": "2025-03-20",
        "reason": "Công văn 12/BĐ của bưu điện: đã chi ngày 20/3"})  # fmt: skip
    assert corrected.status_code == 302, corrected.get_data(as_text=True)
    overpayments = db.session.scalars(select(Overpayment)).all()
    assert [(o.months, o.amount) for o in overpayments] == [("2025-03", 750_000)]
    page = client.get(f"/payments/batches/{march['batch_id']}")
    assert "bưu điện báo chưa chi, sau đó đã chi" in page.get_data(as_text=True)


def test_unpaid_three_batches_in_a_row_suspends(app, caseload, tmp_path):
    """TT02 Art 2.3.a: not collected for 3 months in a row."""
    for month in ("2025-03", "2025-04", "2025-05"):
        batch = generate(app, month, "--commune", "00070")
        cli(app, "payments", "lock", str(batch["batch_id"]))
        mo = next(r for r in export_rows(app, batch["batch_id"], tmp_path)
                  if r["full_name"] == "Trịnh Thị Mơ")  # fmt: skip
        path = result_file(tmp_path, [f"{mo['line_no']},{mo['national_id']},UNPAID,"])
        result = cli(app, "payments", "reconcile", str(batch["batch_id"]), str(path))
        assert result.exit_code == 0
    beneficiary = db.session.scalar(
        select(Beneficiary).where(Beneficiary.code == mo["beneficiary_code"])
    )
    db.session.refresh(beneficiary)
    assert beneficiary.status == "suspended"
    june = generate(app, "2025-06", "--commune", "00070")
    names = [r["full_name"] for r in export_rows(app, june["batch_id"], tmp_path)]
    assert "Trịnh Thị Mơ" not in names and "Lâm Văn Sơn" in names


def test_an_open_batch_exports_with_a_draft_warning(app, caseload, tmp_path):
    batch = generate(app, "2025-03", "--province", "01")
    result = cli(app, "payments", "export", str(batch["batch_id"]), "--out",
                 str(tmp_path / "draft.csv"))  # fmt: skip
    assert result.exit_code == 0
    assert "bản nháp" in result.stderr


def record_death_of(national_id, full_name, date_of_death, number="KT-1"):
    from datetime import date

    from benefits.accounts.audit import Actor
    from benefits.deaths.service import DeathReport, record_death

    report = DeathReport(
        registration_number=number, national_id=national_id, full_name=full_name,
        date_of_death=date.fromisoformat(date_of_death), registered_on=date(2025, 3, 20),
        commune_code="00070",
        declarant={"full_name": "Quách Thị Con", "national_id": "001190054321",
                   "relationship": "con"},
    )  # fmt: skip
    record_death(report, Actor.system("test"), "test", date(2025, 3, 20))


def test_a_death_learned_late_drops_later_months_from_an_open_batch(app, caseload, tmp_path):
    march = generate(app, "2025-03", "--commune", "00070")
    record_death_of("001050700004", "Lâm Văn Sơn", "2025-02-10")
    again = generate(app, "2025-03", "--commune", "00070")
    assert again["batch_id"] == march["batch_id"]
    names = [r["full_name"] for r in export_rows(app, march["batch_id"], tmp_path)]
    assert names == ["Trịnh Thị Mơ"]


def test_a_locked_unpaid_line_after_a_death_is_not_paid_and_earlier_months_move_on(
    app, caseload, tmp_path
):
    march = generate(app, "2025-03", "--commune", "18754")
    cli(app, "payments", "lock", str(march["batch_id"]))
    record_death_of("001090700006", "Quách Văn Hùng", "2025-01-20")
    line = db.session.scalar(
        select(PaymentLine).where(
            PaymentLine.batch_id == march["batch_id"], PaymentLine.national_id == "001090700006"
        )
    )
    db.session.refresh(line)
    assert line.status == "do_not_pay"
    april = generate(app, "2025-04", "--commune", "18754")
    rows = {r["national_id"]: r for r in export_rows(app, april["batch_id"], tmp_path)}
    hung = rows["001090700006"]
    # The months up to the death (Apr 2024 - Jan 2025) are paid, to the declarant.
    assert hung["arrears_months"].split(";")[0] == "2024-04"
    assert hung["arrears_months"].split(";")[-1] == "2025-01"
    assert hung["monthly_amount"] == "0" and hung["coefficient"] == "0"
    assert hung["arrears_amount"] == str(1_620_000 + 7 * 750_000)
    assert hung["payee_name"] == "Quách Thị Con"
    assert hung["payee_national_id"] == "001190054321"


def hung_stopped_in_a_locked_march(app, tmp_path):
    """Quách Văn Hùng's March line (arrears from April 2024) is locked; his death on
    20 January 2025 is then registered: the line is stopped before the payout."""
    march = generate(app, "2025-03", "--commune", "18754")
    cli(app, "payments", "lock", str(march["batch_id"]))
    hung = next(r for r in export_rows(app, march["batch_id"], tmp_path)
                if r["national_id"] == "001090700006")  # fmt: skip
    record_death_of("001090700006", "Quách Văn Hùng", "2025-01-20")
    return march, hung


def test_a_stopped_line_the_post_office_paid_anyway_is_an_overpayment_not_paid_twice(
    app, caseload, tmp_path
):
    march, hung = hung_stopped_in_a_locked_march(app, tmp_path)
    path = result_file(tmp_path, [f"{hung['line_no']},{hung['national_id']},PAID,2025-03-05"])
    result = cli(app, "payments", "reconcile", str(march["batch_id"]), str(path), "--json")
    assert result.exit_code == 0, result.output
    assert last_json(result) == {
        "paid": 1,
        "unpaid": 0,
        "unknown": 0,
        "conflicts": 0,
        "unchanged": 0,
    }
    assert f"Dòng 2 của tệp: line_no {hung['line_no']}" in result.stderr  # told to the officer
    line = db.session.scalar(
        select(PaymentLine).where(PaymentLine.batch_id == march["batch_id"],
                                  PaymentLine.national_id == "001090700006")
    )  # fmt: skip
    db.session.refresh(line)
    assert line.status == "paid"
    # The months after the death went out: to recover, as for a death learned after payment.
    overpayment = db.session.scalar(select(Overpayment))
    assert overpayment.months == "2025-02;2025-03" and overpayment.line_id == line.id
    # The months up to the death were paid with the line: April does not pay them again.
    april = generate(app, "2025-04", "--commune", "18754")
    ids = [r["national_id"] for r in export_rows(app, april["batch_id"], tmp_path)]
    assert "001090700006" not in ids
    page = (
        payment_officer_client(app, commune="18754")
        .get(f"/payments/batches/{april['batch_id']}")
        .get_data(as_text=True)
    )
    assert "bưu điện vẫn chi sau khi dòng đã bị dừng chi" in page


def test_a_stopped_line_paid_after_its_months_went_to_april_recovers_them_too(
    app, caseload, tmp_path
):
    march, hung = hung_stopped_in_a_locked_march(app, tmp_path)
    april = generate(app, "2025-04", "--commune", "18754")  # pays April 2024 - January 2025
    paid = [f"{hung['line_no']},{hung['national_id']},PAID,2025-03-05"]
    reconcile(app, march["batch_id"], tmp_path, paid)
    reconcile(app, march["batch_id"], tmp_path, paid)  # the same file twice: nothing more
    assert db.session.scalar(select(func.count()).select_from(Overpayment)) == 1
    overpayment = db.session.scalar(select(Overpayment))
    months = overpayment.months.split(";")
    assert months[0] == "2024-04" and months[-3:] == ["2025-01", "2025-02", "2025-03"]
    assert overpayment.amount == int(hung["total_amount"])
    # April still holds them once; nothing is paid a third time.
    rows = {r["national_id"]: r for r in export_rows(app, april["batch_id"], tmp_path)}
    assert rows["001090700006"]["arrears_months"].split(";")[-1] == "2025-01"


def test_a_stopped_line_reported_unpaid_stays_stopped(app, caseload, tmp_path):
    march, hung = hung_stopped_in_a_locked_march(app, tmp_path)
    path = result_file(tmp_path, [f"{hung['line_no']},{hung['national_id']},UNPAID,"])
    result = cli(app, "payments", "reconcile", str(march["batch_id"]), str(path), "--json")
    assert last_json(result) == {
        "paid": 0,
        "unpaid": 1,
        "unknown": 0,
        "conflicts": 0,
        "unchanged": 0,
    }
    assert "chênh lệch 0\xa0₫" in result.stderr  # the stopped line counts in the totals
    statuses = db.session.scalars(
        select(PaymentLine.status).where(PaymentLine.national_id == "001090700006")
    ).all()
    assert statuses == ["do_not_pay"]
    april = generate(app, "2025-04", "--commune", "18754")
    rows = {r["national_id"]: r for r in export_rows(app, april["batch_id"], tmp_path)}
    # Paid once, in April, up to the death only (as without the post office's report).
    assert rows["001090700006"]["arrears_months"].split(";")[-1] == "2025-01"
    assert db.session.scalar(select(func.count()).select_from(Overpayment)) == 0


def test_a_result_row_with_a_signed_or_repeated_line_number_matches_no_line(
    app, caseload, tmp_path
):
    march = generate(app, "2025-03", "--commune", "00070")
    cli(app, "payments", "lock", str(march["batch_id"]))
    son = next(r for r in export_rows(app, march["batch_id"], tmp_path)
               if r["full_name"] == "Lâm Văn Sơn")  # fmt: skip
    path = result_file(tmp_path, [
        f"+{son['line_no']},{son['national_id']},UNPAID,",
        f"{son['line_no']},{son['national_id']},PAID,2025-03-05",
        f"{son['line_no']},{son['national_id']},UNPAID,",
    ])  # fmt: skip
    result = cli(app, "payments", "reconcile", str(march["batch_id"]), str(path), "--json")
    assert last_json(result) == {
        "paid": 1,
        "unpaid": 0,
        "unknown": 2,
        "conflicts": 0,
        "unchanged": 0,
    }
    assert "Dòng 2 của tệp:" in result.stderr and "Dòng 4 của tệp:" in result.stderr
    assert "Dòng 3 của tệp:" not in result.stderr
    assert db.session.scalars(
        select(PaymentLine.status).where(PaymentLine.national_id == son["national_id"])
    ).all() == ["paid"]


def paid_in_march_then_dead_in_february(app, tmp_path):
    """Lâm Văn Sơn's March line is locked and paid; then his death on 10 February 2025
    is registered: March was paid after it."""
    march = generate(app, "2025-03", "--commune", "00070")
    cli(app, "payments", "lock", str(march["batch_id"]))
    son = next(r for r in export_rows(app, march["batch_id"], tmp_path)
               if r["full_name"] == "Lâm Văn Sơn")  # fmt: skip
    path = result_file(tmp_path, [f"{son['line_no']},{son['national_id']},PAID,2025-03-03"])
    cli(app, "payments", "reconcile", str(march["batch_id"]), str(path))
    record_death_of("001050700004", "Lâm Văn Sơn", "2025-02-10")
    return son


def test_a_paid_line_after_a_death_records_an_overpayment(app, caseload, tmp_path):
    paid_in_march_then_dead_in_february(app, tmp_path)
    overpayment = db.session.scalar(select(Overpayment))
    assert overpayment.amount == 1_250_000 and overpayment.months == "2025-03"


def test_xlsx_has_one_sheet_per_commune_with_totals(app, caseload, tmp_path):
    import re
    import zipfile

    batch = generate(app, "2025-03", "--province", "01")
    assert cli(app, "payments", "lock", str(batch["batch_id"])).exit_code == 0  # not a draft
    out = tmp_path / "batch.xlsx"
    result = cli(app, "payments", "export", str(batch["batch_id"]), "--format", "xlsx",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 0
    with zipfile.ZipFile(out) as book:
        workbook = book.read("xl/workbook.xml").decode()
        assert re.findall(r'sheet name="(\d+)"', workbook) == ["00004", "00070"]
        first = book.read("xl/worksheets/sheet1.xml").decode()
    assert "5500000" in first  # the total of Ba Đình's three lines


def test_a_payment_officer_downloads_the_list_of_their_commune_only(app, caseload):
    from benefits.accounts.audit import Actor
    from benefits.accounts.service import create_staff_user

    batch = generate(app, "2025-03", "--commune", "00070")
    other = generate(app, "2025-03", "--commune", "00004")
    create_staff_user("payment", "p@xa.gov.vn", "Chi Trả", "một-mật-khẩu-dài",
                      Actor.system("t"), commune_code="00070")  # fmt: skip
    client = app.test_client()
    client.post("/login", data={"username": "p@xa.gov.vn", "password": "một-mật-khẩu-dài"})
    page = client.get(f"/payments/batches/{batch['batch_id']}").get_data(as_text=True)
    assert "Kiểm tra trước khi khóa" in page
    assert "Thay đổi trên 50% so với tháng trước" in page
    response = client.get(f"/payments/batches/{batch['batch_id']}/export.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbfmonth,")
    assert client.get(f"/payments/batches/{batch['batch_id']}/export.xlsx").status_code == 200
    assert client.get(f"/payments/batches/{other['batch_id']}/export.csv").status_code == 404


def test_checks_before_lock_and_the_difference_with_last_month(app, caseload):
    from benefits.payments.queries import difference_with_last_month, run_checks

    february = generate(app, "2025-02", "--commune", "18754")
    march = generate(app, "2025-03", "--commune", "18754")
    batch = db.session.get(PaymentBatch, march["batch_id"])
    checks = run_checks(batch)
    # Quách Văn Hùng's arrears (8,370,000 in Feb) push his line above 10 × 500,000.
    feb_batch = db.session.get(PaymentBatch, february["batch_id"])
    assert [line.full_name for line in run_checks(feb_batch)["above_ten_times_standard"]] == [
        "Quách Văn Hùng"]  # fmt: skip
    assert checks["no_payment_point"] == [] and checks["shared_bank_account"] == []
    diff = difference_with_last_month(batch)
    assert [(d.commune_code, d.new, d.stopped) for d in diff] == [("18754", 0, 0)]
    assert diff[0].previous_total == feb_batch.total_amount


def test_pdf_signature_sheets_per_commune_and_payment_point(app, caseload, tmp_path):
    from benefits.payments.signature_sheets import masked_for_signature

    batch = generate(app, "2025-03", "--province", "01")
    out = tmp_path / "sheets.pdf"
    result = cli(app, "payments", "export", str(batch["batch_id"]), "--format", "pdf",
                 "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"%PDF-")
    assert b"/Count 2" in data  # two sheets: Ba Đình PO-BD-01 and Hoàn Kiếm PO-HK-01
    assert masked_for_signature("001050700004") == "*********004"


def test_the_database_writes_the_same_csv_as_python(app, caseload):
    """On PostgreSQL the list is written by COPY; the bytes (and so the SHA-256 recorded at
    lock) must be those of the csv module, names with commas, quotes and new lines too."""
    from benefits.payments.export import _copied_csv_chunks, _written_csv_chunks
    from benefits.people.models import Person

    if db.engine.dialect.name != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    db.session.execute(update(Person).where(Person.national_id == "001050700004").values(
        full_name='Lâm "Sơn", con', address="Tổ 3,\nngõ 5"))  # fmt: skip
    db.session.execute(update(Person).where(Person.national_id != "001050700004").values(
        address=""))  # fmt: skip
    batch = db.session.get(PaymentBatch, generate(app, "2025-03", "--province", "01")["batch_id"])
    month = str(batch.month)
    written = "".join(_written_csv_chunks(batch.id, month, rows_per_chunk=2))
    assert '"Lâm ""Sơn"", con"' in written and ",2.5," in written
    assert "".join(_copied_csv_chunks(batch.id, month)) == written


def payment_officer_client(app, commune="00070"):
    from benefits.accounts.audit import Actor
    from benefits.accounts.service import create_staff_user

    create_staff_user("payment", f"p{commune}@xa.gov.vn", "Chi Trả", "một-mật-khẩu-dài",
                      Actor.system("t"), commune_code=commune)  # fmt: skip
    client = app.test_client()
    client.post("/login", data={"username": f"p{commune}@xa.gov.vn",
                                "password": "một-mật-khẩu-dài"})  # fmt: skip
    return client


def test_the_batch_page_reconciles_totals_and_lists_suspensions(app, caseload, tmp_path):
    """Issue 7 item 6: paid + unpaid + not reported = the batch total; the people
    suspended after 3 unpaid batches are listed (TT02 Art 2.3.a)."""
    for month in ("2025-03", "2025-04", "2025-05"):
        batch = generate(app, month, "--commune", "00070")
        cli(app, "payments", "lock", str(batch["batch_id"]))
        rows = export_rows(app, batch["batch_id"], tmp_path)
        mo = next(r for r in rows if r["full_name"] == "Trịnh Thị Mơ")
        son = next(r for r in rows if r["full_name"] == "Lâm Văn Sơn")
        path = result_file(tmp_path, [f"{mo['line_no']},{mo['national_id']},UNPAID,"])
        result = cli(app, "payments", "reconcile", str(batch["batch_id"]), str(path))
    assert "tổng danh sách 3.500.000\xa0₫; chênh lệch 0\xa0₫" in result.stderr
    assert batch["total_amount"] == 3_500_000
    client = payment_officer_client(app)
    page = client.get(f"/payments/batches/{batch['batch_id']}").get_data(as_text=True)
    assert "Bưu điện đã báo" in page
    assert "Khớp với tổng số tiền của danh sách." in page
    assert son["total_amount"] and "Tạm dừng: 3 lần liên tiếp không nhận" in page
    assert mo["beneficiary_code"] in page


def test_an_overpayment_shows_in_the_next_batch_report(app, caseload, tmp_path):
    """Domain section 5.4: an overpayment to recover is shown in the next batch's report."""
    son = paid_in_march_then_dead_in_february(app, tmp_path)
    april = generate(app, "2025-04", "--commune", "00070")
    client = payment_officer_client(app)
    page = client.get(f"/payments/batches/{april['batch_id']}").get_data(as_text=True)
    assert "Khoản chi thừa cần thu hồi" in page
    assert son["beneficiary_code"] in page and "1.250.000" in page
    assert "chết ngày 10/02/2025 (số đăng ký khai tử KT-1), biết sau khi đã chi trả" in page
    other = payment_officer_client(app, commune="00004")
    other_batch = generate(app, "2025-04", "--commune", "00004")
    page = other.get(f"/payments/batches/{other_batch['batch_id']}").get_data(as_text=True)
    assert son["beneficiary_code"] not in page


def test_excel_and_pdf_downloads_leave_no_file_behind(app, caseload, tmp_path, monkeypatch):
    import tempfile

    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    batch = generate(app, "2025-03", "--commune", "00070")
    client = payment_officer_client(app)
    for fmt, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        response = client.get(f"/payments/batches/{batch['batch_id']}/export.{fmt}")
        assert response.status_code == 200 and response.data.startswith(magic)
        response.close()
    assert list(spool.iterdir()) == []
