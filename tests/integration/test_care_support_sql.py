"""Care support (ND20 Art 20) in SQL (payment batches) gives exactly what the Python rate
gives: random people cared for under every kind of care, in provinces with or without a
higher standard level, around the birthdays that move them from one age band to another."""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import literal, select, union_all

from benefits.accounts.audit import Actor
from benefits.extensions import db
from benefits.month import Month
from benefits.places.models import Commune
from benefits.registry.care_support import grant_care_support
from benefits.rules.care_support_sql import care_support_select
from benefits.rules.entitlement import EntitlementInput, HeldCategory, RuleBook, care_support_rate
from benefits.rules.models import CareGroupCategory, CareSupportRule, StandardLevel
from tests.builders import create_beneficiary

COMMUNES = ["00070", "26506", "18754"]
months = st.integers(min_value=Month(2021, 1).index, max_value=Month(2027, 12).index).map(
    Month.from_index
)


def _groups() -> list[str]:
    return sorted(set(db.session.scalars(select(CareSupportRule.care_group))))


@st.composite
def cared_people(draw):
    return {
        "date_of_birth": draw(st.dates(min_value=date(1930, 1, 1), max_value=date(2025, 12, 31))),
        "commune_code": draw(st.sampled_from(COMMUNES)),
        "group_index": draw(st.integers(0, 7)),
    }


top_ups = st.lists(
    st.tuples(st.sampled_from(COMMUNES), months, st.sampled_from([550_000, 800_000])),
    max_size=2,
    unique_by=lambda t: t[0],
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(cared_people(), min_size=1, max_size=4),
    asked=st.lists(months, min_size=1, max_size=6, unique=True),
    provincial=top_ups,
)
def test_sql_and_python_agree_on_care_support(people, asked, provincial):  # fmt: skip
    savepoint = db.session.begin_nested()
    try:
        for commune_code, month, amount in provincial:
            province = db.session.get(Commune, commune_code).province_code
            db.session.add(StandardLevel(province_code=province, effective_month=month,
                                         amount=amount, legal_basis="test"))  # fmt: skip
        groups = _groups()
        records = []
        for person in people:
            group = groups[person["group_index"] % len(groups)]
            # A category the kind of care fits (ND20 Art 20), held since the decree.
            fitting = db.session.scalar(
                select(CareGroupCategory.category_code)
                .where(CareGroupCategory.care_group == group).limit(1)
            )  # fmt: skip
            cared = create_beneficiary(
                categories=(fitting,), commune_code=person["commune_code"],
                date_of_birth=person["date_of_birth"], effective_month="2021-07",
            )  # fmt: skip
            record = grant_care_support(cared, group, "Người Chăm", None, Month(2021, 7),
                                        Actor.system("test"))  # fmt: skip
            # Around the birthdays where the age bands change (4 and 16).
            born = Month.of(person["date_of_birth"])
            extra = {born + 12 * years + d for years in (4, 16) for d in (-1, 0, 1)}
            records.append((record, cared, group, sorted(set(asked) | extra)))
        pairs = union_all(*[
            select(literal(r.id).label("care_support_id"), literal(m.yyyymm).label("month"))
            for r, _c, _g, ms in records for m in ms
        ])  # fmt: skip
        found = {
            (row.care_support_id, Month.from_yyyymm(row.month)): row
            for row in db.session.execute(care_support_select(pairs))
        }
        rules = RuleBook.load(db.session)
        for record, cared, group, asked_months in records:
            held = EntitlementInput.of(cared).categories
            province = db.session.get(Commune, cared.commune_code).province_code
            for month in asked_months:
                expected = care_support_rate(group, cared.person.date_of_birth, province, month,
                                             rules, held)  # fmt: skip
                row = found.get((record.id, month))
                if expected is None:
                    assert row is None, (group, month)
                    continue
                assert row is not None, (group, month, cared.person.date_of_birth)
                assert row.rule_code == expected.rule_code
                assert row.coefficient_pct == expected.coefficient_pct
                assert row.standard_level == expected.standard_level
                assert row.amount == expected.amount
    finally:
        savepoint.rollback()
        db.session.expunge_all()


def test_the_python_rate_follows_the_age_bands_of_a_group():
    """ND20 Art 20.1: caring for a 5.1 child under 4, 2.5; from the month of the fourth
    birthday, 1.5."""
    rules = RuleBook.load(db.session)
    born = date(2021, 6, 10)
    held = [HeldCategory("CHILD_NO_SUPPORT", Month(2021, 7))]
    may = care_support_rate("CARE_CHILD", born, None, Month(2025, 5), rules, held)
    june = care_support_rate("CARE_CHILD", born, None, Month(2025, 6), rules, held)
    assert (may.rule_code, may.amount) == ("CARE_CHILD_UNDER_4", 1_250_000)
    assert (june.rule_code, june.amount) == ("CARE_CHILD_FROM_4", 750_000)
    assert care_support_rate("PET_SITTING", born, None, Month(2025, 6), rules, held) is None


def test_no_care_support_in_a_month_the_person_holds_no_category_it_fits():
    """ND20 Art 20: care for a 5.1 child is paid while the child is one; a child whose
    category ended in May 2025 brings the carer nothing from June."""
    rules = RuleBook.load(db.session)
    born = date(2021, 6, 10)
    ended = [HeldCategory("CHILD_NO_SUPPORT", Month(2021, 7), Month(2025, 5))]
    assert care_support_rate("CARE_CHILD", born, None, Month(2025, 5), rules, ended) is not None
    assert care_support_rate("CARE_CHILD", born, None, Month(2025, 6), rules, ended) is None
    other = [HeldCategory("DISABLED_SEVERE", Month(2021, 7))]  # not what this care fits
    assert care_support_rate("CARE_CHILD", born, None, Month(2025, 5), rules, other) is None
