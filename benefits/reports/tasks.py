"""The reports' jobs (design.md: one ``tasks.py`` per module; ids in, the job commits)."""

from __future__ import annotations

import logging
from datetime import date

from benefits.extensions import db
from benefits.places.calendar import vietnam_today
from benefits.reports.summaries import refresh_province

log = logging.getLogger(__name__)


def refresh_province_job(province_code: str, today: str | None = None) -> None:
    """Every summary of the province computed again; running it twice does the work of
    one (the rows are rewritten, not added)."""
    refresh_province(province_code, date.fromisoformat(today) if today else vietnam_today())
    db.session.commit()
    log.info("reports: summaries of province %s refreshed", province_code)
