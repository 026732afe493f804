"""A month's batches generated as one job per province (issue 7 item 2; performance.md):
in process without Redis, on the payments queue with it; progress, failures and re-runs
in ``payment_jobs``; the payment officer's start form and progress page."""

from __future__ import annotations

import csv
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import event, func, select
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry, User
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from benefits.i18n import format_vnd
from benefits.month import Month
from benefits.payments.models import (
    INTERRUPTED,
    PaymentBatch,
    PaymentJob,
    PaymentLine,
    PaymentRun,
)
from benefits.payments.runs import GenerationUnderWay, is_interrupted, start_generation_run
from benefits.payments.service import lock_batch
from benefits.payments.tasks import generate_job_batch
from benefits.places.calendar import vietnam_today
from tests.builders import jobs_of, line_count

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
MARCH = Month(2025, 3)
PASSWORD = "một-mật-khẩu-dài"
ACTOR = Actor.system("test")


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def in_process(app, monkeypatch):
    """Jobs run in process, as on a machine without Redis."""
    monkeypatch.setitem(app.config, "REDIS_URL", None)


@pytest.fixture
def caseload(app):
    assert cli(app, "registry", "import", str(SAMPLES / "caseload.csv")).exit_code == 0


def expected_march_total() -> int:
    with (SAMPLES / "expected-2025-03.csv").open(encoding="utf-8-sig") as fh:
        return sum(int(row["total_amount"]) for row in csv.DictReader(fh))


def login(app, email: str, **scope):
    create_staff_user("payment", email, "Chi Trả", PASSWORD, ACTOR, **scope)
    client = app.test_client()
    client.post("/login", data={"username": email, "password": PASSWORD})
    return client


# In process (no Redis): the path of a machine with SQLite and nothing else.


def test_a_national_run_generates_one_batch_for_the_country_a_job_per_province(
    app, caseload, in_process
):
    """Interchange section 3: with no scope, one batch for the whole country, numbered
    once in the list's order, however many jobs wrote it."""
    result = cli(app, "payments", "generate", "--month", "2025-03", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["provinces"] == 34 and figures["failed"] == 0
    assert figures["lines"] == 8 and figures["total_amount"] == expected_march_total()
    jobs = jobs_of(figures["run_id"])
    assert len(jobs) == 34 and {job.status for job in jobs.values()} == {"done"}
    assert {job.batch_id for job in jobs.values()} == {figures["batch_id"]}
    assert jobs["01"].line_count == 5
    # The operator follows the run in words, money written the Vietnamese way.
    hanoi = format_vnd(jobs["01"].total_amount)
    assert f"tỉnh 01: Hoàn thành, 5 dòng, {hanoi}" in result.stderr
    batch = db.session.get(PaymentBatch, figures["batch_id"])
    assert (batch.scope_kind, batch.scope_code, batch.line_count) == ("national", None, 8)
    assert batch.communes_pending == 0 and batch.generated_at is not None
    lines = db.session.execute(
        select(PaymentLine.line_no, PaymentLine.province_code, PaymentLine.commune_code)
        .where(PaymentLine.batch_id == batch.id).order_by(PaymentLine.line_no)
    ).all()  # fmt: skip
    assert [n for n, _p, _c in lines] == list(range(1, 9))
    assert [(p, c) for _n, p, c in lines] == sorted((p, c) for _n, p, c in lines)
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 1


def test_a_province_of_the_national_batch_reads_the_items_through_their_indexes(
    app, caseload, in_process
):
    """Decision 150: a province's job never reads every item of the table (the never
    paid check and the top-ups probe the items' partial unique indexes), or the national
    run grows with the square of the country (7.5 minutes for 100,000 beneficiaries).
    The generation forbids sequential scans (decision 42): one left is an index missed."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the plans are PostgreSQL's")
    assert cli(app, "payments", "generate", "--month", "2025-03").exit_code == 0
    plans = []

    def explain(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("WITH RECURSIVE"):
            cursor.execute("EXPLAIN " + statement, parameters)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))

    event.listen(db.engine, "before_cursor_execute", explain)
    try:
        result = cli(app, "payments", "generate", "--month", "2025-03", "--json")
    finally:
        event.remove(db.engine, "before_cursor_execute", explain)
    assert result.exit_code == 0, result.output
    assert len(plans) >= 34 and any("payment_items" in plan for plan in plans)
    assert [plan for plan in plans if "Seq Scan on payment_items" in plan] == []


def test_the_province_and_commune_options_keep_their_figures(app, caseload, in_process):
    result = cli(app, "payments", "generate", "--month", "2025-03", "--province", "01", "--json")
    assert set(json.loads(result.stdout.strip().splitlines()[-1])) == {
        "batch_id", "lines", "total_amount"}  # fmt: skip
    both = cli(app, "payments", "generate", "--month", "2025-03", "--province", "01",
               "--commune", "00070")  # fmt: skip
    assert both.exit_code != 0 and "at most one" in both.stderr


def test_running_the_generation_again_replaces_the_batches_without_a_duplicate_line(
    app, caseload, in_process
):
    first = start_generation_run(MARCH, ["01", "42"], ACTOR)
    db.session.commit()
    before = {code: (job.batch_id, job.line_count) for code, job in jobs_of(first.id).items()}
    again = start_generation_run(MARCH, ["01", "42"], ACTOR)
    db.session.commit()
    after = {code: (job.batch_id, job.line_count) for code, job in jobs_of(again.id).items()}
    assert after == before and before["01"][1] == 5
    assert line_count() == sum(lines for _, lines in before.values())


def test_a_job_run_twice_does_the_work_once(app, caseload, in_process):
    run = start_generation_run(MARCH, ["01"], ACTOR)
    db.session.commit()
    job = jobs_of(run.id)["01"]
    generate_job_batch(job.id)
    db.session.commit()
    generations = db.session.scalar(
        select(func.count()).where(AuditEntry.action == "payments.generate")
    )
    assert generations == 1 and line_count() == 5
    assert jobs_of(run.id)["01"].attempts == 1


def test_a_failing_province_is_marked_failed_with_its_reason_and_the_others_finish(
    app, caseload, in_process
):
    previous = cli(app, "payments", "generate", "--month", "2025-03", "--province", "01", "--json")
    batch_id = json.loads(previous.stdout.strip().splitlines()[-1])["batch_id"]
    run = start_generation_run(MARCH, ["01", "42"], ACTOR)
    lock_batch(batch_id, ACTOR)  # locked by someone else before the job ran
    db.session.commit()
    jobs = jobs_of(run.id)
    assert jobs["42"].status == "done" and jobs["42"].line_count == 2
    assert jobs["01"].status == "failed" and jobs["01"].finished_at is not None
    assert f"{batch_id}" in jobs["01"].error and "khóa" in jobs["01"].error
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == jobs["01"].id)
    ).all()
    assert actions == ["payments.job.start", "payments.job.fail"]


def test_a_batch_has_one_generation_under_way_at_a_time(app, caseload):
    start_generation_run(MARCH, ["01"], ACTOR)
    db.session.flush()  # queued, not yet run
    with pytest.raises(GenerationUnderWay) as refused:
        start_generation_run(MARCH, ["01", "42"], ACTOR)
    assert "03/2025" in str(refused.value) and "01" in str(refused.value)
    with pytest.raises(IntegrityError), db.session.begin_nested():  # the database says so too
        run = PaymentRun(month=MARCH, scope_kind="province", scope_code="01", requested_by="t")
        run.jobs.append(PaymentJob(id="x" * 32, kind="payments.generate", month=MARCH,
                                   scope_kind="province", scope_code="01"))  # fmt: skip
        db.session.add(run)
        db.session.flush()


def test_a_locked_batch_is_left_out_of_a_new_run(app, caseload, in_process):
    previous = cli(app, "payments", "generate", "--month", "2025-03", "--province", "01", "--json")
    lock_batch(json.loads(previous.stdout.strip().splitlines()[-1])["batch_id"], ACTOR)
    db.session.commit()
    result = cli(app, "payments", "generate", "--month", "2025-03", "--json")
    assert result.exit_code == 0
    hanoi = json.loads(previous.stdout.strip().splitlines()[-1])["batch_id"]
    assert (f"bỏ qua 126 xã: đã có trong danh sách {hanoi} tháng 03/2025 (Thành phố Hà Nội)"
            in result.stderr)  # fmt: skip
    assert "01" not in jobs_of(json.loads(result.stdout.strip().splitlines()[-1])["run_id"])


def test_a_job_lost_with_its_process_is_interrupted_and_its_rerun_completes(
    app, caseload, in_process
):
    run = start_generation_run(MARCH, ["01"], ACTOR)
    db.session.flush()  # queued, never committed: the process that was to run it died
    job = jobs_of(run.id)["01"]
    assert not is_interrupted(job)
    with time_machine.travel(job.queued_at + timedelta(minutes=31), tick=False):
        assert is_interrupted(job)
        # A new run for the same batch gives up on the lost job first.
        again = start_generation_run(MARCH, ["01"], ACTOR)
        db.session.commit()
    jobs = jobs_of(run.id)
    assert jobs["01"].status == "failed" and jobs["01"].error == INTERRUPTED
    assert jobs_of(again.id)["01"].status == "done" and line_count() == 5
    # Stored in no language, worded for each reader of the progress page.
    client = login(app, "tinh@hanoi.gov.vn", province_code="01")
    row = BeautifulSoup(client.get(f"/payments/runs/{run.id}").get_data(as_text=True),
                        "html.parser").select_one("#job-01")  # fmt: skip
    assert "Bị gián đoạn: tiến trình xử lý đã dừng trước khi xong." in row.get_text()
    client.get("/language/en")
    assert "Interrupted: the worker stopped before the end." in client.get(
        f"/payments/runs/{run.id}"
    ).get_data(as_text=True)


# The payment officer's pages (jobs in process, so the page shows them finished).


def test_a_province_payment_officer_starts_the_generation_and_follows_it(app, caseload, in_process):
    client = login(app, "tinh@hanoi.gov.vn", province_code="01")
    home = BeautifulSoup(client.get("/payments/").get_data(as_text=True), "html.parser")
    assert home.select_one("form input[name=month]")["value"] == str(Month.of(vietnam_today()) + 1)
    response = client.post("/payments/runs", data={"month": "2025-03"})
    assert response.status_code == 302
    page = BeautifulSoup(client.get(response.location).get_data(as_text=True), "html.parser")
    assert page.h1.get_text() == "Lập danh sách chi trả tháng 03/2025 – Thành phố Hà Nội"
    row = page.select_one("#job-01")
    assert row["data-state"] == "done" and "Hoàn thành" in row.get_text()
    assert row.select_one("progress")["value"] == "1"
    assert page.select_one("#run-lines").get_text() == "5"
    assert page.select_one("#run-total").get_text().replace("\xa0", " ").startswith("7.500.000")
    assert page.find("meta", attrs={"http-equiv": "refresh"}) is None
    officer = db.session.scalar(select(User).where(User.email == "tinh@hanoi.gov.vn"))
    run = db.session.scalar(select(PaymentRun).order_by(PaymentRun.id.desc()))
    assert (run.scope_kind, run.scope_code, run.requested_by_id) == ("province", "01", officer.id)
    started = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payments.run.start"))
    assert started.actor_id == officer.id and started.changes["jobs"] == ["01"]
    # The batch listed by the province's name and its status in words.
    home = BeautifulSoup(client.get("/payments/").get_data(as_text=True), "html.parser")
    listed = [td.get_text() for td in home.find_all("table")[-1].select("tbody tr td")]
    assert listed[1:3] == ["Thành phố Hà Nội (01)", "Đang mở"]


def test_a_run_says_when_its_batch_was_emptied_or_generated_again_since(app, caseload, in_process):
    """The run keeps what it produced; the officer is told the batch holds something else
    now (decision 69), not left to pay from the old figures."""
    client = login(app, "tinh@hanoi.gov.vn", province_code="01")
    first = client.post("/payments/runs", data={"month": "2025-03"}).location
    page = BeautifulSoup(client.get(first).get_data(as_text=True), "html.parser")
    assert page.select_one("#run-changed-since") is None
    assert page.select_one("#job-01 .batch-now") is None
    batch_id = jobs_of(int(first.rsplit("/", 1)[1]))["01"].batch_id

    emptied = client.post(f"/payments/batches/{batch_id}/empty", data={"confirm": "y"})
    assert emptied.status_code == 302
    page = BeautifulSoup(client.get(first).get_data(as_text=True), "html.parser")
    assert page.select_one("#job-01 .batch-now").get_text() == "Đã làm trống sau đó"
    assert "1 danh sách" in page.select_one("#run-changed-since").get_text()
    assert page.select_one("#run-lines").get_text() == "5"  # what the run produced
    home = BeautifulSoup(client.get("/payments/").get_data(as_text=True), "html.parser")
    assert home.select_one(".run-changed").get_text() == "đã thay đổi sau đó"

    second = client.post("/payments/runs", data={"month": "2025-03"}).location
    now = BeautifulSoup(client.get(first).get_data(as_text=True), "html.parser")
    note = now.select_one("#job-01 .batch-now").get_text().replace("\xa0", " ")
    assert note.startswith("Đã lập lại sau đó: nay có 5 dòng, 7.500.000")
    latest = BeautifulSoup(client.get(second).get_data(as_text=True), "html.parser")
    assert latest.select_one("#job-01 .batch-now") is None


def test_a_run_under_way_refreshes_itself_and_shows_each_province_waiting(app, caseload):
    client = login(app, "tinh@hanoi.gov.vn", province_code="01")
    run = start_generation_run(MARCH, ["01"], ACTOR)
    db.session.flush()  # queued, not yet run
    html = client.get(f"/payments/runs/{run.id}").get_data(as_text=True)
    page = BeautifulSoup(html, "html.parser")
    assert page.find("meta", attrs={"http-equiv": "refresh"})["content"] == "3"
    assert page.select_one("#job-01")["data-state"] == "queued"
    assert page.select_one("#job-01 progress")["value"] == "0"


@pytest.mark.parametrize(
    ("month", "message"),
    [("2025-13", "YYYY-MM"), ("tháng ba", "YYYY-MM"), ("", "Nhập tháng"),
     ("2999-01", "tháng sau")],
)  # fmt: skip
def test_a_wrong_month_is_explained_and_starts_nothing(app, in_process, month, message):
    client = login(app, "xa@hoankiem.gov.vn", commune_code="00070")
    response = client.post("/payments/runs", data={"month": month})
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert message in page.select_one("#month-field .error-message").get_text()
    assert page.select_one(".error-summary a")["href"] == "#month"
    assert db.session.scalar(select(func.count()).select_from(PaymentRun)) == 0


def test_a_commune_payment_officer_generates_their_commune(app, caseload, in_process):
    client = login(app, "xa@hoankiem.gov.vn", commune_code="00070")
    response = client.post("/payments/runs", data={"month": "2025-03"})
    page = BeautifulSoup(client.get(response.location).get_data(as_text=True), "html.parser")
    assert page.select_one("#job-00070")["data-state"] == "done"
    batch = db.session.scalar(select(PaymentBatch))
    assert (batch.scope_kind, batch.scope_code, batch.line_count) == ("commune", "00070", 2)


def test_another_province_or_commune_cannot_see_or_rerun_a_run(app, caseload, in_process):
    run = start_generation_run(MARCH, ["01"], ACTOR)
    db.session.commit()
    job_id = next(iter(jobs_of(run.id).values())).id
    other_province = login(app, "tinh@hatinh.gov.vn", province_code="42")
    assert other_province.get(f"/payments/runs/{run.id}").status_code == 404
    assert other_province.post(f"/payments/runs/{run.id}/jobs/{job_id}/rerun").status_code == 404
    commune = login(app, "xa@hoankiem.gov.vn", commune_code="00070")
    assert commune.get(f"/payments/runs/{run.id}").status_code == 404
    national = start_generation_run(MARCH, None, ACTOR)
    db.session.commit()
    own = login(app, "tinh@hanoi.gov.vn", province_code="01")
    assert own.get(f"/payments/runs/{run.id}").status_code == 200
    assert own.get(f"/payments/runs/{national.id}").status_code == 404  # followed from the CLI


def test_an_interrupted_job_is_run_again_from_the_progress_page(app, caseload, in_process):
    client = login(app, "tinh@hanoi.gov.vn", province_code="01")
    run = start_generation_run(MARCH, ["01"], ACTOR)
    db.session.flush()
    job = jobs_of(run.id)["01"]
    with time_machine.travel(job.queued_at + timedelta(minutes=31), tick=False):
        page = BeautifulSoup(client.get(f"/payments/runs/{run.id}").get_data(as_text=True),
                             "html.parser")  # fmt: skip
        assert page.select_one("#job-01")["data-state"] == "interrupted"
        assert page.find("meta", attrs={"http-equiv": "refresh"}) is None
        action = page.select_one("#job-01 form")["action"]
        response = client.post(action)
        assert response.status_code == 302
        page = BeautifulSoup(client.get(response.location).get_data(as_text=True),
                             "html.parser")  # fmt: skip
    assert page.select_one("#job-01")["data-state"] == "done"
    assert jobs_of(run.id)["01"].attempts == 1  # it never started the first time
    assert line_count() == 5
    actions = db.session.scalars(
        select(AuditEntry.action).where(AuditEntry.object_id == job.id).order_by(AuditEntry.id)
    ).all()
    assert actions == ["payments.job.fail", "payments.job.rerun", "payments.job.start",
                       "payments.job.done"]  # fmt: skip


def test_the_batch_page_offers_the_signature_sheets_as_a_pdf(app, caseload, in_process):
    from io import BytesIO

    from pypdf import PdfReader

    client = login(app, "xa@hoankiem.gov.vn", commune_code="00070")
    client.post("/payments/runs", data={"month": "2025-03"})
    batch = db.session.scalar(select(PaymentBatch))
    page = BeautifulSoup(client.get(f"/payments/batches/{batch.id}").get_data(as_text=True),
                         "html.parser")  # fmt: skip
    link = page.find("a", href=re.compile(r"export\.pdf$"))
    assert "PDF" in link.get_text()
    response = client.get(link["href"])
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)
    assert "Trịnh Thị Mơ" in text and "Lâm Văn Sơn" in text
    assert "001050700004" not in text and "*********004" in text


def test_a_month_no_rule_covers_or_too_far_ahead_is_refused_and_leaves_no_batch(
    app, caseload, in_process
):
    result = cli(app, "payments", "generate", "--month", "2013-12", "--commune", "00070")
    assert result.exit_code != 0 and "01/2014" in result.output
    ahead = str(Month.of(vietnam_today()) + 2)
    result = cli(app, "payments", "generate", "--month", ahead)
    assert result.exit_code != 0
    client = login(app, "chitra@xa.gov.vn", commune_code="00070")
    page = client.post("/payments/runs", data={"month": "2013-12"}).get_data(as_text=True)
    assert "Không có mức chuẩn nào áp dụng cho 12/2013" in page
    page = client.post("/payments/runs", data={"month": ahead}).get_data(as_text=True)
    assert "Chỉ lập được danh sách chi trả đến tháng sau" in page
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 0
    assert db.session.scalar(select(func.count()).select_from(PaymentRun)) == 0
