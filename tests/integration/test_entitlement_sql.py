"""The SQL entitlement (batch work) gives exactly what the Python one gives, and both
reproduce the worked example of ../shared/samples (March 2025). The random people hold
categories, live in a province with or without a top-up of the standard level and of the
social pension, and may receive the social pension (Decree 176/2025) in some months."""

import csv
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal, select, union_all

from benefits.extensions import db
from benefits.month import Month
from benefits.places.models import Commune
from benefits.registry.models import Beneficiary
from benefits.rules.entitlement import (
    EntitlementInput,
    RuleBook,
    entitlement_for,
    entitlements_between,
)
from benefits.rules.entitlement_sql import monthly_entitlement_select
from benefits.rules.models import SocialPensionLevel, StandardLevel
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
# Around the start of the social pension (2025-07), where its rule matters.
pension_months = st.integers(min_value=Month(2024, 7).index, max_value=Month(2027, 6).index).map(
    Month.from_index
)
COMMUNES = ["00070", "26506", "18754"]
# Categories an old person may hold; 5.5.b, 5.5.c and 5.4 with one child give 1.0, an
# allowance equal to the national social pension.
OLD_AGE_CATEGORIES = [
    "ELDERLY_POOR_ALONE", "ELDERLY_75_DIFFICULT_AREA", "ELDERLY_80_NO_PENSION",
    "ELDERLY_COMMUNITY_CARE", "SINGLE_PARENT_POOR", "DISABLED_SEVERE", "HIV_POOR",
]  # fmt: skip


# Granted before the social pension started (2025-07), and still entitled after.
early_months = st.integers(min_value=Month(2019, 1).index, max_value=Month(2025, 6).index).map(
    Month.from_index
)
late_months = st.integers(min_value=Month(2026, 1).index, max_value=Month(2027, 12).index).map(
    Month.from_index
)


@st.composite
def beneficiaries(draw, receiving_social_pension=False):
    """Random people. With ``receiving_social_pension``: elderly or single parents (whose
    allowance is near the social pension), granted before 2025-07, who receive the social
    pension in one or two periods around its start."""
    focus = receiving_social_pension
    effective = draw(early_months if focus else months)
    codes = st.sampled_from(OLD_AGE_CATEGORIES if focus else CATEGORY_CODES)
    held = draw(st.lists(codes, min_size=1, max_size=2 if focus else 3, unique=True))
    categories = []
    for code in held:
        start = draw(st.sampled_from([effective, effective + draw(st.integers(0, 30))]))
        end = draw(st.none() | st.integers(0, 40).map(lambda n, s=start: s + n))
        categories.append((code, start, end))
    born = st.dates(min_value=date(1925, 1, 1), max_value=date(1950 if focus else 2026, 6, 30))
    return {
        "categories": categories,
        "effective_month": effective,
        "date_of_birth": draw(born),
        "sex": draw(st.sampled_from("MF")),
        "dependent_children": draw(st.integers(0, 2 if focus else 4)),
        "commune_code": draw(st.sampled_from(COMMUNES)),
        "last_entitled_month": draw(st.none() | (late_months if focus else months)),
        "social_pension": draw(
            st.lists(
                st.tuples(pension_months, st.none() | st.integers(0, 18)).map(
                    lambda p: (p[0], None if p[1] is None else p[0] + p[1])
                ),
                min_size=1 if focus else 0,
                max_size=2,
                unique_by=lambda p: p[0],
            )
        ),
    }


# A province's higher standard level or social pension, from a month (amounts that make
# the allowance of some categories lower than, equal to or higher than the pension).
top_ups = st.lists(
    st.tuples(
        st.sampled_from([StandardLevel, SocialPensionLevel]),
        st.sampled_from(COMMUNES),
        pension_months,
        st.sampled_from([600_000, 750_000, 1_000_000]),
    ),
    max_size=3,
    unique_by=lambda t: (t[0], t[1]),
)


def _add_top_ups(rows) -> None:
    for table, commune_code, month, amount in rows:
        province = db.session.get(Commune, commune_code).province_code
        db.session.add(
            table(province_code=province, effective_month=month, amount=amount, legal_basis="test")
        )
    db.session.flush()


def _social_pension_outcome(expected) -> str:
    """For ``--hypothesis-show-statistics``: how often each side of the rule is tried."""
    if expected.allowance_amount == expected.social_pension:
        return "social pension equal to the allowance"
    return "social pension higher" if expected.replaced_by_social_pension else "allowance higher"


def _ends(first: Month, last: Month | None) -> set[Month]:
    return {first - 1, first, first + 1} | ({last, last + 1} if last else {first + 7})


def _assert_sql_equals_python(people, asked, provincial) -> None:
    savepoint = db.session.begin_nested()
    try:
        _add_top_ups(provincial)
        made = [create_beneficiary(**p) for p in people]
        rules = RuleBook.load(db.session)
        # Every person is also asked about the months around the ends of their periods of
        # social pension.
        asked_of = {
            b.id: sorted(set(asked) | {m for period in p["social_pension"] for m in _ends(*period)})
            for b, p in zip(made, people, strict=True)
        }
        pairs = [(b.id, m) for b in made for m in asked_of[b.id]]
        found = _sql_entitlements(pairs)
        for b in made:
            person = EntitlementInput.of(b)
            for m in asked_of[b.id]:
                expected = entitlement_for(person, m, rules)
                row = found.get((b.id, m))
                if expected is not None and expected.social_pension is not None:
                    event(_social_pension_outcome(expected))
                if expected is None or not expected.is_due:
                    # Nothing due, or the social pension is the higher (Decree 176/2025).
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


PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(
    people=st.lists(beneficiaries(), min_size=1, max_size=4),
    asked=st.lists(months, min_size=1, max_size=6, unique=True),
    provincial=top_ups,
)
def test_sql_and_python_agree_on_random_people_and_months(people, asked, provincial):
    _assert_sql_equals_python(people, asked, provincial)


@PROPERTY_SETTINGS
@given(
    people=st.lists(beneficiaries(receiving_social_pension=True), min_size=1, max_size=4),
    asked=st.lists(pension_months, min_size=1, max_size=6, unique=True),
    provincial=top_ups,
)
def test_sql_and_python_agree_on_people_receiving_the_social_pension(people, asked, provincial):
    """Decree 176/2025: the allowance only when higher than the social pension, on both."""
    _assert_sql_equals_python(people, asked, provincial)
