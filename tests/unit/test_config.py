"""Settings a production server refuses to start without."""

import pytest

from benefits.config import load_settings


@pytest.fixture
def production(monkeypatch, tmp_path):
    monkeypatch.setenv("BENEFITS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "a-long-secret-for-the-test")
    monkeypatch.setenv("PUBLIC_URL", "https://btxh.example.gov.vn")
    return tmp_path


def test_production_starts_with_its_secret_and_its_address(production):
    settings = load_settings(str(production))
    assert settings["PUBLIC_URL"] == "https://btxh.example.gov.vn"
    assert settings["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("missing", ["SECRET_KEY", "PUBLIC_URL"])
def test_production_refuses_to_start_without(production, monkeypatch, missing):
    monkeypatch.delenv(missing)
    with pytest.raises(RuntimeError, match=missing):
        load_settings(str(production))


def test_development_links_point_at_the_local_server(monkeypatch, tmp_path):
    monkeypatch.delenv("BENEFITS_ENV", raising=False)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    assert load_settings(str(tmp_path))["PUBLIC_URL"] == "http://127.0.0.1:5000"
