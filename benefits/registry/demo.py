"""Demo data for ``make run``: the worked example's caseload (shared/samples)."""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.extensions import db
from benefits.people.models import Person
from benefits.registry.caseload_import import import_caseload

CASELOAD = Path(__file__).resolve().parent / "demo_data" / "caseload.csv"
log = logging.getLogger(__name__)


def load_demo_caseload() -> int:
    """Import the demo caseload once; an existing registry is left as it is."""
    if db.session.scalar(select(Person.id).limit(1)) is not None:
        return 0
    result = import_caseload(
        CASELOAD, skip_invalid=False, actor=Actor.system("demo"), report=log.warning
    )
    return result.imported
