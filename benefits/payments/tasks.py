"""Jobs of the ``payments`` queue (design.md: one ``tasks.py`` per module).

A job receives the id of its ``payment_jobs`` row, never an ORM object, and is the
commit boundary of its work. Generating one batch is one transaction: a job killed
halfway leaves nothing half written, and running it again regenerates the open batch in
place (``generate_batch``), so a re-run never duplicates a line and leaves no gap.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from benefits.accounts.audit import Actor, record_audit, scope_places
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.payments.coverage import covered_communes
from benefits.payments.generation import generate_batch, generate_national_part
from benefits.payments.models import BatchCommune, PaymentBatch, PaymentJob

log = logging.getLogger(__name__)

GENERATE = "payments.generate"
ERROR_LENGTH = 2000


def generate_job_batch(job_id: str) -> None:
    """Generate the batch of one job (a province or a commune, for a month).

    Run twice, a job already done does nothing the second time. A failure rolls the
    batch back, marks the job failed with the reason, and is raised again for RQ.
    """
    job = db.session.get(PaymentJob, job_id)
    if job is None:  # its run was rolled back after all: nothing was asked
        log.warning("payment job %s: no such job", job_id)
        return
    if job.status == "done":
        log.info("payment job %s: already done (batch %s)", job_id, job.batch_id)
        return
    if job.status == "failed":  # given up as lost: only a re-run (queued again) runs it
        log.info("payment job %s: given up before it started", job_id)
        return
    actor = _actor_of(job)
    _mark_running(job, actor)
    db.session.commit()
    try:
        _generate(job_id, actor)
        db.session.commit()
    except BaseException as error:  # a timeout or an interrupt too: the row says so
        db.session.rollback()
        _mark_failed(job_id, error, actor)
        raise


def _actor_of(job: PaymentJob) -> Actor:
    run = job.run
    return Actor(f"job:{GENERATE} for {run.requested_by}"[:120], run.requested_by_id)


def audit_job(job: PaymentJob, actor: Actor, action: str, changes: dict) -> None:
    """An audit row of a job's state change, with its run, month and scope."""
    record_audit(
        actor, action, "payment_job", job.id,
        {"run": job.run_id, "month": str(job.month),
         "scope": f"{job.scope_kind}:{job.scope_code}", **changes},
        **scope_places(job.scope_kind, job.scope_code),
    )  # fmt: skip


def _mark_running(job: PaymentJob, actor: Actor) -> None:
    before = job.status
    job.status = "running"
    job.attempts += 1
    job.started_at = datetime.now(UTC)
    job.finished_at = None
    job.error = None
    audit_job(job, actor, "payments.job.start", {"status": [before, "running"],
                                               "attempt": job.attempts})  # fmt: skip
    db.session.flush()


def _generate(job_id: str, actor: Actor) -> None:
    job = db.session.get(PaymentJob, job_id)
    if db.session.get_bind().dialect.name == "postgresql":
        # Waiting behind another generation of this batch ends in a failure that can be
        # run again, rather than holding a worker for as long as the other one lasts.
        seconds = int(current_app.config.get("PAYMENT_LOCK_TIMEOUT", 60))
        db.session.execute(text(f"SET LOCAL lock_timeout = '{seconds}s'"))
        # A job whose process was killed is ended by the database within seconds, its
        # transaction rolled back and its locks released, even inside a long statement
        # or a lock wait (PostgreSQL 14+), rather than when the statement would end.
        db.session.execute(text("SET LOCAL client_connection_check_interval = '2s'"))
    national = db.session.get(PaymentBatch, job.batch_id) if job.batch_id else None
    if national is not None and national.scope_kind == "national":
        # A province of the national batch: its job holds its communes' rows, so that
        # the provinces are written side by side and one province never twice at once.
        db.session.execute(
            covered_communes(national, job.scope_code).with_for_update(of=BatchCommune)
        )
        batch = national
        lines, total = generate_national_part(national, job.scope_code, actor)
    else:
        # Another generation of the same batch (a re-run of a job thought lost) waits
        # here for the first to commit, then regenerates in place: never two writers on
        # one batch.
        db.session.execute(
            select(PaymentBatch.id)
            .where(
                PaymentBatch.month == job.month,
                PaymentBatch.scope_kind == job.scope_kind,
                PaymentBatch.scope_code == job.scope_code,
            )
            .with_for_update()
        )
        batch = generate_batch(job.month, job.scope_kind, job.scope_code, actor)
        lines, total = batch.line_count, batch.total_amount
    job.status = "done"
    job.finished_at = datetime.now(UTC)
    job.batch_id, job.line_count, job.total_amount = batch.id, lines, total
    audit_job(job, actor, "payments.job.done", {"status": ["running", "done"], "batch": batch.id,
                                              "lines": lines, "total_amount": total})  # fmt: skip
    db.session.flush()


def describe_error(error: BaseException) -> str:
    """The reason shown to the payment officer: a domain error in their words, anything
    else by its type, so that an operator can find it in the worker's log."""
    if isinstance(error, DomainError):
        text = str(error)
    elif isinstance(error, DBAPIError) and error.orig is not None:  # not the SQL, the reason
        text = f"{type(error.orig).__name__}: {error.orig}"
    else:
        text = f"{type(error).__name__}: {error}".rstrip(": ")
    return text[:ERROR_LENGTH]


def _mark_failed(job_id: str, error: BaseException, actor: Actor) -> None:
    try:
        job = db.session.get(PaymentJob, job_id)
        job.status = "failed"
        job.finished_at = datetime.now(UTC)
        job.error = describe_error(error)
        audit_job(job, actor, "payments.job.fail", {"status": ["running", "failed"],
                                                  "error": job.error})  # fmt: skip
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.exception("payment job %s: could not record its failure", job_id)
