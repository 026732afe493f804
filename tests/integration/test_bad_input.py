"""Bad input never answers 500 and stores nothing (issue 29.1; decision 100): every form
of every page, found by reading the pages as each kind of user sees them, is sent the
input an attacker or a broken client sends (NUL bytes, 20-digit numbers, over-long text,
impossible dates, spreadsheet formulas), first a fixed list, then what Hypothesis makes
of it; afterwards no stored text holds a control character or exceeds its column."""

import io
import json
from datetime import date
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, Text, func, select

from benefits.accounts.audit import Actor
from benefits.accounts.models import AuditEntry, User
from benefits.accounts.password_reset import reset_token
from benefits.accounts.service import create_staff_user
from benefits.cases.models import Case
from benefits.deaths.service import DeathReport, record_death
from benefits.extensions import db
from benefits.safe_text import starts_like_a_formula
from benefits.web.bad_input import CONTROL_CHARACTER
from tests.builders import PASSWORD, create_beneficiary
from tests.integration.test_case_decisions import (  # noqa: F401 (fixtures)
    APPROVE_AT_POST,
    PNG,
    apply_for_child,
    chairman,
    clock,
    officer,
)

HOSTILE = ["\x00", "a\x00b", "\x1b[31m", "9" * 20, "-" + "9" * 20, "x" * 121, "x" * 3000,
           "=1+1", "+84912345678", "@SUM(A1)", "\tTổ 1", "\rTổ 1", "2025-02-30", "0000-01-01",
           "9999-12-31", "１２", "%", "' or 1=1 --", "[]", "{}", " "]  # fmt: skip
# One of each kind the issue names, on every field at once (Hypothesis draws from all).
EACH_KIND = ["\x00", "\x1b[31m", "9" * 20, "x" * 121, "x" * 3000, "=1+1", "\tTổ 1",
             "2025-02-30", "[]", " "]  # fmt: skip
HOSTILE_IN_ADDRESS = ["\x00", "9" * 20, "-" + "9" * 20, "x" * 3000, "１２", "//evil.example"]
QUERY = ["q", "after", "before", "draft", "report", "step", "next", "actor", "action",
         "object", "from", "to", "page", "month", "province", "commune", "lang"]  # fmt: skip
# What a careful user types in each field, so that a form passes its other checks and the
# hostile value is the one judged.
TYPICAL = {
    "full_name": "Hoàng Văn Bé", "date_of_birth": "2015-06-01", "sex": "M",
    "national_id": "001215000321", "commune_code": "00070", "address": "Tổ 3",
    "declarant_name": "Hoàng Thị Dân", "declarant_national_id": "001190000777",
    "declarant_relationship": "mẹ", "category": "CHILD_NO_SUPPORT",
    "parents_situation": "Bố mất năm 2020", "phone": "0912345678", "email": "be@example.vn",
    "password": PASSWORD, "password_confirm": PASSWORD, "current": PASSWORD,
    "username": "001190000777", "reason": "Nhầm người", "message": "Thiếu giấy khai sinh",
    "registration_number": "KT-2025-000999", "date_of_death": "2025-03-01",
    "registered_on": "2025-03-02", "month": "2025-04", "from_month": "2025-04",
    "carer_name": "Trần Thị Chăm", "carer_national_id": "001185000123", "confirm": "y",
    "card_checked": "y", "reference": "QĐ 12/2025", "complainant": "Trần Văn Hàng",
    "text": "Cháu vẫn ở với bố.", "answer": "Đã xác minh.", "note": "Cần xem lại",
    "outcome": "refuse", "reasons": "Không đủ điều kiện", "amount": "600.000",
    "legal_basis": "NQ 01/2025/NQ-HĐND",
}  # fmt: skip


def staff_client(app, role, email, **scope):
    create_staff_user(role, email, "Cán Bộ", PASSWORD, Actor.system("t"), **scope)
    client = app.test_client()
    client.set_cookie("lang", "vi")
    client.post("/login", data={"username": email, "password": PASSWORD})
    return client


def forms_on(html: str, page: str):
    """Each POST form of the page: its address and its fields, as the browser sends them."""
    for form in BeautifulSoup(html, "html.parser").select("form"):
        action = form.get("action") or page
        if (form.get("method") or "get").lower() != "post" or action == "/logout":
            continue
        fields = {}
        for element in form.select("input, select, textarea"):
            name = element.get("name")
            if not name or name == "csrf_token":
                continue
            kind = element.get("type") or element.name
            options = [o.get("value", o.get_text()) for o in element.select("option")]
            fields[name] = (kind, element.get("value") or element.get_text(), options)
        yield action, fields


def garbage_stored() -> list[str]:
    """Every stored text holding a control character (tab and newlines aside), beginning
    like a spreadsheet formula or longer than its column allows (SQLite stores it)."""
    found = []
    for table in db.Model.metadata.sorted_tables:
        if table.info.get("seeded"):
            continue
        # A sort key is the portal's own (its separators are control characters).
        columns = [
            c
            for c in table.columns
            if isinstance(c.type, String | Text) and not c.name.endswith("sort_key")
        ]
        if not columns:
            continue
        for row in db.session.execute(select(*columns)):
            for column, value in zip(columns, row, strict=True):
                if not isinstance(value, str):
                    continue
                if CONTROL_CHARACTER.search(value):
                    found.append(f"{table.name}.{column.name}: control character {value[:40]!r}")
                if starts_like_a_formula(value) and not column.primary_key:  # a random key
                    found.append(f"{table.name}.{column.name}: a formula {value[:40]!r}")
                if column.type.length and len(value) > column.type.length:
                    found.append(f"{table.name}.{column.name}: {len(value)} characters")
    return found


@pytest.fixture
def world(app, clock, client, citizen, officer, chairman):  # noqa: F811 (fixtures)
    """A citizen with dossiers at each step, a commune's officer and chairman, a province
    admin, a payment officer, a beneficiary and a recorded death; the pages of each."""
    admin = staff_client(app, "admin", "admin@so.gov.vn", commune_code=None, province_code="01")
    payment = staff_client(app, "payment", "p@xa.gov.vn", commune_code="00070")
    checking = apply_for_child(client)
    officer.post(f"/officer/cases/{checking.code}/check")
    posting = apply_for_child(client, national_id="001215000124", submission_token="form-2")
    officer.post(f"/officer/cases/{posting.code}/check")
    officer.post(f"/officer/cases/{posting.code}/propose", data=APPROVE_AT_POST)
    officer.post(f"/officer/cases/{posting.code}/complaints",
                 data={"complainant": "Trần Văn Hàng", "text": "Cháu vẫn ở với bố."})  # fmt: skip
    proposed = apply_for_child(client, national_id="001215000125", submission_token="form-3")
    officer.post(f"/officer/cases/{proposed.code}/check")
    officer.post(f"/officer/cases/{proposed.code}/propose",
                 data={"outcome": "refuse", "reasons": "Cháu được ông bà nuôi."})  # fmt: skip
    asked = apply_for_child(client, national_id="001215000126", submission_token="form-4")
    officer.post(f"/officer/cases/{asked.code}/supplement", data={"message": "Thiếu giấy"})
    beneficiary = create_beneficiary()
    dead = create_beneficiary(full_name="Ông Văn Đức")
    record_death(DeathReport(
        registration_number="KT-2025-000001", national_id=dead.person.national_id,
        full_name="Ông Văn Đức", date_of_death=clock_today(), registered_on=clock_today(),
        commune_code="00070", declarant={"full_name": "Nguyễn Thị B",
                                         "national_id": "001190054321"},
    ), Actor.system("test"), "officer", clock_today())  # fmt: skip
    db.session.commit()
    cases = [checking.code, posting.code, proposed.code, asked.code]
    samples = Path(__file__).resolve().parents[1] / "data" / "samples" / "caseload.csv"
    cli = app.test_cli_runner()
    assert cli.invoke(args=["registry", "import", str(samples)]).exit_code == 0
    generated = cli.invoke(args=["payments", "generate", "--month", "2025-03", "--commune",
                                 "00070", "--json"])  # fmt: skip
    locked = json.loads(generated.stdout.strip().splitlines()[-1])["batch_id"]
    assert cli.invoke(args=["payments", "lock", str(locked)]).exit_code == 0
    generated = cli.invoke(args=["payments", "generate", "--month", "2025-04", "--commune",
                                 "00070", "--json"])  # fmt: skip
    batch = json.loads(generated.stdout.strip().splitlines()[-1])["batch_id"]
    reset = "/password/reset/" + reset_token(db.session.get(User, citizen.id))
    return {
        "citizen": (
            client,
            [
                "/",
                "/me/",
                "/account/password",
                "/procedures",
                *(f"/me/dossiers/{code}" for code in cases),
                *(f"/me/apply/{code}" for code in PROCEDURE_CODES),
            ],
        ),
        "officer": (
            officer,
            [
                "/officer/",
                "/officer/registry",
                "/officer/deaths",
                f"/officer/registry/{beneficiary.code}",
                "/officer/citizen-password",
                *(f"/officer/cases/{code}" for code in cases),
            ],
        ),
        "chairman": (chairman, [f"/officer/cases/{proposed.code}"]),
        "admin": (admin, ["/admin/", "/admin/audit", "/admin/rules", "/admin/users/new"]),
        "payment": (
            payment,
            ["/payments/", f"/payments/batches/{batch}", f"/payments/batches/{locked}"],
        ),
        "anyone": (app.test_client(), ["/", "/login", "/register", "/password/forgot", reset]),
    }


def clock_today():
    from benefits.places.calendar import vietnam_today

    return vietnam_today()


def _procedure_codes():
    from benefits.procedures.catalogue import PROCEDURES

    return [p.code for p in PROCEDURES]


PROCEDURE_CODES = _procedure_codes()


def every_form(world) -> list:
    """Read before anything is sent: a form sent (a log-in) changes what a page shows."""
    found, seen = [], set()
    for role, (client, pages) in world.items():
        for page in pages:
            response = client.get(page)
            assert response.status_code == 200, (role, page)
            for action, fields in forms_on(response.get_data(as_text=True), page):
                if (role, action) not in seen:
                    seen.add((role, action))
                    found.append((role, client, action, fields))
    return found


def send(client, action, values: dict):
    files = {k: v for k, v in values.items() if isinstance(v, tuple)}
    return client.post(action, data=values, content_type="multipart/form-data" if files else None)


def typical(fields: dict) -> dict:
    values = {}
    for name, (kind, default, options) in fields.items():
        if kind == "file":
            continue
        if kind in ("checkbox", "radio") and name not in TYPICAL:
            continue
        values[name] = TYPICAL.get(name, default or (options[-1] if options else ""))
    return values


def test_every_form_and_page_parameter_answers_hostile_input_without_a_server_error(world):
    """One value of each kind, on every field at once and on every query parameter."""
    forms = every_form(world)
    for role, client, action, fields in forms:
        for hostile in EACH_KIND:
            response = send(client, action, {**typical(fields), **dict.fromkeys(fields, hostile)})
            assert response.status_code < 500, (role, action, hostile)
    for _role, (client, pages) in world.items():
        for page in pages:
            for hostile in HOSTILE_IN_ADDRESS:
                response = client.get(page, query_string=dict.fromkeys(QUERY, hostile))
                assert response.status_code < 500, (page, hostile)
    actions = {action.rsplit("/", 1)[-1] for _role, _client, action, _fields in forms}
    assert len(forms) >= 25
    assert {"reconcile", "lock", "propose", "decide", "care-support", "withdraw"} <= actions
    assert garbage_stored() == []


def test_hypothesis_finds_no_server_error_and_no_stored_garbage_in_any_form(world):
    for role, client, action, fields in every_form(world):
        _hypothesis_on(role, client, action, fields)
    assert garbage_stored() == []


def _values_for(fields: dict):
    strategies = {}
    for name, (kind, _default, options) in fields.items():
        if kind == "file":
            strategies[name] = st.builds(
                lambda filename: (io.BytesIO(PNG), filename),
                st.one_of(st.just("giay-to.png"), st.text(max_size=300)),
            )
            continue
        hostile = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
        usual = st.sampled_from(options) if options else st.just(TYPICAL.get(name, ""))
        strategies[name] = st.one_of(usual, hostile)
    return st.fixed_dictionaries({}, optional=strategies)


def _hypothesis_on(role, client, action, fields) -> None:
    @given(values=_values_for(fields))
    @settings(max_examples=15, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def no_server_error(values):
        response = send(client, action, {**typical(fields), **values})
        assert response.status_code < 500, (role, action, values)

    no_server_error()


def test_a_nul_byte_in_a_form_is_refused_with_a_translated_page_and_nothing_stored(app):
    client = app.test_client()
    client.set_cookie("lang", "vi")
    users = db.session.scalar(select(func.count()).select_from(User))
    audits = db.session.scalar(select(func.count()).select_from(AuditEntry))
    from tests.builders import CITIZEN_FORM

    response = client.post("/register", data={**CITIZEN_FORM, "full_name": "Hoàng\x00Thị Dân"},
                           headers={"Referer": "http://localhost/register"})  # fmt: skip
    assert response.status_code == 400
    page = BeautifulSoup(response.data, "html.parser")
    assert "có một ký tự không gõ được" in page.get_text()
    assert page.select_one("main a")["href"] == "http://localhost/register"
    assert db.session.scalar(select(func.count()).select_from(User)) == users
    assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == audits
    client.set_cookie("lang", "en")
    response = client.post("/login", data={"username": "\x00", "password": "x"})
    assert response.status_code == 400
    assert "a character that cannot be typed" in response.get_data(as_text=True)


def test_a_number_too_large_in_a_page_parameter_is_refused_and_in_a_path_not_found(
    app, citizen, client
):
    client.set_cookie("lang", "en")
    response = client.get("/me/apply/1.001776", query_string={"draft": "9" * 20})
    assert response.status_code == 400
    assert "a number that is too large" in response.get_data(as_text=True)
    # Not a number at all: the page without a draft, as before.
    assert client.get("/me/apply/1.001776", query_string={"draft": "abc"}).status_code == 200
    assert client.get("/me/drafts/99999999999999999999/delete").status_code == 404


def test_a_name_one_character_too_long_is_refused_beside_its_field(app):
    client = app.test_client()
    client.set_cookie("lang", "en")
    from tests.builders import CITIZEN_FORM

    response = client.post("/register", data={**CITIZEN_FORM, "full_name": "A" * 121})
    page = BeautifulSoup(response.data, "html.parser")
    assert "Field cannot be longer than 120 characters." in page.select_one(
        "#full_name-field").get_text()  # fmt: skip
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
    assert db.session.scalar(select(func.count()).select_from(Case)) == 0


def test_an_optional_month_of_spaces_is_no_month(app):
    """Found by Hypothesis: " " passed the optional month's check and reached the month
    parser (a 500); typed text is now kept without its surrounding spaces."""
    from benefits.registry.models import SocialPensionPeriod

    clerk = staff_client(app, "officer", "o2@xa.gov.vn", commune_code="00070")
    beneficiary = create_beneficiary(date_of_birth=date(1940, 1, 1))
    response = clerk.post(f"/officer/registry/{beneficiary.code}/social-pension", data={
        "from_month": " 2025-07 ", "to_month": "  ", "reference": " QĐ 12/2025 "})  # fmt: skip
    assert response.status_code == 302
    period = db.session.scalar(select(SocialPensionPeriod))
    assert (str(period.from_month), period.to_month, period.reference) == (
        "2025-07", None, "QĐ 12/2025")  # fmt: skip
