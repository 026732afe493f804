"""Settings from the environment.

With nothing set, the portal runs on SQLite in ``instance/`` and executes jobs in
process, so a newcomer needs nothing installed. ``DATABASE_URL`` and ``REDIS_URL``
switch it to PostgreSQL and an RQ queue.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def _bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "benefits.sqlite3")
    return _psycopg(url)


def _binds() -> dict:
    """``REPORTS_DATABASE_URL``: the (replica) database reports read from, read-only."""
    url = os.environ.get("REPORTS_DATABASE_URL")
    return {"reports": _psycopg(url)} if url else {}


def _psycopg(url: str) -> str:
    # Operators paste the libpq form; the portal speaks psycopg 3.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_settings(instance_path: str) -> dict:
    """Build the Flask config mapping for the current environment."""
    env = os.environ.get("BENEFITS_ENV", "development")
    secret = os.environ.get("SECRET_KEY")
    if not secret:
        if env == "production":
            raise RuntimeError("SECRET_KEY must be set in production")
        secret = _development_secret(instance_path)
    public_url = os.environ.get("PUBLIC_URL")
    if not public_url:
        if env == "production":
            # The links sent by email (password reset) would point at no real site.
            raise RuntimeError("PUBLIC_URL must be set in production")
        # The links sent in development follow the port ``make run PORT=5101`` serves on
        # (decision 124): ``PORT``, or Flask's own ``FLASK_RUN_PORT``.
        port = os.environ.get("PORT") or os.environ.get("FLASK_RUN_PORT") or "5000"
        public_url = f"http://127.0.0.1:{port}"
    redis_url = os.environ.get("REDIS_URL") or None
    return {
        "ENV_NAME": env,
        "SECRET_KEY": secret,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        # hide_parameters: no statement's values (ID numbers, names) in a log or an error
        # message (decision 105).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        "SQLALCHEMY_BINDS": _binds(),
        "REDIS_URL": redis_url,
        "RQ_QUEUES": ("default", "payments", "notify"),
        # Seconds a payment job waits for another generation of the same batch to commit.
        "PAYMENT_LOCK_TIMEOUT": int(os.environ.get("PAYMENT_LOCK_TIMEOUT", 60)),
        "UPLOAD_FOLDER": os.environ.get("UPLOAD_FOLDER") or str(Path(instance_path) / "uploads"),
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_CONTENT_LENGTH", 32 * 1024 * 1024)),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ("vi", "en"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", env == "production"),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        # Minutes without a request after which a log-in ends (decision 72).
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", 120)),
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        # How many reverse proxies stand in front of gunicorn; 0 when it serves directly.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", 0)),
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", 25)),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "no-reply@btxh.gov.vn"),
        # The SMS gateway's HTTP address; unset, messages go to the log (decision 142).
        "SMS_GATEWAY_URL": os.environ.get("SMS_GATEWAY_URL") or None,
        "SMS_GATEWAY_TOKEN": os.environ.get("SMS_GATEWAY_TOKEN") or None,
        # The portal's address as citizens reach it, for links sent by email.
        "PUBLIC_URL": public_url,
    }


def _development_secret(instance_path: str) -> str:
    """A per-checkout secret kept in instance/, so sessions survive a restart."""
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    path.write_text(value)
    return value
