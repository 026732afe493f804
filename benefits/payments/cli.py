"""``flask --app wsgi payments ...`` (interchange.md section 3)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import gettext as _

from benefits.accounts.audit import Actor
from benefits.commands import fail, parse_month
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.i18n import format_vnd
from benefits.jobs import redis_connection
from benefits.labels import JOB_STATE, job_error, label
from benefits.month import Month
from benefits.payments.coverage import batch_coverage
from benefits.payments.export import csv_chunks, write_xlsx
from benefits.payments.generation import find_batch
from benefits.payments.queries import reconciliation_summary
from benefits.payments.runs import (
    get_run,
    give_up_lost_jobs,
    run_jobs_here,
    run_progress,
    start_commune_generation,
    start_generation_run,
)
from benefits.payments.service import (
    get_batch,
    lock_batch,
    reconcile_batch,
    reported_row_message,
)
from benefits.payments.signature_sheets import write_signature_sheets

payments_cli = AppGroup("payments", help="Monthly payment batches.")
CLI = Actor.system("cli")


@payments_cli.command("generate")
@click.option("--month", required=True, callback=parse_month, help="YYYY-MM")
@click.option("--province", help="Province code (2 digits).")
@click.option("--commune", help="Commune code (5 digits).")
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--wait/--no-wait",
    default=True,
    help="National run on RQ: wait for the workers and print the progress (default).",
)
def generate_command(
    month: Month, province: str | None, commune: str | None, as_json: bool, wait: bool
):
    """Compute the batch of a month for a province or a commune; with neither, for the
    whole country: one job per province on the payments queue."""
    if province and commune:
        fail("give at most one of --province or --commune")
    if not province and not commune:
        _national_run(month, as_json, wait)
        return
    # One way to generate a batch (issue 24 item 5): a run of one job, run here, with the
    # job row and the batch lock that the workers take.
    try:
        if province:
            run = start_generation_run(month, [province], CLI, queued=False)
        else:
            run = start_commune_generation(month, commune, CLI, queued=False)
    except DomainError as error:
        fail(error)
    run_id = run.id
    _report_left_out(
        find_batch(month, *(("province", province) if province else ("commune", commune)))
    )
    db.session.commit()
    run_jobs_here(run_id)
    (job,) = get_run(run_id).jobs
    if job.status != "done":
        fail(job_error(job.error))
    figures = {"batch_id": job.batch_id, "lines": job.line_count, "total_amount": job.total_amount}
    click.echo(json.dumps(figures) if as_json else f"batch {job.batch_id}: {figures}")


def _queue_unreachable(error: Exception) -> None:
    """Issue 27 item 7: Redis down is said in one line, never a traceback."""
    fail(_("The job queue (Redis) cannot be reached (%(reason)s): start it, then run the "
            "command again.", reason=type(error).__name__))  # fmt: skip


def _national_run(month: Month, as_json: bool, wait: bool) -> None:
    from redis.exceptions import RedisError

    if current_app.config.get("REDIS_URL"):
        try:
            redis_connection().ping()
        except RedisError as error:
            _queue_unreachable(error)
    try:
        run = start_generation_run(month, None, CLI)
    except DomainError as error:
        fail(error)
    run_id, asked = run.id, len(run.jobs)
    batch_id = run.jobs[0].batch_id
    _report_left_out(get_batch(batch_id))
    try:
        db.session.commit()  # in process, the jobs run here, one after the other
    except RedisError as error:  # gone since the ping: the jobs are given up, to run again
        _queue_unreachable(error)
    if current_app.config.get("REDIS_URL"):
        if not wait:
            figures = {"batch_id": batch_id, "run_id": run_id, "jobs": asked}
            click.echo(json.dumps(figures) if as_json else
                       _("run %(id)s: %(count)s jobs queued", id=run_id, count=asked))  # fmt: skip
            return
        click.echo(_("run %(id)s: %(count)s jobs on the payments queue; waiting for the "
                     "workers (flask --app wsgi worker)", id=run_id, count=asked),
                   err=True)  # fmt: skip
    progress = _follow(run_id)
    for job in progress.failed:
        click.echo(_("province %(code)s: %(state)s: %(error)s", code=job.job.scope_code,
                     state=label(JOB_STATE, job.state), error=job_error(job.job.error)),
                   err=True)  # fmt: skip
    batch = get_batch(batch_id)
    # interchange.md section 3: the national batch's own figures, then the run's.
    figures = {"batch_id": batch.id, "lines": batch.line_count,
               "total_amount": batch.total_amount, "run_id": run_id,
               "provinces": progress.done, "failed": len(progress.failed)}  # fmt: skip
    click.echo(json.dumps(figures) if as_json else f"batch {batch.id}: {figures}")
    if progress.failed:
        sys.exit(1)


def _report_left_out(batch) -> None:
    """Interchange section 3: a wider scope names on stderr the batches it leaves out."""
    for holder in batch_coverage(batch).left_out:
        click.echo(_("%(count)s communes left out: they are in %(batch)s", count=holder.communes,
                     batch=holder.name), err=True)  # fmt: skip


def _follow(run_id: int, poll_seconds: float = 1.0):
    """Wait for every job of the run to end, printing each one as it does."""
    reported: set[str] = set()
    while True:
        db.session.rollback()  # a fresh snapshot of the jobs table
        if give_up_lost_jobs():  # their workers were killed: failed, to run again
            db.session.commit()
        progress = run_progress(get_run(run_id))
        for job in progress.jobs:
            if job.finished and job.job.id not in reported:
                reported.add(job.job.id)
                click.echo(
                    f"{len(reported)}/{len(progress.jobs)} "
                    + _(
                        "province %(code)s: %(state)s, %(lines)s lines, %(amount)s",
                        code=job.job.scope_code,
                        state=label(JOB_STATE, job.state),
                        lines=job.job.line_count or 0,
                        amount=format_vnd(job.job.total_amount or 0),
                    ),
                    err=True,
                )
        if not progress.under_way:
            return progress
        time.sleep(poll_seconds)


@payments_cli.command("lock")
@click.argument("batch_id", type=int)
def lock_command(batch_id: int):
    """Freeze a batch: lines, totals and the SHA-256 of its CSV."""
    try:
        batch = lock_batch(batch_id, CLI)
    except DomainError as error:
        fail(error)
    db.session.commit()
    click.echo(_("batch %(id)s locked, SHA-256 %(sha)s", id=batch.id, sha=batch.csv_sha256))


@payments_cli.command("export")
@click.argument("batch_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(batch_id: int, fmt: str, out: Path):
    """Write the payment list of a batch (CSV per interchange.md section 3, or XLSX)."""
    try:
        batch = get_batch(batch_id)
    except DomainError as error:
        fail(error)
    if batch.status != "locked":
        # interchange.md section 3: an open batch is exported for checking, with a warning;
        # the file itself says DRAFT (PDF, XLSX), the CSV keeps the contract's columns.
        click.echo(_("warning: batch %(id)s is open: %(path)s is a draft, not for payment "
                     "(lock the batch for the file to send)", id=batch.id, path=out),
                   err=True)  # fmt: skip
    if fmt == "xlsx":
        write_xlsx(batch, out)
    elif fmt == "pdf":
        try:
            write_signature_sheets(batch, out)
        except DomainError as error:
            fail(error)
    else:
        with out.open("w", encoding="utf-8", newline="") as fh:
            for chunk in csv_chunks(batch):
                fh.write(chunk)
    click.echo(f"{out}: " + _("%(count)s lines", count=batch.line_count))


@payments_cli.command("reconcile")
@click.argument("batch_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def reconcile_command(batch_id: int, file: Path, as_json: bool):
    """Read the post office's result file for a locked batch."""
    try:
        result = reconcile_batch(
            batch_id, file, CLI, report=lambda row: click.echo(reported_row_message(row), err=True)
        )
    except DomainError as error:
        fail(error)
    db.session.commit()
    for code in result.suspended:
        click.echo(_("suspended (unpaid 3 batches in a row): %(code)s", code=code), err=True)
    if result.conflicts:
        click.echo(_("%(count)s row(s) contradict what the post office reported before: "
                     "nothing changed for them; the payment officer corrects a line on the "
                     "batch page", count=result.conflicts), err=True)  # fmt: skip
    summary = reconciliation_summary(get_batch(batch_id))

    def amount(status: str) -> int:
        return summary.by_status.get(status, (0, 0))[1]

    click.echo(
        _(
            "paid %(paid)s + unpaid %(unpaid)s + stopped %(stopped)s + not reported %(open)s "
            "= %(reported)s; batch total %(total)s; difference %(difference)s",
            paid=format_vnd(amount("paid")),
            unpaid=format_vnd(amount("unpaid")),
            stopped=format_vnd(amount("do_not_pay")),
            open=format_vnd(amount("open")),
            reported=format_vnd(summary.reported_total),
            total=format_vnd(summary.batch_total),
            difference=format_vnd(summary.difference),
        ),
        err=True,
    )
    figures = result.as_dict()
    click.echo(json.dumps(figures) if as_json else str(figures))
