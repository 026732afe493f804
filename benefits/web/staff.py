"""Staff pages: the officer's (and chairman's) queue, payments, the province admin."""

from __future__ import annotations

import tempfile
from datetime import date, datetime

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
from sqlalchemy import select

from benefits.accounts.forms import StaffUserForm
from benefits.accounts.models import AuditEntry, User
from benefits.accounts.policy import commune_filter, has_permission, permission_required
from benefits.accounts.service import AccountError, create_staff_user
from benefits.cases.models import Case
from benefits.cases.queries import deadline_flag, fetch_commune_queue
from benefits.cases.service import request_supplement, start_checking
from benefits.deaths.forms import RecordDeathForm
from benefits.deaths.linked_dossier import accept_linked_death_dossier
from benefits.deaths.models import DeathRecord
from benefits.deaths.service import DeathReport, record_death
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.export import csv_chunks, write_xlsx
from benefits.payments.models import Overpayment, PaymentBatch, PaymentLine
from benefits.payments.queries import difference_with_last_month, run_checks
from benefits.places.models import Commune
from benefits.registry.models import Beneficiary
from benefits.registry.queries import PAGE as REGISTRY_PAGE
from benefits.registry.queries import search_beneficiaries
from benefits.rules.entitlement import EntitlementInput, RuleBook, entitlement_for
from benefits.rules.forms import StandardLevelForm
from benefits.rules.models import CoefficientRule, StandardLevel
from benefits.rules.service import add_standard_level
from benefits.web.auth import request_actor
from benefits.web.uploads import send_case_attachment

officer_bp = Blueprint("officer", __name__, url_prefix="/officer")
payments_bp = Blueprint("payments", __name__, url_prefix="/payments")
admin_bp = Blueprint("admin", __name__, url_prefix="/admin")


@officer_bp.get("/", endpoint="home")
def officer_home():
    today = date.today()
    cases = fetch_commune_queue(commune_filter(current_user, Case.commune_code))
    return render_template(
        "officer/home.html", cases=cases, flags={c.id: deadline_flag(c, today) for c in cases}
    )


def _case_in_scope(code: str) -> Case:
    case = db.session.scalar(
        select(Case).where(Case.code == code, commune_filter(current_user, Case.commune_code))
    )
    if case is None:
        abort(404)
    return case


@officer_bp.get("/cases/<code>")
def case_detail(code: str):
    return render_template("officer/case.html", case=_case_in_scope(code))


@officer_bp.post("/cases/<code>/supplement")
@permission_required("case.check")
def case_request_supplement(code: str):
    case = _case_in_scope(code)
    message = (request.form.get("message") or "").strip()
    if not message:
        flash(_("Say which papers are missing."), "error")
    else:
        try:
            request_supplement(case, message[:2000], request_actor())
            db.session.commit()
            flash(_("The request is sent to the applicant."), "success")
        except DomainError as error:
            db.session.rollback()
            flash(error.message, "error")
    return redirect(url_for("officer.case_detail", code=case.code))


@officer_bp.post("/cases/<code>/check")
@permission_required("case.check")
def case_start_checking(code: str):
    case = _case_in_scope(code)
    try:
        start_checking(case, request_actor())
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("officer.case_detail", code=case.code))


@officer_bp.post("/cases/<code>/accept-death")
@permission_required("case.check")
def case_accept_death(code: str):
    case = _case_in_scope(code)
    try:
        accept_linked_death_dossier(case, request_actor(), date.today())
        db.session.commit()
        flash(_("The death is recorded."), "success")
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    return redirect(url_for("officer.case_detail", code=case.code))


@officer_bp.get("/cases/<code>/attachments/<int:attachment_id>")
def case_attachment(code: str, attachment_id: int):
    return send_case_attachment(_case_in_scope(code), attachment_id)


@officer_bp.get("/registry")
@permission_required("registry.read")
def registry():
    found = search_beneficiaries(
        commune_filter(current_user, Beneficiary.commune_code),
        request.args.get("q", ""),
        request.args.get("after", type=int),
    )
    after = found[-1].id if len(found) == REGISTRY_PAGE else None
    return render_template("officer/registry.html", beneficiaries=found, after=after)


@officer_bp.get("/registry/<code>")
@permission_required("registry.read")
def beneficiary(code: str):
    found = db.session.scalar(
        select(Beneficiary).where(
            Beneficiary.code == code, commune_filter(current_user, Beneficiary.commune_code)
        )
    )
    if found is None:
        abort(404)
    rules = RuleBook.load(db.session)
    person = EntitlementInput.of(found)
    this_month = Month.of(date.today())
    months = [
        (m, entitlement_for(person, m, rules)) for m in (this_month - 12).until(this_month + 3)
    ]
    lines = db.session.scalars(
        select(PaymentLine).where(PaymentLine.beneficiary_id == found.id).order_by(
            PaymentLine.id.desc()).limit(24)
    ).all()  # fmt: skip
    overpayments = db.session.scalars(
        select(Overpayment).where(Overpayment.beneficiary_id == found.id)
    ).all()
    audit = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.object_type == "beneficiary", AuditEntry.object_id == found.code)
        .order_by(AuditEntry.id.desc())
        .limit(50)
    ).all()
    return render_template("officer/beneficiary.html", beneficiary=found, months=months,
                           lines=lines, overpayments=overpayments, audit=audit)  # fmt: skip


@officer_bp.route("/deaths", methods=["GET", "POST"])
@permission_required("registry.read")
def deaths():
    """Record a death by hand (same engine as the civil registry) and review duplicates."""
    form = RecordDeathForm()
    if request.method == "POST" and not has_permission(current_user, "case.check"):
        abort(404)
    if form.validate_on_submit():
        report = DeathReport(
            registration_number=form.registration_number.data.strip(),
            national_id=form.national_id.data.strip(), full_name=form.full_name.data.strip(),
            date_of_death=form.date_of_death.data, registered_on=form.registered_on.data,
            commune_code=current_user.commune_code,
            declarant={"full_name": form.declarant_name.data.strip(),
                       "national_id": form.declarant_national_id.data.strip(),
                       "relationship": (form.declarant_relationship.data or "").strip() or None},
        )  # fmt: skip
        try:
            record, _created = record_death(report, request_actor(), "officer", date.today())
            db.session.commit()
        except DomainError as error:
            db.session.rollback()
            form.registration_number.errors.append(error.message)
        else:
            funeral = (record.response or {}).get("funeral_allowance")
            flash(_("The death is recorded.") + (f" {funeral['case_code']}" if funeral else ""),
                  "success")  # fmt: skip
            return redirect(url_for("officer.deaths"))
    records = db.session.scalars(
        select(DeathRecord)
        .where(commune_filter(current_user, DeathRecord.commune_code))
        .order_by(DeathRecord.id.desc())
        .limit(100)
    ).all()
    return render_template("officer/deaths.html", form=form, records=records)


@payments_bp.get("/", endpoint="home")
def payments_home():
    scope = (PaymentBatch.scope_kind == "commune") & commune_filter(
        current_user, PaymentBatch.scope_code
    )
    if not current_user.commune_code:  # a province payment officer
        scope |= (PaymentBatch.scope_kind == "province") & (
            PaymentBatch.scope_code == current_user.province_code
        )
    batches = db.session.scalars(
        select(PaymentBatch).where(scope).order_by(PaymentBatch.month.desc()).limit(100)
    ).all()
    return render_template("payments/home.html", batches=batches)


def _batch_in_scope(batch_id: int) -> PaymentBatch:
    batch = db.session.get(PaymentBatch, batch_id)
    if batch is None:
        abort(404)
    if batch.scope_kind == "commune":
        visible = db.session.scalar(
            select(Commune.code).where(
                Commune.code == batch.scope_code, commune_filter(current_user, Commune.code)
            )
        )
    else:
        visible = not current_user.commune_code and batch.scope_code == current_user.province_code
    if not visible:
        abort(404)
    return batch


@payments_bp.get("/batches/<int:batch_id>")
def batch_detail(batch_id: int):
    batch = _batch_in_scope(batch_id)
    return render_template("payments/batch.html", batch=batch, checks=run_checks(batch),
                           diff=difference_with_last_month(batch))  # fmt: skip


@payments_bp.get("/batches/<int:batch_id>/export.<fmt>")
def batch_export(batch_id: int, fmt: str):
    batch = _batch_in_scope(batch_id)
    name = f"chi-tra-{batch.month}-{batch.scope_code}"
    if fmt == "csv":
        return Response(
            stream_with_context(csv_chunks(batch)),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename={name}.csv"},
        )
    if fmt == "xlsx":
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as tmp:
            write_xlsx(batch, tmp.name)
        return send_file(tmp.name, as_attachment=True, download_name=f"{name}.xlsx")
    abort(404)


@admin_bp.get("/", endpoint="home")
def admin_home():
    users = db.session.scalars(
        select(User)
        .where(User.role != "citizen", User.province_code == current_user.province_code)
        .order_by(User.role, User.full_name)
    ).all()
    return render_template("admin/home.html", users=users)


@admin_bp.route("/users/new", methods=["GET", "POST"])
@permission_required("users.manage")
def new_user():
    form = StaffUserForm()
    if form.validate_on_submit():
        try:
            create_staff_user(
                form.role.data, form.email.data, form.full_name.data, form.password.data,
                request_actor(), commune_code=form.commune.data or None,
                province_code=current_user.province_code,
            )  # fmt: skip
        except AccountError as error:
            getattr(form, error.field or "email", form.email).errors.append(error.message)
        else:
            db.session.commit()
            flash(_("The account is created."), "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/new_user.html", form=form)


@admin_bp.route("/rules", methods=["GET", "POST"])
@permission_required("rules.edit")
def rules():
    form = StandardLevelForm()
    if form.validate_on_submit():
        try:
            add_standard_level(current_user.province_code, Month.parse(form.month.data),
                               form.amount.data, form.legal_basis.data, request_actor(),
                               Month.of(date.today()))  # fmt: skip
        except DomainError as error:
            getattr(form, error.field or "amount").errors.append(error.message)
        else:
            db.session.commit()
            flash(_("The new level is recorded."), "success")
            return redirect(url_for("admin.rules"))
    levels = db.session.scalars(
        select(StandardLevel)
        .where(
            (StandardLevel.province_code.is_(None))
            | (StandardLevel.province_code == current_user.province_code)
        )
        .order_by(StandardLevel.effective_month)
    ).all()
    coefficients = db.session.scalars(
        select(CoefficientRule).order_by(CoefficientRule.category_code, CoefficientRule.min_age)
    ).all()
    return render_template("admin/rules.html", form=form, levels=levels,
                           coefficients=coefficients)  # fmt: skip


AUDIT_PAGE = 50


@admin_bp.get("/audit")
@permission_required("audit.read")
def audit():
    """The audit log of the admin's province, newest first, keyset-paginated."""
    query = select(AuditEntry).where(
        (AuditEntry.commune_code.is_(None)) | commune_filter(current_user, AuditEntry.commune_code)
    )
    for name, column in (("object_type", AuditEntry.object_type),
                         ("object_id", AuditEntry.object_id), ("action", AuditEntry.action),
                         ("actor", AuditEntry.actor_label)):  # fmt: skip
        if value := request.args.get(name, "").strip():
            query = query.where(column == value)
    for name, op in (("since", "ge"), ("until", "le")):
        if value := request.args.get(name, "").strip():
            try:
                day = datetime.fromisoformat(value)
            except ValueError:
                flash(_("Dates are written YYYY-MM-DD."), "error")
                continue
            query = query.where(AuditEntry.at >= day if op == "ge" else AuditEntry.at <= day)
    if before := request.args.get("before", type=int):
        query = query.where(AuditEntry.id < before)
    entries = db.session.scalars(query.order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)).all()
    older = None
    if len(entries) == AUDIT_PAGE:
        older = url_for("admin.audit", **{**request.args.to_dict(), "before": entries[-1].id})
    return render_template("admin/audit.html", entries=entries, older=older)
