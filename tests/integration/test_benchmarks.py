"""Benchmarks that cannot rot (issue 24 item 8): every script under ``benchmarks/`` runs
here at a small size, on a scratch PostgreSQL database migrated for it, and its figures
are checked against what it was asked to do. Timings are not checked (performance.md:
never as timed tests)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PROJECT = Path(__file__).resolve().parents[2]
BENCHMARKS = PROJECT / "benchmarks"

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgresql"),
    reason="the benchmarks measure PostgreSQL (DATABASE_URL)",
)


@pytest.fixture
def scratch_database():
    """A database of its own, migrated, dropped after: the benchmark fills and empties it."""
    url = make_url(os.environ["DATABASE_URL"])
    name = f"{url.database}_bench"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    env = {**os.environ, "DATABASE_URL": url.set(database=name).render_as_string(False)}
    migrated = subprocess.run(  # noqa: S603 - the project's own command
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    yield env
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def run_benchmark(env: dict, script: str, *args: str) -> dict:
    result = subprocess.run(  # noqa: S603 - a benchmark of the project, fixed arguments
        [sys.executable, str(BENCHMARKS / script), *args],
        cwd=PROJECT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_every_benchmark_script_is_run_here():
    scripts = {path.name for path in BENCHMARKS.glob("*.py")}
    assert scripts == {"import_caseload.py", "payment_batch.py", "payment_runs.py",
                       "death_events.py", "pages.py", "dashboard.py"}  # fmt: skip


def test_the_caseload_import_benchmark(scratch_database):
    figures = run_benchmark(scratch_database, "import_caseload.py", "--rows", "2000")
    assert figures["rows"] == figures["imported"] == 2000


def test_the_payment_batch_benchmark(scratch_database):
    figures = run_benchmark(scratch_database, "payment_batch.py", "--beneficiaries", "3000",
                            "--workers", "1")  # fmt: skip
    assert figures["lines"] >= 3000 * 0.9 and figures["duplicates_after_regeneration"] == 0


def test_the_payment_runs_benchmark(scratch_database):
    """A national run on one RQ worker, then regenerated in place on two: every job done
    (a failed one ends the script), the line count unchanged, the workers stopped."""
    if not os.environ.get("REDIS_URL"):
        pytest.skip("the runs benchmark needs Redis (REDIS_URL)")
    figures = run_benchmark(scratch_database, "payment_runs.py", "--beneficiaries", "3000",
                            "--workers", "1", "2")  # fmt: skip
    assert figures["beneficiaries"] == 3000 and figures["lines"] >= 3000 * 0.9
    assert [run["workers"] for run in figures["runs"]] == [1, 2]


def test_the_death_events_benchmark(scratch_database):
    figures = run_benchmark(scratch_database, "death_events.py", "--events", "60", "--warmup",
                            "10", "--clients", "2")  # fmt: skip
    assert figures["created"] == 60 + 10 or figures["created"] == 60


def test_the_pages_benchmark(scratch_database):
    """The script checks its own counts (the dossiers loaded, the queue's open ones) and
    fails otherwise; every page a user clicks is measured."""
    figures = run_benchmark(scratch_database, "pages.py", "--cases", "300", "--users", "4",
                            "--seconds", "2", "--warmup", "1")  # fmt: skip
    assert (figures["cases"], figures["users"]) == (300, 4)
    assert figures["requests"] == sum(page["requests"] for page in figures["pages"].values())
    assert {"officer: queue", "officer: a dossier"} <= set(figures["pages"])
    assert all(page["requests"] > 0 for page in figures["pages"].values())


def test_the_dashboard_benchmark(scratch_database):
    """The script checks its own counts (the summaries against the registry and the
    lines, the money of the CSV) and fails otherwise."""
    figures = run_benchmark(scratch_database, "dashboard.py", "--beneficiaries", "3000",
                            "--users", "2", "--seconds", "2", "--warmup", "1")  # fmt: skip
    assert figures["beneficiaries"] == 3000 and figures["months"] == 12
    assert figures["requests"] > 0 and figures["province_people"] > 0
