"""A move to another commune of the same province (ND20 Art 8.3; domain.md section 2,
MOVE-IN-PROVINCE; issue 25 item 4): the new commune receives and decides; one record, the
old commune pays through month M, the new one from M+1, no month paid twice or missed."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import select

from benefits.accounts.audit import Actor
from benefits.cases.service import open_case, start_checking
from benefits.cases.workflow import Proposal, decide, propose
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import PaymentLine
from benefits.registry.models import Beneficiary
from tests.builders import create_beneficiary
from tests.integration.test_case_decisions import log_in, page_of, staff_client

SYSTEM = Actor.system("test")
TODAY = date(2025, 3, 26)
NEW_COMMUNE = "00004"  # Hà Nội, as 00070


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(datetime(2025, 3, 26, 2, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def elder():
    """Paid by commune 00070 since January 2025: 750,000 a month."""
    return create_beneficiary(categories=("ELDERLY_POOR_ALONE",), effective_month="2025-01",
                              full_name="Trần Văn Chuyển")  # fmt: skip


def move_dossier(beneficiary, commune=NEW_COMMUNE):
    case = open_case("MOVE-IN-PROVINCE", commune, beneficiary.person.full_name, SYSTEM, TODAY,
                     subject_national_id=beneficiary.person.national_id,
                     data={"details": "Chuyển đến ở với con gái"})  # fmt: skip
    start_checking(case, SYSTEM)
    return case


def months_paid(commune: str, month: Month, beneficiary) -> tuple[str, ...]:
    batch = generate_batch(month, "commune", commune, SYSTEM)
    line = db.session.scalar(
        select(PaymentLine).where(
            PaymentLine.batch_id == batch.id, PaymentLine.beneficiary_id == beneficiary.id
        )
    )
    if line is None:
        return ()
    months = [m for m in line.arrears_months.split(";") if m]
    return (*months, str(month)) if line.monthly_amount else tuple(months)


def test_the_new_commune_decides_and_pays_from_the_month_after_the_old_one(app, elder):
    assert months_paid("00070", Month(2025, 3), elder) == ("2025-01", "2025-02", "2025-03")
    # The old commune's April list is already made (before the 25th), still open.
    assert months_paid("00070", Month(2025, 4), elder) == ("2025-04",)
    case = move_dossier(elder)
    propose(case, Proposal(outcome="approve", payment_method="POST", payment_point="PO-04"),
            SYSTEM, TODAY)  # fmt: skip
    assert case.status == "proposed"  # decided by the new commune, without posting
    decide(case, True, None, SYSTEM, TODAY)
    db.session.expire_all()
    record = db.session.get(Beneficiary, elder.id)
    assert (record.commune_code, record.payment_point, record.status) == (
        NEW_COMMUNE, "PO-04", "active")  # fmt: skip
    assert record.person.commune_code == NEW_COMMUNE
    # April is held by the old commune's open list: the new commune's has nothing yet.
    assert months_paid(NEW_COMMUNE, Month(2025, 4), elder) == ()
    # Generated again, the old commune's April list leaves the person out...
    assert months_paid("00070", Month(2025, 4), elder) == ()
    # ...and the new commune's April list pays it: no month missed, none twice.
    assert months_paid(NEW_COMMUNE, Month(2025, 4), elder) == ("2025-04",)
    # Both communes see the move.
    for commune in ("00070", NEW_COMMUNE):
        officer = staff_client(app, "officer", f"o{commune}@xa.gov.vn", commune=commune)
        rows = page_of(officer.get("/officer/moves")).select("#moves tbody tr")
        assert len(rows) == 1 and "Trần Văn Chuyển" in rows[0].get_text()
    # The record's page, at the new commune, tells the move once.
    page = page_of(officer.get(f"/officer/registry/{elder.code}"))
    moves = [r for r in page.select("#history + div tbody tr") if "→" in r.get_text()]
    assert len(moves) == 1


def test_a_move_from_another_province_is_not_a_move_within_it(elder):
    case = move_dossier(elder, commune="26506")  # Vũng Tàu
    with pytest.raises(DomainError, match="Điều 8.4"):
        propose(case, Proposal(outcome="approve", payment_method="COMMUNE"), SYSTEM, TODAY)
    assert db.session.get(Beneficiary, elder.id).commune_code == "00070"


def test_the_new_commune_must_say_how_it_pays(elder):
    case = move_dossier(elder)
    with pytest.raises(DomainError) as refused:
        propose(case, Proposal(outcome="approve", payment_method="POST"), SYSTEM, TODAY)
    assert refused.value.field == "payment_point"


def test_a_move_to_another_province_is_a_stop_here_and_a_grant_there(app, elder, clock):
    """ND20 Art 8.4: the old commune's stop decision names M; the new commune, in another
    province, grants from M+1 at its own province's standard level; the old commune sees
    the move closed only once the new one has granted."""
    from benefits.places.models import province_of_commune
    from benefits.procedures.models import PostingSetting
    from benefits.rules.models import StandardLevel

    assert months_paid("00070", Month(2025, 3), elder)[-1] == "2025-03"
    out = open_case("MOVE-OUT-PROVINCE", "00070", elder.person.full_name, SYSTEM, TODAY,
                    subject_national_id=elder.person.national_id)  # fmt: skip
    start_checking(out, SYSTEM)
    propose(out, Proposal(outcome="approve", from_month="2025-03"), SYSTEM, TODAY)
    decide(out, True, None, SYSTEM, TODAY)
    assert out.decision.kind == "stop"
    db.session.expire_all()
    record = db.session.get(Beneficiary, elder.id)
    assert (record.status, record.last_entitled_month) == ("stopped", Month(2025, 3))
    old_officer = staff_client(app, "officer", "o00070@xa.gov.vn", commune="00070")
    waiting = page_of(old_officer.get("/officer/moves")).select("#moving-out tbody tr")
    assert len(waiting) == 1 and out.code in waiting[0].get_text()

    # In Vũng Tàu, whose province pays a higher standard level, the chairman signs in May.
    province = province_of_commune("26506")
    db.session.add(
        StandardLevel(
            province_code=province,
            effective_month=Month(2025, 1),
            amount=600_000,
            legal_basis="Nghị quyết HĐND (test)",
        )
    )
    db.session.add(PostingSetting(procedure_code="1.001776", province_code=province,
                                  public_posting=False))  # fmt: skip
    clock.move_to(datetime(2025, 5, 6, 2, 0, tzinfo=UTC))
    signed_on = date(2025, 5, 6)
    grant = open_case(
        "1.001776",
        "26506",
        elder.person.full_name,
        SYSTEM,
        signed_on,
        subject_national_id=elder.person.national_id,
        data={
            "category": "ELDERLY_POOR_ALONE",
            "sex": "M",
            "date_of_birth": elder.person.date_of_birth.isoformat(),
        },
    )
    start_checking(grant, SYSTEM)
    propose(
        grant,
        Proposal(
            outcome="approve",
            category="ELDERLY_POOR_ALONE",
            payment_method="POST",
            payment_point="PO-VT-1",
        ),
        SYSTEM,
        signed_on,
    )
    decide(grant, True, None, SYSTEM, signed_on)
    db.session.expire_all()
    record = db.session.get(Beneficiary, elder.id)
    assert (record.commune_code, record.status, record.payment_point) == (
        "26506", "active", "PO-VT-1")  # fmt: skip
    assert months_paid("00070", Month(2025, 5), elder) == ()
    batch = generate_batch(Month(2025, 5), "commune", "26506", SYSTEM)
    line = db.session.scalar(select(PaymentLine).where(PaymentLine.batch_id == batch.id))
    # April (M+1) as arrears with May, both at 1.5 × 600,000.
    assert (line.arrears_months, line.arrears_amount, line.monthly_amount) == (
        "2025-04", 900_000, 900_000)  # fmt: skip
    log_in(old_officer, "o00070@xa.gov.vn")  # a session idle for weeks has ended
    page = page_of(old_officer.get("/officer/moves"))
    assert page.select("#moving-out tbody tr") == []
    [moved] = page.select("#moves tbody tr")
    assert "Trần Văn Chuyển" in moved.get_text() and "2025-03" in moved.get_text()
