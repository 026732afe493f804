"""Generation runs on a real Redis with real RQ workers: one job per province on the
``payments`` queue, a job run twice, a job that fails, a work-horse killed halfway.

The jobs commit for real (``committed_db``): a worker sees only committed rows. The
worker is RQ's ``SimpleWorker`` in this process, or ``flask worker`` in another one
where a process is killed.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from rq import Queue, SimpleWorker
from sqlalchemy import func, select, text

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from benefits.jobs import enqueue, queued_job_state, quick_to_stop, redis_connection
from benefits.month import Month
from benefits.payments.models import INTERRUPTED, PaymentBatch, PaymentLine
from benefits.payments.runs import (
    GenerationUnderWay,
    is_interrupted,
    rerun_job,
    start_generation_run,
)
from benefits.payments.tasks import generate_job_batch
from tests.builders import jobs_of, line_count

pytestmark = pytest.mark.redis

PROJECT = Path(__file__).resolve().parents[2]
SAMPLES = PROJECT / "tests" / "data" / "samples"
MARCH = Month(2025, 3)
ACTOR = Actor.system("test")
PASSWORD = "một-mật-khẩu-dài"


@pytest.fixture
def queue(app, committed_db):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set")
    payments = Queue("payments", connection=redis_connection(app))
    payments.empty()
    result = app.test_cli_runner().invoke(
        args=["registry", "import", str(SAMPLES / "caseload.csv")]
    )
    assert result.exit_code == 0, result.output
    yield payments
    payments.empty()


@pytest.fixture
def postgresql(app):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("row locks and lock timeouts are PostgreSQL's")


def work(app, queue: Queue) -> None:
    quick_to_stop(SimpleWorker)([queue], connection=redis_connection(app)).work(burst=True)
    db.session.remove()


def generate_province_01(app) -> int:
    result = app.test_cli_runner().invoke(
        args=["payments", "generate", "--month", "2025-03", "--province", "01", "--json"]
    )
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(PaymentBatch.id).where(PaymentBatch.scope_code == "01"))


def test_a_run_over_two_provinces_is_one_job_each_and_a_worker_completes_them(app, queue):
    run_id = start_generation_run(MARCH, ["01", "42"], ACTOR).id
    db.session.commit()
    assert queue.count == 2
    assert {job.status for job in jobs_of(run_id).values()} == {"queued"}
    work(app, queue)
    jobs = jobs_of(run_id)
    assert {code: (job.status, job.line_count) for code, job in jobs.items()} == {
        "01": ("done", 5), "42": ("done", 2)}  # fmt: skip
    assert all(job.started_at and job.finished_at and job.attempts == 1 for job in jobs.values())
    batches = {b.scope_code: b for b in db.session.scalars(select(PaymentBatch))}
    assert set(batches) == {"01", "42"}
    for code, job in jobs.items():
        assert job.batch_id == batches[code].id
        assert job.total_amount == batches[code].total_amount
        assert job.total_amount == db.session.scalar(
            select(func.sum(PaymentLine.total_amount)).where(PaymentLine.batch_id == job.batch_id)
        )
    assert jobs["01"].total_amount == 7_500_000


def test_the_national_command_queues_a_job_per_province_for_the_workers(app, queue):
    result = app.test_cli_runner().invoke(
        args=["payments", "generate", "--month", "2025-03", "--no-wait", "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["jobs"] == 34 and queue.count == 34
    work(app, queue)
    jobs = jobs_of(figures["run_id"])
    assert {job.status for job in jobs.values()} == {"done"}
    assert sum(job.line_count for job in jobs.values()) == line_count() == 8
    assert {job.batch_id for job in jobs.values()} == {figures["batch_id"]}


def test_two_workers_write_one_national_batch_numbered_locked_and_exported_as_one(
    app, postgresql, queue, tmp_path
):
    """Issue 27 item 1: the provinces' jobs spread over two real worker processes write
    one batch: one id, one numbering in the list's order, one lock, one export."""
    result = app.test_cli_runner().invoke(
        args=["payments", "generate", "--month", "2025-03", "--no-wait", "--json"]
    )
    batch_id = json.loads(result.stdout.strip().splitlines()[-1])["batch_id"]
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst", "payments"],
            cwd=PROJECT,
            env=os.environ.copy(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
        for _ in range(2)
    ]
    try:
        _wait_for(lambda: _batch_state(batch_id) == (0, 8), seconds=120)
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
    batch = db.session.get(PaymentBatch, batch_id)
    assert batch.scope_kind == "national" and batch.generated_at is not None
    lines = db.session.execute(
        select(PaymentLine.line_no, PaymentLine.province_code, PaymentLine.commune_code)
        .where(PaymentLine.batch_id == batch_id).order_by(PaymentLine.line_no)
    ).all()  # fmt: skip
    assert [n for n, _p, _c in lines] == list(range(1, 9))
    assert [(p, c) for _n, p, c in lines] == sorted((p, c) for _n, p, c in lines)
    runner = app.test_cli_runner()
    locked = runner.invoke(args=["payments", "lock", str(batch_id)])
    assert locked.exit_code == 0, locked.output
    out = tmp_path / "national.csv"
    exported = runner.invoke(args=["payments", "export", str(batch_id), "--out", str(out)])
    assert exported.exit_code == 0, exported.output
    import hashlib

    db.session.expire_all()
    sha = db.session.get(PaymentBatch, batch_id).csv_sha256
    assert hashlib.sha256(out.read_bytes()).hexdigest() == sha
    assert len(out.read_text(encoding="utf-8-sig").strip().splitlines()) == 1 + 8


def test_a_province_ends_while_another_still_writes_the_national_batch(
    app, postgresql, queue, monkeypatch
):
    """Two provinces of the national batch end side by side: a province writing its lines
    holds a key-share lock on the batch row (its lines' and items' foreign keys), and the
    province that ends takes the row without waiting for it. (It took FOR UPDATE: two
    provinces ending together waited for each other, and one failed on a deadlock in the
    payment-runs benchmark with two workers.)"""
    monkeypatch.setitem(app.config, "PAYMENT_LOCK_TIMEOUT", 2)
    run = start_generation_run(MARCH, None, ACTOR)
    batch_id, run_id = run.jobs[0].batch_id, run.id
    db.session.commit()
    with db.engine.connect() as other:  # another province's job, inserting its lines
        hold = other.begin()
        other.execute(text("SELECT id FROM payment_batches WHERE id = :id FOR KEY SHARE"),
                      {"id": batch_id})  # fmt: skip
        work(app, queue)
        hold.rollback()
    jobs = jobs_of(run_id)
    assert {code: job.error for code, job in jobs.items() if job.status != "done"} == {}
    assert _batch_state(batch_id) == (0, 8)


def _batch_state(batch_id: int):
    db.session.rollback()
    batch = db.session.get(PaymentBatch, batch_id, populate_existing=True)
    return batch.communes_pending, line_count()


def test_a_job_delivered_twice_to_the_workers_writes_its_batch_once(app, queue):
    run_id = start_generation_run(MARCH, ["01"], ACTOR).id
    db.session.commit()
    work(app, queue)
    job_id = jobs_of(run_id)["01"].id
    enqueue(generate_job_batch, job_id, queue="payments", job_id=job_id)
    db.session.commit()
    assert queue.count == 1
    work(app, queue)
    assert line_count() == 5
    assert jobs_of(run_id)["01"].attempts == 1
    generations = db.session.scalar(
        select(func.count()).where(AuditEntry.action == "payments.generate")
    )
    assert generations == 1


def test_a_job_that_fails_is_marked_failed_and_its_rerun_completes(
    app, postgresql, queue, monkeypatch
):
    batch_id = generate_province_01(app)
    monkeypatch.setitem(app.config, "PAYMENT_LOCK_TIMEOUT", 1)
    create_staff_user("payment", "tinh@hanoi.gov.vn", "Chi Trả", PASSWORD, ACTOR,
                      province_code="01")  # fmt: skip
    db.session.commit()
    with db.engine.connect() as other:  # someone else holds the batch for too long
        hold = other.begin()
        other.execute(text("SELECT id FROM payment_batches WHERE id = :id FOR UPDATE"),
                      {"id": batch_id})  # fmt: skip
        run_id = start_generation_run(MARCH, ["01"], ACTOR).id
        db.session.commit()
        work(app, queue)
        hold.rollback()
    job = jobs_of(run_id)["01"]
    assert job.status == "failed" and "lock timeout" in job.error
    assert line_count() == 5  # the earlier generation of the batch is untouched

    client = app.test_client()
    client.post("/login", data={"username": "tinh@hanoi.gov.vn", "password": PASSWORD})
    page = BeautifulSoup(client.get(f"/payments/runs/{run_id}").get_data(as_text=True),
                         "html.parser")  # fmt: skip
    assert page.select_one("#job-01")["data-state"] == "failed"
    assert "lock timeout" in page.select_one(".error-summary").get_text()
    assert client.post(page.select_one("#job-01 form")["action"]).status_code == 302
    assert queue.count == 1
    work(app, queue)
    job = jobs_of(run_id)["01"]
    assert (job.status, job.attempts, job.error, job.line_count) == ("done", 2, None, 5)
    assert line_count() == 5 and job.batch_id == batch_id


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


def _waiting_for_a_lock(query) -> int:
    db.session.rollback()  # the statistics views keep one snapshot per transaction
    return db.session.execute(query).scalar()


def _wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.1)


def test_a_job_killed_halfway_is_run_again_without_duplicate_or_gap(app, postgresql, queue):
    batch_id = generate_province_01(app)
    with db.engine.connect() as other:
        hold = other.begin()  # keeps the job inside its work until it is killed
        other.execute(text("SELECT id FROM payment_batches WHERE id = :id FOR UPDATE"),
                      {"id": batch_id})  # fmt: skip
        run_id = start_generation_run(MARCH, ["01"], ACTOR).id
        db.session.commit()
        worker = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--burst", "payments"],
            cwd=PROJECT, env=os.environ.copy(), start_new_session=True,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            waiting = text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                           "AND datname = current_database()")  # fmt: skip
            # (A worker's start under load can take half a minute.)
            _wait_for(lambda: _waiting_for_a_lock(waiting) == 1 and _children(worker.pid),
                      seconds=90)  # fmt: skip
            for horse in _children(worker.pid):
                os.kill(horse, signal.SIGKILL)
            # RQ's worker records the work-horse's death; the worker itself then quits
            # (under load its exit can take a minute: it is not waited for).
            job_id = jobs_of(run_id)["01"].id
            _wait_for(lambda: queued_job_state(job_id) == "failed")
        finally:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
        hold.rollback()
    job = jobs_of(run_id)["01"]
    if job.status == "running":  # as the killed job left its row
        assert is_interrupted(job)  # RQ saw its work-horse die
    else:  # the worker's sweep (decision 133) gave it up before it was stopped
        assert (job.status, job.error) == ("failed", INTERRUPTED)
    assert line_count() == 5  # nothing half written

    rerun_job(job, ACTOR)
    db.session.commit()
    work(app, queue)
    job = jobs_of(run_id)["01"]
    assert (job.status, job.attempts, job.line_count) == ("done", 2, 5)
    assert line_count() == 5 and job.batch_id == batch_id


def _cli_process(*args: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - the project's own command, fixed arguments
        [sys.executable, "-m", "flask", "--app", "wsgi", *args], cwd=PROJECT,
        env=os.environ.copy(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


LOCK_WAITS = text(
    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
    "AND datname = current_database()"
)


def test_the_command_and_the_workers_never_write_one_batch_at_the_same_time(app, postgresql, queue):
    """Issue 24 item 5: ``payments generate`` with a scope takes the job row and the batch
    lock the RQ jobs take. A second writer, from the command line or the queue, is refused
    in words while the first one works; the first one then completes alone."""
    batch_id = generate_province_01(app)
    with db.engine.connect() as other:
        hold = other.begin()  # keeps the first writer inside its work
        other.execute(text("SELECT id FROM payment_batches WHERE id = :id FOR UPDATE"),
                      {"id": batch_id})  # fmt: skip
        first = _cli_process("payments", "generate", "--month", "2025-03", "--province", "01",
                             "--json")  # fmt: skip
        try:
            _wait_for(lambda: _waiting_for_a_lock(LOCK_WAITS) == 1)
            second = _cli_process("payments", "generate", "--month", "2025-03", "--province",
                                  "01")  # fmt: skip
            out, err = second.communicate(timeout=60)
            assert second.returncode == 1
            assert err.strip() == "Đang lập danh sách chi trả tháng 03/2025 cho 01."
            with pytest.raises(GenerationUnderWay):  # the web page or a national run
                start_generation_run(MARCH, ["01"], ACTOR)
            db.session.rollback()
            assert queue.count == 0
        finally:
            hold.rollback()
        out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    assert json.loads(out.strip().splitlines()[-1]) == {
        "batch_id": batch_id, "lines": 5, "total_amount": 7_500_000}  # fmt: skip
    assert line_count() == 5
    generations = db.session.scalar(
        select(func.count()).where(AuditEntry.action == "payments.generate")
    )
    assert generations == 2


def test_two_commands_started_together_leave_one_batch_without_a_duplicate(app, postgresql, queue):
    writers = [_cli_process("payments", "generate", "--month", "2025-03", "--commune", "00070",
                            "--json") for _ in range(2)]  # fmt: skip
    results = [(w.wait(timeout=60), w.stdout.read(), w.stderr.read()) for w in writers]
    for code, _out, err in results:
        assert code == 0 or err.strip().startswith("Đang lập danh sách chi trả tháng 03/2025")
    assert any(code == 0 for code, _out, _err in results)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 1
    assert line_count() == 2


def _worker_process() -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "payments"],
        cwd=PROJECT, env=os.environ.copy(), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def test_a_worker_killed_whole_is_marked_failed_within_a_minute_and_runs_again(
    app, postgresql, queue
):
    """Issue 27 item 7: the worker process and its work-horse killed together (a machine
    lost): another worker marks the job failed within a minute, with its re-run button;
    nothing is half written, and the re-run completes without a duplicate."""
    batch_id = generate_province_01(app)
    create_staff_user("payment", "tinh@hanoi.gov.vn", "Chi Trả", PASSWORD, ACTOR,
                      province_code="01")  # fmt: skip
    db.session.commit()
    doomed, survivor = _worker_process(), None
    try:
        with db.engine.connect() as other:
            hold = other.begin()  # keeps the job inside its work until it is killed
            other.execute(text("SELECT id FROM payment_batches WHERE id = :id FOR UPDATE"),
                          {"id": batch_id})  # fmt: skip
            run_id = start_generation_run(MARCH, ["01"], ACTOR).id
            db.session.commit()
            _wait_for(lambda: _waiting_for_a_lock(LOCK_WAITS) == 1 and _children(doomed.pid))
            survivor = _worker_process()
            for pid in [*_children(doomed.pid), doomed.pid]:  # the work-horse and its worker
                os.kill(pid, signal.SIGKILL)
            killed_at = time.monotonic()
            hold.rollback()
        _wait_for(lambda: jobs_of(run_id)["01"].status == "failed", seconds=60)
        assert time.monotonic() - killed_at < 60
        job = jobs_of(run_id)["01"]
        assert job.error == INTERRUPTED and line_count() == 5  # nothing half written

        client = app.test_client()
        client.post("/login", data={"username": "tinh@hanoi.gov.vn", "password": PASSWORD})
        page = BeautifulSoup(client.get(f"/payments/runs/{run_id}").get_data(as_text=True),
                             "html.parser")  # fmt: skip
        assert page.select_one("#job-01")["data-state"] == "failed"
        assert client.post(page.select_one("#job-01 form")["action"]).status_code == 302
        _wait_for(lambda: jobs_of(run_id)["01"].status == "done", seconds=60)
    finally:
        for worker in (doomed, survivor):
            if worker is not None and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
    job = jobs_of(run_id)["01"]
    assert (job.attempts, job.line_count, job.batch_id) == (2, 5, batch_id)
    assert line_count() == 5


def test_with_redis_down_the_national_command_says_so_in_one_line(app, queue, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    result = app.test_cli_runner().invoke(args=["payments", "generate", "--month", "2025-03"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Không kết nối được hàng đợi công việc (Redis) (ConnectionError): hãy khởi động nó "
        "rồi chạy lại lệnh."]  # fmt: skip
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 0
