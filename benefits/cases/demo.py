"""Demo dossiers for ``make run``: the demo citizen's three applications in Phường Hoàn
Kiếm, so that the officer's and the chairman's queues are not empty: one for her father,
waiting to be checked; one for her nephew, waiting for the papers the officer asked for
(ND20 Art 7, 8); the funeral support for her grandmother, a beneficiary of the demo caseload (ND20
Art 11: funeral support is for a monthly-allowance beneficiary), checked and proposed to
the chairman (decision 78)."""

from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from pathlib import Path

from flask import current_app
from fpdf import FPDF
from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.accounts.models import User
from benefits.cases.attachments import Upload
from benefits.cases.models import Case
from benefits.cases.service import (
    Application,
    request_supplement,
    start_checking,
    submit_dossier,
)
from benefits.cases.workflow import Proposal, propose
from benefits.extensions import db
from benefits.places.calendar import vietnam_today

CITIZEN_NATIONAL_ID = "001190000777"
OFFICER_EMAIL = "officer.hoankiem@demo.gov.vn"
MONTHLY_ALLOWANCE = "1.001776"
FUNERAL_SUPPORT = "1.001731"
DECLARANT = {"full_name": "Hoàng Thị Dân", "national_id": CITIZEN_NATIONAL_ID, "address": None}


def load_demo_dossiers() -> int:
    """Submit the three demo dossiers once; any dossier already there leaves them out."""
    if db.session.scalar(select(Case.id).limit(1)) is not None:
        return 0
    citizen = db.session.scalar(select(User).where(User.national_id == CITIZEN_NATIONAL_ID))
    officer = db.session.scalar(select(User).where(User.email == OFFICER_EMAIL))
    if citizen is None or officer is None:
        return 0
    as_citizen = Actor.user(citizen.id)
    folder = Path(current_app.config["UPLOAD_FOLDER"])
    father = Application(
        MONTHLY_ALLOWANCE, "Hoàng Văn Phúc", date(1940, 4, 2), "M", "001040000779", "00070",
        "12 phố Hàng Bạc", {**DECLARANT, "relationship": "con"},
        {"category": "ELDERLY_80_NO_PENSION"},
    )  # fmt: skip
    nephew = Application(
        MONTHLY_ALLOWANCE, "Hoàng Văn An", date(2016, 9, 12), "M", "001216000781", "00070",
        "12 phố Hàng Bạc", {**DECLARANT, "relationship": "cô ruột"},
        {"category": "CHILD_NO_SUPPORT", "parents_situation": "Cha mẹ đều đã mất."},
    )  # fmt: skip
    for number, application in enumerate((father, nephew), start=1):
        case, _new = submit_dossier(
            application, citizen.id, f"demo-dossier-{number}", as_citizen,
            [Upload("giay-xac-nhan.pdf", _paper(application.full_name))], folder, vietnam_today(),
        )  # fmt: skip
    request_supplement(
        case, "Xin bổ sung giấy chứng tử của cha mẹ cháu An (bản sao).",
        Actor.user(officer.id),
    )  # fmt: skip
    today = vietnam_today()
    grandmother = Application(
        FUNERAL_SUPPORT, "Hoàng Thị Lành", date(1935, 1, 20), "F", "001135000783", "00070",
        "12 phố Hàng Bạc", {**DECLARANT, "relationship": "cháu"},
        {"date_of_death": (today - timedelta(days=3)).isoformat()},
    )  # fmt: skip
    funeral, _new = submit_dossier(
        grandmother, citizen.id, "demo-dossier-3", as_citizen,
        [Upload("giay-chung-tu.pdf", _paper(grandmother.full_name))], folder, today,
    )  # fmt: skip
    start_checking(funeral, Actor.user(officer.id))
    propose(funeral, Proposal("approve"), Actor.user(officer.id), today)
    return 3


def _paper(name: str) -> bytes:
    """A one-page PDF standing for the scanned paper a citizen attaches."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=14)
    pdf.cell(0, 10, "Demo attachment (not a real document)")
    pdf.ln()
    # The core fonts have no Vietnamese marks: the name is written without them.
    plain = unicodedata.normalize("NFKD", name.replace("Đ", "D").replace("đ", "d"))
    pdf.cell(0, 10, plain.encode("ascii", "ignore").decode())
    return bytes(pdf.output())
