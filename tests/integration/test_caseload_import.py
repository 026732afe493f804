"""Caseload import, exactly per interchange.md section 1."""

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from benefits.extensions import db
from benefits.month import Month
from benefits.people.models import Person, ResidenceEvent
from benefits.registry import caseload_import
from benefits.registry.models import Beneficiary, BeneficiaryCategory, Decision
from tests.builders import create_person

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "samples" / "caseload.csv"
HEADER = SAMPLE.read_text(encoding="utf-8").splitlines()[0]
GOOD = (
    "001050700004,Lâm Văn Sơn,1950-10-10,M,00070,Tổ 1,"
    "DISABLED_EXTREMELY_SEVERE;ELDERLY_POOR_ALONE,0,125/QĐ-UBND,2021-07-01,2021-07,2025-02,"
    "POST,PO-HK-01,,"
)


def run_import(app, path, *flags):
    result = app.test_cli_runner().invoke(args=["registry", "import", str(path), *flags])
    return result


def write(tmp_path, *rows, bom=False, name="caseload.csv"):
    path = tmp_path / name
    path.write_text(("\ufeff" if bom else "") + "\n".join([HEADER, *rows]) + "\n", "utf-8")
    return path


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_sample_caseload_is_imported(app):
    result = run_import(app, SAMPLE, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "imported": 8, "updated": 0, "unchanged": 0, "invalid": 0}  # fmt: skip
    assert count(Person) == 8 and count(Beneficiary) == 8
    thu = db.session.scalar(
        select(Beneficiary).join(Person).where(Person.national_id == "001182700007")
    )
    assert thu.status == "active"
    assert thu.effective_month == Month(2024, 9)
    assert thu.paid_through_month == Month(2024, 12)
    assert thu.dependent_children == 2
    assert thu.code.startswith("BTXH-18754-")
    assert sorted(c.category_code for c in thu.categories) == [
        "DISABLED_SEVERE", "HIV_POOR", "SINGLE_PARENT_POOR"]  # fmt: skip
    assert all(c.decision.number == "125/QĐ-UBND" for c in thu.categories)
    # The file gives where each person lives, not since when: the residence is the
    # person's, and their history starts with the first change the portal records
    # (docs/decisions.md 59), not with a registration dated from the decision.
    assert thu.person.commune_code == "18754" and thu.person.address
    assert count(ResidenceEvent) == 0


def test_importing_the_same_file_twice_changes_nothing(app):
    run_import(app, SAMPLE)
    before = (count(Person), count(Beneficiary), count(BeneficiaryCategory), count(Decision))
    result = run_import(app, SAMPLE, "--json")
    assert json.loads(result.stdout.strip().splitlines()[-1])["unchanged"] == 8
    after = (count(Person), count(Beneficiary), count(BeneficiaryCategory), count(Decision))
    assert before == after


def test_a_changed_row_updates_the_person_and_is_counted_updated(app, tmp_path):
    run_import(app, write(tmp_path, GOOD))
    changed = GOOD.replace("Tổ 1", "Tổ 9").replace(";ELDERLY_POOR_ALONE", "")
    result = run_import(app, write(tmp_path, changed, name="changed.csv"), "--json")
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "imported": 0, "updated": 1, "unchanged": 0, "invalid": 0}  # fmt: skip
    son = db.session.scalar(select(Person).where(Person.national_id == "001050700004"))
    db.session.refresh(son)
    assert son.address == "Tổ 9"
    beneficiary = db.session.scalar(select(Beneficiary).where(Beneficiary.person_id == son.id))
    db.session.refresh(beneficiary)
    assert [c.category_code for c in beneficiary.categories] == ["DISABLED_EXTREMELY_SEVERE"]


def test_each_row_with_its_own_decision_links_its_categories_to_it(app, tmp_path):
    """A first migration whose rows each have their own decision (the usual file), then a
    file of rows sharing one decision."""

    def decision_numbers(national_id):
        person = db.session.scalar(select(Person).where(Person.national_id == national_id))
        holder = db.session.scalar(select(Beneficiary).where(Beneficiary.person_id == person.id))
        return {c.decision.number for c in holder.categories}

    own = [bad(national_id=f"00105070000{n}", decision_number=f"{n}/QĐ-UBND") for n in (1, 2, 3)]
    run_import(app, write(tmp_path, *own))
    assert [decision_numbers(f"00105070000{n}") for n in (1, 2, 3)] == [
        {"1/QĐ-UBND"}, {"2/QĐ-UBND"}, {"3/QĐ-UBND"}]  # fmt: skip
    shared = [bad(national_id=f"00105070001{n}", decision_number="9/QĐ-X") for n in (1, 2)]
    shared.append(bad(national_id="001050700013", decision_number="2/QĐ-UBND"))
    run_import(app, write(tmp_path, *shared, name="shared.csv"))
    assert decision_numbers("001050700011") == decision_numbers("001050700012") == {"9/QĐ-X"}
    assert decision_numbers("001050700013") == {"2/QĐ-UBND"}
    assert count(Decision) == 4


def test_a_file_with_a_bom_is_read(app, tmp_path):
    result = run_import(app, write(tmp_path, GOOD, bom=True), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout.strip().splitlines()[-1])["imported"] == 1


def bad(**changes):
    fields = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    fields.update(changes)
    return ",".join(fields.values())


BAD_ROWS = [
    (bad(national_id="00105070000"), "national_id"),  # 11 digits
    (bad(national_id="003050700004"), "national_id"),  # unknown province code
    (bad(national_id="001250700004"), "national_id"),  # century disagrees with 1950
    (bad(national_id="001150700004"), "national_id"),  # sex disagrees (F digit, M)
    (bad(commune_code="99999"), "commune_code"),
    (bad(categories="NOT_A_CATEGORY"), "categories"),
    (bad(categories="CHILD_NO_SUPPORT"), "categories"),  # a 70-year-old is no child
    (
        bad(
            categories="ELDERLY_80_NO_PENSION",
            effective_month="2025-07",
            date_of_birth="1940-10-10",
            national_id="001040700004",
        ),
        "categories",
    ),  # fmt: skip
    (bad(categories="SINGLE_PARENT_POOR", dependent_children="0"), "dependent_children"),
    (bad(dependent_children="+2"), "dependent_children"),
    (bad(dependent_children="1_0"), "dependent_children"),
    (bad(dependent_children="\uff12"), "dependent_children"),  # a full-width 2
    (bad(dependent_children="-1"), "dependent_children"),
    (bad(date_of_birth="1950-02-30"), "date_of_birth"),
    (bad(effective_month="2021-13"), "effective_month"),
    (bad(decision_date="yesterday"), "decision_date"),
    (bad(payment_point=""), "payment_point"),
    (bad(payment_method="BANK", payment_point=""), "bank_code"),
]


@pytest.mark.parametrize(("row", "column"), BAD_ROWS)
def test_every_bad_row_is_reported_and_nothing_is_imported(app, tmp_path, row, column):
    result = run_import(
        app,
        write(
            tmp_path,
            GOOD.replace("001050700004", "001060700009").replace("1950-10-10", "1960-10-10"),
            row,
        ),
    )
    assert result.exit_code != 0
    assert f"line 3: {column}: " in result.stderr
    assert count(Person) == 0


def test_an_id_twice_in_the_file_is_refused(app, tmp_path):
    result = run_import(app, write(tmp_path, GOOD, GOOD))
    assert result.exit_code != 0
    assert "line 3: national_id: " in result.stderr
    assert count(Person) == 0


def test_skip_invalid_imports_the_good_rows_and_reports_the_bad(app, tmp_path):
    result = run_import(
        app,
        write(
            tmp_path,
            bad(commune_code="99999", national_id="001060700009", date_of_birth="1960-10-10"),
            GOOD,
        ),
        "--skip-invalid",
        "--json",
    )
    assert result.exit_code == 0
    assert "line 2: commune_code: " in result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "imported": 1, "updated": 0, "unchanged": 0, "invalid": 1}  # fmt: skip
    assert count(Person) == 1


def test_a_file_without_a_required_column_is_refused(app, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("national_id,full_name\n001050700004,Lâm Văn Sơn\n", "utf-8")
    result = run_import(app, path)
    assert result.exit_code != 0
    assert "date_of_birth" in result.stderr


def test_a_file_mixing_known_changed_and_new_rows_counts_each(app, tmp_path):
    kept = GOOD.replace("001050700004", "001060700009").replace("1950-10-10", "1960-10-10")
    run_import(app, write(tmp_path, GOOD, kept))
    new = bad(
        national_id="001140700005", sex="F", date_of_birth="1940-01-02", full_name="Lò Thị Mai"
    )
    changed = GOOD.replace("Tổ 1", "Tổ 9")
    result = run_import(app, write(tmp_path, kept, changed, new, name="second.csv"), "--json")
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "imported": 1, "updated": 1, "unchanged": 1, "invalid": 0}  # fmt: skip
    mai = db.session.scalar(
        select(Beneficiary).join(Person).where(Person.national_id == "001140700005")
    )
    assert mai.code == f"BTXH-00070-{mai.person_id:08d}"
    assert [c.category_code for c in mai.categories] == [
        "DISABLED_EXTREMELY_SEVERE", "ELDERLY_POOR_ALONE"]  # fmt: skip
    assert count(Person) == 3 and count(Beneficiary) == 3 and count(ResidenceEvent) == 0


def test_re_importing_known_persons_uses_up_no_ids(app, tmp_path):
    """A monthly re-import of a national file must not run the registry's ids out: only
    new persons take ids, and the next person created takes the next one."""
    kept = GOOD.replace("001050700004", "001060700009").replace("1950-10-10", "1960-10-10")
    first = write(tmp_path, GOOD, kept)
    run_import(app, first)
    last_person = db.session.scalar(select(func.max(Person.id)))
    last_beneficiary = db.session.scalar(select(func.max(Beneficiary.id)))
    for _ in range(3):
        assert run_import(app, first).exit_code == 0
    new = bad(
        national_id="001140700005", sex="F", date_of_birth="1940-01-02", full_name="Lò Thị Mai"
    )
    run_import(app, write(tmp_path, new, GOOD, name="second.csv"))
    mai = db.session.scalar(
        select(Beneficiary).join(Person).where(Person.national_id == "001140700005")
    )
    assert (mai.person_id, mai.id) == (last_person + 1, last_beneficiary + 1)
    # The sequences were set past the import's ids: a person created by hand takes the next.
    assert create_person(sex="F").id == last_person + 2


def test_a_known_person_without_allowance_becomes_a_beneficiary(app, tmp_path):
    son = create_person(national_id="001050700004", date_of_birth=date(1950, 10, 10))
    result = run_import(app, write(tmp_path, GOOD), "--json")
    assert json.loads(result.stdout.strip().splitlines()[-1])["updated"] == 1
    beneficiary = db.session.scalar(select(Beneficiary).where(Beneficiary.person_id == son.id))
    assert beneficiary.status == "active"
    assert beneficiary.code == f"BTXH-00070-{son.id:08d}"
    assert len(beneficiary.categories) == 2


def test_an_address_with_a_backslash_a_tab_or_a_line_break_is_kept(app, tmp_path):
    row = GOOD.replace("Tổ 1", '"Tổ 1\\Ngõ\t2\nThôn 3"')
    result = run_import(app, write(tmp_path, row), "--json")
    assert result.exit_code == 0, result.stderr
    son = db.session.scalar(select(Person).where(Person.national_id == "001050700004"))
    assert son.address == "Tổ 1\\Ngõ\t2\nThôn 3"


def test_a_category_named_twice_in_a_row_is_held_once(app, tmp_path):
    row = bad(categories="DISABLED_EXTREMELY_SEVERE; DISABLED_EXTREMELY_SEVERE")
    result = run_import(app, write(tmp_path, row), "--json")
    assert result.exit_code == 0, result.stderr
    assert count(BeneficiaryCategory) == 1


def test_optional_columns_may_be_left_out_of_the_header(app, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text(
        "national_id,full_name,date_of_birth,sex,commune_code,categories,decision_number,"
        "decision_date,effective_month,payment_method\n"
        "001050700004,Lâm Văn Sơn,1950-10-10,M,00070,ELDERLY_POOR_ALONE,125/QĐ-UBND,"
        "2021-07-01,2021-07,COMMUNE\n",
        "utf-8",
    )
    result = run_import(app, path, "--json")
    assert result.exit_code == 0, result.stderr
    son = db.session.scalar(select(Beneficiary).join(Person))
    assert son.payment_method == "COMMUNE" and son.paid_through_month is None
    assert son.person.address is None


@pytest.fixture
def bulk_load(monkeypatch):
    """Large-import mode from the first row (normally from BULK_ROWS new persons)."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the bulk load (constraints dropped and made again) is PostgreSQL's")
    monkeypatch.setattr(caseload_import, "BULK_ROWS", 1)


def _constraints_and_indexes():
    found = set()
    for table in inspect(db.session.connection()).get_table_names():
        # Those of the tables outside the registry too: they may rely on its keys.
        found |= {
            (table, c["name"]) for c in inspect(db.session.connection()).get_foreign_keys(table)
        }
    for table in caseload_import.BULK_TABLES:
        found |= {
            (table, c["name"])
            for c in inspect(db.session.connection()).get_unique_constraints(table)
        }
        found |= {(table, i["name"]) for i in inspect(db.session.connection()).get_indexes(table)}
        found |= {(table, inspect(db.session.connection()).get_pk_constraint(table)["name"])}
    return found


def test_a_first_migration_keeps_every_constraint_of_the_registry(app, tmp_path, bulk_load):
    before = _constraints_and_indexes()
    result = run_import(app, SAMPLE, "--json")
    assert json.loads(result.stdout.strip().splitlines()[-1])["imported"] == 8
    assert _constraints_and_indexes() == before
    assert count(BeneficiaryCategory) == 11
    again = run_import(app, SAMPLE, "--json")
    assert json.loads(again.stdout.strip().splitlines()[-1])["unchanged"] == 8
    with pytest.raises(IntegrityError), db.session.begin_nested():
        create_person(national_id="001182700007", date_of_birth=date(1982, 1, 1), sex="F")


def _decision_of_each_category():
    return set(
        db.session.execute(
            select(Person.national_id, BeneficiaryCategory.category_code, Decision.number,
                   Decision.signed_on, Decision.commune_code)
            .join(Beneficiary, Beneficiary.person_id == Person.id)
            .join(BeneficiaryCategory, BeneficiaryCategory.beneficiary_id == Beneficiary.id)
            .join(Decision, Decision.id == BeneficiaryCategory.decision_id)
        ).all()
    )  # fmt: skip


@pytest.mark.parametrize("shared", [False, True])
def test_a_first_migration_gives_each_category_the_decision_of_its_row(
    app, tmp_path, bulk_load, shared
):
    """One decision a person (the usual file), or rows naming the same decision (a
    commune deciding for several at once): either way one decision per number, date and
    commune, and each category refers to its row's."""
    rows = [
        bad(national_id=f"00106070{n:04d}", date_of_birth="1960-10-10",
            decision_number="7/QĐ-UBND" if shared and n < 3 else f"{n}/QĐ-UBND")
        for n in range(1, 5)
    ]  # fmt: skip
    before = _constraints_and_indexes()
    result = run_import(app, write(tmp_path, *rows), "--json")
    assert json.loads(result.stdout.strip().splitlines()[-1])["imported"] == 4
    assert _constraints_and_indexes() == before
    assert count(Decision) == (3 if shared else 4)
    numbers = ["7" if shared and n < 3 else str(n) for n in range(1, 5)]
    assert _decision_of_each_category() == {
        (f"00106070{n:04d}", category, f"{number}/QĐ-UBND", date(2021, 7, 1), "00070")
        for n, number in zip(range(1, 5), numbers, strict=True)
        for category in ("DISABLED_EXTREMELY_SEVERE", "ELDERLY_POOR_ALONE")
    }
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            Decision(number="4/QĐ-UBND", signed_on=date(2021, 7, 1), commune_code="00070")
        )
        db.session.flush()


def test_a_bulk_load_beside_rows_relying_on_the_registry_keeps_them_checked(app, bulk_load):
    """A residence event already refers to a person: the keys it relies on stay while
    the registry is loaded, and every constraint is back afterwards."""
    known = create_person(national_id="001190000123", date_of_birth=date(1990, 1, 1), sex="M")
    moved = ResidenceEvent(
        person_id=known.id, kind="moved", commune_code=known.commune_code, on_date=date(2025, 1, 2)
    )
    db.session.add(moved)
    db.session.commit()
    before = _constraints_and_indexes()
    result = run_import(app, SAMPLE, "--json")
    assert json.loads(result.stdout.strip().splitlines()[-1])["imported"] == 8
    assert _constraints_and_indexes() == before
    assert db.session.get(ResidenceEvent, moved.id).person_id == known.id
    with pytest.raises(IntegrityError), db.session.begin_nested():
        stray = ResidenceEvent(
            person_id=known.id + 10**6, kind="moved", commune_code="00070", on_date=date(2025, 1, 2)
        )
        db.session.add(stray)
        db.session.flush()


def test_a_bulk_load_applies_the_changed_rows_too(app, tmp_path, bulk_load):
    run_import(app, write(tmp_path, GOOD))
    new = [bad(national_id=f"00106070{n:04d}", date_of_birth="1960-10-10") for n in range(1, 4)]
    changed = GOOD.replace(";ELDERLY_POOR_ALONE", "")
    result = run_import(app, write(tmp_path, changed, *new, name="second.csv"), "--json")
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "imported": 3, "updated": 1, "unchanged": 0, "invalid": 0}  # fmt: skip
    son = db.session.scalar(
        select(Beneficiary).join(Person).where(Person.national_id == "001050700004")
    )
    db.session.refresh(son)
    assert [c.category_code for c in son.categories] == ["DISABLED_EXTREMELY_SEVERE"]
    assert count(Beneficiary) == 4 and count(Decision) == 1


def test_a_refused_bulk_load_leaves_the_registry_as_it_was(app, tmp_path, bulk_load):
    before = _constraints_and_indexes()
    result = run_import(app, write(tmp_path, GOOD, bad(commune_code="99999")))
    assert result.exit_code != 0
    assert count(Person) == 0
    assert _constraints_and_indexes() == before


@pytest.mark.parametrize("name", ["김민준", "Kim \ud7b0\ud7fb", "王小明", "Lâm Văn Sơn \U0010fffd"])
def test_a_name_in_another_script_is_imported(app, tmp_path, name):
    """interchange.md section 1 forbids no letter in a name (foreign-born residents)."""
    result = run_import(app, write(tmp_path, bad(full_name=name)), "--json")
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Person.full_name)).one() == name


# docs/decisions.md 10: the reasons are in the operator's language, Vietnamese by default
# (the CLI has no request: the app's default locale); the shape stays
# ``line N: column: reason`` in every language.
REASONS = [
    (bad(full_name=""), "line 2: full_name: không được để trống", "line 2: full_name: required"),
    (bad(sex="X"), "line 2: sex: phải là M hoặc F", "line 2: sex: must be M or F"),
    (
        bad(commune_code="99999"),
        "line 2: commune_code: mã xã 99999 không có trong danh mục",
        "line 2: commune_code: unknown commune 99999",
    ),
    (
        bad(decision_date="yesterday"),
        "line 2: decision_date: không phải ngày hợp lệ (YYYY-MM-DD): yesterday",
        "line 2: decision_date: not a date (YYYY-MM-DD): yesterday",
    ),
    (
        bad(payment_point=""),
        "line 2: payment_point: bắt buộc với hình thức chi trả POST",
        "line 2: payment_point: required for POST",
    ),
    (
        bad(full_name="Lâm\x00Sơn"),
        "line 2: full_name: chứa ký tự NUL (mã 0)",
        "line 2: full_name: contains a NUL character",
    ),
    (
        bad(full_name="A" * 121),
        "line 2: full_name: dài quá 120 ký tự",
        "line 2: full_name: longer than 120 characters",
    ),
]


@pytest.mark.parametrize(("row", "vietnamese", "english"), REASONS)
def test_the_reasons_are_in_the_operators_language(app, tmp_path, row, vietnamese, english):
    path = write(tmp_path, row)
    assert vietnamese in run_import(app, path).stderr.splitlines()
    with force_locale("en"):
        assert english in run_import(app, path).stderr.splitlines()


@pytest.mark.parametrize(
    "row",
    [
        row
        for row, _ in [
            *BAD_ROWS,
            (bad(sex=""), "sex"),
            (bad(date_of_birth="2090-01-01"), "date_of_birth"),
            (bad(dependent_children="x"), "dependent_children"),
            (bad(paid_through_month="2025-13"), "paid_through_month"),
            (bad(payment_method="CASH"), "payment_method"),
        ]
    ],
)
def test_every_reason_is_translated(app, tmp_path, row):
    path = write(tmp_path, GOOD.replace("001050700004", "001060700009"), row)
    vietnamese = run_import(app, path).stderr.splitlines()
    with force_locale("en"):
        english = run_import(app, path).stderr.splitlines()
    assert len(vietnamese) == len(english) >= 2
    for vi_line, en_line in zip(vietnamese, english, strict=True):
        assert vi_line != en_line
        assert vi_line.split(": ")[:2] == en_line.split(": ")[:2] or vi_line[:5] != "line "


# Values no registry column can hold are bad rows like any other (interchange.md section 1,
# docs/decisions.md 45), reported with their column, never a database error.
UNSTORABLE = [
    (bad(full_name="Lâm\x00Sơn"), "full_name"),
    (bad(address="Tổ\x001"), "address"),
    (bad(national_id="00105070000\x00"), "national_id"),
    (bad(payment_method="BANK", bank_code="VCB", bank_account="01\x00"), "bank_account"),
    (bad(full_name="A" * 121), "full_name"),
    (bad(address="A" * 256), "address"),
    (bad(decision_number="1" * 61), "decision_number"),
    (bad(payment_point="P" * 41), "payment_point"),
    (bad(payment_method="BANK", bank_code="B" * 21, bank_account="1"), "bank_code"),
    (bad(payment_method="BANK", bank_code="VCB", bank_account="1" * 41), "bank_account"),
    (bad(dependent_children="9" * 30), "dependent_children"),
    (bad(dependent_children="100"), "dependent_children"),
]


@pytest.mark.parametrize(("row", "column"), UNSTORABLE)
def test_a_value_the_registry_cannot_hold_is_a_bad_row(app, tmp_path, row, column):
    other = GOOD.replace("001050700004", "001060700009").replace("1950-10-10", "1960-10-10")
    path = write(tmp_path, other, row)
    result = run_import(app, path)
    assert result.exit_code != 0
    assert f"line 3: {column}: " in result.stderr
    assert "Traceback" not in result.output
    assert count(Person) == 0
    result = run_import(app, path, "--skip-invalid", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "imported": 1, "updated": 0, "unchanged": 0, "invalid": 1}  # fmt: skip


def test_the_longest_values_the_registry_holds_are_imported(app, tmp_path):
    row = bad(
        full_name="Ă" * 120,
        address="Ơ" * 255,
        decision_number="1" * 60,
        payment_method="BANK",
        payment_point="P" * 40,
        bank_code="B" * 20,
        bank_account="9" * 40,
        categories="SINGLE_PARENT_POOR",
        dependent_children="99",
        date_of_birth="1990-10-10",
        national_id="001090700004",
    )
    result = run_import(app, write(tmp_path, row), "--json")
    assert result.exit_code == 0, result.output
    assert db.session.scalars(select(Person.full_name)).one() == "Ă" * 120


# What breaks the file itself refuses it whole, in one line naming the line, with or
# without --skip-invalid (docs/decisions.md 45).
def refused(app, path):
    """The lines on stderr of a refused import, after checking nothing was written."""
    for flags in ((), ("--skip-invalid",)):
        result = run_import(app, path, *flags)
        assert result.exit_code == 1, result.output
        assert not isinstance(result.exception, Exception) or isinstance(
            result.exception, SystemExit
        ), result.exception
        assert count(Person) == 0
    return result.stderr.splitlines()


def numbered_rows(count_, *, first=0):
    """``count_`` good rows with their own ID numbers."""
    return [GOOD.replace("001050700004", f"001050{first + i:06d}") for i in range(count_)]


def test_an_empty_file_is_refused(app, tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert refused(app, path) == ["line 1: tệp trống: không có dòng tiêu đề"]
    path.write_bytes("\ufeff".encode())
    with force_locale("en"):
        assert refused(app, path) == ["line 1: the file is empty: no header row"]


def test_a_file_with_a_wrong_header_is_refused(app, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("a,b,c\n1,2,3\n", "utf-8")
    assert refused(app, path) == [
        "line 1: thiếu cột: " + ", ".join(caseload_import.REQUIRED_COLUMNS)
    ]


def test_a_header_without_rows_imports_nothing(app, tmp_path):
    result = run_import(app, write(tmp_path), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "imported": 0, "updated": 0, "unchanged": 0, "invalid": 0}  # fmt: skip


@pytest.mark.parametrize("bad_line", [2, 150])  # in the first block read, and far after it
def test_a_file_not_in_utf8_is_refused_naming_the_line(app, tmp_path, bad_line):
    rows = numbered_rows(200)
    lines = [HEADER.encode(), *(row.encode() for row in rows)]
    # Saved in the Vietnamese Windows code page: "â" is the byte 0xE2.
    lines[bad_line - 1] = rows[bad_line - 2].encode("cp1258", "replace")
    path = tmp_path / "cp1258.csv"
    path.write_bytes(b"\r\n".join(lines) + b"\r\n")
    assert refused(app, path) == [
        f"line {bad_line}: không phải văn bản UTF-8: hãy lưu lại tệp dạng UTF-8 "
        "(chưa nhập dữ liệu nào)"
    ]
    with force_locale("en"):
        assert refused(app, path) == [
            f"line {bad_line}: not UTF-8 text: save the file as UTF-8 (nothing imported)"
        ]


def test_a_utf16_file_is_refused(app, tmp_path):
    path = tmp_path / "utf16.csv"
    path.write_bytes("\n".join([HEADER, GOOD, ""]).encode("utf-16"))
    assert refused(app, path)[0].startswith("line 1: không phải văn bản UTF-8")


@pytest.mark.parametrize("where", ["field", "quote"])
def test_a_record_csv_cannot_read_is_refused(app, tmp_path, where):
    rows = numbered_rows(3)
    if where == "field":
        rows[1] = bad(address="A" * 200_000, national_id="001050799999")
    else:  # an unclosed quote swallows the rest of the file into one field
        rows[1] = rows[1].replace("Tổ 1", '"Tổ 1') + "\n" + "\n".join(numbered_rows(2_000, first=9))
    path = write(tmp_path, *rows)
    assert refused(app, path) == [
        "line 3: một trường dài quá 131072 ký tự: không phải tệp CSV, hoặc thiếu dấu "
        "ngoặc kép đóng (chưa nhập dữ liệu nào)"
    ]


@pytest.mark.parametrize("quoted", [False, True], ids=["by columns", "row by row"])
def test_a_record_with_fewer_or_more_fields_than_the_header_refuses_the_file(app, tmp_path, quoted):
    """interchange.md conventions (decision 103): refused whole, naming the line, with or
    without --skip-invalid; a file with a quote is read row by row, a plain one by
    columns (registry.caseload_columns), and both refuse it alike."""
    rows = numbered_rows(3, first=7)
    if quoted:
        rows[0] = rows[0].replace("Tổ 1", '"Tổ 1, thôn 2"')
    short = ",".join(rows[1].split(",")[:5])
    assert refused(app, write(tmp_path, rows[0], short, rows[2])) == [
        "line 3: 5 trường trong khi dòng tiêu đề có 16 cột: một dòng bị cắt ngắn, hoặc một "
        "dấu phẩy trong giá trị không có ngoặc kép (chưa nhập dữ liệu nào)"
    ]
    assert refused(app, write(tmp_path, rows[0], rows[1], rows[2] + ",")) == [
        "line 4: 17 trường trong khi dòng tiêu đề có 16 cột: một dòng bị cắt ngắn, hoặc một "
        "dấu phẩy trong giá trị không có ngoặc kép (chưa nhập dữ liệu nào)"
    ]


def test_a_last_line_cut_short_refuses_the_file(app, tmp_path):
    path = tmp_path / "caseload.csv"
    rows = numbered_rows(2, first=7)
    path.write_text("\n".join([HEADER, rows[0], rows[1][: rows[1].index(",POST")]]), "utf-8")
    with force_locale("en"):
        lines = refused(app, path)
    assert lines[0].startswith("line 3: 12 fields where the header has 16 columns")


def test_a_header_naming_a_column_twice_refuses_the_file(app, tmp_path):
    path = tmp_path / "caseload.csv"
    header = HEADER.replace("address", "full_name")
    path.write_text("\n".join([header, *numbered_rows(2, first=7)]) + "\n", "utf-8")
    assert refused(app, path) == [
        "line 1: các cột có tên hai lần: full_name (chưa nhập dữ liệu nào)"]  # fmt: skip


# Any text in any column: the row is imported or reported, never a traceback.
FIELD_TEXT = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=30),
    st.text(st.characters(codec="utf-8"), min_size=100, max_size=300),
    st.sampled_from(["9" * 12, "0000-01", "9999-12", "9999-12-31", "0001-01-01", "\x00", "\ufeff"]),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(changes=st.dictionaries(st.sampled_from(HEADER.split(",")), FIELD_TEXT, max_size=3))
def test_any_text_in_a_row_is_imported_or_reported(app, tmp_path_factory, changes):
    fields = dict(zip(HEADER.split(","), GOOD.split(","), strict=True))
    fields.update(changes)
    out = io.StringIO()
    csv.writer(out).writerows([HEADER.split(","), fields.values()])
    path = tmp_path_factory.mktemp("fuzz") / "caseload.csv"
    path.write_text(out.getvalue(), "utf-8")
    result = run_import(app, path, "--skip-invalid", "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    assert figures["imported"] + figures["updated"] + figures["unchanged"] + figures["invalid"] == 1
    db.session.rollback()


def test_a_missing_file_is_named(app, tmp_path):
    result = run_import(app, tmp_path / "nowhere.csv")
    assert result.exit_code == 1
    assert result.stderr == f"{tmp_path / 'nowhere.csv'}: không có tệp này\n"
