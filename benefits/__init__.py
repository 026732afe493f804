"""The social-assistance benefits portal (cổng dịch vụ trợ giúp xã hội)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from benefits.config import load_settings
from benefits.extensions import babel, csrf, db, limiter, login_manager, migrate

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    from benefits.request_boundary import Portal

    app = Portal(
        __name__,
        instance_path=os.environ.get("INSTANCE_PATH") or str(PROJECT_ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder="static",
    )
    app.config.from_mapping(load_settings(app.instance_path))
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(PROJECT_ROOT / "translations")
    if overrides:
        app.config.update(overrides)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    from benefits import log_privacy

    log_privacy.install()  # no full ID number, no database detail in any log (decision 105)
    if app.config["PROXY_COUNT"]:
        # Behind the reverse proxies named in PROXY_COUNT, the citizen's address (for the
        # log-in limits and the audit log) is the one they forward (docs/scaling.md).
        from werkzeug.middleware.proxy_fix import ProxyFix

        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count)

    _refuse_unusable_input(app)
    _init_extensions(app)
    _register_request_transaction(app)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_security_headers(app)
    _register_cli(app)
    return app


def _init_extensions(app: Flask) -> None:
    from benefits.i18n import select_locale

    db.init_app(app)
    migrate.init_app(
        app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True, compare_type=True
    )
    babel.init_app(app, locale_selector=select_locale)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    from benefits.reports import reading

    reading.init_app(app)  # the reports' read-only engine, when configured
    _import_models()
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            _configure_sqlite(db.engine)


def _import_models() -> None:
    """Every module's models, so that the metadata (and Alembic) sees all tables."""
    import benefits.accounts.login  # noqa: F401  (registers the user loader)
    import benefits.accounts.models  # noqa: F401
    import benefits.api.models  # noqa: F401
    import benefits.cases.models  # noqa: F401
    import benefits.deaths.models  # noqa: F401
    import benefits.notify.models  # noqa: F401
    import benefits.payments.models  # noqa: F401
    import benefits.people.models  # noqa: F401
    import benefits.places.models  # noqa: F401
    import benefits.procedures.models  # noqa: F401
    import benefits.registry.models  # noqa: F401
    import benefits.reports.models  # noqa: F401
    import benefits.rules.models  # noqa: F401


def _configure_sqlite(engine) -> None:
    """Foreign keys on, and transactions that pysqlite does not reorder (savepoints work)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        conn.exec_driver_sql("BEGIN")


def _refuse_unusable_input(app: Flask) -> None:
    """First of all: control characters, out-of-range numbers, deep JSON (issue 29.1)."""
    from benefits.web import bad_input

    bad_input.init_app(app)


def _register_request_transaction(app: Flask) -> None:
    """One commit at the end of each request; a DomainError rolls back (decision 79)."""
    from benefits.web import transaction

    transaction.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """The access map of the portal: each blueprint with its policy, in one list."""
    # Its routes are on the officer's blueprint: the steps after checking (decision 78).
    import benefits.web.case_decisions  # noqa: F401
    import benefits.web.lifecycle  # noqa: F401  (issue 25: a record after its grant)
    from benefits.accounts.policy import require_role
    from benefits.api.views import api_bp
    from benefits.web.admin import admin_bp
    from benefits.web.auth import auth_bp
    from benefits.web.citizen import citizen_bp
    from benefits.web.officer import officer_bp
    from benefits.web.payments import payments_bp
    from benefits.web.public import public_bp
    from benefits.web.reports import reports_bp

    access = [
        (public_bp, None),  # anyone
        (auth_bp, None),  # anyone; the views that need a login say so
        (api_bp, None),  # system clients: bearer token per view
        (citizen_bp, ("citizen",)),
        (officer_bp, ("officer", "chairman")),
        (payments_bp, ("payment",)),
        (admin_bp, ("admin",)),
        (reports_bp, ("officer", "chairman", "admin")),
    ]
    for blueprint, roles in access:
        app.register_blueprint(blueprint)
        if roles:
            # On the app, keyed by blueprint: the module-level blueprint stays untouched.
            app.before_request_funcs.setdefault(blueprint.name, []).append(require_role(*roles))
    login_manager.login_view = "auth.login"
    _register_error_pages(app)


def _register_error_pages(app: Flask) -> None:
    from flask import render_template

    @app.errorhandler(404)
    def _not_found(_error):
        return render_template("errors/404.html"), 404

    @app.errorhandler(429)
    def _too_many(_error):
        return render_template("errors/429.html"), 429

    from flask_babel import gettext as _
    from flask_wtf.csrf import CSRFError

    @app.errorhandler(CSRFError)
    def _form_expired(_error):
        # A form from before a log-out (in another tab), a closed browser, a restart or a
        # phone restoring a tab: nothing was done; say so in the reader's language. Its
        # page again, with what was typed (decision 126), or a page with a link back.
        from benefits.web.expired_form import show_the_form_again

        again = show_the_form_again()
        if again is not None:
            return again
        return _back_to_the_form(
            _("The form had expired, so nothing was sent. Please fill it in and send it again."),
            "errors/form_expired.html", 400,
        )  # fmt: skip

    @app.errorhandler(413)
    def _too_large(error):
        from flask import request

        if request.blueprint == "api":
            from flask import jsonify

            # System clients read English JSON (interchange.md section 2: over 64 KiB).
            return jsonify({"error": "the body is too large"}), 413
        return _back_to_the_form(
            _(
                "The files are too large together: at most 10 MB each and 30 MB in all. Nothing "
                "was sent; please choose smaller files (a photo at lower quality, or fewer "
                "pages)."
            ),
            "errors/too_large.html", 413,
            limit=app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
        )  # fmt: skip


def _back_to_the_form(message: str, page: str, status: int, **context):
    """Back to the form the request came from, with ``message``, when its address shows
    one (GET); else ``page`` with a link back to the page it was sent from (a POST-only
    action: lock, check, ask for papers)."""
    from flask import flash, redirect, render_template, request

    if request.url_rule is not None and "GET" in (request.url_rule.methods or ()):
        flash(message, "error")
        return redirect(request.full_path if request.query_string else request.path)
    return render_template(page, back=_same_site_referrer(), **context), status


def _same_site_referrer() -> str | None:
    from flask import request

    referrer = request.referrer or ""
    return referrer if referrer.startswith(request.host_url) else None


def _register_template_helpers(app: Flask) -> None:
    from benefits.cases.models import STATUS_LABELS
    from benefits.i18n import (
        format_coefficient_pct,
        format_day,
        format_moment,
        format_month,
        format_months,
        format_number,
        format_vnd,
    )
    from benefits.labels import (
        AUDIT_OBJECT,
        BATCH_STATUS,
        BENEFICIARY_STATUS,
        JOB_STATE,
        LINE_KIND,
        LINE_STATUS,
        PAYMENT_METHOD,
        ROLE,
        audit_action,
        audit_action_choices,
        audit_changes,
        audit_object_choices,
        case_note,
        category_article,
        category_name,
        dossier_answers,
        job_error,
        label,
        overpayment_reason,
        place_name,
        procedure_name,
    )
    from benefits.payments.service import reported_row_message
    from benefits.people.national_id import mask_national_id
    from benefits.web.public import language_return_path

    app.jinja_env.filters.update(
        case_status=lambda status: STATUS_LABELS.get(status, status),
        beneficiary_status=lambda code: label(BENEFICIARY_STATUS, code),
        payment_method=lambda code: label(PAYMENT_METHOD, code),
        batch_status=lambda code: label(BATCH_STATUS, code),
        job_state=lambda code: label(JOB_STATE, code),
        job_error=job_error,
        line_status=lambda code: label(LINE_STATUS, code),
        line_kind=lambda code: label(LINE_KIND, code),
        audit_object=lambda code: label(AUDIT_OBJECT, code),
        role=lambda code: label(ROLE, code),
        category_name=category_name,
        procedure_name=procedure_name,
        category_article=category_article,
        place_name=place_name,
        overpayment_reason=overpayment_reason,
        case_note=case_note,
        audit_action=audit_action,
        audit_changes=audit_changes,
        dossier_answers=lambda case: dossier_answers(case.procedure_code, case.data),
        vnd=format_vnd,
        day=format_day,
        moment=format_moment,
        reported_row=reported_row_message,
        month=format_month,
        months=format_months,
        number=format_number,
        coefficient=format_coefficient_pct,
        masked_id=mask_national_id,
    )

    # Issue 25: the words of a record's life, declared beside their codes.
    from benefits.cases.effects import REQUESTS
    from benefits.registry.lifecycle import STOP_REASONS, SUSPEND_REASONS

    app.jinja_env.filters.update(
        decision_request=lambda code: label(REQUESTS, code),
        stop_reason=lambda code: label(STOP_REASONS, code),
        suspend_reason=lambda code: label(SUSPEND_REASONS, code),
    )
    # Issue 25 item 8: an overpayment's recovery (decision 172).
    from benefits.payments.recovery import OVERPAYMENT_STATUS, RECOVERY_KIND

    app.jinja_env.filters.update(
        overpayment_status=lambda code: label(OVERPAYMENT_STATUS, code),
        recovery_kind=lambda code: label(RECOVERY_KIND, code),
    )

    app.jinja_env.globals["audit_action_choices"] = audit_action_choices
    app.jinja_env.globals["audit_object_choices"] = audit_object_choices
    app.jinja_env.globals["language_return_path"] = language_return_path
    from benefits.web import form_errors

    form_errors.init_app(app)  # the page's one error summary (decision 125)

    @app.context_processor
    def _languages():
        from flask_babel import get_locale

        return {"current_locale": str(get_locale() or "vi"), "languages": app.config["LANGUAGES"]}


def _register_security_headers(app: Flask) -> None:
    csp = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    )

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", csp)
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        return response


def _register_cli(app: Flask) -> None:
    from benefits.cli import register_commands

    register_commands(app)
