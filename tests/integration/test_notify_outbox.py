"""Redis down costs nothing (issue 29.2): log-in works, a submission answers, and every
notification's copy is kept in the outbox until it is sent, once (decision 140, 141).

Redis is never stopped here (the machine's is shared): "down" is a port where nothing
listens, or a ``redis-server`` this test starts and kills. Mail goes to the real SMTP
server of ``tests/mailbox.py``."""

from __future__ import annotations

import contextlib
import logging
import shutil
import socket
import subprocess
import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from rq import Queue
from sqlalchemy import func, select

from benefits.cases.models import Case
from benefits.extensions import db, limiter
from benefits.jobs import redis_connection
from benefits.notify.models import Notification, OutboxMessage
from benefits.notify.outbox import send_message, send_pending
from tests.builders import PASSWORD
from tests.integration.test_citizen_applications import child_application, post_application
from tests.mailbox import PUBLIC_URL, mailbox_for


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


DEAD_REDIS = f"redis://127.0.0.1:{_free_port()}/0"  # nothing listens there


@contextlib.contextmanager
def redis_at(app, url):
    """The app's queue and rate limits on the Redis at ``url`` (restored after)."""
    saved = {key: app.config.get(key) for key in ("REDIS_URL", "RATELIMIT_STORAGE_URI")}
    app.config.update(REDIS_URL=url, RATELIMIT_STORAGE_URI=url)
    limiter.init_app(app)  # the hooks are registered once; only the storage changes
    try:
        yield
    finally:
        app.config.update(saved)
        limiter.init_app(app)
        limiter._storage_dead = False  # noqa: SLF001 (the next tests start on a live store)


@contextlib.contextmanager
def own_redis():
    """A ``redis-server`` of this test alone, on a free port, keeping nothing on disk."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = _free_port()
    process = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],  # noqa: S607
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    try:
        for _ in range(50):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.1):
                break
            time.sleep(0.1)
        yield url, process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.fixture
def mailbox(app):
    with mailbox_for(app) as box:
        yield box


def copies(channel="email"):
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == channel)
        .order_by(OutboxMessage.id).execution_options(populate_existing=True)
    ))  # fmt: skip


def later(minutes=61):
    return datetime.now(UTC) + timedelta(minutes=minutes)


def test_with_redis_down_a_citizen_logs_in_and_submits_and_the_email_arrives(
    app, client, mailbox, caplog
):
    from benefits.accounts.audit import Actor
    from benefits.accounts.service import CitizenRegistration, register_citizen

    with redis_at(app, DEAD_REDIS), caplog.at_level(logging.WARNING):
        register_citizen(CitizenRegistration(
            "Hoàng Thị Dân", datetime(1990, 5, 17).date(), "F", "001190000777", "0912345678",
            "dan@example.vn", PASSWORD), Actor.system("test"))  # fmt: skip
        login = client.post("/login", data={"username": "001190000777", "password": PASSWORD})
        assert login.status_code == 302 and login.headers["Location"].endswith("/me/")
        assert "falling back to in-memory storage" in caplog.text
        response = post_application(client, child_application())
        assert response.status_code == 302
        health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["queue"] == "degraded"
    case = db.session.scalar(select(Case))
    # Sent in process at once: one email, in Vietnamese, that leads to the dossier.
    assert len(mailbox.messages) == 1
    assert mailbox.messages[0]["To"] == "dan@example.vn"
    assert f"{case.code} đã được tiếp nhận" in mailbox.messages[0]["Subject"]
    assert f"Xem hồ sơ: {PUBLIC_URL}/me/dossiers/{case.code}" in mailbox.body()
    assert [copy.sent_at is not None for copy in copies()] == [True]


def test_the_login_limit_still_holds_in_the_process_while_redis_is_down(app, client):
    from benefits.accounts.audit import Actor
    from benefits.accounts.service import create_staff_user

    create_staff_user("officer", "officer@xa.gov.vn", "Cán Bộ", PASSWORD, Actor.system("test"),
                      commune_code="00070")  # fmt: skip
    with redis_at(app, DEAD_REDIS):
        for _ in range(5):
            wrong = {"username": "officer@xa.gov.vn", "password": "wrong-password!"}
            assert client.post("/login", data=wrong).status_code == 200
        right = {"username": "officer@xa.gov.vn", "password": PASSWORD}
        assert client.post("/login", data=right).status_code == 429


def test_a_copy_that_cannot_be_sent_waits_and_the_sweep_sends_it_once(app, citizen, client):
    with mailbox_for(app) as box:
        # Jobs in process (no REDIS_URL), so that the first attempt happens in the request.
        dead_smtp = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": _free_port(), "REDIS_URL": None}
        saved = {key: app.config[key] for key in dead_smtp}
        app.config.update(dead_smtp)
        try:
            assert post_application(client, child_application()).status_code == 302
        finally:
            app.config.update(saved)
        [copy] = copies()
        assert copy.sent_at is None and copy.attempts == 1
        assert copy.last_error == "ConnectionRefusedError"
        assert box.messages == []
        # Not due yet: the sweep leaves it for its time (a minute after the failure).
        assert send_pending() == (0, 1)
        runner = app.test_cli_runner()
        with_mail = runner.invoke(args=["notify", "send-pending", "--json"])
        assert with_mail.exit_code == 0
        assert send_pending(now=later()) == (1, 0)
        assert send_pending(now=later()) == (0, 0)
        assert send_message(copy.id) is False  # a late job of the same copy sends nothing
    assert len(box.messages) == 1
    [copy] = copies()
    assert copy.sent_at is not None and copy.attempts == 2


def test_a_rolled_back_cause_leaves_no_copy(app, citizen, client):
    # The copies are written in the transaction of their cause: a submission refused
    # (a missing field) writes neither a dossier, nor a notification, nor a copy.
    response = post_application(client, child_application(full_name=""))
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0
    assert copies() == [] and copies("sms") == []


def test_redis_killed_while_a_copy_waits_in_rq_the_sweep_sends_it_once(app, citizen, client):
    with mailbox_for(app) as box, own_redis() as (url, server), redis_at(app, url):
        assert post_application(client, child_application()).status_code == 302
        notify_queue = Queue("notify", connection=redis_connection(app))
        assert notify_queue.count == 2  # its email and its SMS copy wait for a worker
        assert box.messages == []
        server.kill()  # Redis dies with the jobs (nothing saved)
        server.wait()
        another = child_application(full_name="Hoàng Văn Em", national_id="001215000124")
        second = post_application(client, another | {"submission_token": "form-2"})
        assert second.status_code == 302
        assert len(box.messages) == 1  # the second, sent in process
        assert client.get("/healthz").get_json()["queue"] == "degraded"
        assert send_pending(now=later()) == (2, 0)  # the first's email and SMS
        assert send_pending(now=later()) == (0, 0)
    codes = sorted(db.session.scalars(select(Case.code)))
    subjects = sorted(message["Subject"] for message in box.messages)
    assert len(subjects) == 2 and all(code in " ".join(subjects) for code in codes)


def test_a_worker_running_a_copy_the_sweep_already_sent_sends_nothing(app, citizen, client):
    with mailbox_for(app) as box, own_redis() as (url, _server), redis_at(app, url):
        assert post_application(client, child_application()).status_code == 302
        assert send_pending(now=later()) == (2, 0)  # cron came first
        notify_queue = Queue("notify", connection=redis_connection(app))
        jobs = notify_queue.jobs
        assert len(jobs) == 2
        for job in jobs:  # as the worker runs them (SimpleWorker's teardown waits 60 s)
            job.perform()
    assert len(box.messages) == 1
    assert [copy.attempts for copy in copies() + copies("sms")] == [1, 1]


def test_two_senders_of_the_same_copy_at_once_send_it_once(app, committed_db):
    """The cron sweep and a worker (or two workers) on one copy, truly concurrent: the
    second waits on the row's lock while the first talks to a slow SMTP server, then
    finds the copy sent."""
    import asyncio
    import threading

    from benefits.accounts.audit import Actor
    from benefits.accounts.service import CitizenRegistration, register_citizen

    user = register_citizen(CitizenRegistration(
        "Hoàng Thị Dân", datetime(1990, 5, 17).date(), "F", "001190000777", None,
        "dan@example.vn", PASSWORD), Actor.system("test"))  # fmt: skip
    notification = Notification(user_id=user.id, kind="approved", case_code="BTXH-1")
    db.session.add(notification)
    db.session.flush()
    copy = OutboxMessage(notification_id=notification.id, channel="email")
    db.session.add(copy)
    db.session.commit()
    copy_id = copy.id
    db.session.remove()  # the test's own session holds no snapshot while the threads run
    results = []

    def sender():
        with app.app_context():
            results.append(send_message(copy_id))
            db.session.commit()
            db.session.remove()

    with mailbox_for(app) as box:
        keep = box.handle_DATA

        async def slow_data(server, session, envelope):  # noqa: N802 (aiosmtpd's name)
            await asyncio.sleep(0.5)
            return await keep(server, session, envelope)

        box.handle_DATA = slow_data
        threads = [threading.Thread(target=sender) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert sorted(results) == [False, True]
    assert len(box.messages) == 1
    assert db.session.get(OutboxMessage, copy_id).attempts == 1  # the second found it sent


def test_with_redis_a_failed_send_is_scheduled_again_on_the_queue(app, citizen, client):
    with own_redis() as (url, _server), redis_at(app, url):
        notify_queue = Queue("notify", connection=redis_connection(app))
        assert post_application(client, child_application()).status_code == 302
        [email_job, _sms_job] = notify_queue.jobs
        dead_smtp = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": _free_port()}
        saved = {key: app.config[key] for key in dead_smtp}
        app.config.update(dead_smtp)
        try:
            email_job.perform()  # the worker's first attempt: SMTP does not answer
        finally:
            app.config.update(saved)
        [copy] = copies()
        assert copy.sent_at is None and copy.attempts == 1
        [retry_id] = notify_queue.scheduled_job_registry.get_job_ids()
        retry = notify_queue.fetch_job(retry_id)
        assert retry.perform() is False  # not before its time
        with mailbox_for(app) as box, time_machine.travel(later(2)):
            assert retry.perform() is True  # RQ's scheduler, a minute later
            assert email_job.perform() is False  # a duplicate of the job sends nothing
    assert len(box.messages) == 1
    assert [copy.sent_at is not None for copy in copies()] == [True]


def test_a_withdrawal_reason_on_several_lines_is_emailed_all_the_same(
    app, citizen, client, mailbox
):
    saved, app.config["REDIS_URL"] = app.config.get("REDIS_URL"), None
    try:
        assert post_application(client, child_application()).status_code == 302
        case = db.session.scalar(select(Case))
        reason = "Gia đình đã lo được.\nCảm ơn cán bộ xã."
        response = client.post(
            f"/me/dossiers/{case.code}/withdraw", data={"reason": reason, "confirm": "y"}
        )
        assert response.status_code == 302
    finally:
        app.config["REDIS_URL"] = saved
    withdrawn = mailbox.messages[-1]
    assert "\n" not in withdrawn["Subject"] and case.code in withdrawn["Subject"]
    assert "Cảm ơn cán bộ xã." in mailbox.body()
    assert all(copy.sent_at is not None for copy in copies())


def test_an_email_job_queued_before_the_outbox_sends_through_it_once(app, citizen, mailbox):
    from benefits.notify.service import send_notification_email

    notification = Notification(user_id=citizen.id, kind="approved", case_code="BTXH-1")
    db.session.add(notification)
    db.session.commit()
    send_notification_email(notification.id)
    send_notification_email(notification.id)  # RQ ran it twice
    assert len(mailbox.messages) == 1 and "BTXH-1" in mailbox.messages[0]["Subject"]
    assert [copy.sent_at is not None for copy in copies()] == [True]
