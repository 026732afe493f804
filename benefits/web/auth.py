"""Register, log in, log out, change or reset a password."""

from __future__ import annotations

from datetime import timedelta

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from benefits.accounts.audit import Actor, record_audit, user_places
from benefits.accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    RegisterForm,
    ResetPasswordForm,
)
from benefits.accounts.password_reset import request_reset, user_of_token
from benefits.accounts.service import (
    CitizenRegistration,
    authenticate,
    change_password,
    login_name,
    national_id_in_use,
    password_fingerprint,
    password_problem,
    register_citizen,
    reset_password,
)
from benefits.accounts.sessions import end_login_session, login_session_is_live, open_login_session
from benefits.extensions import db, limiter
from benefits.web.public import _safe_next
from benefits.web.transaction import refusals_onto

auth_bp = Blueprint("auth", __name__)

LANDING = {"citizen": "citizen.home", "officer": "officer.home", "chairman": "officer.home",
           "payment": "payments.home", "admin": "admin.home"}  # fmt: skip


def request_actor() -> Actor:
    if current_user.is_authenticated:
        return Actor.user(current_user.id, request.remote_addr)
    return Actor("anonymous", None, request.remote_addr)


def _login_key() -> str:
    return "login:" + login_name(request.form.get("username") or "")


def _idle_limit() -> timedelta:
    return timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])


def _start_session(user) -> None:
    session.clear()  # a new session on login: no fixation
    session[SESSION_ID] = open_login_session(user, _idle_limit())
    db.session.commit()
    login_user(user)
    session[SESSION_CREDENTIAL] = password_fingerprint(user)


# The session remembers the password it was opened with: a new password (changed here or
# elsewhere, reset by link or at the desk) ends every other session (decision 68).
SESSION_CREDENTIAL = "credential"
# The server's record of this log-in: logging out or idling ends it (decision 72).
SESSION_ID = "sid"


def _end_here(message: str):
    logout_user()
    if request.endpoint in LOGGED_OUT_ONLY:
        # Someone logging in again from a page left open: their form goes through.
        session.pop(SESSION_ID, None)
        session.pop(SESSION_CREDENTIAL, None)
        return None
    session.clear()
    flash(message, "info")
    return redirect(url_for("auth.login"))


@auth_bp.before_app_request
def _session_still_open():
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None  # no account read for a stylesheet
    if session.get(SESSION_CREDENTIAL) != password_fingerprint(current_user):
        return _end_here(_("Your password was changed: log in again."))
    if not login_session_is_live(session.get(SESSION_ID), current_user, _idle_limit()):
        return _end_here(_("Your session has ended: log in again."))
    if db.session.dirty:  # marked seen
        db.session.commit()
    return None


LOGGED_OUT_ONLY = ("auth.register", "auth.login", "auth.forgot_password", "auth.reset_password")


# Where a user whose password must change may still go (decision 65).
WHILE_PASSWORD_MUST_CHANGE = ("auth.change_password", "auth.logout", "static",
                              "public.switch_language")  # fmt: skip


@auth_bp.before_app_request
def _password_must_change():
    if (
        request.endpoint not in WHILE_PASSWORD_MUST_CHANGE
        and current_user.is_authenticated
        and current_user.password_must_change
    ):
        flash(_("Choose your own password before you go on."), "info")
        return redirect(url_for("auth.change_password"))
    return None


@auth_bp.before_request
def _already_logged_in():
    # A logged-in person is not offered a second account or a second log-in: on they go.
    if current_user.is_authenticated and request.endpoint in LOGGED_OUT_ONLY:
        target = request.args.get("next")
        return redirect(_safe_next(target) if target else url_for(LANDING[current_user.role]))
    return None


@auth_bp.route("/register", methods=["GET", "POST"])
@limiter.limit("30 per hour", methods=["POST"])  # per address (decision 70)
def register():
    form = RegisterForm(id_in_use=national_id_in_use, password_problem=password_problem)
    if form.validate_on_submit():
        data = CitizenRegistration(
            full_name=form.full_name.data, date_of_birth=form.date_of_birth.data,
            sex=form.sex.data, national_id=form.national_id.data.strip(),
            phone=form.phone.data.strip(), email=(form.email.data or "").strip() or None,
            password=form.password.data,
        )  # fmt: skip
        with refusals_onto(form) as refused:
            user = register_citizen(data, request_actor(), locale=str(get_locale() or "vi"))
        if not refused:
            _start_session(user)
            flash(_("Your account is ready."), "success")
            return redirect(url_for("citizen.home"))
    return render_template("auth/register.html", form=form)


def _refused(response) -> bool:
    return response.status_code != 302  # a log-in that succeeded redirects


# Failed log-ins are limited per account, however its name is typed, and per address,
# so that one machine cannot try one password on many accounts (decision 70).
@auth_bp.route("/login", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", key_func=_login_key, methods=["POST"], deduct_when=_refused)
@limiter.limit("100 per 15 minutes", methods=["POST"], deduct_when=_refused)  # per address
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data, request_actor())
        db.session.commit()
        if user is not None:
            _start_session(user)
            target = request.args.get("next")
            return redirect(_safe_next(target) if target else url_for(LANDING[user.role]))
        form.password.errors.append(_("The ID number, email or password is not right."))
    return render_template("auth/login.html", form=form)


@auth_bp.post("/logout")
@login_required
def logout():
    record_audit(request_actor(), "account.logout", "user", current_user.id,
                 **user_places(current_user))  # fmt: skip
    end_login_session(session.get(SESSION_ID))
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You are logged out."), "success")
    return redirect(url_for("public.home"))


@auth_bp.route("/account/password", methods=["GET", "POST"], endpoint="change_password")
@login_required
def change_password_view():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        with refusals_onto(form, default="password") as refused:
            change_password(current_user, form.current.data, form.password.data, request_actor())
        if not refused:
            session[SESSION_CREDENTIAL] = password_fingerprint(current_user)  # this one goes on
            flash(_("Your password is changed."), "success")
            return redirect(url_for(LANDING[current_user.role]))
    return render_template("auth/password.html", form=form)


def _forgot_key() -> str:
    return "forgot:" + login_name(request.form.get("username") or "")


@auth_bp.route("/password/forgot", methods=["GET", "POST"], endpoint="forgot_password")
@limiter.limit("3 per hour", key_func=_forgot_key, methods=["POST"])
@limiter.limit("20 per hour", methods=["POST"])  # per address
def forgot_password_view():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        request_reset(form.username.data, request_actor())
        db.session.commit()
        # The same answer whether or not the account exists or has an email.
        flash(_("If this account has an email address, a link to choose a new password "
                "is on its way there. It works for one hour."), "success")  # fmt: skip
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


@auth_bp.route("/password/reset/<token>", methods=["GET", "POST"], endpoint="reset_password")
def reset_password_view(token):
    user = user_of_token(token)
    if user is None:
        return render_template("auth/reset_expired.html"), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        with refusals_onto(form, default="password") as refused:
            reset_password(user, form.password.data, Actor.user(user.id, request.remote_addr))
        if not refused:
            flash(_("Your password is changed. Log in with it."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset.html", form=form)
