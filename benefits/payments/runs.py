"""Generation runs: a month's batches generated as one job per province (or one for a
commune) on the ``payments`` queue, in parallel on as many workers as run
(performance.md), with their progress and failures in ``payment_jobs``."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor, record_audit, scope_places
from benefits.errors import DomainError, InvalidTransition, NotFound
from benefits.extensions import db
from benefits.i18n import format_month
from benefits.jobs import enqueue, queued_job_state, sweep_with_workers
from benefits.models_base import aware_utc
from benefits.month import Month
from benefits.payments.coverage import batch_coverage, provinces_of
from benefits.payments.generation import check_payable_month, find_or_open_batch
from benefits.payments.models import (
    INTERRUPTED,
    BatchCommune,
    PaymentBatch,
    PaymentJob,
    PaymentRun,
)
from benefits.payments.queries import live_generation_job
from benefits.payments.tasks import GENERATE, audit_job, generate_job_batch
from benefits.places.models import Commune, Province
from benefits.places.models import place_names as names_of_places

QUEUE = "payments"
# A province of 400,000 beneficiaries stays well inside this; RQ stops a job past it.
JOB_TIMEOUT = timedelta(minutes=30)
# A job RQ has not heard of this long after it was queued was lost (Redis emptied).
ENQUEUE_GRACE = timedelta(seconds=30)
# ``lost``: started, and its worker has stopped beating (``benefits.jobs``).
LOST_RQ_STATES = ("failed", "stopped", "canceled", "lost")
SWEEPER = Actor.system("worker")


class GenerationUnderWay(InvalidTransition):
    """A batch has at most one generation queued or running at a time."""


def start_generation_run(
    month: Month, province_codes: Sequence[str] | None, actor: Actor, *, queued: bool = True
) -> PaymentRun:
    """``None``: the national batch, one job per province (interchange.md section 3: one
    batch for the country); else one batch and one job per province named.

    Provinces whose batch of the month is locked are left out (a locked batch never
    changes); a run with nothing left to generate is refused. ``queued=False``: the jobs
    are not queued, the caller runs them (``run_jobs_here``).
    """
    check_payable_month(month)
    if province_codes is None:
        return _open_national_run(month, actor, queued)
    codes = sorted(set(province_codes))
    known = set(db.session.scalars(select(Province.code).where(Province.code.in_(codes))))
    for code in codes:
        if code not in known:
            raise DomainError(_l("Unknown province %(code)s.", code=code))
    if not codes:
        raise DomainError(_l("Say which provinces to generate."))
    scope = ("province", codes[0]) if len(codes) == 1 else ("national", None)
    return _open_run(month, scope, [("province", code) for code in codes], actor, queued)


def start_commune_generation(
    month: Month, commune_code: str, actor: Actor, *, queued: bool = True
) -> PaymentRun:
    """A commune payment officer's run: one job, their commune's batch."""
    check_payable_month(month)
    if db.session.get(Commune, commune_code) is None:
        raise DomainError(_l("Unknown commune %(code)s.", code=commune_code))
    return _open_run(month, ("commune", commune_code), [("commune", commune_code)], actor, queued)


def run_jobs_here(run_id: int) -> list[str]:
    """Run the jobs of a run in this process, one after the other, each its own commit
    boundary (the CLI with a scope: issue 24 item 5). They take the same job rows and the
    same batch lock as on the workers, so this process and a worker never write one batch
    at the same time. Returns the ids of the jobs that failed (their rows say why)."""
    job_ids = list(db.session.scalars(select(PaymentJob.id).where(PaymentJob.run_id == run_id)))
    failed = []
    for job_id in job_ids:
        try:
            generate_job_batch(job_id)
        except Exception:  # marked failed with its reason by the job itself
            db.session.rollback()
            failed.append(job_id)
    return failed


def _open_run(month, scope, job_scopes, actor: Actor, queued: bool = True) -> PaymentRun:
    locked = {
        (kind, code)
        for kind, code in db.session.execute(
            select(PaymentBatch.scope_kind, PaymentBatch.scope_code).where(
                PaymentBatch.month == month, PaymentBatch.status == "locked"
            )
        )
    }
    open_scopes = [s for s in job_scopes if s not in locked]
    if not open_scopes:
        raise InvalidTransition(
            _l(
                "The batch of %(month)s is locked and cannot be generated again.",
                month=format_month(month),
            )
        )
    _refuse_busy(month, open_scopes, actor)
    # Each batch is opened now, taking its communes: a scope inside a wider batch of the
    # month is refused here, in words, before any job runs.
    batches = {scope_: find_or_open_batch(month, *scope_) for scope_ in open_scopes}
    left_out = [code for kind, code in job_scopes if (kind, code) in locked]
    return _start(month, scope, batches, actor, queued, {"left_out_locked": left_out})


def _refuse_busy(month: Month, scopes, actor: Actor) -> None:
    _give_up_lost_jobs(month, scopes, actor)
    busy = db.session.scalars(
        select(PaymentJob.scope_code).where(
            PaymentJob.month == month,
            PaymentJob.status.in_(("queued", "running")),
            PaymentJob.scope_kind == scopes[0][0],
            PaymentJob.scope_code.in_([code for _, code in scopes]),
        )
    ).all()
    if busy:
        raise GenerationUnderWay(
            _l("A generation of %(month)s is already under way for %(scopes)s.",
               month=format_month(month), scopes=", ".join(sorted(busy)))
        )  # fmt: skip


def _start(month, scope, batches: dict, actor: Actor, queued: bool, noted: dict) -> PaymentRun:
    """The run and its jobs (one per batch, or per province of the national batch)."""
    run = PaymentRun(month=month, scope_kind=scope[0], scope_code=scope[1],
                     requested_by=actor.label, requested_by_id=actor.user_id)  # fmt: skip
    db.session.add(run)
    for (kind, code), batch in batches.items():
        # A province of the national batch names it from the start; a batch of its own is
        # named when done (a foreign key's check would wait for a generation holding it).
        run.jobs.append(PaymentJob(id=uuid.uuid4().hex, kind=GENERATE, month=month,
                                   scope_kind=kind, scope_code=code, status="queued",
                                   batch_id=batch.id if scope[0] == "national"
                                   and batch.scope_kind == "national" else None))  # fmt: skip
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:  # another run started the same batch meanwhile
        raise GenerationUnderWay(_l("A generation of %(month)s is already under way.",
                                    month=format_month(month))) from error  # fmt: skip
    record_audit(
        actor, "payments.run.start", "payment_run", run.id,
        {"month": str(month), "scope": f"{scope[0]}:{scope[1] or ''}",
         "jobs": [code for _, code in batches], **noted},
        **scope_places(*scope),
    )  # fmt: skip
    if queued:
        for job in run.jobs:
            _enqueue(job)
    return run


def _open_national_run(month: Month, actor: Actor, queued: bool) -> PaymentRun:
    """One batch for the country, written as one job per province holding communes in it
    (its communes are those no province or commune batch of the month holds)."""
    batch = find_or_open_batch(month, "national", None)
    if batch.status == "locked":
        raise InvalidTransition(
            _l("The batch of %(month)s is locked and cannot be generated again.",
               month=format_month(month))
        )  # fmt: skip
    scopes = [("province", code) for code in provinces_of(batch)]
    _refuse_busy(month, scopes, actor)
    # Every commune is to be written again; the batch is complete (can be locked) when
    # the last province's job has written its own.
    pending = db.session.execute(
        update(BatchCommune).where(BatchCommune.batch_id == batch.id).values(pending=True)
    ).rowcount
    batch.communes_pending, batch.generated_at = pending, None
    left_out = [holder.batch.id for holder in batch_coverage(batch).left_out]
    return _start(month, ("national", None), dict.fromkeys(scopes, batch), actor, queued,
                  {"batch": batch.id, "left_out_batches": left_out})  # fmt: skip


def _enqueue(job: PaymentJob) -> None:
    enqueue(generate_job_batch, job.id, queue=QUEUE, job_id=job.id,
            timeout=int(JOB_TIMEOUT.total_seconds()))  # fmt: skip


def is_interrupted(job: PaymentJob, now: datetime | None = None) -> bool:
    """A job queued or running that will never finish: its worker was killed.

    With RQ, the worker reports a killed work-horse at once (the RQ job is failed) and
    a job Redis no longer knows is lost; a job started longer ago than its timeout is
    over whatever RQ says. In process, only the age tells.
    """
    if job.status not in ("queued", "running"):
        return False
    now = now or datetime.now(UTC)
    started = aware_utc(job.started_at) if job.started_at else None
    if started and now - started > JOB_TIMEOUT + timedelta(minutes=1):
        return True
    if not current_app.config.get("REDIS_URL"):
        return started is None and now - aware_utc(job.queued_at) > JOB_TIMEOUT
    state = queued_job_state(job.id)
    if state is None:
        return now - aware_utc(job.queued_at) > ENQUEUE_GRACE
    return state in LOST_RQ_STATES


def _give_up_lost_jobs(month: Month, scopes, actor: Actor) -> None:
    """Jobs of these batches lost with their worker are marked failed, so that a new run
    can start (the unique index allows one live job per batch)."""
    live = db.session.scalars(
        select(PaymentJob).where(
            PaymentJob.month == month, PaymentJob.status.in_(("queued", "running"))
        )
    ).all()
    for job in live:
        if (job.scope_kind, job.scope_code) in scopes and is_interrupted(job):
            _mark_interrupted(job, actor)


def give_up_lost_jobs() -> int:
    """Every live job whose worker was killed is marked failed (with its re-run button on
    the run's page): run by every worker between its beats, and by the command that
    follows a run (issue 27 item 7)."""
    live = db.session.scalars(
        select(PaymentJob).where(PaymentJob.status.in_(("queued", "running")))
    ).all()
    lost = [job for job in live if is_interrupted(job)]
    for job in lost:
        _mark_interrupted(job, SWEEPER)
    return len(lost)


sweep_with_workers(give_up_lost_jobs)


def _mark_interrupted(job: PaymentJob, actor: Actor) -> None:
    before = job.status
    job.status = "failed"
    job.finished_at = datetime.now(UTC)
    job.error = INTERRUPTED
    audit_job(job, actor, "payments.job.fail",
              {"status": [before, "failed"], "error": "interrupted"})  # fmt: skip
    db.session.flush()


def rerun_job(job: PaymentJob, actor: Actor) -> PaymentJob:
    """Queue a failed (or interrupted) job again, under the same id. Its batch is
    regenerated in place: no duplicate line, no gap."""
    if is_interrupted(job):
        _mark_interrupted(job, actor)
    if job.status != "failed":
        raise InvalidTransition(_l("Only a failed or interrupted job can be run again."))
    if live_generation_job(job.month, job.scope_kind, job.scope_code):
        raise GenerationUnderWay(
            _l("A generation of %(month)s is already under way for %(scopes)s.",
               month=format_month(job.month), scopes=job.scope_code)
        )  # fmt: skip
    error = job.error
    job.status, job.error = "queued", None
    job.queued_at, job.started_at, job.finished_at = datetime.now(UTC), None, None
    audit_job(job, actor, "payments.job.rerun",
              {"status": ["failed", "queued"], "previous_error": error})  # fmt: skip
    db.session.flush()
    _enqueue(job)
    return job


def get_run(run_id: int) -> PaymentRun:
    run = db.session.get(PaymentRun, run_id)
    if run is None:
        raise NotFound(_l("No generation run %(id)s.", id=run_id))
    return run


@dataclass
class JobProgress:
    job: PaymentJob
    name: str
    state: str  # queued, running, done, failed, interrupted
    # The job's batch as it is now: emptied or generated again since the job (decision 69).
    batch: PaymentBatch | None = None

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed", "interrupted")

    @property
    def batch_changed_since(self) -> bool:
        """The job's figures are what it produced; its batch was emptied or generated
        again by a later run (or locked figures differ) since it finished."""
        if self.state != "done" or self.batch is None:
            return False
        if self.batch.generated_at is None:
            return self.batch.communes_pending == 0  # emptied, not being written
        finished = self.job.finished_at
        if self.batch.scope_kind == "national":  # written by all the run's jobs
            finished = max(j.finished_at for j in self.job.run.jobs if j.finished_at)
        return aware_utc(self.batch.generated_at) > aware_utc(finished)


@dataclass
class RunProgress:
    run: PaymentRun
    jobs: list[JobProgress]
    scope_name: str

    def count(self, *states: str) -> int:
        return sum(1 for j in self.jobs if j.state in states)

    @property
    def done(self) -> int:
        return self.count("done")

    @property
    def failed(self) -> list[JobProgress]:
        return [j for j in self.jobs if j.state in ("failed", "interrupted")]

    @property
    def under_way(self) -> bool:
        return self.count("queued", "running") > 0

    @property
    def lines(self) -> int:
        return sum(j.job.line_count or 0 for j in self.jobs if j.state == "done")

    @property
    def total_amount(self) -> int:
        return sum(j.job.total_amount or 0 for j in self.jobs if j.state == "done")

    @property
    def batches_changed_since(self) -> int:
        return sum(1 for j in self.jobs if j.batch_changed_since)


def place_names(runs: Sequence[PaymentRun]) -> dict[str, str]:
    """The names of the provinces, and of the communes the runs' jobs generate."""
    return names_of_places(j.scope_code for run in runs for j in run.jobs
                           if j.scope_kind == "commune")  # fmt: skip


def run_progress(run: PaymentRun, names: dict[str, str] | None = None) -> RunProgress:
    """Each job's state as the payment officer should read it, with place names (pass
    ``place_names`` of several runs to read them once)."""
    names = place_names([run]) if names is None else names
    now = datetime.now(UTC)
    batch_ids = [job.batch_id for job in run.jobs if job.batch_id is not None]
    batches = {
        batch.id: batch
        for batch in db.session.scalars(select(PaymentBatch).where(PaymentBatch.id.in_(batch_ids)))
    } if batch_ids else {}  # fmt: skip
    jobs = [
        JobProgress(job, names.get(job.scope_code, job.scope_code),
                    "interrupted" if is_interrupted(job, now) else job.status,
                    batches.get(job.batch_id))
        for job in run.jobs
    ]  # fmt: skip
    return RunProgress(run, jobs, names.get(run.scope_code or "", ""))
