"""The dashboards of a commune and a province (domain.md section 8): beneficiaries by
category and commune, money paid by month, dossiers by procedure and their deadlines,
people suspended, complaints overdue, overpayments; SVG charts with their tables, every
table as CSV, every figure in the user's scope, read from summary tables."""

import csv
import io
from datetime import date, datetime

import pytest
import time_machine
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.cases.service import move_case, open_case
from benefits.cases.workflow import Proposal, decide, propose, record_complaint
from benefits.extensions import db
from benefits.payments.models import PaymentBatch, PaymentLine
from benefits.places.calendar import VIETNAM
from benefits.reports.models import PaidByMonth, SummaryRefresh
from tests.builders import PASSWORD, create_beneficiary
from tests.integration.test_reports_forms import paid_total, pay_half_year

ACTOR = Actor.system("test")
REFRESH_JOB = "benefits.reports.tasks:refresh_province_job"
# The dashboards are read on 20 May 2025 (a Tuesday), in Vietnam.
TODAY = datetime(2025, 5, 20, 9, 0, tzinfo=VIETNAM)


@pytest.fixture
def half_year_paid(app, tmp_path):
    return pay_half_year(app, tmp_path)


@pytest.fixture
def clock():
    with time_machine.travel(TODAY, tick=False):
        yield


def staff(app, role, email, **places):
    create_staff_user(role, email, "Cán Bộ", PASSWORD, ACTOR, **places)
    client = app.test_client()
    client.post("/login", data={"username": email, "password": PASSWORD})
    return client


def refresh(app, *args):
    result = app.test_cli_runner().invoke(args=["reports", "refresh", *args, "--json"])
    assert result.exit_code == 0, result.output


def page(client, path="/reports/"):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.data, "html.parser")


def cells(table):
    return [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in table.select("tbody tr")]  # fmt: skip


def digits(text: str) -> int:
    return int("".join(ch for ch in text if ch.isdigit()))


def test_the_money_paid_is_kept_current_by_the_reconciliation(app, half_year_paid):
    """What a batch paid is in the summary as soon as the result file is read, without a
    refresh: the dashboard never sums the payment lines itself."""
    summary = dict(
        db.session.execute(
            select(PaidByMonth.month, func.sum(PaidByMonth.paid_amount))
            .where(PaidByMonth.province_code == "01")
            .group_by(PaidByMonth.month)
        ).all()
    )
    march, april = half_year_paid["march"], half_year_paid["april"]
    assert summary == {
        march.month: paid_total(batch_id=march.id),
        april.month: paid_total(batch_id=april.id),
    }


def test_the_province_dashboard_shows_money_by_month_with_its_chart(app, clock, half_year_paid):
    refresh(app, "--province", "01")
    admin = staff(app, "admin", "admin@so.gov.vn", province_code="01")
    html = page(admin)
    rows = cells(html.select_one("table#paid-by-month"))
    assert len(rows) == 12 and rows[0][0] == "06/2024" and rows[-1][0] == "05/2025"
    march = next(row for row in rows if row[0] == "03/2025")
    assert digits(march[2]) == paid_total(batch_id=half_year_paid["march"].id)
    chart = html.select_one("svg#paid-chart")
    assert chart["role"] == "img" and chart.select_one("title").get_text()
    assert len(chart.select("rect")) == 12
    # The province's communes, each a link to its own dashboard.
    communes = cells(html.select_one("table#beneficiaries-by-commune"))
    assert [row[0] for row in communes] == ["Phường Ba Đình (00004)", "Phường Hoàn Kiếm (00070)"]


def test_every_table_downloads_as_csv(app, clock, half_year_paid):
    refresh(app, "--province", "01")
    admin = staff(app, "admin", "admin@so.gov.vn", province_code="01")
    links = [a["href"] for a in page(admin).select("a.csv-download")]
    assert len(links) == 4
    response = admin.get("/reports/dashboard/paid-by-month.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Tháng", "Số lần chi trả", "Kinh phí đã chi trả (đồng)"]
    total = sum(int(row[2]) for row in rows[1:])
    assert total == paid_total(province_code="01")
    categories = admin.get("/reports/dashboard/beneficiaries-by-category.csv").get_data()
    lines = list(csv.reader(io.StringIO(categories.decode("utf-8-sig"))))
    assert lines[0][:2] == ["Diện đối tượng", "Tên"]
    assert admin.get("/reports/dashboard/nothing.csv").status_code == 404


def test_beneficiaries_by_category_and_people_suspended(app, clock):
    create_beneficiary(("HIV_POOR",), "2024-01", date_of_birth=date(1990, 1, 15))
    create_beneficiary(("HIV_POOR",), "2024-01", date_of_birth=date(1991, 1, 15),
                       status="suspended")  # fmt: skip
    create_beneficiary(("ELDERLY_80_NO_PENSION",), "2024-01", date_of_birth=date(1940, 1, 1))
    create_beneficiary(("HIV_POOR",), "2024-01", date_of_birth=date(1992, 1, 15),
                       status="stopped")  # fmt: skip
    create_beneficiary(("HIV_POOR",), "2024-01", date_of_birth=date(1993, 1, 15),
                       commune_code="00004")  # fmt: skip
    refresh(app, "--province", "01")
    officer = staff(app, "officer", "cb@xa.gov.vn", commune_code="00070")
    html = page(officer)
    rows = {row[0]: row[1:] for row in cells(html.select_one("table#beneficiaries-by-category"))}
    hiv = next(value for key, value in rows.items() if "(5.8)" in key)
    assert hiv == ["2", "1"]  # the stopped one is no longer a beneficiary; Ba Đình's not here
    assert html.select_one("#suspended").get_text(strip=True) == "1"
    # A commune's officer sees no table of communes, and no other commune's dashboard.
    assert html.select_one("table#beneficiaries-by-commune") is None
    assert officer.get("/reports/?commune=00004").status_code == 404
    assert officer.get("/reports/dashboard/paid-by-month.csv?commune=00004").status_code == 404


def test_dossiers_received_decided_in_time_and_overdue(app):
    with time_machine.travel(datetime(2025, 5, 2, 9, 0, tzinfo=VIETNAM), tick=False):
        late = open_case("EMERGENCY-HOUSING", "00070", "Mùa A Páo", ACTOR, date(2025, 4, 1))
        in_time = open_case("EMERGENCY-HOUSING", "00070", "Mùa A Sử", ACTOR, date(2025, 5, 2))
        move_case(in_time, "checking", ACTOR)
        propose(
            in_time, Proposal("refuse", reasons="Nhà không bị hư hại."), ACTOR, date(2025, 5, 2)
        )
        decide(in_time, False, "Nhà không bị hư hại.", ACTOR, date(2025, 5, 2))
        open_case("EMERGENCY-HOUSING", "00070", "Giàng A Dình", ACTOR, date(2025, 5, 20))
        open_case("EMERGENCY-HOUSING", "26506", "Người Khác", ACTOR, date(2025, 4, 1))
    assert late.due_on < date(2025, 5, 20)
    with time_machine.travel(TODAY, tick=False):
        refresh(app, "--province", "01")
        officer = staff(app, "officer", "cb@xa.gov.vn", commune_code="00070")
        rows = cells(page(officer).select_one("table#dossiers-by-procedure"))
    # Received in the 12 months: three; one refused on the day (in time); of the two
    # still open, the one of 1 April is past its 10 working days.
    assert rows == [["Hỗ trợ làm nhà ở, sửa chữa nhà ở", "3", "1", "1", "100 %", "2", "1"]]


def test_complaints_past_their_ten_working_days_are_counted(app):
    applicant = dict(date_of_birth="1950-01-01", sex="M", address="Tổ 1")
    with time_machine.travel(datetime(2025, 5, 2, 9, 0, tzinfo=VIETNAM), tick=False):
        case = open_case("1.001776", "00070", "Hà Văn Khiếu", ACTOR, date(2025, 5, 2),
                         subject_national_id="001050000123", data=applicant)  # fmt: skip
        move_case(case, "checking", ACTOR)
        propose(case, Proposal("approve", category="ELDERLY_POOR_ALONE",
                               payment_method="COMMUNE"), ACTOR, date(2025, 5, 2))  # fmt: skip
        assert case.status == "posting"
        record_complaint(case, "Hàng Xóm", "Ông ấy có lương hưu.", ACTOR, date(2025, 5, 2))
        record_complaint(case, "Người Khác", "Xin xem lại.", ACTOR, date(2025, 5, 19))
    # 10 working days from 2 May 2025 end on 16 May; the second one is not late yet.
    with time_machine.travel(TODAY, tick=False):
        refresh(app, "--province", "01")
        officer = staff(app, "officer", "cb@xa.gov.vn", commune_code="00070")
        html = page(officer)
    assert html.select_one("#complaints-overdue").get_text(" ", strip=True).startswith("1 ")
    assert "2" in html.select_one("#complaints-overdue").get_text()


def test_the_refresh_is_asked_for_from_the_page(app, clock, half_year_paid):
    admin = staff(app, "admin", "admin@so.gov.vn", province_code="01")
    assert "chưa được tính" in page(admin).get_text()
    response = admin.post("/reports/dashboard/refresh")
    assert response.status_code == 302
    if app.config.get("REDIS_URL"):
        # On RQ: the job is on the default queue; run it as a worker would.
        from rq import Queue

        from benefits.jobs import redis_connection, run_job

        queue = Queue("default", connection=redis_connection(app))
        ours = [j for j in queue.jobs if j.args[:1] == (REFRESH_JOB,)]
        for job in ours:
            job.delete()
        run_job(*ours[-1].args)  # this request's (earlier runs may have left theirs)
    # Without Redis the job ran in process once the request had committed.
    assert "Số liệu được tính lúc" in page(admin).get_text()
    assert db.session.get(SummaryRefresh, "01").as_of == date(2025, 5, 20)


def test_the_dashboard_is_not_for_payment_officers_or_citizens(app, citizen, client):
    payment = staff(app, "payment", "p@xa.gov.vn", commune_code="00070")
    assert payment.get("/reports/").status_code == 404
    assert client.get("/reports/").status_code == 404


def test_a_dashboard_request_never_reads_the_payment_lines(app, clock, half_year_paid):
    refresh(app, "--province", "01")
    admin = staff(app, "admin", "admin@so.gov.vn", province_code="01")
    statements = []
    from sqlalchemy import event

    engine = db.engine

    def record(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        page(admin)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert statements and not any("payment_lines" in s or "beneficiaries" in s
                                  for s in statements)  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 3
    assert db.session.scalar(select(func.count()).select_from(PaymentLine)) > 0


def test_a_line_corrected_after_the_result_file_changes_the_money_paid(app, half_year_paid):
    from benefits.payments.service import correct_line

    march = half_year_paid["march"]
    line = db.session.scalars(
        select(PaymentLine).where(PaymentLine.batch_id == march.id, PaymentLine.status == "paid")
    ).first()
    before = paid_total(batch_id=march.id)
    correct_line(march.id, line.line_no, "UNPAID", None, "Công văn 7/BĐ: chưa nhận tiền", ACTOR,
                 today=date(2025, 3, 20))  # fmt: skip
    summary = db.session.scalar(
        select(func.sum(PaidByMonth.paid_amount)).where(PaidByMonth.month == march.month,
                                                        PaidByMonth.province_code == "01")
    )  # fmt: skip
    assert summary == paid_total(batch_id=march.id) == before - line.total_amount


def test_overpayments_to_recover_are_counted(app, half_year_paid):
    """A death learned after the March batch was paid: March is to recover (domain.md
    section 5 step 4), and the dashboard counts it in the commune that paid it."""
    from benefits.payments.models import Overpayment
    from benefits.people.models import Person
    from tests.integration.test_care_and_one_off_lines import death_of

    son = db.session.scalar(select(Person).where(Person.national_id == "001050700004"))
    with time_machine.travel(datetime(2025, 4, 20, 9, 0, tzinfo=VIETNAM), tick=False):
        death_of(son, "KT-LATE-1", "2025-02-10")
    owed = db.session.scalars(select(Overpayment)).all()
    assert owed and all(o.status == "to_recover" for o in owed)
    with time_machine.travel(TODAY, tick=False):
        refresh(app, "--province", "01")
        officer = staff(app, "officer", "cb@xa.gov.vn", commune_code="00070")
        figure = page(officer).select_one("#overpayments").get_text(" ", strip=True)
        other = staff(app, "officer", "cb2@xa.gov.vn", commune_code="00004")
        elsewhere = page(other).select_one("#overpayments").get_text(" ", strip=True)
    assert figure.startswith(f"{len(owed)} ")
    assert digits(figure.split("(")[1]) == sum(o.amount for o in owed) > 0
    assert elsewhere.startswith("0 ")
