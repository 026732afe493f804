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


def load_demo_care_support() -> int:
    """Lâm Văn Sơn (extremely severe disability) is cared for by his household (ND20 Art
    20.2), so the demo payment list has a CARE_SUPPORT line."""
    from benefits.month import Month
    from benefits.registry.care_support import grant_care_support
    from benefits.registry.models import Beneficiary, CareSupport

    if db.session.scalar(select(CareSupport.id).limit(1)) is not None:
        return 0
    son = db.session.scalar(
        select(Beneficiary).join(Person).where(Person.national_id == "001050700004")
    )
    if son is None:
        return 0
    grant_care_support(son, "CARE_HOUSEHOLD_EXTREMELY_SEVERE", "Lâm Thị Hoa", "001175012345",
                       Month(2025, 1), Actor.system("demo"))  # fmt: skip
    return 1
