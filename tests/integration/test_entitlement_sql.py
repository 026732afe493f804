"""The SQL entitlement (batch work) gives exactly what the Python one gives, and both
reproduce the worked example of ../shared/samples (March 2025)."""

import csv
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal, select, union_all

from benefits.extensions import db
from benefits.month import Month
from benefits.registry.models import Beneficiary
from benefits.rules.entitlement import (
    EntitlementInput,
    RuleBook,
    entitlement_for,
    entitlements_between,
)
from benefits.rules.entitlement_sql import monthly_entitlement_select
from tests.builders import create_beneficiary

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples"
MARCH_2025 = Month(2025, 3)


def _pairs(pairs):
    return union_all(
        *[
            select(literal(b).label("beneficiary_id"), literal(m.yyyymm).label("month"))
            for b, m in pairs
        ]
    )


def _sql_entitlements(pairs) -> dict:
    rows = db.session.execute(monthly_entitlement_select(_pairs(pairs))).all()
    return {(r.beneficiary_id, Month.from_yyyymm(r.month)): r for r in rows}


def _load_sample_caseload() -> dict[str, Beneficiary]:
    loaded = {}
    with (SAMPLES / "caseload.csv").open(encoding="utf-8-sig") as fh:
        for row in csv.DictReader(fh):
            loaded[row["national_id"]] = create_beneficiary(
                categories=row["categories"].split(";"),
                effective_month=row["effective_month"],
                national_id=row["national_id"],
                full_name=row["full_name"],
                date_of_birth=date.fromisoformat(row["date_of_birth"]),
                sex=row["sex"],
                commune_code=row["commune_code"],
                dependent_children=int(row["dependent_children"] or 0),
                paid_through_month=Month.parse(row["paid_through_month"])
                if row["paid_through_month"]
                else None,
                payment_point=row["payment_point"],
            )
    return loaded


def _expected():
    with (SAMPLES / "expected-2025-03.csv").open(encoding="utf-8-sig") as fh:
        return list(csv.DictReader(fh))


def _arrears_start(b: Beneficiary) -> Month:
    if b.paid_through_month is None:
        return b.effective_month
    return max(b.effective_month, b.paid_through_month + 1)


def test_python_reproduces_the_march_2025_worked_example():
    caseload = _load_sample_caseload()
    rules = RuleBook.load(db.session)
    for row in _expected():
        person = EntitlementInput.of(caseload[row["national_id"]])
        march = entitlement_for(person, MARCH_2025, rules)
        arrears = entitlements_between(
            person, _arrears_start(caseload[row["national_id"]]), MARCH_2025 - 1, rules
        )
        assert march.coefficient == row["coefficient"], row["full_name"]
        assert march.amount == int(row["monthly_amount"]), row["full_name"]
        assert sum(e.amount for e in arrears) == int(row["arrears_amount"]), row["full_name"]
        assert ";".join(str(e.month) for e in arrears) == row["arrears_months"]


def test_sql_reproduces_the_march_2025_worked_example():
    caseload = _load_sample_caseload()
    pairs = []
    for b in caseload.values():
        pairs += [(b.id, m) for m in _arrears_start(b).until(MARCH_2025)]
    found = _sql_entitlements(pairs)
    for row in _expected():
        b = caseload[row["national_id"]]
        march = found[(b.id, MARCH_2025)]
        arrears = sorted(
            (m, r.amount) for (bid, m), r in found.items() if bid == b.id and m < MARCH_2025
        )
        assert march.amount == int(row["monthly_amount"]), row["full_name"]
        assert march.coefficient_pct == round(float(row["coefficient"]) * 100)
        assert sum(a for _, a in arrears) == int(row["arrears_amount"]), row["full_name"]
        assert ";".join(str(m) for m, _ in arrears) == row["arrears_months"]


CATEGORY_CODES = [
    "CHILD_NO_SUPPORT", "YOUTH_STUDYING", "CHILD_HIV_POOR", "SINGLE_PARENT_POOR",
    "ELDERLY_POOR_ALONE", "ELDERLY_75_DIFFICULT_AREA", "ELDERLY_80_NO_PENSION",
    "ELDERLY_COMMUNITY_CARE", "DISABLED_EXTREMELY_SEVERE", "DISABLED_SEVERE",
    "CHILD_UNDER_3_POOR_AREA", "HIV_POOR",
]  # fmt: skip

months = st.integers(min_value=Month(2019, 1).index, max_value=Month(2027, 12).index).map(
    Month.from_index
)


@st.composite
def beneficiaries(draw):
    effective = draw(months)
    held = draw(st.lists(st.sampled_from(CATEGORY_CODES), min_size=1, max_size=3, unique=True))
    categories = []
    for code in held:
        start = draw(st.sampled_from([effective, effective + draw(st.integers(0, 30))]))
        end = draw(st.none() | st.integers(0, 40).map(lambda n, s=start: s + n))
        categories.append((code, start, end))
    return {
        "categories": categories,
        "effective_month": effective,
        "date_of_birth": draw(st.dates(min_value=date(1925, 1, 1), max_value=date(2026, 6, 30))),
        "sex": draw(st.sampled_from("MF")),
        "dependent_children": draw(st.integers(0, 4)),
        "commune_code": draw(st.sampled_from(["00070", "26506", "18754"])),
        "last_entitled_month": draw(st.none() | months),
    }


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(beneficiaries(), min_size=1, max_size=4),
    asked=st.lists(months, min_size=1, max_size=6, unique=True),
)
def test_sql_and_python_agree_on_random_people_and_months(people, asked):
    savepoint = db.session.begin_nested()
    try:
        made = [create_beneficiary(**p) for p in people]
        rules = RuleBook.load(db.session)
        pairs = [(b.id, m) for b in made for m in asked]
        found = _sql_entitlements(pairs)
        for b in made:
            person = EntitlementInput.of(b)
            for m in asked:
                expected = entitlement_for(person, m, rules)
                row = found.get((b.id, m))
                if expected is None:
                    assert row is None, (m, person)
                    continue
                assert row is not None, (m, person)
                assert row.coefficient_pct == expected.coefficient_pct, (m, person)
                assert row.standard_level == expected.standard_level
                assert row.amount == expected.amount
                assert row.category_codes == ";".join(expected.category_codes)
    finally:
        savepoint.rollback()
        db.session.expunge_all()
