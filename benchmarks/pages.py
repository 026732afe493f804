"""Benchmark: citizen pages and the officer queue under concurrent users (performance.md:
20 concurrent users, gunicorn with 2 workers, p95 under 200 ms with 10,000 cases in the
commune).

    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python benchmarks/pages.py --cases 10000 --users 20 --seconds 30

At a small size (CI: it must finish and check its own counts)::

    .venv/bin/python benchmarks/pages.py --cases 300 --users 4 --seconds 2 --warmup 1

Loads ``--cases`` dossiers into one commune (Phường Hoàn Kiếm, 00070) with their timelines,
most of them decided long ago and about a tenth still open, as a commune's history holds
them; each belongs to a citizen account of its own. Half the users are citizens with a
few dossiers each (their list, one dossier, the application form, the procedures), half
are the commune's officers (the queue; its next page; a search by name; the past-due
filter; a dossier of the queue). Before it clicks, it checks what it loaded: the
number of dossiers in the database and the number the queue says are open. It starts gunicorn with
the project's settings (``gunicorn.conf.py``: 2 gthread workers of 4 threads) on a free
loopback port, logs every user in (not timed), lets them click for ``--warmup`` seconds
(not measured), then for ``--seconds``: each user asks for its next page as soon as the
last one has arrived, on its own connection. The clients run in this process on the same
machine (their CPU is counted in the latency, as a browser's would not be). The last line
is JSON, with the p50, p95 and p99 of each page and of all. The database should be
migrated and empty.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import re
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from death_events import free_port, start_gunicorn  # noqa: E402
from payment_batch import national_id  # noqa: E402
from sqlalchemy import text  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

from benefits import create_app  # noqa: E402
from benefits.extensions import db  # noqa: E402
from benefits.places.calendar import vietnam_today  # noqa: E402

COMMUNE = "00070"
PASSWORD = "benchmark-password-2025"  # noqa: S105 (the benchmark's own accounts)
PROCEDURE = "1.001776"
# A commune's dossiers over the years: about a tenth still being worked on.
STATUSES = (
    ("approved", 60), ("refused", 15), ("withdrawn", 15), ("submitted", 4), ("checking", 3),
    ("supplement_requested", 1), ("posting", 1), ("proposed", 1),
)  # fmt: skip
OPEN = ("submitted", "checking", "supplement_requested", "posting", "proposed")
DOSSIERS_PER_CITIZEN = 3
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
OPEN_COUNT = re.compile(r"(\d+) hồ sơ đang xử lý")


class Browser:
    """One user's browser: its own keep-alive connection and its cookies (the standard
    library only: the benchmark imports nothing the project does not install)."""

    def __init__(self, port: int):
        self.port = port
        self.http: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            if self.http is None:
                self.http = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                self.http.request(method, path, body, headers)
                response = self.http.getresponse()
                text = response.read().decode()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.http.close()
                self.http = None  # the server closed an idle connection: once more
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        if response.status in (301, 302, 303):
            return response.status, response.headers["Location"]
        return response.status, text

    def get(self, path: str) -> str:
        status, text = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"{path}: {status}")
        return text


def load(cases: int, users: int) -> tuple[list[str], list[str]]:
    """The commune's dossiers and accounts; the usernames of the citizens and officers
    who click (the citizens' own dossiers are the first ones)."""
    password_hash = generate_password_hash(PASSWORD, method="scrypt")
    citizens = users - users // 2
    statuses = [s for s, share in STATUSES for _ in range(share)]
    today = vietnam_today()
    db.session.execute(
        text(
            "INSERT INTO users (role, full_name, national_id, password_hash, locale, active, "
            "created_at, updated_at) SELECT 'citizen', 'Công Dân ' || g, "
            "(CAST(:ids AS text[]))[g], :hash, 'vi', true, now(), now() "
            "FROM generate_series(1, :n) g"
        ),
        {"ids": [national_id(i) for i in range(1, cases + 1)], "hash": password_hash, "n": cases},
    )
    officers = [f"officer{i}@bench.invalid" for i in range(users // 2)]
    db.session.execute(
        text(
            "INSERT INTO users (role, full_name, email, password_hash, commune_code, locale, "
            "active, created_at, updated_at) SELECT 'officer', 'Cán Bộ', e, :hash, :commune, "
            "'vi', true, now(), now() FROM unnest(CAST(:emails AS text[])) e"
        ),
        {"emails": officers, "hash": password_hash, "commune": COMMUNE},
    )
    # Dossier g belongs to the citizen of ID number g, but the first citizens' few
    # dossiers each: (g - 1) // DOSSIERS_PER_CITIZEN + 1 for them.
    owners = citizens * DOSSIERS_PER_CITIZEN
    db.session.execute(
        text(
            "INSERT INTO cases (code, procedure_code, commune_code, status, origin, "
            "applicant_user_id, subject_name, subject_national_id, data, received_on, due_on, "
            "posted_on, posting_ends_on, proposed_outcome, created_at, updated_at) "
            "SELECT 'BTXH-' || :commune || '-' || (2020 + g % 6) || '-' || lpad(g::text, 6, '0'), "
            ":procedure, :commune, s.status, 'online', u.id, "
            "'Người Được Trợ Giúp ' || g, (CAST(:ids AS text[]))[g], "
            "CAST('{\"category\": \"ELDERLY_80_NO_PENSION\"}' AS json), "
            "CAST(:today AS date) - (g % 2000), CAST(:today AS date) - (g % 2000) + 14, "
            # A dossier in public posting has its days, one proposed its outcome
            # (ck_cases_posting_has_days, ck_cases_proposed_has_outcome; decision 78).
            "CASE WHEN s.status = 'posting' THEN CAST(:today AS date) - 1 END, "
            "CASE WHEN s.status = 'posting' THEN CAST(:today AS date) + 2 END, "
            "CASE WHEN s.status = 'proposed' THEN 'approve' END, now(), now() "
            "FROM generate_series(1, :n) g "
            "CROSS JOIN LATERAL (SELECT (CAST(:statuses AS text[]))[1 + g % :kinds] AS status) s "
            "JOIN users u ON u.national_id = (CAST(:ids AS text[]))["
            "CASE WHEN g <= :owners THEN (g - 1) / :per + 1 ELSE g END]"
        ),
        {"commune": COMMUNE, "procedure": PROCEDURE, "statuses": statuses,
         "kinds": len(statuses), "ids": [national_id(i) for i in range(1, cases + 1)],
         "today": today, "n": cases, "owners": owners, "per": DOSSIERS_PER_CITIZEN},
    )  # fmt: skip
    # A timeline of three steps each: submitted, taken up, and where it is now.
    db.session.execute(
        text(
            "INSERT INTO case_events (case_id, at, from_status, to_status, actor_label, note) "
            "SELECT c.id, now() - make_interval(days => 3 - s), "
            "CASE s WHEN 1 THEN NULL WHEN 2 THEN 'submitted' ELSE 'checking' END, "
            "CASE s WHEN 1 THEN 'submitted' WHEN 2 THEN 'checking' ELSE c.status END, "
            "'user:1', NULL FROM cases c CROSS JOIN generate_series(1, 3) s"
        )
    )
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return [national_id(i) for i in range(1, citizens + 1)], officers


def log_in(port: int, username: str) -> Browser:
    browser = Browser(port)
    token = CSRF.search(browser.get("/login")).group(1)
    status, _where = browser.request(
        "POST", "/login", {"username": username, "password": PASSWORD, "csrf_token": token}
    )
    if status != 302:
        sys.exit(f"{username} could not log in ({status})")
    return browser


def citizen_pages(browser: Browser) -> list[tuple[str, str]]:
    mine = re.findall(r'href="(/me/dossiers/[^"]+)"', browser.get("/me/"))
    if not mine:
        sys.exit("a citizen sees no dossier of theirs")
    return [("citizen: my dossiers", "/me/"), ("citizen: a dossier", mine[0]),
            ("citizen: application form", f"/me/apply/{PROCEDURE}"),
            ("procedures", "/procedures")]  # fmt: skip


def officer_pages(browser: Browser) -> list[tuple[str, str]]:
    queue = browser.get("/officer/")
    open_cases = re.findall(r'href="(/officer/cases/[^"]+)"', queue)
    if not open_cases:
        sys.exit("the officer's queue is empty")
    pages = [("officer: queue", "/officer/"), ("officer: a dossier", open_cases[-1]),
             ("officer: queue, a name searched", "/officer/?" + urlencode({"q": "Giúp 12"})),
             ("officer: queue, past due", "/officer/?deadline=overdue")]  # fmt: skip
    following = re.search(r'<a href="([^"]+)" rel="next">', queue)
    if following:
        pages.append(("officer: queue, next page", html.unescape(following.group(1))))
    return pages


def check_counts(browser: Browser, cases: int) -> None:
    """What the benchmark loaded is what the portal counts: every dossier in the database,
    and the queue's count of open ones as the statuses loaded make it."""
    with create_app().app_context():
        loaded = db.session.execute(text("SELECT count(*) FROM cases")).scalar()
    if loaded != cases:
        sys.exit(f"{loaded} dossiers in the database, {cases} loaded")
    statuses = [s for s, share in STATUSES for _ in range(share)]
    expected = sum(statuses[g % len(statuses)] in OPEN for g in range(1, cases + 1))
    found = OPEN_COUNT.search(browser.get("/officer/").replace(".", ""))
    shown = int(found.group(1)) if found else 0
    if shown != expected:
        sys.exit(f"the queue counts {shown} open dossiers, {expected} were loaded")
    print(f"checked: {loaded} dossiers, {shown} open in the queue", file=sys.stderr)


def click(browser: Browser, pages, until: float, timings: list, warmup_until: float) -> None:
    """Ask for the user's pages in turn until ``until``; record those after the warm-up."""
    n = 0
    while (now := time.perf_counter()) < until:
        kind, path = pages[n % len(pages)]
        browser.get(path)
        elapsed = time.perf_counter() - now
        if now >= warmup_until:
            timings.append((kind, elapsed))
        n += 1


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def figures(values: list[float]) -> dict:
    return {
        "requests": len(values),
        "p50_ms": round(1000 * percentile(values, 0.50), 1),
        "p95_ms": round(1000 * percentile(values, 0.95), 1),
        "p99_ms": round(1000 * percentile(values, 0.99), 1),
    }


def timing_figures(timings: list[tuple[str, float]], seconds: float) -> dict:
    """Requests per second and the percentiles, overall and per page, of ``(page,
    seconds)`` timings (the dashboard benchmark reports the same)."""
    by_page: dict[str, list[float]] = {}
    for kind, elapsed in timings:
        by_page.setdefault(kind, []).append(elapsed)
    return {
        "requests_per_s": round(len(timings) / seconds, 1),
        **figures([elapsed for _kind, elapsed in timings]),
        "pages": {kind: figures(values) for kind, values in sorted(by_page.items())},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--workers", type=int, help="gunicorn workers (gunicorn.conf.py)")
    parser.add_argument("--threads", type=int, help="threads per worker (gunicorn.conf.py)")
    parser.add_argument("--worker-class", help="gunicorn worker class (gunicorn.conf.py)")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            sys.exit("this benchmark needs PostgreSQL (DATABASE_URL)")
        print(f"loading {args.cases} dossiers ...", file=sys.stderr)
        citizens, officers = load(args.cases, args.users)
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="pages-", suffix=".log", delete=False)  # noqa: SIM115
    server = start_gunicorn(port, args, log)
    timings: list[tuple[str, float]] = []
    lock = threading.Lock()
    try:
        browsers = [(log_in(port, u), citizen_pages) for u in citizens]
        browsers += [(log_in(port, u), officer_pages) for u in officers]
        check_counts(browsers[-1][0], args.cases)
        users = [(browser, pages(browser)) for browser, pages in browsers]
        started = time.perf_counter()
        warmup_until = started + args.warmup
        until = warmup_until + args.seconds

        def user(session_pages) -> None:
            own: list[tuple[str, float]] = []
            click(session_pages[0], session_pages[1], until, own, warmup_until)
            with lock:
                timings.extend(own)

        with ThreadPoolExecutor(max_workers=len(users)) as pool:
            list(pool.map(user, users))
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = {
        "cases": args.cases,
        "users": args.users,
        "seconds": args.seconds,
        **timing_figures(timings, args.seconds),
        "server": {k: getattr(args, k) for k in ("workers", "threads", "worker_class")},
        "server_log": log.name,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
