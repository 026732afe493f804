"""What the payment officer tripped on (issue 27 item 8; decision 162): a month earlier
than one locked is asked again first, a batch with no line is never locked, the month
offered moves on after a lock, and the run's page links to its batch."""

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.accounts.audit import Actor
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.generation import generate_batch
from benefits.payments.models import PaymentBatch, PaymentRun
from benefits.payments.service import lock_batch
from benefits.places.calendar import vietnam_today
from tests.integration.test_payment_runs import caseload, in_process, login  # noqa: F401

pytestmark = pytest.mark.usefixtures("caseload", "in_process")
# A commune of Hà Nội where the sample caseload has no one.
EMPTY_COMMUNE = "00073"


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def officer(app, commune="00070"):
    return login(app, f"chi-tra-{commune}@xa.gov.vn", commune_code=commune)


def generate_and_lock(client, month: str) -> int:
    response = client.post("/payments/runs", data={"month": month})
    assert response.status_code == 302, response.get_data(as_text=True)
    batch_id = db.session.scalar(
        select(PaymentBatch.id).where(PaymentBatch.month == Month.parse(month))
    )
    locked = client.post(f"/payments/batches/{batch_id}/lock", data={"confirm": "y"})
    assert locked.status_code == 302
    return batch_id


def offered(client) -> str:
    return page(client.get("/payments/")).select_one("#month")["value"]


def runs() -> int:
    return db.session.scalar(select(func.count()).select_from(PaymentRun))


def test_the_month_offered_moves_on_after_a_lock(app):
    client = officer(app)
    assert offered(client) == str(Month.of(vietnam_today()) + 1)
    generate_and_lock(client, "2025-03")
    assert offered(client) == "2025-04"
    generate_and_lock(client, "2025-04")
    assert offered(client) == "2025-05"


def test_once_next_month_is_locked_the_page_says_when_the_one_after_can_be_made(app):
    client = officer(app)
    following = Month.of(vietnam_today()) + 1
    generate_and_lock(client, str(following))
    home = page(client.get("/payments/"))
    assert home.select_one("#month")["value"] == str(following + 1)
    hint = home.select_one("#offered-not-yet").get_text(" ", strip=True)
    assert f"{following.month:02d}/{following.year}" in hint and "ngày đầu" in hint


def test_a_month_earlier_than_one_locked_is_asked_again_first(app):
    client = officer(app)
    generate_and_lock(client, "2025-04")
    before = runs()
    warned = client.post("/payments/runs", data={"month": "2025-03"})
    assert warned.status_code == 409
    warning = page(warned).select_one("#earlier-than-locked").get_text(" ", strip=True)
    assert "04/2025" in warning and "03/2025" in warning and "đã được khóa" in warning
    assert page(warned).select_one("#confirm-earlier")["type"] == "checkbox"
    assert runs() == before  # nothing generated
    assert db.session.scalar(
        select(func.count()).where(PaymentBatch.month == Month(2025, 3))
    ) == 0  # fmt: skip
    confirmed = client.post("/payments/runs", data={"month": "2025-03", "confirm_earlier": "y"})
    assert confirmed.status_code == 302 and runs() == before + 1
    # A later month than the lock is not asked.
    assert client.post("/payments/runs", data={"month": "2025-05"}).status_code == 302


def test_a_batch_with_no_line_cannot_be_locked(app):
    """A commune with no beneficiary: its generated batch has no line; the page says
    there is nothing to lock, a forced post is refused in words, the service too."""
    client = officer(app, commune=EMPTY_COMMUNE)
    response = client.post("/payments/runs", data={"month": "2025-03"})
    assert response.status_code == 302
    batch = db.session.scalar(select(PaymentBatch).where(PaymentBatch.scope_code == EMPTY_COMMUNE))
    assert batch.generated_at is not None and batch.line_count == 0
    shown = page(client.get(f"/payments/batches/{batch.id}"))
    assert shown.select_one("#lock-confirm") is None
    assert "không có dòng nào" in shown.select_one("#nothing-to-lock").get_text()
    forced = client.post(
        f"/payments/batches/{batch.id}/lock", data={"confirm": "y"}, follow_redirects=True
    )
    assert forced.status_code < 500
    assert "không có dòng nào" in page(forced).get_text(" ", strip=True)
    db.session.refresh(batch)
    assert batch.status == "open" and batch.csv_sha256 is None
    with pytest.raises(DomainError):
        lock_batch(batch.id, Actor.system("test"))


def test_the_service_refuses_to_lock_an_empty_batch_even_outside_the_pages(app):
    batch = generate_batch(Month(2025, 3), "commune", EMPTY_COMMUNE, Actor.system("test"))
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        lock_batch(batch.id, Actor.system("test"))
    assert "không có gì để khóa" in str(refused.value.message)


def test_the_run_page_links_to_its_batch(app):
    client = officer(app)
    response = client.post("/payments/runs", data={"month": "2025-03"})
    run_page = page(client.get(response.location))
    batch_id = db.session.scalar(
        select(PaymentBatch.id).where(PaymentBatch.month == Month(2025, 3))
    )
    [link] = run_page.select("#run-batches a")
    assert link["href"] == f"/payments/batches/{batch_id}"
    assert "khóa" in link.get_text()
    assert client.get(link["href"]).status_code == 200
