"""The reports pages of commune staff (officers, chairman) and the province admin: the
dashboard, the half-year report forms 10a to 10d and the health-insurance list
(domain.md section 8). Every figure is scoped to the user's commune or province."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from benefits.errors import DomainError
from benefits.i18n import format_month, format_number
from benefits.jobs import enqueue
from benefits.labels import category_article
from benefits.month import Month
from benefits.places.calendar import vietnam_today
from benefits.reports import health_insurance
from benefits.reports.charts import bar_chart
from benefits.reports.csv_tables import table_csv
from benefits.reports.dashboard import build_dashboard
from benefits.reports.forms import RefreshForm
from benefits.reports.forms_data import compute_forms
from benefits.reports.forms_xlsx import file_name as forms_file_name
from benefits.reports.forms_xlsx import write_forms
from benefits.reports.half_year import HalfYear
from benefits.reports.scope import scope_of_user
from benefits.reports.tasks import refresh_province_job
from benefits.web.downloads import send_written_file

reports_bp = Blueprint("reports", __name__, url_prefix="/reports")


def _scope():
    return scope_of_user(current_user, request.args.get("commune"))


def _month_asked() -> Month | None:
    try:
        return Month.parse(request.args.get("month", "").strip())
    except ValueError:
        flash(_("Months are written YYYY-MM, for example 2025-03."), "error")
        return None


@reports_bp.get("/", endpoint="home")
def reports_home():
    scope = _scope()
    this_month = Month.of(vietnam_today())
    last_half = _half_to_report(this_month)
    board = build_dashboard(scope)
    charts = {
        "paid": bar_chart(
            [(format_month(row[0]), row[2]) for row in board.paid_by_month.rows], format_number
        ),
        "categories": bar_chart(
            [(category_article(row[0]), row[1]) for row in board.by_category.rows], format_number
        ),
    }
    return render_template(
        "reports/home.html", scope=scope, this_month=this_month, last_half=last_half,
        board=board, charts=charts, commune_arg=_commune_arg(scope),
        refresh_form=RefreshForm(),
    )  # fmt: skip


def _half_to_report(this_month: Month) -> HalfYear:
    """The half-year a report is due for now (TT02 Art 6): a commune's before 15 June and
    15 December, of the half then ending; a province's before 15 January and 15 July, of
    the half just ended."""
    current = HalfYear.of(this_month)
    return current if this_month.month in (6, 12) else current.previous()


def _commune_arg(scope) -> dict:
    """The ``commune`` of the address, kept by links and forms when an admin narrowed the
    page to one commune of the province."""
    return (
        {"commune": scope.commune_code}
        if scope.commune_code and not current_user.commune_code
        else {}
    )


@reports_bp.get("/dashboard/<name>.csv", endpoint="dashboard_csv")
def dashboard_csv(name: str):
    """One table of the dashboard, as the page shows it, in CSV."""
    scope = _scope()
    table = build_dashboard(scope).tables.get(name)
    if table is None:
        abort(404)
    return _csv_download(iter([table_csv(table)]), f"{name}-{scope.code}.csv")


@reports_bp.post("/dashboard/refresh", endpoint="refresh")
def refresh():
    """Ask for the province's summaries to be computed again (a job)."""
    scope = _scope()
    form = RefreshForm()
    if form.validate_on_submit():
        enqueue(refresh_province_job, scope.province_code, queue="default")
        flash(_("The figures are being computed again; reload the page in a minute."), "success")
    return redirect(url_for("reports.home", **_commune_arg(scope)))


def _csv_download(chunks, name: str) -> Response:
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",  # Werkzeug adds the charset (UTF-8)
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@reports_bp.get("/health-insurance.csv", endpoint="health_insurance")
def health_insurance_download():
    scope = _scope()
    month = _month_asked()
    if month is None:
        return redirect(url_for("reports.home"))
    return _csv_download(
        health_insurance.csv_chunks(month, scope), health_insurance.file_name(month, scope)
    )


@reports_bp.get("/forms.xlsx", endpoint="forms")
def forms_download():
    """The half-year report forms 10a to 10d of the user's commune or province."""
    scope = _scope()
    try:
        half = HalfYear.parse(request.args.get("year"), request.args.get("half"))
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("reports.home"))
    forms = compute_forms(half, scope)
    return send_written_file(lambda path: write_forms(forms, path), forms_file_name(forms))
