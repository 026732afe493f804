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
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("FLASK_RUN_PORT", raising=False)
    assert load_settings(str(tmp_path))["PUBLIC_URL"] == "http://127.0.0.1:5000"


def test_development_links_follow_the_port_the_server_runs_on(monkeypatch, tmp_path):
    """``make run PORT=5101`` (decision 124): a reset link leads to that server."""
    monkeypatch.delenv("BENEFITS_ENV", raising=False)
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    monkeypatch.setenv("PORT", "5101")
    assert load_settings(str(tmp_path))["PUBLIC_URL"] == "http://127.0.0.1:5101"
    monkeypatch.setenv("PUBLIC_URL", "https://btxh.example.gov.vn")  # said: it wins
    assert load_settings(str(tmp_path))["PUBLIC_URL"] == "https://btxh.example.gov.vn"


def test_make_run_serves_on_the_port_it_is_given():
    import shutil
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    make = shutil.which("make")
    assert make, "the Makefile is the front door: make must be installed"
    plan = subprocess.run([make, "-n", "run", "PORT=5101"], cwd=root, capture_output=True,  # noqa: S603
                          text=True, check=True).stdout  # fmt: skip
    serve = [line for line in plan.splitlines() if " run " in line and "--port" in line]
    assert serve and "--port 5101" in serve[-1] and "PORT=5101" in serve[-1]
