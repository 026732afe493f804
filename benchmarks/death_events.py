"""Benchmark: death registrations through the HTTP API on gunicorn (performance.md).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/death_events.py --events 2000

Loads as many beneficiaries as events (COPY), starts gunicorn with 2 workers on a free
loopback port, sends every death once from a pool of client threads, and then checks the
effects: one death record, one stopped allowance and one funeral case per death. The time
is the sending only (not the loading nor the server start-up); the last line is JSON.
The database should be migrated and empty.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from payment_batch import load, national_id  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from benefits import create_app  # noqa: E402
from benefits.accounts.audit import Actor  # noqa: E402
from benefits.api.clients import create_client  # noqa: E402
from benefits.cases.models import Case  # noqa: E402
from benefits.deaths.models import DeathRecord  # noqa: E402
from benefits.extensions import db  # noqa: E402
from benefits.registry.models import Beneficiary  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int) -> subprocess.Popen:
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn on loopback
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--workers", "2", "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=os.environ.copy(),
    )  # fmt: skip
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):  # noqa: S310
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


def send(port: int, token: str, i: int) -> int:
    body = json.dumps({
        "registration_number": f"KT-BENCH-{i:08d}", "national_id": national_id(i),
        "full_name": f"Người {i}", "date_of_death": "2025-03-14", "registered_on": "2025-03-16",
        "commune_code": "00070",
        "declarant": {"full_name": "Người Khai", "national_id": "001190054321"},
    }).encode()  # fmt: skip
    request = urllib.request.Request(  # noqa: S310 - loopback
        f"http://127.0.0.1:{port}/api/v1/civil-registry/deaths", data=body, method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )  # fmt: skip
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        return response.status


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=16)
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("this benchmark needs PostgreSQL (DATABASE_URL)")
        load(args.events)
        token = create_client(f"bench-{time.time_ns()}", Actor.system("benchmark"))
        db.session.commit()
    port = free_port()
    server = start_gunicorn(port)
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            statuses = list(pool.map(lambda i: send(port, token, i), range(1, args.events + 1)))
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=10)
    with app.app_context():
        records = db.session.scalar(select(func.count()).select_from(DeathRecord))
        cases = db.session.scalar(select(func.count()).select_from(Case))
        stopped = db.session.scalar(
            select(func.count()).select_from(Beneficiary).where(Beneficiary.status == "deceased")
        )
    print(
        json.dumps(
            {
                "events": args.events,
                "seconds": round(seconds, 2),
                "events_per_s": round(args.events / seconds, 1),
                "created": statuses.count(201),
                "death_records": records,
                "funeral_cases": cases,
                "stopped_allowances": stopped,
                "exactly_once": records == cases == stopped == args.events,
            }
        )
    )


if __name__ == "__main__":
    main()
