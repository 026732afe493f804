"""Benchmark: the dashboards with many beneficiaries and 12 months of batches (issue 28
item 2: p95 under 500 ms with 1,000,000 beneficiaries on PostgreSQL).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/dashboard.py --beneficiaries 1000000

Loads N synthetic beneficiaries over all 3,321 communes (as ``payment_batch.py``), then
generates the national batches of the 12 months up to this one with the portal's own
generator (one per province per month), marks every line paid (an ``UPDATE``, as a
reconciliation of a result file saying PAID would: not timed), and computes the
dashboards' summaries of every province (``reports refresh``, timed). It checks its
own counts: the summaries hold as many beneficiaries and as much money as the registry
and the payment lines. Then it starts gunicorn with the project's settings and lets
``--users`` staff (the admin of the largest province and officers of its communes) ask
for their dashboard and a CSV table of it, each asking again as soon as the answer has
come, for ``--seconds`` after ``--warmup``; the money in the CSV is checked against the
payment lines. The last line is JSON. A small run (``--beneficiaries 5000 --seconds 5``)
takes well under a minute. The database should be migrated and empty.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from death_events import free_port, start_gunicorn  # noqa: E402
from pages import PASSWORD, log_in, timing_figures  # noqa: E402
from payment_batch import generate_province, load, provinces_by_size  # noqa: E402
from sqlalchemy import func, select, text  # noqa: E402

from benefits import create_app  # noqa: E402
from benefits.accounts.audit import Actor  # noqa: E402
from benefits.accounts.service import create_staff_user  # noqa: E402
from benefits.extensions import db  # noqa: E402
from benefits.month import Month  # noqa: E402
from benefits.payments.models import PaymentLine  # noqa: E402
from benefits.places.calendar import vietnam_today  # noqa: E402
from benefits.places.models import Commune  # noqa: E402
from benefits.registry.models import Beneficiary  # noqa: E402
from benefits.reports.models import BeneficiaryCount, PaidByMonth  # noqa: E402
from benefits.reports.summaries import MONTHS_SHOWN, refresh_province  # noqa: E402


def batches(months: list[Month]) -> float:
    started = time.perf_counter()
    codes = provinces_by_size()
    for month in months:
        for code in codes:
            generate_province(month, code)
        print(f"  batches of {month} generated", file=sys.stderr)
    return time.perf_counter() - started


def pay_everything() -> None:
    """Every line reported paid on the 5th of its month, as a result file saying PAID
    for each would record (lines and their months)."""
    db.session.execute(text(
        "UPDATE payment_lines l SET status = 'paid', "
        "paid_on = make_date(b.month / 100, b.month % 100, 5) "
        "FROM payment_batches b WHERE b.id = l.batch_id"
    ))  # fmt: skip
    db.session.execute(text("UPDATE payment_items SET status = 'paid'"))
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def refresh_all(today) -> float:
    started = time.perf_counter()
    for code in provinces_by_size():
        refresh_province(code, today)
        db.session.commit()
    return time.perf_counter() - started


def check_counts(province: str, first: Month, last: Month) -> dict:
    """The summaries against the registry and the payment lines they summarise."""
    in_province = Beneficiary.commune_code.in_(
        select(Commune.code).where(Commune.province_code == province)
    )
    people = db.session.scalar(select(func.count()).select_from(Beneficiary).where(in_province))
    summarised = db.session.scalar(
        select(func.sum(BeneficiaryCount.people)).where(BeneficiaryCount.province_code == province)
    )
    paid = db.session.scalar(
        select(func.coalesce(func.sum(PaymentLine.total_amount), 0)).where(
            PaymentLine.province_code == province, PaymentLine.status == "paid"
        )
    )
    paid_summary = db.session.scalar(
        select(func.coalesce(func.sum(PaidByMonth.paid_amount), 0)).where(
            PaidByMonth.province_code == province,
            PaidByMonth.month >= first,
            PaidByMonth.month <= last,
        )
    )
    if people != summarised or paid != paid_summary:
        sys.exit(f"counts differ: {people} people, {summarised} summarised; "
                 f"{paid} VND paid, {paid_summary} summarised")  # fmt: skip
    return {"people": people, "paid_amount": int(paid)}


def staff_accounts(province: str, officers: int) -> list[str]:
    actor = Actor.system("benchmark")
    emails = ["admin@bench.invalid"]
    create_staff_user("admin", emails[0], "Quản Trị", PASSWORD, actor, province_code=province)
    communes = db.session.scalars(
        select(Commune.code).where(Commune.province_code == province).order_by(Commune.code)
    ).all()
    for n in range(officers):
        email = f"officer{n}@bench.invalid"
        create_staff_user("officer", email, "Cán Bộ", PASSWORD, actor,
                          commune_code=communes[n % len(communes)])  # fmt: skip
        emails.append(email)
    db.session.commit()
    return emails


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--beneficiaries", type=int, default=1_000_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, help="gunicorn workers (gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, help="threads per worker (gunicorn.conf.py)")
    parser.add_argument("--worker-class", help="gunicorn worker class (gunicorn.conf.py)")
    args = parser.parse_args()
    app = create_app()
    today = vietnam_today()
    last = Month.of(today)
    months = (last - (MONTHS_SHOWN - 1)).until(last)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("this benchmark needs PostgreSQL (DATABASE_URL)")
        print(f"loading {args.beneficiaries} beneficiaries ...", file=sys.stderr)
        load(args.beneficiaries, months[0])
        generation = batches(months)
        pay_everything()
        refresh_seconds = refresh_all(today)
        province = provinces_by_size()[0]
        counts = check_counts(province, months[0], last)
        emails = staff_accounts(province, args.users - 1)
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="dashboard-", suffix=".log", delete=False)  # noqa: SIM115
    server = start_gunicorn(port, args, log)
    timings: list[tuple[str, float]] = []
    lock = threading.Lock()
    try:
        sessions = [log_in(port, email) for email in emails]
        csv_text = sessions[0].get("/reports/dashboard/paid-by-month.csv").lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(csv_text)))
        shown = sum(int(row[2]) for row in rows[1:])
        if shown != counts["paid_amount"]:
            sys.exit(f"the dashboard shows {shown} VND paid, the lines {counts['paid_amount']}")
        pages = [("dashboard", "/reports/"),
                 ("csv table", "/reports/dashboard/beneficiaries-by-category.csv")]  # fmt: skip
        started = time.perf_counter()
        warmup_until = started + args.warmup
        until = warmup_until + args.seconds

        def user(session) -> None:
            own, n = [], 0
            while (now := time.perf_counter()) < until:
                kind, path = pages[n % len(pages)]
                status, _body = session.request("GET", path)
                elapsed = time.perf_counter() - now
                if status != 200:
                    raise RuntimeError(f"{path}: {status}")
                if now >= warmup_until:
                    own.append((kind, elapsed))
                n += 1
            with lock:
                timings.extend(own)

        with ThreadPoolExecutor(max_workers=len(sessions)) as pool:
            list(pool.map(user, sessions))
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = {
        "beneficiaries": args.beneficiaries,
        "months": len(months),
        "province": province,
        "province_people": counts["people"],
        "generation_s": round(generation, 1),
        "refresh_all_provinces_s": round(refresh_seconds, 2),
        "users": len(emails),
        "seconds": args.seconds,
        **timing_figures(timings, args.seconds),
        "server_log": log.name,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
