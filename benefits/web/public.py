"""Pages anyone may see: the home page, the language switch, the health check."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import text

from benefits.extensions import db
from benefits.i18n import LANGUAGE_COOKIE
from benefits.request_boundary import roll_back_the_request

public_bp = Blueprint("public", __name__)


@public_bp.get("/")
def home():
    return render_template("public/home.html")


def _safe_next(target: str | None) -> str:
    """Only a path on this site: the switch must not become an open redirect."""
    if not target:
        return url_for("public.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return url_for("public.home")
    return target


def language_return_path() -> str:
    """Where the language links bring the reader back: the page being read. A page shown
    in answer to a form (a POST) is read again by GET where its address answers GET, and
    otherwise from the page the form was on; a POST is never replayed."""
    if request.method == "GET":
        return request.full_path if request.query_string else request.path
    if request.url_rule is not None and "GET" in (request.url_rule.methods or ()):
        return request.path
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("public.home")


@public_bp.get("/procedures")
def procedures():
    from flask_babel import get_locale

    from benefits.procedures.catalogue import PROCEDURES

    return render_template("public/procedures.html", procedures=PROCEDURES,
                           locale=str(get_locale() or "vi"))  # fmt: skip


@public_bp.get("/language/<code>")
def switch_language(code: str):
    response = redirect(_safe_next(request.args.get("next")))
    if code in current_app.config["LANGUAGES"]:
        if current_user.is_authenticated and current_user.locale != code:
            current_user.locale = code  # remembered on the account (notifications use it)
        response.set_cookie(
            LANGUAGE_COOKIE,
            code,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="Lax",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
    return response


@public_bp.get("/healthz")
def healthz():
    """200 while the portal serves: with Redis down its jobs run in process and the
    notifications wait in the outbox, so the queue is only ``degraded`` (issue 29.2);
    503 when the database does not answer."""
    database = _database_answers()
    queue = _queue_answers()
    answer = {
        "status": ("ok" if queue else "degraded") if database else "down",
        "database": "ok" if database else "down",
        "queue": "ok" if queue else "degraded",
    }
    if database:
        from benefits.notify.outbox import pending_count

        answer["notifications_waiting"] = pending_count()
    return jsonify(answer), 200 if database else 503


def _database_answers() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:
        roll_back_the_request()  # nothing to commit on a database that does not answer
        return False


def _queue_answers() -> bool:
    if not current_app.config.get("REDIS_URL"):
        return True  # jobs run in process: nothing else has to answer
    try:
        from benefits.jobs import redis_connection

        return bool(redis_connection().ping())
    except Exception:
        return False
