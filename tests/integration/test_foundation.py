"""The walking skeleton: reference data, migrations in step with the models, health,
language, money formatting."""

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from bs4 import BeautifulSoup
from flask import render_template_string, url_for
from flask_babel import force_locale, get_locale
from sqlalchemy import func, select

from benefits.extensions import db
from benefits.i18n import format_day, format_month, format_months, format_vnd
from benefits.month import Month
from benefits.places.models import Commune, Province


def test_migrations_load_the_2025_administrative_map(app):
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Province)) == 34
        assert db.session.scalar(select(func.count()).select_from(Commune)) == 3321
        hoan_kiem = db.session.get(Commune, "00070")
        assert hoan_kiem.name == "Phường Hoàn Kiếm"
        assert hoan_kiem.province.name == "Thành phố Hà Nội"


def test_models_and_migrations_agree(app):
    with app.app_context():
        context = MigrationContext.configure(db.session.connection(), opts={"compare_type": True})
        diff = compare_metadata(context, db.Model.metadata)
        assert diff == [], f"models differ from migrations: {diff}"


def test_health_answers_when_database_and_queue_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_health_says_the_queue_is_degraded_when_redis_is_down(app):
    # The portal still serves (jobs in process, notifications in the outbox, issue 29.2):
    # a load balancer must not take it out of service for that.
    app.config["REDIS_URL"], saved = "redis://127.0.0.1:1/0", app.config.get("REDIS_URL")
    try:
        response = app.test_client().get("/healthz")
    finally:
        app.config["REDIS_URL"] = saved
    assert response.status_code == 200
    assert response.get_json()["queue"] == "degraded"
    assert response.get_json()["status"] == "degraded"


def test_home_page_is_in_vietnamese_by_default(client):
    page = BeautifulSoup(client.get("/").data, "html.parser")
    assert page.html["lang"] == "vi"
    assert "Nộp hồ sơ trợ giúp xã hội trực tuyến" in page.h1.text


def test_english_is_chosen_and_remembered(client, app):
    with app.test_request_context():
        switch = url_for("public.switch_language", code="en", next="/")
    response = client.get(switch)
    assert response.status_code == 302
    page = BeautifulSoup(client.get("/").data, "html.parser")
    assert page.html["lang"] == "en"
    assert "Apply for social assistance online" in page.h1.text


def test_the_language_switch_does_not_redirect_off_site(client):
    response = client.get("/language/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


def test_pages_carry_security_headers(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_money_is_whole_vnd_written_the_vietnamese_way(app):
    with app.test_request_context():
        assert format_vnd(1250000) == "1.250.000\xa0₫"
        assert format_vnd(1250000.0) == "1.250.000\xa0₫"


def test_money_reads_as_the_reader_writes_it(app):
    # Whole VND, the sign after the amount; the separators of the page's language
    # (issue 30 item 9, decision 123, replacing 48).
    with app.test_request_context(headers={"Cookie": "lang=en"}):
        assert str(get_locale()) == "en"
        assert render_template_string("{{ 3500000|vnd }}") == "3,500,000\xa0₫"
    with app.test_request_context(), force_locale("vi"):
        assert render_template_string("{{ 3500000|vnd }}") == "3.500.000\xa0₫"


def test_a_moment_is_shown_as_the_day_it_was_in_vietnam(app):
    """Stored in UTC: 23:30 UTC on 14 March is already 15 March in Vietnam (UTC+7)."""
    with app.test_request_context():
        late = datetime(2025, 3, 14, 23, 30, tzinfo=UTC)
        assert format_day(late, "vi") == "15/03/2025"
        assert format_day(late.replace(tzinfo=None), "vi") == "15/03/2025"  # SQLite's
        assert format_day(datetime(2025, 3, 14, 9, 0, tzinfo=UTC), "en") == "14 Mar 2025"


def test_a_month_reads_as_people_write_it_and_files_keep_iso(app):
    with app.test_request_context():
        assert format_month(Month(2025, 3), "vi") == "03/2025"
        assert format_month(Month(2025, 3), "en") == "Mar 2025"
        assert format_months("2025-01;2025-02", "vi") == "01/2025, 02/2025"
        assert format_month(None) == ""
