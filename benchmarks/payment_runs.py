"""Benchmark: a national generation run on RQ with 1, then 2 workers (performance.md: one
job per province, in parallel on as many workers as there are).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
    REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/payment_runs.py --beneficiaries 100000 --workers 1 2 1

Loads N synthetic beneficiaries (as ``payment_batch.py`` does, not timed), starts the
workers (``flask worker payments``) and waits until they listen, so their start-up is not
timed, then times a national run of March 2025 from the commit that queues its 34 jobs to
the moment every job row is done. Each run after the first regenerates the same batches
in place; the line count must not change. The last line is a JSON object. The database
should be migrated and empty; the payments queue is emptied first. A failed job ends the
script with its reason from the job row; ``BENCH_WORKER_LOG=path`` keeps the workers' log.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from payment_batch import MONTH, load  # noqa: E402
from rq import Queue, Worker  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from benefits import create_app  # noqa: E402
from benefits.accounts.audit import Actor  # noqa: E402
from benefits.extensions import db  # noqa: E402
from benefits.jobs import redis_connection  # noqa: E402
from benefits.payments.models import PaymentJob, PaymentLine  # noqa: E402
from benefits.payments.runs import start_generation_run  # noqa: E402


def start_workers(count: int, queue: Queue) -> list[subprocess.Popen]:
    before = len(Worker.all(queue=queue))
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi", "worker", "payments"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(os.environ.get("BENCH_WORKER_LOG", os.devnull), "a"),  # noqa: SIM115
        )  # fmt: skip
        for _ in range(count)
    ]
    while len(Worker.all(queue=queue)) < before + count:
        time.sleep(0.2)
    return workers


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)  # warm shutdown: the queue is empty by now
    for worker in workers:
        worker.wait(timeout=60)


def timed_run() -> tuple[float, int]:
    run = start_generation_run(MONTH, None, Actor.system("benchmark"))
    run_id = run.id
    started = time.perf_counter()
    db.session.commit()  # the 34 jobs are queued here
    while True:
        db.session.rollback()
        states = db.session.execute(
            select(PaymentJob.status, func.count()).where(PaymentJob.run_id == run_id)
            .group_by(PaymentJob.status)
        ).all()  # fmt: skip
        counts = dict(states)
        if counts.get("failed"):
            errors = db.session.execute(
                select(PaymentJob.scope_code, PaymentJob.error)
                .where(PaymentJob.run_id == run_id, PaymentJob.status == "failed")
            ).all()  # fmt: skip
            sys.exit(f"run {run_id}: {counts['failed']} jobs failed: {errors}")
        if counts.get("done") == sum(counts.values()):
            return time.perf_counter() - started, run_id
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--beneficiaries", type=int, default=100_000)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2, 1])
    args = parser.parse_args()
    app = create_app()
    results = []
    with app.app_context():
        if db.engine.dialect.name != "postgresql" or not app.config.get("REDIS_URL"):
            sys.exit("this benchmark needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)")
        queue = Queue("payments", connection=redis_connection(app))
        queue.empty()
        print(f"loading {args.beneficiaries} beneficiaries ...", file=sys.stderr)
        load(args.beneficiaries)
        lines = None
        for count in args.workers:
            workers = start_workers(count, queue)
            try:
                seconds, run_id = timed_run()
            finally:
                stop_workers(workers)
            now = db.session.scalar(select(func.count()).select_from(PaymentLine))
            if lines is not None and now != lines:
                sys.exit(f"regeneration changed the line count: {lines} -> {now}")
            lines = now
            print(f"{count} worker(s): run {run_id}, {lines} lines in {seconds:.2f} s",
                  file=sys.stderr)  # fmt: skip
            results.append({"workers": count, "seconds": round(seconds, 2)})
    print(json.dumps({"beneficiaries": args.beneficiaries, "lines": lines,
                      "cpus": os.cpu_count(), "runs": results}))  # fmt: skip


if __name__ == "__main__":
    main()
