"""Dossier rules: unanswered requests for papers expire; posting is a province setting."""

from datetime import UTC, date, datetime

from sqlalchemy import select, update

from benefits.accounts.audit import Actor
from benefits.cases.models import Case, CaseEvent
from benefits.cases.service import open_case, request_supplement
from benefits.extensions import db
from benefits.procedures.catalogue import posting_required
from benefits.procedures.models import PostingSetting

ACTOR = Actor.system("test")


def test_a_dossier_unanswered_30_days_is_closed_as_withdrawn(app):
    old = open_case("1.001776", "00070", "Người A", ACTOR, date(2025, 3, 3))
    recent = open_case("1.001776", "00070", "Người B", ACTOR, date(2025, 3, 3))
    request_supplement(old, "Thiếu giấy tờ", ACTOR)
    request_supplement(recent, "Thiếu giấy tờ", ACTOR)
    db.session.execute(
        update(CaseEvent)
        .where(CaseEvent.case_id == old.id, CaseEvent.to_status == "supplement_requested")
        .values(at=datetime(2020, 1, 1, tzinfo=UTC))
    )
    result = app.test_cli_runner().invoke(args=["cases", "expire-supplements"])
    assert result.exit_code == 0 and result.stdout.startswith("1 ")
    db.session.refresh(old)
    db.session.refresh(recent)
    assert old.status == "withdrawn" and recent.status == "supplement_requested"


def test_public_posting_is_on_for_the_allowance_unless_the_province_says_otherwise():
    assert posting_required("1.001776", "01") is True
    assert posting_required("1.001731", "01") is False
    db.session.add(PostingSetting(procedure_code="1.001776", province_code="79",
                                  public_posting=False))  # fmt: skip
    db.session.flush()
    assert posting_required("1.001776", "79") is False
    assert posting_required("1.001776", "01") is True
    assert db.session.scalar(select(Case.id)) is None
