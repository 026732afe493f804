"""The payment officer's pages: generation runs and their progress, batches, their
checks, their downloads, their lock and the post office's result."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from benefits.accounts.policy import commune_filter, permission_required
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.export import csv_chunks, export_name, write_xlsx
from benefits.payments.forms import (
    CorrectLineForm,
    EmptyBatchForm,
    GenerateForm,
    LockForm,
    ReconcileForm,
)
from benefits.payments.models import PaymentBatch, PaymentRun, ReconciliationReport
from benefits.payments.queries import (
    LINES_PAGE,
    conflicts_waiting,
    difference_with_last_month,
    fetch_batch_lines,
    lines_of_people_now_suspended,
    overpayments_to_recover,
    reconciliation_summary,
    run_checks,
)
from benefits.payments.runs import (
    place_names,
    rerun_job,
    run_progress,
    start_commune_generation,
    start_generation_run,
)
from benefits.payments.service import (
    correct_line,
    empty_batch,
    keep_reconciliation_report,
    lock_batch,
    reconcile_batch,
    reported_word,
)
from benefits.payments.signature_sheets import write_signature_sheets
from benefits.places.calendar import vietnam_today
from benefits.places.models import Commune
from benefits.web.auth import request_actor
from benefits.web.transaction import back_on_refusal, refusals_onto

payments_bp = Blueprint("payments", __name__, url_prefix="/payments")


def _in_scope(scope_kind_column, scope_code_column):
    """The batches or runs of the officer's commune, or of their province's communes and
    the province itself for a province payment officer."""
    scope = (scope_kind_column == "commune") & commune_filter(current_user, scope_code_column)
    if not current_user.commune_code:  # a province payment officer
        scope |= (scope_kind_column == "province") & (
            scope_code_column == current_user.province_code
        )
    return scope


def _latest_month() -> Month:
    return Month.of(vietnam_today()) + 1


def _last_locked_month() -> Month | None:
    """The latest month of a locked batch the officer's page lists."""
    return db.session.scalar(
        select(func.max(PaymentBatch.month)).where(
            _in_scope(PaymentBatch.scope_kind, PaymentBatch.scope_code),
            PaymentBatch.status == "locked",
        )
    )


def _offered_month() -> Month:
    """The month the form offers (decision 162): next month (a batch is made in the month
    before the one it pays, domain.md section 6), or, once a batch is locked, the month
    after the latest locked, so that the page moves on after a lock."""
    last_locked = _last_locked_month()
    return last_locked + 1 if last_locked is not None else _latest_month()


def _home(form: GenerateForm, earlier_than: Month | None = None):
    batches = db.session.scalars(
        select(PaymentBatch)
        .where(_in_scope(PaymentBatch.scope_kind, PaymentBatch.scope_code))
        .order_by(PaymentBatch.month.desc())
        .limit(100)
    ).all()
    runs = db.session.scalars(
        select(PaymentRun)
        .where(_in_scope(PaymentRun.scope_kind, PaymentRun.scope_code))
        .order_by(PaymentRun.id.desc())
        .limit(10)
    ).all()
    names = place_names(runs)
    offered = _offered_month()
    return render_template(
        "payments/home.html", batches=batches, form=form, latest=offered,
        not_before=offered - 1 if offered > _latest_month() else None,
        earlier_than=earlier_than, runs=[run_progress(run, names) for run in runs],
    )  # fmt: skip


@payments_bp.get("/", endpoint="home")
def payments_home():
    return _home(GenerateForm(data={"month": str(_offered_month())}))


@payments_bp.post("/runs", endpoint="start_run")
@permission_required("payments.manage")
def start_run():
    form = GenerateForm()
    if form.validate_on_submit():
        last_locked = _last_locked_month()
        if last_locked is not None and form.parsed < last_locked and not form.confirm_earlier.data:
            # Decision 162: a month earlier than one already locked is asked again first;
            # nothing is generated until the officer confirms.
            return _home(form, earlier_than=last_locked), 409
        # The jobs are queued (or, without Redis, run) once the request commits.
        with refusals_onto(form, default="month") as refused:
            if current_user.commune_code:
                run = start_commune_generation(
                    form.parsed, current_user.commune_code, request_actor()
                )
            else:
                run = start_generation_run(
                    form.parsed, [current_user.province_code], request_actor()
                )
        if not refused:
            flash(_("The generation has started."), "success")
            return redirect(url_for("payments.run_detail", run_id=run.id))
    return _home(form)


def _scope_visible(scope_kind: str, scope_code: str | None) -> bool:
    if scope_kind == "commune":
        return bool(
            db.session.scalar(
                select(Commune.code).where(
                    Commune.code == scope_code, commune_filter(current_user, Commune.code)
                )
            )
        )
    if scope_kind == "province":
        return not current_user.commune_code and scope_code == current_user.province_code
    return False  # a national run is followed from the CLI


def _visible_or_404(model: type[PaymentRun] | type[PaymentBatch], id_: int):
    """A run or batch the officer may see, or 404 (a batch of another scope is unknown)."""
    found = db.session.get(model, id_)
    if found is None or not _scope_visible(found.scope_kind, found.scope_code):
        abort(404)
    return found


@payments_bp.get("/runs/<int:run_id>")
def run_detail(run_id: int):
    run = _visible_or_404(PaymentRun, run_id)
    return render_template("payments/run.html", progress=run_progress(run))


@payments_bp.post("/runs/<int:run_id>/jobs/<job_id>/rerun", endpoint="rerun_job")
@permission_required("payments.manage")
def rerun(run_id: int, job_id: str):
    run = _visible_or_404(PaymentRun, run_id)
    job = next((job for job in run.jobs if job.id == job_id), None)
    if job is None:
        abort(404)
    page = back_on_refusal(url_for("payments.run_detail", run_id=run_id))
    rerun_job(job, request_actor())
    flash(_("The batch of %(scope)s is being generated again.", scope=job.scope_code),
          "success")  # fmt: skip
    return redirect(page)


@payments_bp.get("/batches/<int:batch_id>")
def batch_detail(batch_id: int):
    batch = _visible_or_404(PaymentBatch, batch_id)
    # The report of a result file just sent (decision 77); only one of this batch.
    report = None
    if report_id := request.args.get("report", type=int):
        report = db.session.scalar(
            select(ReconciliationReport).where(
                ReconciliationReport.id == report_id, ReconciliationReport.batch_id == batch.id
            )
        )
    return _batch_page(batch, report=report, after_line_no=request.args.get("after", 0, int))


def _batch_page(
    batch: PaymentBatch,
    *,
    lock_form=None,
    empty_form=None,
    reconcile_form=None,
    correct_form=None,
    report: ReconciliationReport | None = None,
    status: int = 200,
    after_line_no: int = 0,
):
    """The batch with its checks, its difference with last month and, once locked, what
    the post office reported; the form its state calls for (lock, or reconcile)."""
    if batch.status == "open":
        # A batch with no line is never locked (decision 162): no form, the page says why.
        lock_form = lock_form or (LockForm() if batch.line_count else None)
        empty_form = empty_form or (EmptyBatchForm() if batch.line_count else None)
    else:
        reconcile_form = reconcile_form or ReconcileForm()
        correct_form = correct_form or CorrectLineForm()
    lines = fetch_batch_lines(batch, after_line_no)
    page = render_template(
        "payments/batch.html", batch=batch, checks=run_checks(batch),
        diff=difference_with_last_month(batch),
        reconciliation=reconciliation_summary(batch) if batch.status == "locked" else None,
        suspended=lines_of_people_now_suspended(batch),
        overpayments=overpayments_to_recover(batch),
        lock_form=lock_form, empty_form=empty_form, reconcile_form=reconcile_form,
        correct_form=correct_form,
        conflicts=conflicts_waiting(batch) if batch.status == "locked" else [],
        reported_word=reported_word,
        report=report, lines=lines, after_line_no=after_line_no,
        next_after=lines[-1].line_no if len(lines) == LINES_PAGE else None,
    )  # fmt: skip
    return page, status


@payments_bp.post("/batches/<int:batch_id>/empty", endpoint="empty_batch")
@permission_required("payments.manage")
def empty(batch_id: int):
    batch = _visible_or_404(PaymentBatch, batch_id)
    form = EmptyBatchForm()
    if not form.validate_on_submit():
        return _batch_page(batch, empty_form=form, status=400)
    page = back_on_refusal(url_for("payments.batch_detail", batch_id=batch_id))
    empty_batch(batch.id, request_actor())
    flash(_("The batch is empty: its months are due again."), "success")
    return redirect(page)


@payments_bp.post("/batches/<int:batch_id>/lock", endpoint="lock_batch")
@permission_required("payments.manage")
def lock(batch_id: int):
    batch = _visible_or_404(PaymentBatch, batch_id)
    form = LockForm()
    if not form.validate_on_submit():
        return _batch_page(batch, lock_form=form, status=400)
    page = back_on_refusal(url_for("payments.batch_detail", batch_id=batch_id))
    lock_batch(batch.id, request_actor())
    flash(_("The batch is locked: it can be sent to the post office."), "success")
    return redirect(page)


# The rows of a result file that match no line, listed on the page (all are counted).


@payments_bp.post("/batches/<int:batch_id>/reconcile", endpoint="reconcile_batch")
@permission_required("payments.manage")
def reconcile(batch_id: int):
    batch = _visible_or_404(PaymentBatch, batch_id)
    form = ReconcileForm()
    if not form.validate_on_submit():
        return _batch_page(batch, reconcile_form=form, status=400)
    reported: list[dict] = []
    fd, path = tempfile.mkstemp(suffix=".csv")
    os.close(fd)
    try:
        form.result_file.data.save(path)
        with refusals_onto(form, default="result_file") as refused:
            result = reconcile_batch(batch.id, Path(path), request_actor(), reported.append)
            report = keep_reconciliation_report(batch.id, result, reported, request_actor())
    finally:
        os.unlink(path)
    if refused:
        return _batch_page(batch, reconcile_form=form, status=400)
    flash(
        _("Recorded: %(paid)s paid, %(unpaid)s unpaid, %(unknown)s row(s) matching no line.",
          paid=result.paid, unpaid=result.unpaid, unknown=result.unknown),
        "success" if not result.unknown else "warning",
    )  # fmt: skip
    if result.conflicts:
        flash(_("%(count)s row(s) contradict what the post office reported before: nothing "
                "was changed for them; they are listed below for correction.",
                count=result.conflicts), "warning")  # fmt: skip
    # After the post, a page to reload: the file is not sent again (decision 77).
    anchor = "#reported" if report.rows else "#reconciliation"
    return redirect(url_for("payments.batch_detail", batch_id=batch.id, report=report.id) + anchor)


@payments_bp.post("/batches/<int:batch_id>/correct", endpoint="correct_line")
@permission_required("payments.manage")
def correct(batch_id: int):
    """The officer corrects what the post office reported of a line, with a reason."""
    batch = _visible_or_404(PaymentBatch, batch_id)
    form = CorrectLineForm()
    if not form.validate_on_submit():
        return _batch_page(batch, correct_form=form, status=400)
    with refusals_onto(form, default="line_no") as refused:
        line = correct_line(batch.id, form.line_no.data, form.status.data, form.paid_on.data,
                            form.reason.data, request_actor())  # fmt: skip
    if refused:
        return _batch_page(batch, correct_form=form, status=400)
    flash(_("Line %(line_no)s is corrected.", line_no=line.line_no), "success")
    return redirect(url_for("payments.batch_detail", batch_id=batch.id) + "#conflicts")


def _send_written_file(write, download_name: str, mimetype: str | None = None):
    """Send a file that ``write(path)`` makes, leaving nothing behind on disk: the file is
    unlinked as soon as it is open, and the open handle is streamed, then closed."""
    fd, path = tempfile.mkstemp(suffix=Path(download_name).suffix)
    os.close(fd)
    try:
        write(path)
        handle = open(path, "rb")  # noqa: SIM115 - send_file closes it after the response
    finally:
        os.unlink(path)
    return send_file(handle, as_attachment=True, download_name=download_name, mimetype=mimetype)


@payments_bp.get("/batches/<int:batch_id>/export.<fmt>")
def batch_export(batch_id: int, fmt: str):
    batch = _visible_or_404(PaymentBatch, batch_id)
    # An open batch's files are drafts: their names end in -draft (decision 82).
    if fmt == "csv":
        return Response(
            stream_with_context(csv_chunks(batch)),
            mimetype="text/csv",  # Werkzeug adds the charset (UTF-8)
            headers={
                "Content-Disposition": f"attachment; filename={export_name(batch, 'list.csv')}"
            },
        )
    if fmt == "xlsx":
        return _send_written_file(
            lambda path: write_xlsx(batch, path), export_name(batch, "list.xlsx")
        )
    if fmt == "pdf":
        try:
            return _send_written_file(
                lambda path: write_signature_sheets(batch, path),
                export_name(batch, "sheets.pdf"),
                mimetype="application/pdf",
            )
        except DomainError as error:  # the font is missing on this server
            flash(error.message, "error")
            return redirect(url_for("payments.batch_detail", batch_id=batch.id))
    abort(404)


@payments_bp.context_processor
def _batch_coverage():
    """The batch page's communes held and left out (interchange.md section 3)."""
    from benefits.payments.coverage import batch_coverage

    return {"batch_coverage": batch_coverage}
