"""With ``REPORTS_DATABASE_URL``, the dashboards, the report forms and the exports read
through their own read-only engine (issue 28 item 5; docs/scaling.md "Read replicas").

CI may point ``REPORTS_DATABASE_URL`` at a real streaming replica of its cluster; without
it, the test opens the second engine on the primary itself, read-only all the same."""

import os
from datetime import date

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from benefits import create_app
from benefits.extensions import db
from benefits.month import Month
from benefits.reports import health_insurance
from benefits.reports.dashboard import build_dashboard
from benefits.reports.forms_data import compute_forms
from benefits.reports.half_year import HalfYear
from benefits.reports.reading import reader
from tests.builders import create_beneficiary


@pytest.fixture
def replica_app(app):
    primary = app.config["SQLALCHEMY_DATABASE_URI"]
    if not primary.startswith("postgresql"):
        pytest.skip("read-only transactions are PostgreSQL's")
    replica = os.environ.get("REPORTS_DATABASE_URL", primary)
    if replica.startswith("postgresql://"):
        replica = "postgresql+psycopg://" + replica.removeprefix("postgresql://")
    return create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": primary,
        "SQLALCHEMY_BINDS": {"reports": replica}, "RATELIMIT_STORAGE_URI": "memory://",
    })  # fmt: skip


def test_reports_read_through_the_read_only_engine(app, committed_db, replica_app, tmp_path):
    create_beneficiary(("HIV_POOR",), "2025-03", date_of_birth=date(1990, 1, 15))
    db.session.commit()
    with replica_app.app_context():
        seen = {"primary": [], "reports": []}
        listeners = []
        for name, engine in (("primary", db.engines[None]), ("reports", db.engines["reports"])):

            def record(_conn, _cursor, statement, *_args, name=name):
                seen[name].append(statement)

            event.listen(engine, "before_cursor_execute", record)
            listeners.append((engine, record))
        try:
            _wait_for_the_replica()
            counts = health_insurance.write_csv(
                Month(2025, 3), health_insurance.Scope(province_code="01"), tmp_path / "x.csv"
            )
            build_dashboard(health_insurance.Scope(province_code="01"))
            compute_forms(HalfYear(2025, 1), health_insurance.Scope(province_code="01"))
            with pytest.raises(DBAPIError, match="read-only"):
                reader().execute(text("UPDATE report_refreshes SET as_of = as_of"))
        finally:
            for engine, record in listeners:
                event.remove(engine, "before_cursor_execute", record)
    assert counts.started == 1
    assert any("FROM beneficiaries" in s for s in seen["reports"])
    assert any("report_beneficiary_counts" in s for s in seen["reports"])
    assert any("payment_lines" in s for s in seen["reports"])
    assert not any("beneficiaries" in s or "report_" in s for s in seen["primary"])


def _wait_for_the_replica(seconds: float = 10) -> None:
    """A streaming replica replays the commit a moment later."""
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if reader().execute(text("SELECT count(*) FROM beneficiaries")).scalar():
            reader().rollback()
            return
        reader().rollback()
        time.sleep(0.1)
