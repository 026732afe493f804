"""Benchmark: death registrations through the HTTP API on gunicorn (performance.md).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/death_events.py --events 2000

Loads as many beneficiaries as events (COPY), starts gunicorn on a free loopback port with
the project's settings (``gunicorn.conf.py``: gthread workers, preloaded app; ``--workers``
and ``--threads`` override them), sends every death once from a pool of client threads,
each keeping its HTTP connection open as the civil registry's client would, and then
checks the effects: one death record, one stopped allowance and one funeral case per
death. The time is the sending only (not the loading, the server start-up nor the
``--warmup`` events sent first); the CPU time of the gunicorn workers and of the database
backends during it is printed per event too (read from /proc: the machine is shared, and
CPU per event is what load distorts least). The last line is JSON. The server's log (the
audit lines) goes to a temporary file. The database should be migrated and empty.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from payment_batch import load, national_id  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from benefits import create_app  # noqa: E402
from benefits.accounts.audit import Actor  # noqa: E402
from benefits.api.clients import create_client  # noqa: E402
from benefits.cases.models import Case  # noqa: E402
from benefits.deaths.models import DeathRecord  # noqa: E402
from benefits.extensions import db  # noqa: E402
from benefits.notify.models import Notification  # noqa: E402
from benefits.registry.models import Beneficiary  # noqa: E402


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(port: int, args, log) -> subprocess.Popen:
    command = [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", str(ROOT / "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]  # fmt: skip
    for option in ("workers", "threads", "worker_class"):
        if getattr(args, option) is not None:
            command += [f"--{option.replace('_', '-')}", str(getattr(args, option))]
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn on loopback
        [*command, "wsgi:app"], cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=log
    )
    for _ in range(100):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):  # noqa: S310
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    sys.exit("gunicorn did not start")


_connections = threading.local()


def send(port: int, token: str, i: int) -> int:
    body = json.dumps({
        "registration_number": f"KT-BENCH-{i:08d}", "national_id": national_id(i),
        "full_name": f"Người {i}", "date_of_death": "2025-03-14", "registered_on": "2025-03-16",
        "commune_code": "00070",
        "declarant": {"full_name": "Người Khai", "national_id": "001190054321"},
    }).encode()  # fmt: skip
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for attempt in (1, 2):
        # One connection per client thread, reopened when the server closed it.
        if getattr(_connections, "http", None) is None:
            _connections.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            _connections.http.request("POST", "/api/v1/civil-registry/deaths", body, headers)
            response = _connections.http.getresponse()
            response.read()
            return response.status
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            _connections.http.close()
            _connections.http = None
            if attempt == 2:
                raise
    return 0


def same_commune(code: str) -> None:
    """The worst case for the dossier counter: every funeral case in one commune."""
    db.session.execute(text("UPDATE persons SET commune_code = :code"), {"code": code})
    db.session.execute(text("UPDATE beneficiaries SET commune_code = :code"), {"code": code})
    db.session.commit()


def officer_in_every_commune() -> None:
    """One commune officer per commune (accounts that cannot log in: no password), so that
    every funeral case notifies one officer, as in production."""
    db.session.execute(
        text(
            "INSERT INTO users (role, full_name, email, password_hash, commune_code, locale, "
            "active, created_at, updated_at) "
            "SELECT 'officer', 'Cán bộ ' || code, 'officer.' || code || '@bench.invalid', '!', "
            "code, 'vi', true, now(), now() FROM communes"
        )
    )
    db.session.commit()


def cpu_seconds(pids) -> float:
    """CPU time (user + system) used so far by these processes, from /proc (Linux); the
    machine is shared, so CPU per event is the figure that load does not distort much."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all cores spent busy so far (user, nice, system, irq, softirq, steal)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7]
    return busy / os.sysconf("SC_CLK_TCK")


def server_workers(server: subprocess.Popen) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


def database_backends() -> list[int]:
    """The PostgreSQL backends serving this database (the server's pool), same machine."""
    return list(
        db.session.scalars(
            text(
                "SELECT pid FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--warmup", type=int, default=100, help="events sent before timing")
    parser.add_argument("--clients", type=int, default=16, help="client threads")
    parser.add_argument(
        "--officers", action="store_true",
        help="one commune officer everywhere: each death notifies one (set REDIS_URL)",
    )  # fmt: skip
    parser.add_argument(
        "--one-commune", metavar="CODE",
        help="every beneficiary in this commune: dossier numbers are issued one at a time",
    )  # fmt: skip
    parser.add_argument("--workers", type=int, help="gunicorn workers (gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, help="threads per worker (gunicorn.conf.py)")
    parser.add_argument("--worker-class", help="gunicorn worker class (gunicorn.conf.py)")
    args = parser.parse_args()
    app = create_app()
    total = args.warmup + args.events
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("this benchmark needs PostgreSQL (DATABASE_URL)")
        load(total)
        if args.one_commune:
            same_commune(args.one_commune)
        if args.officers:
            officer_in_every_commune()
        token = create_client(f"bench-{time.time_ns()}", Actor.system("benchmark"))
        db.session.commit()
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="death-events-", suffix=".log", delete=False)  # noqa: SIM115
    server = start_gunicorn(port, args, log)
    try:
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            # Warm-up (not timed): every worker thread opens its connections and prepares
            # its statements, as a server that has been running does.
            statuses = list(pool.map(lambda i: send(port, token, i), range(1, args.warmup + 1)))
            with app.app_context():
                backends = database_backends()
            workers = server_workers(server)
            server_cpu, db_cpu = cpu_seconds(workers), cpu_seconds(backends)
            client_cpu, machine = time.process_time(), machine_busy_seconds()
            started = time.perf_counter()
            statuses += pool.map(lambda i: send(port, token, i), range(args.warmup + 1, total + 1))
            seconds = time.perf_counter() - started
            with app.app_context():
                # Connections the pool opened during the timed part count whole.
                opened = [pid for pid in database_backends() if pid not in backends]
            server_cpu = cpu_seconds(workers) - server_cpu
            db_cpu = cpu_seconds(backends) - db_cpu + cpu_seconds(opened)
            client_cpu = time.process_time() - client_cpu
            machine = machine_busy_seconds() - machine
    finally:
        server.terminate()
        server.wait(timeout=10)
    with app.app_context():
        records = db.session.scalar(select(func.count()).select_from(DeathRecord))
        cases = db.session.scalar(select(func.count()).select_from(Case))
        stopped = db.session.scalar(
            select(func.count()).select_from(Beneficiary).where(Beneficiary.status == "deceased")
        )
        notified = db.session.scalar(select(func.count()).select_from(Notification))
    print(
        json.dumps(
            {
                "events": args.events,
                "seconds": round(seconds, 2),
                "events_per_s": round(args.events / seconds, 1),
                "server_cpu_ms_per_event": round(1000 * server_cpu / args.events, 2),
                "database_cpu_ms_per_event": round(1000 * db_cpu / args.events, 2),
                "client_cpu_ms_per_event": round(1000 * client_cpu / args.events, 2),
                # Of the machine's CPU time while timing: what this benchmark's processes
                # used, and what everything else on the machine used (other sessions).
                "machine_cpu_s": round(machine, 1),
                "others_cpu_share": round(
                    max(0.0, machine - server_cpu - db_cpu - client_cpu) / max(machine, 1e-9), 2
                ),
                "created": statuses.count(201),
                "death_records": records,
                "funeral_cases": cases,
                "stopped_allowances": stopped,
                "officers_notified": notified,
                "exactly_once": records == cases == stopped == total,
                "server": {k: getattr(args, k) for k in ("workers", "threads", "worker_class")},
                "clients": args.clients,
                "officers": args.officers,
                "one_commune": args.one_commune,
                "notification_jobs": os.environ.get("REDIS_URL") and "rq" or "in process",
                "server_log": log.name,
            }
        )
    )


if __name__ == "__main__":
    main()
