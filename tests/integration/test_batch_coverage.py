"""The batches of one month never overlap (interchange.md section 3; issue 27 item 2):
each commune's lines of a month are in one batch only, enforced by the database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.models import BatchCommune, PaymentBatch, PaymentLine
from tests.builders import line_count

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
PASSWORD = "một-mật-khẩu-dài"
ACTOR = Actor.system("test")


def cli(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


@pytest.fixture
def caseload(app, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", None)  # a national run's jobs in process
    assert cli(app, "registry", "import", str(SAMPLES / "caseload.csv")).exit_code == 0


def generate(app, *scope):
    result = cli(app, "payments", "generate", "--month", "2025-03", *scope, "--json")
    return result, (json.loads(result.stdout.strip().splitlines()[-1])
                    if result.exit_code == 0 else None)  # fmt: skip


def test_a_commune_inside_its_provinces_batch_is_refused_naming_it(app, caseload):
    _, province = generate(app, "--province", "01")
    refused, _ = generate(app, "--commune", "00070")
    assert refused.exit_code == 1
    assert refused.stderr.strip() == (
        "Các dòng chi trả tháng 03/2025 của phạm vi này đã thuộc danh sách "
        f"{province['batch_id']} tháng 03/2025 (Thành phố Hà Nội): hãy lập danh sách đó."
    )
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 1
    assert line_count() == 5


def test_a_province_leaves_out_a_commune_with_its_own_batch_and_names_it(app, caseload):
    _, commune = generate(app, "--commune", "00070")
    result, province = generate(app, "--province", "01")
    assert result.exit_code == 0
    assert (f"bỏ qua 1 xã: đã có trong danh sách {commune['batch_id']} tháng 03/2025 "
            "(Phường Hoàn Kiếm)") in result.stderr  # fmt: skip
    assert commune["lines"] + province["lines"] == 5
    communes = db.session.scalars(
        select(PaymentLine.commune_code).where(PaymentLine.batch_id == province["batch_id"])
    ).all()
    assert "00070" not in communes and communes
    # The national batch then holds the other provinces only.
    national, figures = generate(app)
    assert national.exit_code == 0 and figures["lines"] == 8 - 5
    assert line_count() == 8


def test_the_database_refuses_a_commune_in_two_batches_of_a_month(app, caseload):
    _, province = generate(app, "--province", "01")
    other = PaymentBatch(month=Month(2025, 3), scope_kind="commune", scope_code="00070")
    db.session.add(other)
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(BatchCommune(month=Month(2025, 3), commune_code="00070", batch_id=other.id))
        db.session.flush()
    # Another month is another list.
    db.session.add(BatchCommune(month=Month(2025, 4), commune_code="00070", batch_id=other.id))
    db.session.flush()


def test_a_narrower_scope_inside_the_national_batch_is_refused_on_the_web(app, caseload):
    _, national = generate(app)
    create_staff_user("payment", "tinh@hanoi.gov.vn", "Chi Trả", PASSWORD, ACTOR,
                      province_code="01")  # fmt: skip
    client = app.test_client()
    client.post("/login", data={"username": "tinh@hanoi.gov.vn", "password": PASSWORD})
    response = client.post("/payments/runs", data={"month": "2025-03"})
    assert response.status_code == 200
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    assert (f"đã thuộc danh sách {national['batch_id']} tháng 03/2025 (toàn quốc)"
            in page.select_one("#month-field .error-message").get_text())  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(PaymentBatch)) == 1


def test_the_batch_page_says_which_communes_it_holds_and_who_holds_the_others(app, caseload):
    _, commune = generate(app, "--commune", "00070")
    _, province = generate(app, "--province", "01")
    create_staff_user("payment", "tinh@hanoi.gov.vn", "Chi Trả", PASSWORD, ACTOR,
                      province_code="01")  # fmt: skip
    client = app.test_client()
    client.post("/login", data={"username": "tinh@hanoi.gov.vn", "password": PASSWORD})
    page = BeautifulSoup(
        client.get(f"/payments/batches/{province['batch_id']}").get_data(as_text=True),
        "html.parser",
    )
    coverage = page.select_one("#batch-coverage")
    assert "125 xã" in coverage.get_text()
    link = coverage.select_one("a")
    assert link["href"].endswith(f"/payments/batches/{commune['batch_id']}")
    assert "Phường Hoàn Kiếm" in link.get_text()
    page = BeautifulSoup(
        client.get(f"/payments/batches/{commune['batch_id']}").get_data(as_text=True),
        "html.parser",
    )
    assert "1 xã" in page.select_one("#batch-coverage").get_text()
    assert page.select_one("#batch-coverage a") is None
