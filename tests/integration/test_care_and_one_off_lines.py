"""Care support (ND20 Art 20) and one-off support (ND20 Art 11, 15) in the monthly batch
(domain.md sections 3, 4 and 6; interchange.md section 3: kinds CARE_SUPPORT, FUNERAL,
ONE_OFF)."""

import re
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor
from benefits.cases.service import move_case, open_case
from benefits.deaths.service import DeathReport, record_death
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import PaymentItem, PaymentLine
from benefits.payments.queries import (
    difference_with_last_month,
    lines_above_ten_times_the_standard,
    lines_changed_by_half,
)
from benefits.payments.service import lock_batch
from benefits.places.calendar import vietnam_today
from benefits.registry.care_support import grant_care_support
from tests.builders import create_beneficiary, create_person

ACTOR = Actor.system("test")


def lines_of(batch, kind=None):
    query = select(PaymentLine).where(PaymentLine.batch_id == batch.id)
    if kind:
        query = query.where(PaymentLine.kind == kind)
    return list(db.session.scalars(query.order_by(PaymentLine.line_no)))


def generate(month: str, commune: str = "00070"):
    return generate_batch(Month.parse(month), "commune", commune, ACTOR)


def approve(case):
    move_case(case, "checking", ACTOR)
    move_case(case, "approved", ACTOR)


def death_of(person, number: str, on: str, declarant=None):
    report = DeathReport(
        registration_number=number, national_id=person.national_id,
        full_name=person.full_name, date_of_death=date.fromisoformat(on),
        registered_on=date.fromisoformat(on), commune_code=person.commune_code,
        declarant=declarant or {"full_name": "Đỗ Thị Hoa", "national_id": "001190054321",
                                "relationship": "con"},
    )  # fmt: skip
    record, _ = record_death(report, ACTOR, "test", date.fromisoformat(on))
    return record


@pytest.fixture
def child_in_foster_care():
    """A 5.1 child born 2021-06-10, cared for by a foster carer from January 2025.

    The child is a 5.1 child from January too: care support is paid only for a person of
    the category the kind of care fits, and not before they hold it (ND20 Art 20, Art 8.1;
    decision 54). The fixture once started the care two months before the child's
    category, which the officer's page now refuses."""
    child = create_beneficiary(
        categories=("CHILD_NO_SUPPORT",), effective_month="2025-01",
        date_of_birth=date(2021, 6, 10), full_name="Lò Văn Tí",
    )  # fmt: skip
    carer = create_person(full_name="Hà Thị Mai", date_of_birth=date(1980, 2, 2), sex="F")
    grant_care_support(child, "CARE_CHILD", carer.full_name, carer.national_id,
                       Month.parse("2025-01"), ACTOR)  # fmt: skip
    return child, carer


def test_care_support_is_paid_to_the_carer_with_its_arrears(child_in_foster_care):
    """ND20 Art 20.1: caring for a 5.1 child under 4, 2.5 × the standard level."""
    child, carer = child_in_foster_care
    batch = generate("2025-03")
    [care] = lines_of(batch, "CARE_SUPPORT")
    assert care.beneficiary_code == child.code and care.full_name == "Lò Văn Tí"
    assert (care.payee_name, care.payee_national_id) == ("Hà Thị Mai", carer.national_id)
    assert care.coefficient_pct == 250 and care.category_codes == "CARE_CHILD_UNDER_4"
    assert care.monthly_amount == 1_250_000
    assert care.arrears_months == "2025-01;2025-02" and care.arrears_amount == 2_500_000
    assert care.total_amount == 3_750_000
    # The child's own allowance is a separate line, paid to the child's side.
    [allowance] = lines_of(batch, "ALLOWANCE")
    assert allowance.payee_name == "Lò Văn Tí" and allowance.monthly_amount == 1_250_000


def test_a_new_carer_is_a_new_payment_against_last_month():
    """Issue 7 item 3: against last month, the care support of a new carer is a new line and
    the former carer's a stopped one (not one person's line changed, counted twice)."""
    child = create_beneficiary(
        categories=("CHILD_NO_SUPPORT",), effective_month="2025-01",
        date_of_birth=date(2021, 6, 10), full_name="Lò Văn Tí",
    )  # fmt: skip
    first = create_person(full_name="Hà Thị Mai", date_of_birth=date(1980, 2, 2), sex="F")
    second = create_person(full_name="Vi Thị Lan", date_of_birth=date(1975, 3, 3), sex="F")
    grant_care_support(child, "CARE_CHILD", first.full_name, first.national_id,
                       Month.parse("2025-01"), ACTOR, to_month=Month.parse("2025-02"))  # fmt: skip
    generate("2025-02")
    grant_care_support(child, "CARE_CHILD", second.full_name, second.national_id,
                       Month.parse("2025-03"), ACTOR)  # fmt: skip
    march = generate("2025-03")
    [care] = lines_of(march, "CARE_SUPPORT")
    assert care.payee_name == "Vi Thị Lan" and care.monthly_amount == 1_250_000
    [commune] = difference_with_last_month(march)
    # New: the second carer; stopped: the first; the child's own allowance goes on.
    assert (commune.new, commune.stopped, commune.changed) == (1, 1, 0)
    # January and February: the child's allowance, and the first carer's care support.
    assert commune.previous_total == 2_500_000 + 2_500_000
    assert lines_changed_by_half(march) == []


def test_care_support_changes_from_the_month_the_child_turns_4(child_in_foster_care):
    """ND20 Art 8.1 and 20.1: from the birthday month, 1.5 instead of 2.5."""
    for month in ("2025-03", "2025-04", "2025-05"):
        lock_batch(generate(month).id, ACTOR)
    [care] = lines_of(generate("2025-06"), "CARE_SUPPORT")
    assert care.coefficient_pct == 150 and care.category_codes == "CARE_CHILD_FROM_4"
    assert care.monthly_amount == 750_000 and care.arrears_amount == 0


def test_care_support_ends_with_the_category_it_was_granted_for(child_in_foster_care):
    """ND20 Art 20: the care of a 5.1 child is paid while the child is one. The child's
    category ended in February 2025 (a review), after the open care record was granted:
    the batch of April pays the carer January and February, not March or April."""
    child, _carer = child_in_foster_care
    [held] = child.categories
    held.to_month = Month.parse("2025-02")
    db.session.flush()
    assert lines_of(generate("2025-04"), "ALLOWANCE")[0].arrears_months == "2025-01;2025-02"
    [care] = lines_of(generate("2025-04"), "CARE_SUPPORT")
    assert care.monthly_amount == 0 and care.arrears_months == "2025-01;2025-02"
    assert care.total_amount == 2_500_000


def test_care_support_of_a_child_stops_after_the_month_of_the_16th_birthday():
    """ND20 Art 8.2: a 5.1 child is one until the month of the 16th birthday; the
    care support to their carer stops from the month after, with the allowance."""
    child = create_beneficiary(
        categories=("CHILD_NO_SUPPORT",), effective_month="2025-01",
        date_of_birth=date(2009, 2, 20), full_name="Lò Văn Tồng",
    )  # fmt: skip
    grant_care_support(child, "CARE_CHILD", "Hà Thị Mai", None, Month.parse("2025-01"), ACTOR)
    [care] = lines_of(generate("2025-03"), "CARE_SUPPORT")
    # January and February (the birthday month) only.
    assert care.monthly_amount == 0 and care.arrears_months == "2025-01;2025-02"
    assert lines_of(generate("2025-03"), "ALLOWANCE")[0].monthly_amount == 0


def test_care_support_stops_the_month_after_the_carer_dies(child_in_foster_care):
    """Domain section 5.2: care support to a carer who dies stops likewise."""
    _child, carer = child_in_foster_care
    death_of(carer, "KT-CARER", "2025-02-14")
    [care] = lines_of(generate("2025-03"), "CARE_SUPPORT")
    # January and February (the month of death) are still due, March is not.
    assert care.monthly_amount == 0 and care.arrears_months == "2025-01;2025-02"


def test_care_support_for_a_child_who_dies_stops_with_the_allowance(child_in_foster_care):
    child, _carer = child_in_foster_care
    lock_batch(generate("2025-03").id, ACTOR)
    death_of(child.person, "KT-CHILD", "2025-03-20")
    assert lines_of(generate("2025-04"), "CARE_SUPPORT") == []


def test_an_unknown_kind_of_care_support_is_refused():
    child = create_beneficiary(categories=("CHILD_NO_SUPPORT",), date_of_birth=date(2020, 1, 1))
    with pytest.raises(DomainError):
        grant_care_support(child, "PET_SITTING", "X", None, Month.parse("2025-01"), ACTOR)


@pytest.fixture
def funeral_case():
    """A beneficiary dies: the engine opens the funeral support case for the declarant."""
    deceased = create_beneficiary(full_name="Vũ Văn Bảy", date_of_birth=date(1940, 3, 3))
    record = death_of(deceased.person, "KT-FUNERAL", "2025-03-10")
    return deceased, record.response["funeral_allowance"]["case_code"]


def case_by_code(code):
    from benefits.cases.models import Case

    return db.session.scalar(select(Case).where(Case.code == code))


def test_funeral_support_is_paid_once_it_is_approved_to_the_organiser(funeral_case):
    """ND20 Art 11: 20 × the standard in force on the date of death, to the organiser,
    through the next monthly batch as its own line (domain.md section 4)."""
    deceased, code = funeral_case
    assert lines_of(generate("2025-04"), "FUNERAL") == []  # not decided yet
    approve(case_by_code(code))
    april = generate("2025-04")
    [funeral] = lines_of(april, "FUNERAL")
    assert funeral.beneficiary_code == deceased.code and funeral.full_name == "Vũ Văn Bảy"
    assert (funeral.payee_name, funeral.payee_national_id) == ("Đỗ Thị Hoa", "001190054321")
    assert funeral.one_off_amount == 10_000_000 == funeral.total_amount
    assert (funeral.monthly_amount, funeral.arrears_amount, funeral.coefficient_pct) == (0, 0, 0)
    assert funeral.category_codes == "" and funeral.arrears_months == ""
    # A legal one-off amount is not flagged as "above 10 × the standard".
    assert funeral not in lines_above_ten_times_the_standard(april)
    # Regenerated in place: still one line; locked, the next batch does not pay it again.
    assert len(lines_of(generate("2025-04"), "FUNERAL")) == 1
    lock_batch(april.id, ACTOR)
    assert lines_of(generate("2025-05"), "FUNERAL") == []


def test_a_dossier_cannot_be_issued_twice_even_outside_the_generator(funeral_case):
    _deceased, code = funeral_case
    case = case_by_code(code)
    approve(case)
    batch = generate("2025-04")
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            PaymentItem(batch_id=batch.id, beneficiary_id=None, kind="FUNERAL",
                        month=Month(2025, 4), coefficient_pct=0, standard_level=0, amount=1,
                        case_id=case.id, status="issued")
        )  # fmt: skip
        db.session.flush()


def test_housing_support_to_a_household_outside_the_registry():
    """ND20 Art 15: a fixed amount per household; the line names the dossier."""
    head = create_person(full_name="Mùa A Páo", date_of_birth=date(1975, 7, 7))
    case = open_case("EMERGENCY-HOUSING", "00070", head.full_name, ACTOR, date(2025, 3, 3),
                     subject_national_id=head.national_id, subject_person_id=head.id,
                     amount=40_000_000)  # fmt: skip
    approve(case)
    [line] = lines_of(generate("2025-04"), "ONE_OFF")
    assert line.beneficiary_id is None and line.beneficiary_code == case.code
    assert line.payment_method == "COMMUNE" and line.payee_name == "Mùa A Páo"
    assert line.national_id == head.national_id and line.one_off_amount == 40_000_000


def test_line_numbers_follow_the_list_order_across_kinds(child_in_foster_care, funeral_case):
    _deceased, code = funeral_case
    approve(case_by_code(code))
    lines = lines_of(generate("2025-04"))
    assert [line.line_no for line in lines] == list(range(1, len(lines) + 1))
    assert {line.kind for line in lines} == {"ALLOWANCE", "CARE_SUPPORT", "FUNERAL"}


def test_the_officer_sees_who_is_paid_to_care_for_the_beneficiary(client, child_in_foster_care):
    from tests.integration.test_registry_pages import log_in

    child, _carer = child_in_foster_care
    lock_batch(generate("2025-03").id, ACTOR)
    log_in(client, "officer", "care@xa.gov.vn", commune="00070")
    page = client.get(f"/officer/registry/{child.code}").get_data(as_text=True)
    assert "Hà Thị Mai" in page
    assert "<td>03/2025</td><td>Hỗ trợ kinh phí chăm sóc, nuôi dưỡng</td>" in page
    assert "<td>Nhận chăm sóc trẻ em khoản 1 Điều 5 dưới 4 tuổi / " in page  # the kind of care
    # Born 2021-06: from 4 (June 2025) the carer gets 1.5 × the standard level a month.
    assert "750.000\u00a0₫ (1,5 × 500.000\u00a0₫)" in page


def test_no_line_can_be_added_to_a_locked_batch(child_in_foster_care):
    from sqlalchemy.exc import DatabaseError

    batch = lock_batch(generate("2025-03").id, ACTOR)
    line = lines_of(batch)[0]
    with pytest.raises(DatabaseError), db.session.begin_nested():
        db.session.execute(
            PaymentLine.__table__.insert().values(
                batch_id=batch.id, line_no=999, beneficiary_id=line.beneficiary_id,
                case_id=None, kind="ONE_OFF", province_code="01", commune_code="00070",
                payment_method="COMMUNE", beneficiary_code="X", national_id=line.national_id,
                full_name="X", date_of_birth=date(1950, 1, 1), payee_name="X",
                category_codes="", coefficient_pct=0, monthly_amount=0, arrears_amount=0,
                arrears_months="", one_off_amount=1, total_amount=1, status="open",
            )
        )  # fmt: skip


def care_form(**overrides):
    return {"care_group": "CARE_HOUSEHOLD_EXTREMELY_SEVERE", "carer_name": "Lâm Thị Hoa",
            "carer_national_id": "001175012345", "from_month": "2025-01", "to_month": "",
            **overrides}  # fmt: skip


@pytest.fixture
def severely_disabled():
    return create_beneficiary(categories=("DISABLED_EXTREMELY_SEVERE",), full_name="Lâm Văn Sơn")


def care_records(beneficiary):
    from benefits.registry.models import CareSupport

    return db.session.scalars(
        select(CareSupport).where(CareSupport.beneficiary_id == beneficiary.id)
    ).all()


def test_an_officer_records_care_support_and_the_next_batch_pays_the_carer(
    client, severely_disabled, tmp_path
):
    """ND20 Art 20.2: a household directly caring for a person with extremely severe
    disability, 1.0 × the standard level."""
    from tests.integration.test_registry_pages import log_in

    log_in(client, "officer", "care2@xa.gov.vn", commune="00070")
    page = client.get(f"/officer/registry/{severely_disabled.code}").get_data(as_text=True)
    assert "Hộ gia đình trực tiếp chăm sóc mỗi người khuyết tật đặc biệt nặng" in page
    ids = re.findall(r' id="([^"]+)"', page)
    assert len(ids) == len(set(ids)), "an id used twice: a label would focus another form's field"
    response = client.post(f"/officer/registry/{severely_disabled.code}/care-support",
                           data=care_form())  # fmt: skip
    assert response.status_code == 302
    [record] = care_records(severely_disabled)
    assert record.carer_name == "Lâm Thị Hoa" and record.from_month == Month(2025, 1)
    batch = generate("2025-03")
    [care] = lines_of(batch, "CARE_SUPPORT")
    assert care.monthly_amount == 500_000 and care.payee_name == "Lâm Thị Hoa"
    # At the counter the carer signs for it, under her own ID number.
    sheet = signature_sheet_text(batch, tmp_path)
    [carer_row] = [row for row in sheet.splitlines() if "Lâm Thị Hoa" in row]
    assert "*********345" in carer_row
    assert "THÁNG 03/2025" in sheet and "Phường Hoàn Kiếm (00070)" in sheet


def signature_sheet_text(batch, tmp_path) -> str:
    from pypdf import PdfReader

    from benefits.payments.signature_sheets import write_signature_sheets

    write_signature_sheets(batch, tmp_path / "sheets.pdf")
    return "\n".join(page.extract_text() for page in PdfReader(tmp_path / "sheets.pdf").pages)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"care_group": ""}, "Chọn loại chăm sóc."),
        ({"care_group": "PET_SITTING"}, "Không có loại hỗ trợ chăm sóc PET_SITTING."),
        ({"carer_name": ""}, "Ghi họ tên người chăm sóc."),
        ({"carer_national_id": "123"}, "12 chữ số"),
        ({"carer_national_id": "999175012345"}, "mã tỉnh"),
        ({"from_month": "2025-13"}, "YYYY-MM"),
        ({"to_month": "2024-12"}, "Tháng cuối không được trước tháng bắt đầu."),
    ],
)
def test_bad_care_support_input_is_refused_and_records_nothing(
    client, severely_disabled, overrides, message
):
    from tests.integration.test_registry_pages import log_in

    log_in(client, "officer", "care3@xa.gov.vn", commune="00070")
    response = client.post(f"/officer/registry/{severely_disabled.code}/care-support",
                           data=care_form(**overrides))  # fmt: skip
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert care_records(severely_disabled) == []
    assert care_audit() == []


def care_audit():
    from benefits.accounts.models import AuditEntry

    return db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "registry.care_support")
    ).all()


def care_errors(response):
    """The messages next to each field of the care-support form, by field."""
    from bs4 import BeautifulSoup

    page = BeautifulSoup(response.data, "html.parser")
    fields = page.select("form[action$='/care-support'] .error-message")
    return {p.parent.get("id", "").removesuffix("-field").removeprefix("care-"):
            p.get_text(" ", strip=True) for p in fields}  # fmt: skip


@pytest.fixture
def child_not_disabled():
    """A 5.1 child since March 2025, with no disability."""
    return create_beneficiary(categories=("CHILD_NO_SUPPORT",), effective_month="2025-03",
                              date_of_birth=date(2021, 6, 10), full_name="Lò Văn Tí")  # fmt: skip


@pytest.mark.parametrize(
    ("who", "overrides", "field", "message"),
    [
        # ND20 Art 20: a household cares for a person with extremely severe disability (5.6).
        ("child", {}, "care_group", "Loại chăm sóc này dành cho đối tượng 5.6 (Điều 5"),
        # ND20 Art 20: caring for a 5.1 child, or a 5.5.d elderly person.
        ("disabled", {"care_group": "CARE_CHILD"}, "care_group", "đối tượng 5.1 ("),
        ("disabled", {"care_group": "CARE_ELDERLY_COMMUNITY"}, "care_group", "đối tượng 5.5.d ("),
        # ND20 Art 8.1: not before the person is in the category (the child: 2025-03).
        (
            "child",
            {"care_group": "CARE_CHILD", "from_month": "1990-05"},
            "from_month",
            "từ 03/2025",
        ),
        (
            "child",
            {"care_group": "CARE_CHILD", "from_month": "2025-02"},
            "from_month",
            "từ 03/2025",
        ),
        # Nor in a month to come.
        (
            "disabled",
            {"from_month": str(Month.of(vietnam_today()) + 1)},
            "from_month",
            "sau tháng này",
        ),
    ],
)
def test_care_support_that_does_not_fit_the_person_is_refused_next_to_the_field(
    client, severely_disabled, child_not_disabled, who, overrides, field, message
):
    """What the officer sees: the form again, the message next to the field; nothing is
    recorded, nothing audited, and the next batch pays no care support."""
    from tests.integration.test_registry_pages import log_in

    cared = child_not_disabled if who == "child" else severely_disabled
    log_in(client, "officer", "care6@xa.gov.vn", commune="00070")
    response = client.post(f"/officer/registry/{cared.code}/care-support",
                           data=care_form(**overrides))  # fmt: skip
    assert response.status_code == 200
    errors = care_errors(response)
    assert message in errors[field], errors
    assert care_records(cared) == [] and care_audit() == []
    assert lines_of(generate("2025-04"), "CARE_SUPPORT") == []


def test_care_support_ends_with_the_category_it_is_for(client):
    """A 5.1 child who left the category in June 2025: care from March must end by June."""
    from tests.integration.test_registry_pages import log_in

    held = ("CHILD_NO_SUPPORT", Month(2025, 1), Month(2025, 6))
    child = create_beneficiary(categories=(held,), effective_month="2025-01",
                               date_of_birth=date(2021, 6, 10))  # fmt: skip
    log_in(client, "officer", "care7@xa.gov.vn", commune="00070")
    url = f"/officer/registry/{child.code}/care-support"
    refused = client.post(url, data=care_form(care_group="CARE_CHILD", from_month="2025-03"))
    assert "06/2025" in care_errors(refused)["to_month"]
    assert care_records(child) == []
    accepted = client.post(url, data=care_form(care_group="CARE_CHILD", from_month="2025-03",
                                               to_month="2025-06"))  # fmt: skip
    assert accepted.status_code == 302
    [record] = care_records(child)
    assert (record.from_month, record.to_month) == (Month(2025, 3), Month(2025, 6))


def test_the_refusal_reads_in_english_on_an_english_page(client, child_not_disabled):
    from tests.integration.test_registry_pages import log_in

    log_in(client, "officer", "care8@xa.gov.vn", commune="00070")
    client.get("/language/en")
    response = client.post(
        f"/officer/registry/{child_not_disabled.code}/care-support",
        data=care_form(care_group="CARE_CHILD", from_month="1990-05"),
    )
    assert care_errors(response)["from_month"] == (
        "The person is in category 5.1 (Decree 20/2021, Art 5) from Mar 2025: care support "
        "cannot start before then."
    )
    assert care_records(child_not_disabled) == []


def test_care_support_of_another_commune_or_by_the_chairman_is_refused(client, severely_disabled):
    from tests.integration.test_registry_pages import log_in

    log_in(client, "officer", "care4@xa.gov.vn", commune="26506")
    url = f"/officer/registry/{severely_disabled.code}/care-support"
    assert client.post(url, data=care_form()).status_code == 404
    client.post("/logout")
    log_in(client, "chairman", "chair@xa.gov.vn", commune="00070")
    assert client.post(url, data=care_form()).status_code == 404
    assert care_records(severely_disabled) == []


def test_a_carer_s_death_learned_late_stops_a_locked_care_line(child_in_foster_care):
    """Domain section 5.2 and 5.4: a locked, unpaid care-support line holding months after
    the carer's death is not paid; the months up to the death go to the next batch."""
    _child, carer = child_in_foster_care
    march = lock_batch(generate("2025-03").id, ACTOR)
    death_of(carer, "KT-CARER-LATE", "2025-02-14")
    [care] = lines_of(march, "CARE_SUPPORT")
    db.session.refresh(care)
    assert care.status == "do_not_pay"
    [allowance] = lines_of(march, "ALLOWANCE")
    assert allowance.status == "open"  # the child's own allowance is not touched
    [again] = lines_of(generate("2025-04"), "CARE_SUPPORT")
    assert again.arrears_months == "2025-01;2025-02" and again.monthly_amount == 0


def test_a_carer_s_death_after_a_paid_care_line_records_an_overpayment(
    child_in_foster_care, tmp_path
):
    from benefits.payments.models import Overpayment
    from benefits.payments.service import reconcile_batch

    child, carer = child_in_foster_care
    march = lock_batch(generate("2025-03").id, ACTOR)
    [care] = lines_of(march, "CARE_SUPPORT")
    result = tmp_path / "result.csv"
    result.write_text(f"line_no,national_id,status,paid_on\n{care.line_no},{care.national_id},"
                      "PAID,2025-03-05\n", encoding="utf-8")  # fmt: skip
    reconcile_batch(march.id, result, ACTOR, report=lambda _line: None)
    death_of(carer, "KT-CARER-PAID", "2025-01-20")
    [overpayment] = db.session.scalars(select(Overpayment)).all()
    assert overpayment.beneficiary_id == child.id
    assert overpayment.amount == 2 * 1_250_000  # February and March, paid after the death


def test_overlapping_care_support_is_refused(client, severely_disabled):
    """One care-support record a month: a second carer for months already covered would
    be paid twice (the batch's unique index would refuse the whole province)."""
    from tests.integration.test_registry_pages import log_in

    log_in(client, "officer", "care5@xa.gov.vn", commune="00070")
    url = f"/officer/registry/{severely_disabled.code}/care-support"
    assert client.post(url, data=care_form(to_month="2025-06")).status_code == 302
    refused = client.post(url, data=care_form(carer_name="Người Khác", from_month="2025-06"))
    assert "Đã ghi nhận hỗ trợ chăm sóc từ 01/2025 (Lâm Thị Hoa)" in refused.get_data(as_text=True)
    assert client.post(url, data=care_form(carer_name="Người Khác", from_month="2025-07")
                       ).status_code == 302  # fmt: skip
    assert [c.carer_name for c in care_records(severely_disabled)] == ["Lâm Thị Hoa", "Người Khác"]
    # Each carer is paid their own months, on their own line.
    lines = {line.payee_name: line for line in lines_of(generate("2025-08"), "CARE_SUPPORT")}
    assert lines["Lâm Thị Hoa"].arrears_months == "2025-01;2025-02;2025-03;2025-04;2025-05;2025-06"
    assert lines["Lâm Thị Hoa"].monthly_amount == 0
    assert lines["Người Khác"].arrears_months == "2025-07"
    assert lines["Người Khác"].monthly_amount == 500_000


def test_one_batch_numbers_every_kind_of_line_in_list_order(child_in_foster_care, funeral_case):
    """A batch holding every kind of line (the allowance, care support, a funeral, a
    deceased person's last months to the declarant): one list, numbered by commune,
    payment point and name, each person's lines by kind (interchange.md section 3)."""
    child, carer = child_in_foster_care
    deceased, code = funeral_case
    approve(case_by_code(code))
    lines = lines_of(generate("2025-04"))
    assert [line.line_no for line in lines] == [1, 2, 3, 4]
    assert [(line.full_name, line.kind, line.payee_name) for line in lines] == [
        ("Vũ Văn Bảy", "ALLOWANCE", "Đỗ Thị Hoa"),  # died in March: paid up to March
        ("Vũ Văn Bảy", "FUNERAL", "Đỗ Thị Hoa"),
        ("Lò Văn Tí", "ALLOWANCE", "Lò Văn Tí"),
        ("Lò Văn Tí", "CARE_SUPPORT", "Hà Thị Mai"),
    ]  # fmt: skip
