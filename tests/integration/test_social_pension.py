"""The commune officer records that a beneficiary receives the social pension (Decree
176/2025/NĐ-CP); the allowance then stops in the months the pension is not lower, on the
beneficiary page and in the payment batch."""

from datetime import date

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from benefits.i18n import format_vnd
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import PaymentItem, PaymentLine
from benefits.places.calendar import vietnam_today
from benefits.registry.models import SocialPensionPeriod
from benefits.rules.models import Category
from tests.builders import create_beneficiary

PASSWORD = "một-mật-khẩu-dài"
THIS_MONTH = Month.of(vietnam_today())


def log_in(client, role, email, commune="00070"):
    create_staff_user(role, email, "Cán Bộ", PASSWORD, Actor.system("test"), commune_code=commune)
    client.post("/login", data={"username": email, "password": PASSWORD})


@pytest.fixture
def elderly_80():
    """5.5.c since 2024: 1.0 × 500,000 = 500,000, equal to the social pension."""
    return create_beneficiary(
        categories=["ELDERLY_80_NO_PENSION"],
        effective_month="2024-01",
        date_of_birth=date(1940, 3, 2),
        full_name="Đinh Văn Thọ",
        commune_code="00070",
    )


def record(client, beneficiary, **fields):
    data = {"from_month": str(THIS_MONTH - 2), "to_month": "", "reference": "15/QĐ-UBND"}
    data.update(fields)
    return client.post(f"/officer/registry/{beneficiary.code}/social-pension", data=data)


def month_row(page, month):
    cells = BeautifulSoup(page.data, "html.parser").select(f"#month-{month} td")
    return [c.get_text(" ", strip=True) for c in cells]


def periods():
    return db.session.scalar(select(func.count()).select_from(SocialPensionPeriod))


def errors_of(response):
    page = BeautifulSoup(response.data, "html.parser")
    return {p.parent.get("id", "").removesuffix("-field").removeprefix("pension-"):
            p.get_text(" ", strip=True)
            for p in page.select(".error-message")}  # fmt: skip


def test_an_officer_records_the_social_pension_and_the_allowance_gives_way_from_that_month(
    client, elderly_80
):
    log_in(client, "officer", "o@xa.gov.vn")
    before = client.get(f"/officer/registry/{elderly_80.code}")
    assert month_row(before, THIS_MONTH)[-1] == format_vnd(500_000)

    response = record(client, elderly_80)

    assert response.status_code == 302
    page = client.get(f"/officer/registry/{elderly_80.code}")
    # The month before the pension is paid as before; from it, the allowance is not.
    assert month_row(page, THIS_MONTH - 3)[-1] == format_vnd(500_000)
    row = month_row(page, THIS_MONTH)
    category = db.session.get(Category, "ELDERLY_80_NO_PENSION")
    assert row[1] == category.article and row[2] == "1,0"  # still shown: why (a Vietnamese decimal)
    assert row[4] == format_vnd(500_000)  # the social pension in force
    assert row[-1] != format_vnd(500_000) and "hưu trí xã hội" in row[-1]
    assert "15/QĐ-UBND" in page.get_data(as_text=True)
    audit = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "registry.social_pension_recorded")
    ).one()
    assert audit.object_id == elderly_80.code and audit.commune_code == "00070"
    assert audit.changes["social_pension_from"] == str(THIS_MONTH - 2)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"from_month": "2025-06"}, "from_month"),  # Decree 176/2025 starts in 2025-07
        ({"from_month": "07/2025"}, "from_month"),
        ({"from_month": "2025-09", "to_month": "2025-08"}, "to_month"),
        ({"reference": "  "}, "reference"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_records_nothing(client, elderly_80, fields, field):
    log_in(client, "officer", "o@xa.gov.vn")
    response = record(client, elderly_80, **fields)
    assert response.status_code == 200
    assert errors_of(response).get(field)
    assert periods() == 0
    assert db.session.scalar(select(AuditEntry.id).where(
        AuditEntry.action == "registry.social_pension_recorded")) is None  # fmt: skip


def test_months_already_recorded_are_refused(client, elderly_80):
    log_in(client, "officer", "o@xa.gov.vn")
    assert record(client, elderly_80, from_month="2025-07").status_code == 302
    overlap = record(client, elderly_80, from_month="2025-10", to_month="2025-12")
    assert "07/2025" in errors_of(overlap)["from_month"]
    assert periods() == 1


def test_the_refusal_is_in_vietnamese_by_default(client, elderly_80):
    log_in(client, "officer", "o@xa.gov.vn")
    message = errors_of(record(client, elderly_80, from_month="2025-06"))["from_month"]
    assert "hưu trí xã hội" in message and "07/2025" in message


def test_an_officer_of_another_commune_gets_404_and_records_nothing(client, elderly_80):
    log_in(client, "officer", "o@vungtau.gov.vn", commune="26506")
    assert record(client, elderly_80).status_code == 404
    assert periods() == 0


def test_the_chairman_sees_the_page_without_the_form_and_cannot_post(client, elderly_80):
    log_in(client, "chairman", "ct@xa.gov.vn")
    page = client.get(f"/officer/registry/{elderly_80.code}")
    assert page.status_code == 200
    assert not BeautifulSoup(page.data, "html.parser").select("form[action$='/social-pension']")
    assert record(client, elderly_80).status_code == 404
    assert periods() == 0


def test_the_form_needs_its_csrf_token(app, elderly_80):
    client = app.test_client()
    log_in(client, "officer", "o@xa.gov.vn")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        refused = record(client, elderly_80)
        page = client.get(f"/officer/registry/{elderly_80.code}")
        token = BeautifulSoup(page.data, "html.parser").select_one(
            "form[action$='/social-pension'] input[name=csrf_token]"
        )["value"]
        accepted = record(client, elderly_80, csrf_token=token)
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    assert refused.status_code == 400
    assert accepted.status_code == 302 and periods() == 1


def test_a_batch_pays_no_month_in_which_the_social_pension_is_not_lower(elderly_80):
    """Decree 176/2025 in payment generation: a 5.5.c person (500,000) receiving the
    social pension from 2025-07 gets the arrears of May and June 2025 only."""
    elderly_80.paid_through_month = Month(2025, 4)
    higher = create_beneficiary(
        categories=["ELDERLY_POOR_ALONE"], effective_month="2025-05",
        date_of_birth=date(1950, 1, 5), commune_code="00070",
        social_pension=[(Month(2025, 7), None)],
    )  # fmt: skip
    db.session.add(
        SocialPensionPeriod(
            beneficiary_id=elderly_80.id, from_month=Month(2025, 7), reference="15/QĐ-UBND"
        )
    )
    db.session.flush()

    batch = generate_batch(Month(2025, 9), "commune", "00070", Actor.system("test"))

    def months_paid(beneficiary):
        return [str(m) for m in db.session.scalars(
            select(PaymentItem.month).where(PaymentItem.batch_id == batch.id,
                                            PaymentItem.beneficiary_id == beneficiary.id)
            .order_by(PaymentItem.month))]  # fmt: skip

    assert months_paid(elderly_80) == ["2025-05", "2025-06"]
    assert months_paid(higher) == [str(m) for m in Month(2025, 5).until(Month(2025, 9))]
    line = db.session.scalars(
        select(PaymentLine).where(
            PaymentLine.batch_id == batch.id, PaymentLine.beneficiary_id == elderly_80.id
        )
    ).one()
    assert (line.monthly_amount, line.arrears_amount) == (0, 1_000_000)


def end(client, beneficiary, period_id, last_month):
    return client.post(
        f"/officer/registry/{beneficiary.code}/social-pension/{period_id}/end",
        data={"last_month": last_month},
    )


def test_the_allowance_returns_the_month_after_the_recorded_end(client, elderly_80):
    log_in(client, "officer", "o@xa.gov.vn")
    record(client, elderly_80, from_month=str(THIS_MONTH - 2))
    period = db.session.scalars(select(SocialPensionPeriod)).one()

    assert end(client, elderly_80, period.id, str(THIS_MONTH - 1)).status_code == 302

    page = client.get(f"/officer/registry/{elderly_80.code}")
    assert "hưu trí xã hội" in month_row(page, THIS_MONTH - 1)[-1]
    assert month_row(page, THIS_MONTH)[-1] == format_vnd(500_000)
    assert db.session.scalar(
        select(AuditEntry.changes).where(AuditEntry.action == "registry.social_pension_ended")
    )["social_pension_to"] == [None, str(THIS_MONTH - 1)]


def test_an_end_before_the_start_or_of_another_persons_pension_changes_nothing(client, elderly_80):
    log_in(client, "officer", "o@xa.gov.vn")
    record(client, elderly_80, from_month=str(THIS_MONTH - 2))
    period = db.session.scalars(select(SocialPensionPeriod)).one()
    other = create_beneficiary(commune_code="00070")

    early = end(client, elderly_80, period.id, str(THIS_MONTH - 3))
    page = BeautifulSoup(client.get(early.headers["Location"]).data, "html.parser")
    assert page.select_one(".notice-error").get_text(strip=True) == (
        "Tháng cuối không được trước tháng bắt đầu."
    )
    assert end(client, other, period.id, str(THIS_MONTH)).status_code == 404
    db.session.expire_all()
    assert db.session.get(SocialPensionPeriod, period.id).to_month is None


def pension_audit():
    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "registry.social_pension_recorded")
    ).all()


@pytest.mark.parametrize(
    ("categories", "born", "fields", "message"),
    [
        # A 17-year-old: Decree 176/2025 is for people of 75 (the month they reach it).
        (["CHILD_NO_SUPPORT"], date(2008, 6, 10), {},
         "từ đủ 75 tuổi (Nghị định 176/2025): người này sinh ngày 10/06/2008, đủ tuổi vào "
         "tháng 06/2083."),
        # 72 and not of a poor or near-poor household: 75.
        (["DISABLED_SEVERE"], date(1953, 2, 1), {"from_month": "2025-07"},
         "hoặc từ đủ 70 tuổi nếu thuộc hộ nghèo, hộ cận nghèo (Nghị định 176/2025): người này "
         "72 tuổi trong tháng 07/2025, đủ 75 tuổi vào tháng 02/2028."),
        # 69 and poor: not before the month of the 70th birthday.
        (["DISABLED_SEVERE"], date(1955, 9, 1), {"from_month": "2025-08",
                                                  "poor_or_near_poor": "y"},
         "từ đủ 70 tuổi (Nghị định 176/2025): người này sinh ngày 01/09/1955, đủ tuổi vào "
         "tháng 09/2025."),
    ],
)  # fmt: skip
def test_a_person_too_young_for_the_social_pension_is_refused_and_nothing_is_recorded(
    client, categories, born, fields, message
):
    too_young = create_beneficiary(categories=categories, date_of_birth=born,
                                   effective_month="2024-01")  # fmt: skip
    log_in(client, "officer", "o@xa.gov.vn")
    response = record(client, too_young, **fields)
    assert response.status_code == 200
    assert message in errors_of(response)["from_month"]
    assert periods() == 0 and pension_audit() == []


def test_the_social_pension_is_due_from_the_month_of_the_75th_birthday(client):
    """domain.md section 3: an age is reached on the birthday, and counts from its month."""
    turning_75 = create_beneficiary(categories=["DISABLED_SEVERE"], date_of_birth=date(1950, 9, 30),
                                    effective_month="2024-01")  # fmt: skip
    log_in(client, "officer", "o@xa.gov.vn")
    assert "09/2025" in errors_of(record(client, turning_75, from_month="2025-08"))["from_month"]
    assert record(client, turning_75, from_month="2025-09").status_code == 302
    assert periods() == 1


def test_a_poor_or_near_poor_person_gets_the_social_pension_from_70(client):
    """Decree 176/2025: 70 to 74 in a poor or near-poor household, as the officer states
    it, or as a category held shows it (5.5.a: a poor household)."""
    stated = create_beneficiary(categories=["DISABLED_SEVERE"], date_of_birth=date(1953, 2, 1),
                                effective_month="2024-01")  # fmt: skip
    poor_alone = create_beneficiary(
        categories=["ELDERLY_POOR_ALONE"], date_of_birth=date(1953, 2, 1), effective_month="2024-01"
    )
    log_in(client, "officer", "o@xa.gov.vn")
    assert record(client, stated, from_month="2025-07", poor_or_near_poor="y").status_code == 302
    assert record(client, poor_alone, from_month="2025-07").status_code == 302
    assert periods() == 2
    [audit, _] = sorted(pension_audit(), key=lambda a: a.object_id != stated.code)
    assert audit.object_id == stated.code and audit.changes["poor_or_near_poor"] is True


def test_the_officer_sees_the_poor_household_box_and_an_english_refusal(client):
    young = create_beneficiary(categories=["CHILD_NO_SUPPORT"], date_of_birth=date(2008, 6, 10))
    log_in(client, "officer", "o@xa.gov.vn")
    client.get("/language/en")
    page = BeautifulSoup(client.get(f"/officer/registry/{young.code}").data, "html.parser")
    box = page.select_one("form[action$='/social-pension'] input[name=poor_or_near_poor]")
    assert box is not None and box["type"] == "checkbox"
    refused = errors_of(record(client, young, from_month="2025-09"))["from_month"]
    assert refused == ("The social pension is due from age 75 (Decree 176/2025): this person, "
                       "born 10/06/2008, reaches it in Jun 2083.")  # fmt: skip
    assert periods() == 0
