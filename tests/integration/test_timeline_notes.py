"""What the system writes in a dossier's timeline reads in the reader's language; what a
person typed reads as typed (decision 63)."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, update

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.cases.models import Case, CaseEvent
from benefits.cases.service import open_case, request_supplement
from benefits.deaths.service import cancel_death
from benefits.extensions import db
from benefits.notify.models import Notification
from benefits.notify.service import render
from tests.builders import PASSWORD
from tests.integration.test_linked_death_dossier import accept, elderly_beneficiary, file_dossier

ACTOR = Actor.system("test")
TYPED = "Xin bổ sung bản sao giấy xác nhận khuyết tật (kèm 2 ảnh)"
NO_ANSWER_VI = "đóng sau 30 ngày không bổ sung giấy tờ theo yêu cầu"
NO_ANSWER_EN = "closed after 30 days without an answer to the request for papers"


@pytest.fixture
def officer(app):
    client = app.test_client()
    create_staff_user("officer", "cb@xa.gov.vn", "Cán Bộ Xã", PASSWORD, ACTOR,
                      commune_code="00070")  # fmt: skip
    client.post("/login", data={"username": "cb@xa.gov.vn", "password": PASSWORD})
    return client


def pages(client, url: str) -> tuple[str, str]:
    """The page in Vietnamese (the default), then in English."""
    vietnamese = client.get(url).get_data(as_text=True)
    client.get("/language/en")
    english = client.get(url).get_data(as_text=True)
    client.get("/language/vi")
    return vietnamese, english


def unanswered_for_30_days(app, citizen) -> Case:
    case = open_case("1.001776", "00070", "Hoàng Thị Dân", ACTOR, date(2025, 3, 3),
                     applicant_user_id=citizen.id)  # fmt: skip
    request_supplement(case, TYPED, ACTOR)
    db.session.execute(
        update(CaseEvent)
        .where(CaseEvent.case_id == case.id, CaseEvent.to_status == "supplement_requested")
        .values(at=datetime(2020, 1, 1, tzinfo=UTC))
    )
    result = app.test_cli_runner().invoke(args=["cases", "expire-supplements"])
    assert result.exit_code == 0
    db.session.refresh(case)
    assert case.status == "withdrawn"
    return case


def test_a_dossier_closed_by_the_30_day_rule_reads_in_each_language(app, client, citizen,
                                                                     officer):  # fmt: skip
    case = unanswered_for_30_days(app, citizen)
    for reader, url in ((client, f"/me/dossiers/{case.code}"),
                        (officer, f"/officer/cases/{case.code}")):  # fmt: skip
        vietnamese, english = pages(reader, url)
        assert NO_ANSWER_VI in vietnamese and NO_ANSWER_EN not in vietnamese
        assert NO_ANSWER_EN in english and NO_ANSWER_VI not in english
        assert "no answer within 30 days" not in vietnamese + english
        # The officer's request for papers, as typed, in both languages.
        assert TYPED in vietnamese and TYPED in english


def test_the_withdrawal_notice_gives_the_why_in_the_recipients_language(app, client, citizen):
    case = unanswered_for_30_days(app, citizen)
    notification = db.session.scalar(
        select(Notification).where(Notification.case_id == case.id,
                                   Notification.kind == "withdrawn")
    )  # fmt: skip
    assert render(notification, "vi") == (
        f"Hồ sơ {case.code} đã được đóng do rút hồ sơ. Lý do: {NO_ANSWER_VI}"
    )
    assert render(notification, "en") == (
        f"Your dossier {case.code} is closed as withdrawn. Reason: {NO_ANSWER_EN}"
    )
    assert f"Lý do: {NO_ANSWER_VI}" in client.get("/me/").get_data(as_text=True)
    # A notification of another step says no more than before.
    received = db.session.scalar(
        select(Notification).where(Notification.case_id == case.id,
                                   Notification.kind == "supplement_requested")
    )  # fmt: skip
    assert "Reason" not in render(received, "en")


def test_a_citizens_own_withdrawal_reason_is_shown_as_typed(client, citizen):
    case = open_case("1.001776", "00070", "Hoàng Thị Dân", ACTOR, date(2025, 3, 3),
                     applicant_user_id=citizen.id)  # fmt: skip
    reason = "no answer within 30 days, so I withdraw"  # near a system note, not one
    response = client.post(f"/me/dossiers/{case.code}/withdraw",
                           data={"reason": reason, "confirm": "y"})  # fmt: skip
    assert response.status_code == 302
    vietnamese, english = pages(client, f"/me/dossiers/{case.code}")
    assert reason in vietnamese and reason in english
    assert NO_ANSWER_VI not in vietnamese


def test_the_death_linkage_notes_read_in_each_language(app, officer):
    deceased = elderly_beneficiary()
    linked = file_dossier(app, deceased, "all")
    accept(app, linked)
    funeral = db.session.scalar(select(Case).where(Case.procedure_code == "1.001731"))
    vietnamese, english = pages(officer, f"/officer/cases/{linked.code}")
    assert f"đã đăng ký khai tử, số đăng ký {linked.code}" in vietnamese
    assert f"death recorded under registration number {linked.code}" in english

    cancel_death(linked.code, "Ghi nhầm người", ACTOR)
    db.session.refresh(funeral)
    assert funeral.status == "withdrawn"
    vietnamese, english = pages(officer, f"/officer/cases/{funeral.code}")
    assert f"đăng ký khai tử số {linked.code} đã bị hủy" in vietnamese
    assert f"the death registration {linked.code} was cancelled" in english
    assert f"death registration {linked.code} cancelled" not in vietnamese + english


def test_notes_written_before_in_english_read_in_vietnamese(officer):
    case = open_case("1.001776", "00070", "Người Cũ", ACTOR, date(2025, 3, 3))
    for note in ("no answer within 30 days", "death registration KT-2024-17 cancelled",
                 case.code):  # the linked death dossier's approval note, before  # fmt: skip
        db.session.add(CaseEvent(case=case, from_status="checking", to_status="withdrawn",
                                 actor_label="system:cli", note=note))  # fmt: skip
    db.session.flush()
    vietnamese, english = pages(officer, f"/officer/cases/{case.code}")
    assert NO_ANSWER_VI in vietnamese
    assert "đăng ký khai tử số KT-2024-17 đã bị hủy" in vietnamese
    assert f"đã đăng ký khai tử, số đăng ký {case.code}" in vietnamese
    assert "no answer within 30 days" not in vietnamese
    assert NO_ANSWER_EN in english
