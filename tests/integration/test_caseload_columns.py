"""The check by columns (Arrow) stages exactly what the check row by row stages, and
reports the same problems in the same order (interchange.md section 1)."""

import random
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefits.registry import caseload_columns
from benefits.registry.caseload_import import (
    COLUMNS,
    ImportRefused,
    ImportResult,
    _context,
    _good_blocks,
    _good_rows,
)
from tests.integration.test_caseload_rows import CHOICES

TODAY = date(2026, 1, 1)
# What a plain file may hold (no quote, no NUL character): each column's good value and
# near misses, with white space around some.
PLAIN = {
    column: [v for v in values if "\x00" not in v and '"' not in v and "," not in v]
    for column, values in CHOICES.items()
}
PADDING = ["", "", "", " ", "\t", "\u3000", "\xa0", "\x1c"]


@st.composite
def plain_files(draw):
    """A header (the columns in some order, optional ones sometimes left out) and rows of
    good values with some changed, ID numbers sometimes repeated, some blank lines."""
    optional = [c for c in COLUMNS if c in ("address", "paid_through_month", "bank_code")]
    left_out = draw(st.lists(st.sampled_from(optional), unique=True, max_size=2))
    header = [c for c in COLUMNS if c not in left_out]
    header = draw(st.permutations(header))
    lines = [",".join(header)]
    ids = [f"00104470{n:04d}" for n in range(1, 40)]
    for _ in range(draw(st.integers(1, 60))):
        row = {column: PLAIN[column][0] for column in COLUMNS}
        for column in draw(st.lists(st.sampled_from(COLUMNS), max_size=2, unique=True)):
            row[column] = draw(st.sampled_from(PLAIN[column]))
        if row["national_id"] == PLAIN["national_id"][0] and draw(st.booleans()):
            row["national_id"] = draw(st.sampled_from(ids[:8]))
            row["date_of_birth"] = "1944-" + row["date_of_birth"][5:]
        pad = draw(st.sampled_from(PADDING))
        column = draw(st.sampled_from(header))
        row[column] = pad + row[column] + pad
        lines.append(",".join(row[c] for c in header))
        if draw(st.integers(0, 20)) == 0:
            lines.append("")
    ending = draw(st.sampled_from(["\n", "\r\n"]))
    return ending.join(lines) + ending


def _through(path, blocks_of):
    ctx, result, reported = _context(TODAY), ImportResult(), []
    rows = [
        row
        for block in blocks_of(path, ctx, result, reported.append)
        for row in caseload_columns.as_rows(block)
    ]
    return rows, reported, result.invalid, set(ctx.seen_ids)


def _row_by_row(path, ctx, result, report):
    return caseload_columns.in_blocks(_good_rows(path, ctx, result, report))


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of a few rows, so that a file makes several, some mixed."""
    monkeypatch.setattr(caseload_columns, "BLOCK_BYTES", 700)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=plain_files())
def test_columns_and_rows_stage_and_report_the_same(app, tmp_path, small_blocks, text):
    path = tmp_path / "caseload.csv"
    path.write_bytes(text.encode())
    assert caseload_columns.plain_file(path)
    assert _through(path, _good_blocks) == _through(path, _row_by_row)


def test_a_plain_file_of_good_rows_is_staged_by_columns(app, tmp_path, small_blocks):
    rows = [",".join(CHOICES[c][0] for c in COLUMNS).replace("001044700004", f"00104470{n:04d}")
            for n in range(1, 30)]  # fmt: skip
    path = tmp_path / "caseload.csv"
    path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", "utf-8")
    ctx, result = _context(TODAY), ImportResult()
    blocks = list(_good_blocks(path, ctx, result, print))
    assert len(blocks) > 1 and all(not isinstance(block, list) for block in blocks)
    assert sum(block.num_rows for block in blocks) == 29
    assert _through(path, _good_blocks) == _through(path, _row_by_row)


def _damaged(tmp_path, damage):
    good = ",".join(CHOICES[c][0] for c in COLUMNS)
    lines = [",".join(COLUMNS)]
    lines += [good.replace("001044700004", f"00104470{n:04d}") for n in range(1, 30)]
    damage(lines)
    path = tmp_path / "caseload.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(
            lambda lines: lines.insert(9, lines[9].replace("001044700009", "001044700099") + ",x"),
            id="a field too many",
        ),
        pytest.param(lambda lines: lines.insert(9, "001044700099,Lâm"), id="fields missing"),
    ],
)
def test_a_record_arrow_cannot_read_refuses_the_file_as_the_csv_module_does(
    app, tmp_path, small_blocks, damage
):
    """interchange.md conventions (decision 103): both ways refuse the file at line 10."""
    path = _damaged(tmp_path, damage)
    refusals = []
    for blocks_of in (_good_blocks, _row_by_row):
        with pytest.raises(ImportRefused) as refused:
            _through(path, blocks_of)
        refusals.append(str(refused.value))
    assert refusals[0] == refusals[1] and refusals[0].startswith("line 10: ")


def test_a_line_of_spaces_hands_the_rest_to_the_csv_module_which_skips_it(
    app, tmp_path, small_blocks
):
    path = _damaged(tmp_path, lambda lines: lines.insert(9, "   "))
    columns, rows = _through(path, _good_blocks), _through(path, _row_by_row)
    assert columns == rows and rows[2] == 0 and len(rows[0]) == 29


def test_arrow_white_space_is_python_white_space():
    """Values are stripped and names split by Arrow: the same characters as Python."""
    import pyarrow as pa
    import pyarrow.compute as pc

    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c < 0xE000]
    trimmed = pc.utf8_trim_whitespace(pa.array(chars)).to_pylist()
    split = pc.utf8_split_whitespace(pa.array([f"a{c}a" for c in chars])).to_pylist()
    python = {c for c in chars if c.isspace()}
    assert {c for c, t in zip(chars, trimmed, strict=True) if t == ""} == python
    assert {c for c, s in zip(chars, split, strict=True) if len(s) == 2} == python


def test_a_name_sort_key_by_columns_is_the_name_sort_key(app):
    import pyarrow as pa

    from benefits.people.names import vietnamese_sort_key

    rng = random.Random(3)
    syllables = ["Lâm", "Văn", "Sơn", "Đặng", "Thị", "Ánh", "an", "12", "\u0301x", "Ngô", "ÂU"]
    names = [" ".join(rng.choices(syllables, k=rng.randint(1, 4))) for _ in range(300)]
    keys = caseload_columns._sort_keys(pa.array(names, pa.string())).to_pylist()
    assert keys == [vietnamese_sort_key(name) for name in names]


def test_the_numbers_seen_answer_as_a_set_would():
    import pyarrow as pa

    seen, reference = caseload_columns.SeenIds(), set()
    rng = random.Random(5)
    for _ in range(60):
        block = [rng.randrange(1, 400) for _ in range(rng.randint(1, 12))]
        if rng.random() < 0.5:
            numbers = pa.array(block, pa.int64())
            fresh = len(set(block)) == len(block) and reference.isdisjoint(block)
            assert seen.add_new(numbers) == fresh
            if fresh:
                reference |= set(block)
        else:
            seen.look_up(pa.array(block, pa.int64()))
            for key in block:
                assert (key in seen) == (key in reference)
                seen.add(key)
                reference.add(key)
    assert set(seen) == reference
