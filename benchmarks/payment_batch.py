"""Benchmark: a month's payment batches for N beneficiaries (performance.md).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/payment_batch.py --beneficiaries 1000000

Loads N synthetic beneficiaries over all 3,321 communes (COPY), then times the national
generation of March 2025 (one batch per province, each one set-based transaction, on
``--workers`` processes in parallel as RQ workers run them, by default one per core), the
regeneration of the same month, the CSV export of every batch, and, in the same run, the
database floor: a bare ``INSERT ... SELECT`` writing as many rows into a plain table.
Times exclude the process start-up and the loading; the last line is a JSON object.
The database should be migrated and empty.

``--month 2025-09 --social-pension 0.2``: a month after the social pension started
(Decree 176/2025), with that share of the beneficiaries receiving it from 2025-07, so
that the entitlement compares the allowance with the pension (each beneficiary is paid
through the month before, as in March 2025).
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, select, text  # noqa: E402

from benefits import create_app  # noqa: E402
from benefits.accounts.audit import Actor  # noqa: E402
from benefits.extensions import db  # noqa: E402
from benefits.month import Month  # noqa: E402
from benefits.payments.export import csv_chunks  # noqa: E402
from benefits.payments.generation import generate_batch  # noqa: E402
from benefits.payments.models import PaymentBatch, PaymentLine  # noqa: E402
from benefits.places.reference import commune_rows, province_rows  # noqa: E402

MONTH = Month(2025, 3)
CATEGORIES = ["ELDERLY_POOR_ALONE", "DISABLED_SEVERE", "HIV_POOR", "ELDERLY_COMMUNITY_CARE"]


def national_id(i: int) -> str:
    """A valid ID number for a man born in 1950 (the province code varies past 1,000,000)."""
    province = ("001", "002", "004", "006", "008")[i // 1_000_000 % 5]
    return f"{province}050{i % 1_000_000:06d}"


def load(n: int, month: Month = MONTH, social_pension: float = 0.0) -> None:
    """Persons, beneficiaries and their categories, written with COPY."""
    communes = [c["code"] for c in commune_rows()]
    raw = db.session.connection().connection.driver_connection
    with raw.cursor() as cursor:
        with cursor.copy(
            "COPY persons (id, national_id, full_name, name_sort_key, date_of_birth, sex, "
            "commune_code, created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(1, n + 1):
                copy.write_row(
                    (
                        i,
                        national_id(i),
                        f"Người {i}",
                        f"nguoi{i:09d}",
                        "1950-06-01",
                        "M",
                        communes[i % len(communes)],
                        "2025-01-01",
                        "2025-01-01",
                    )
                )
        with cursor.copy(
            "COPY beneficiaries (id, code, person_id, commune_code, status, effective_month, "
            "paid_through_month, dependent_children, payment_method, payment_point, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            for i in range(1, n + 1):
                commune = communes[i % len(communes)]
                copy.write_row(
                    (
                        i,
                        f"BTXH-{commune}-{i:08d}",
                        i,
                        commune,
                        "active",
                        202401,
                        (month - 1).yyyymm,
                        0,
                        "POST",
                        f"PO-{commune}",
                        "2025-01-01",
                        "2025-01-01",
                    )
                )
        with cursor.copy(
            "COPY beneficiary_categories (beneficiary_id, category_code, from_month) FROM STDIN"
        ) as copy:
            for i in range(1, n + 1):
                copy.write_row((i, CATEGORIES[i % len(CATEGORIES)], 202401))
        every = round(1 / social_pension) if social_pension else 0
        with cursor.copy(
            "COPY social_pension_periods (beneficiary_id, from_month, reference, created_at, "
            "updated_at) FROM STDIN"
        ) as copy:
            for i in range(every, n + 1, every) if every else ():
                copy.write_row((i, 202507, "benchmark", "2025-07-01", "2025-07-01"))
    db.session.commit()
    # Statistics for every table (the communes loaded by the migration too), as autovacuum
    # would have them on a running server.
    db.session.execute(text("ANALYZE"))
    db.session.commit()


def generate_province(month: Month, code: str) -> None:
    generate_batch(month, "province", code, Actor.system("benchmark"))
    db.session.commit()


def national_generation(month: Month, pool=None) -> float:
    """One transaction per province, as the RQ jobs run them: in this process, or spread
    over the worker processes of ``pool`` (largest provinces first)."""
    codes = provinces_by_size()
    started = time.perf_counter()
    if pool is None:
        for code in codes:
            generate_province(month, code)
    else:
        for _ in pool.imap_unordered(_worker_generate, [(str(month), code) for code in codes]):
            pass
    return time.perf_counter() - started


def provinces_by_size() -> list[str]:
    communes = Counter(c["province_code"] for c in commune_rows())
    return sorted((p["code"] for p in province_rows()), key=lambda code: -communes[code])


_worker_app = None


def _worker_start() -> None:
    """A worker process: its own app and database connection, as an RQ worker has."""
    global _worker_app
    _worker_app = create_app()
    _worker_app.app_context().push()
    db.session.execute(text("SELECT 1"))


def _worker_ready(_: int) -> int:
    # Long enough that the first worker up cannot take every task before the others are.
    time.sleep(0.2)
    return os.getpid()


def _worker_generate(job: tuple[str, str]) -> None:
    generate_province(Month.parse(job[0]), job[1])


def export_all() -> float:
    started = time.perf_counter()
    for batch in db.session.scalars(select(PaymentBatch)).all():
        sink = io.StringIO()
        for chunk in csv_chunks(batch):
            sink.write(chunk)
            sink.seek(0)
            sink.truncate()
    return time.perf_counter() - started


def floor(rows: int) -> float:
    db.session.execute(text("DROP TABLE IF EXISTS bench_floor"))
    db.session.execute(text("CREATE TABLE bench_floor (a int, b int, c int, d int, e text)"))
    db.session.commit()
    started = time.perf_counter()
    db.session.execute(
        text(
            "INSERT INTO bench_floor SELECT id, person_id, effective_month, dependent_children, "
            "code FROM beneficiaries LIMIT :rows"
        ),
        {"rows": rows},
    )
    db.session.commit()
    seconds = time.perf_counter() - started
    db.session.execute(text("DROP TABLE bench_floor"))
    db.session.commit()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--beneficiaries", type=int, default=1_000_000)
    parser.add_argument("--month", type=Month.parse, default=MONTH)
    parser.add_argument("--social-pension", type=float, default=0.0, help="share, 0 to 1")
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes generating provinces in parallel, as RQ workers (default: the cores)",
    )
    args = parser.parse_args()
    app = create_app()
    pool = None
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("this benchmark needs PostgreSQL (DATABASE_URL)")
        print(f"loading {args.beneficiaries} beneficiaries ...", file=sys.stderr)
        load(args.beneficiaries, args.month, args.social_pension)
        if args.workers > 1:
            # Started and connected before the clock starts (their start-up is not timed).
            pool = multiprocessing.get_context("spawn").Pool(args.workers, _worker_start)
            started: set[int] = set()
            for _round in range(50):  # until every worker has answered (it has started)
                started |= set(pool.map(_worker_ready, range(args.workers * 2), chunksize=1))
                if len(started) >= args.workers:
                    break
            print(f"{len(started)} worker processes ready", file=sys.stderr)
        generate_s = national_generation(args.month, pool)
        lines = db.session.scalar(select(func.count()).select_from(PaymentLine))
        print(f"generated {lines} lines in {generate_s:.2f} s", file=sys.stderr)
        # What autovacuum does on a running server between two runs (it may be off on a
        # bench machine): statistics that know the payment tables now hold 1,000,000 rows.
        db.session.execute(text("ANALYZE payment_items; ANALYZE payment_lines"))
        db.session.commit()
        regenerate_s = national_generation(args.month, pool)
        if pool is not None:
            pool.close()
            pool.join()
        again = db.session.scalar(select(func.count()).select_from(PaymentLine))
        export_s = export_all()
        floor_s = floor(lines)
    print(
        json.dumps(
            {
                "beneficiaries": args.beneficiaries,
                "workers": args.workers,
                "month": str(args.month),
                "social_pension": args.social_pension,
                "lines": lines,
                "duplicates_after_regeneration": again - lines,
                "generate_s": round(generate_s, 2),
                "regenerate_s": round(regenerate_s, 2),
                "export_s": round(export_s, 2),
                "floor_s": round(floor_s, 2),
                "ratio": round(generate_s / floor_s, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
