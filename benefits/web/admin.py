"""The province admin's pages: staff accounts, rule tables, the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from benefits.accounts.audit import seen_by_province_admin
from benefits.accounts.audit_words import audit_change_rows
from benefits.accounts.forms import StaffEditForm, StaffUserForm
from benefits.accounts.models import AuditEntry, User
from benefits.accounts.policy import permission_required
from benefits.accounts.service import create_staff_user
from benefits.accounts.staff import (
    StaffChange,
    deactivate_staff_user,
    reactivate_staff_user,
    send_staff_password_reset,
    staff_account,
    staff_of_province,
    update_staff_user,
)
from benefits.extensions import db
from benefits.i18n import portal_zone
from benefits.month import Month
from benefits.places.calendar import vietnam_today
from benefits.places.models import Commune
from benefits.rules.forms import StandardLevelForm
from benefits.rules.models import CoefficientRule, StandardLevel
from benefits.rules.service import add_standard_level
from benefits.web.auth import request_actor
from benefits.web.transaction import back_on_refusal, refusals_onto

admin_bp = Blueprint("admin", __name__, url_prefix="/admin")
# What an audit row changed, in words (decision 122).
admin_bp.add_app_template_filter(audit_change_rows, "audit_change_rows")


@admin_bp.get("/", endpoint="home")
def admin_home():
    return render_template("admin/home.html", users=staff_of_province(current_user.province_code))


def _province_communes() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Commune.code, Commune.name)
        .where(Commune.province_code == current_user.province_code)
        .order_by(Commune.code)
    ).all()
    return [tuple(row) for row in rows]


@admin_bp.route("/users/new", methods=["GET", "POST"])
@permission_required("users.manage")
def new_user():
    form = StaffUserForm(communes=_province_communes())
    if form.validate_on_submit():
        with refusals_onto(form, default="email") as refused:
            create_staff_user(
                form.role.data, form.email.data, form.full_name.data, form.password.data,
                request_actor(), commune_code=form.commune.data or None,
                province_code=current_user.province_code,
            )  # fmt: skip
        if not refused:
            flash(_("The account is created."), "success")
            return redirect(url_for("admin.home"))
    return render_template("admin/new_user.html", form=form)


def _staff_in_scope(user_id: int) -> User:
    # Another province's account, or a citizen's, is a NotFound: the 404 page.
    return staff_account(user_id, current_user.province_code)


@admin_bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@permission_required("users.manage")
def edit_user(user_id: int):
    """A staff account: its particulars, role and commune, its last log-in, and the
    buttons that deactivate it or send it a password reset (decision 120)."""
    user = _staff_in_scope(user_id)
    form = StaffEditForm(obj=user, data={"commune": user.commune_code or ""},
                         communes=_province_communes())  # fmt: skip
    if form.validate_on_submit():
        change = StaffChange(form.full_name.data, form.email.data, form.role.data,
                             form.commune.data or None)  # fmt: skip
        with refusals_onto(form, default="email") as refused:
            changed = update_staff_user(user, change, current_user, request_actor())
        if not refused:
            flash(_("The account is changed.") if changed else _("Nothing was changed."),
                  "success" if changed else "info")  # fmt: skip
            return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user.html", user=user, form=form)


@admin_bp.post("/users/<int:user_id>/deactivate")
@permission_required("users.manage")
def deactivate_user(user_id: int):
    user = _staff_in_scope(user_id)
    page = back_on_refusal(url_for("admin.edit_user", user_id=user.id))
    if deactivate_staff_user(user, current_user, request_actor()):
        flash(_("The account is deactivated: it can no longer log in, and its open "
                "sessions have ended."), "success")  # fmt: skip
    return redirect(page)


@admin_bp.post("/users/<int:user_id>/reactivate")
@permission_required("users.manage")
def reactivate_user(user_id: int):
    user = _staff_in_scope(user_id)
    if reactivate_staff_user(user, request_actor()):
        flash(_("The account is active again: it can log in with its password."), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@admin_bp.post("/users/<int:user_id>/password-reset")
@permission_required("users.manage")
def send_password_reset(user_id: int):
    user = _staff_in_scope(user_id)
    page = back_on_refusal(url_for("admin.edit_user", user_id=user.id))
    send_staff_password_reset(user, request_actor())
    flash(_("A link to choose a new password is on its way to %(email)s. It works for one "
            "hour.", email=user.email), "success")  # fmt: skip
    return redirect(page)


@admin_bp.route("/rules", methods=["GET", "POST"])
@permission_required("rules.edit")
def rules():
    form = StandardLevelForm()
    if form.validate_on_submit():
        with refusals_onto(form, default="amount") as refused:
            add_standard_level(current_user.province_code, Month.parse(form.month.data),
                               form.amount.data, form.legal_basis.data, request_actor(),
                               Month.of(vietnam_today()))  # fmt: skip
        if not refused:
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
    # The admin's province, and what is national (decision 74); the account of a citizen,
    # which belongs to no province, and a draft, are no other province admin's to read.
    query = select(AuditEntry).where(seen_by_province_admin(current_user.province_code))
    for name, column in (
        ("object_type", AuditEntry.object_type),
        ("object_id", AuditEntry.object_id),
        ("action", AuditEntry.action),
    ):
        if value := request.args.get(name, "").strip():
            query = query.where(column == value)
    if actor := request.args.get("actor", "").strip():
        # A staff member by their e-mail, or any actor by its label ("cli", "user:12").
        by_email = select(User.id).where(User.email == actor.lower())
        query = query.where((AuditEntry.actor_label == actor) | AuditEntry.actor_id.in_(by_email))
    for name, op in (("since", "ge"), ("until", "le")):
        if value := request.args.get(name, "").strip():
            try:
                day = date.fromisoformat(value)
            except ValueError:
                flash(_("Dates are written YYYY-MM-DD."), "error")
                continue
            # Days of the portal's time zone; "To" a day includes that whole day.
            start = datetime.combine(
                day if op == "ge" else day + timedelta(days=1), time.min, tzinfo=portal_zone()
            ).astimezone(UTC)
            query = query.where(AuditEntry.at >= start if op == "ge" else AuditEntry.at < start)
    if before := request.args.get("before", type=int):
        query = query.where(AuditEntry.id < before)
    rows = db.session.execute(
        query.add_columns(User.full_name, User.email, User.national_id)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.id.desc())
        .limit(AUDIT_PAGE)
    ).all()
    older = None
    if len(rows) == AUDIT_PAGE:
        older = url_for("admin.audit", **{**request.args.to_dict(), "before": rows[-1][0].id})
    return render_template("admin/audit.html", rows=rows, older=older)
