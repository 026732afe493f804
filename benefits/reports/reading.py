"""Where reports read (issue 28 item 5; docs/scaling.md "Read replicas"): with
``REPORTS_DATABASE_URL`` set, the dashboards, the report forms and the exports read
through their own engine (a Flask-SQLAlchemy bind, ``reports``), typically a streaming
replica, in read-only transactions; without it, through the portal's session.

The summaries are written on the primary (``reports.summaries``, by the reconciliation
and the refresh job), so a replica shows them after its replication delay.
"""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from benefits.extensions import db

BIND = "reports"


def reader() -> Session:
    """The session report queries run on: the replica's, read-only, when configured."""
    if BIND not in (current_app.config.get("SQLALCHEMY_BINDS") or {}):
        return db.session()
    session = g.get("reports_session")
    if session is None:
        engine = db.engines[BIND]
        if engine.dialect.name == "postgresql":
            engine = engine.execution_options(postgresql_readonly=True)
        session = g.reports_session = Session(bind=engine, autoflush=False)
    return session


def _close(_error=None) -> None:
    session = g.pop("reports_session", None)
    if session is not None:
        session.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(_close)
