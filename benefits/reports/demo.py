"""Demo dashboards for ``make run``: the summaries computed once the demo data is in, so
that the province admin's first look at the reports page shows the demo's figures rather
than "not computed yet" (decision 112: summaries are refreshed by a job or the CLI)."""

from __future__ import annotations

from sqlalchemy import select

from benefits.extensions import db
from benefits.places.calendar import vietnam_today
from benefits.places.models import Province
from benefits.reports.summaries import refresh_province


def load_demo_summaries() -> int:
    """Refresh every province's summaries; creates no record of its own (returns 0)."""
    today = vietnam_today()
    for code in db.session.scalars(select(Province.code)).all():
        refresh_province(code, today)
    return 0
