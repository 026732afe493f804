"""No raw code on any page (issue 30 item 8, decision 122): categories, statuses, kinds
of line, payment methods and audit actions always read in words, for every role, in
both languages; every audit action the code writes has its words in both."""

import ast
import re
from collections import deque
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale

from benefits.accounts.audit import Actor
from benefits.accounts.demo import DEMO_PASSWORD
from benefits.accounts.policy import PERMISSIONS
from benefits.demo import load_demo
from benefits.extensions import db
from benefits.labels import AUDIT_ACTION, LINE_KIND, PAYMENT_METHOD, audit_action
from benefits.month import Month
from benefits.payments.generation import generate_batch

ROOT = Path(__file__).resolve().parents[2]
# What the code writes as an audit action: ``payments.job.done``, ``account.login``.
ACTION = re.compile(r"^(account|api_client|beneficiary|case|death|payments|registry|rules)"
                    r"(\.[a-z_]+){1,2}$")  # fmt: skip


def written_actions(app) -> set[str]:
    """Every string of the portal's code shaped as an audit action that is neither a
    view's endpoint nor a permission's name; ``case.<status>`` stands for the dossier's
    moves (``move_case`` writes the status it reached)."""
    endpoints = set(app.view_functions)
    found = set()
    for path in (ROOT / "benefits").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                value = node.value
                if ACTION.match(value) and value not in endpoints and value not in PERMISSIONS:
                    found.add(value)
    return found


def test_every_audit_action_the_code_writes_has_words_in_both_languages(app):
    actions = written_actions(app)
    assert {"payments.job.done", "account.login", "account.deactivated"} <= actions
    with app.test_request_context():
        for action in sorted(actions | set(AUDIT_ACTION)):
            with force_locale("en"):
                english = audit_action(action)
            with force_locale("vi"):
                vietnamese = audit_action(action)
            assert english != action, f"{action} has no words"
            assert vietnamese != english, f"{action} has no Vietnamese words"


# A code on a page: CATEGORY_CODES, snake_case statuses, the kinds of line and payment
# methods, and the audit actions by their dotted names.
UPPER_CODE = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b")
SNAKE_CODE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
WORD_CODES = re.compile(r"\b(?:" + "|".join([*LINE_KIND, *PAYMENT_METHOD]) + r")\b")
ROLES = {
    "officer": "officer.hoankiem@demo.gov.vn",
    "chairman": "chairman.hoankiem@demo.gov.vn",
    "payment": "payment.hoankiem@demo.gov.vn",
    "admin": "admin.hanoi@demo.gov.vn",
    "citizen": "001190000777",
}
# Pages a walk does not open: they change something, answer with a file, or leave.
SKIPPED = re.compile(r"/logout|/lang/|/export|/attachments/|\.pdf|/letter|/download|/static/")
PAGES_PER_ROLE = 40


def raw_codes(text: str, actions: set[str]) -> set[str]:
    codes = set(UPPER_CODE.findall(text)) | set(SNAKE_CODE.findall(text))
    codes |= set(WORD_CODES.findall(text))
    codes |= {action for action in actions if action in text}
    return codes


def walk(client, start: str):
    """The pages reached from ``start`` by the links of the site (breadth first)."""
    seen, queue = set(), deque([start])
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            response.close()  # a streamed download left unread ends its request here
            continue
        page = BeautifulSoup(response.data, "html.parser")
        yield path, page
        for link in page.select("a[href^='/']"):
            href = link["href"].split("#")[0]
            if href and not SKIPPED.search(href) and href not in seen:
                queue.append(href)


@pytest.fixture
def demo(app):
    load_demo()
    generate_batch(Month(2025, 3), "commune", "00070", Actor.system("test"))
    db.session.flush()


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_no_page_shows_a_raw_code(app, demo, role, lang):
    actions = written_actions(app) | set(AUDIT_ACTION)
    client = app.test_client()
    client.set_cookie("lang", lang)
    assert (
        client.post("/login", data={"username": ROLES[role], "password": DEMO_PASSWORD}).status_code
        == 302
    )
    start = client.get("/").headers.get("Location") or "/"
    landing = {"officer": "/officer/", "chairman": "/officer/", "payment": "/payments/",
               "admin": "/admin/", "citizen": "/me/"}[role]  # fmt: skip
    found = {}
    pages = 0
    for path, page in walk(client, landing if start == "/" else start):
        pages += 1
        for hidden in page.select("script, style"):
            hidden.decompose()
        if codes := raw_codes(page.get_text(" "), actions):
            found[path] = sorted(codes)
    assert pages >= 3, "the walk saw too few pages to mean anything"
    assert found == {}, "\n".join(f"{p}: {c}" for p, c in found.items())
