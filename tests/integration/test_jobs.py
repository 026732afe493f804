"""One way to enqueue, two executors: in process without Redis, RQ with it."""

import os

import pytest
from rq import Queue, SimpleWorker
from sqlalchemy import select

from benefits.accounts.models import AuditEntry
from benefits.extensions import db
from benefits.jobs import enqueue, quick_to_stop, redis_connection
from tests.integration.sample_jobs import write_audit


def _ran(label: str) -> bool:
    return db.session.scalar(select(AuditEntry.id).where(AuditEntry.object_id == label)) is not None


def test_a_job_runs_only_once_the_transaction_commits(app):
    if app.config.get("REDIS_URL"):
        pytest.skip("in-process executor only without REDIS_URL")
    with app.app_context():
        enqueue(write_audit, "after-commit")
        assert not _ran("after-commit")
        db.session.commit()
        assert _ran("after-commit")


def test_a_rolled_back_transaction_leaves_no_job(app):
    if app.config.get("REDIS_URL"):
        pytest.skip("in-process executor only without REDIS_URL")
    with app.app_context():
        enqueue(write_audit, "rolled-back")
        db.session.rollback()
        db.session.commit()
        assert not _ran("rolled-back")


@pytest.mark.redis
def test_with_redis_jobs_go_to_an_rq_queue_and_a_worker_runs_them(app, committed_db):
    if not os.environ.get("REDIS_URL"):
        pytest.skip("REDIS_URL is not set")
    queue = Queue("default", connection=redis_connection(app))
    queue.empty()
    enqueue(write_audit, "through-rq")
    db.session.commit()
    assert queue.count == 1
    assert not _ran("through-rq")
    quick_to_stop(SimpleWorker)([queue], connection=redis_connection(app)).work(burst=True)
    db.session.remove()
    assert _ran("through-rq")
