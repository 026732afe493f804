"""The fast check of a caseload row agrees with the reference check (interchange.md 1).

The import stages a row through ``_fast_row`` when plain lookups prove it good, and
through ``parse_row`` (which words every reason) otherwise: the shortcut must never accept
a row the reference refuses, and must stage exactly what the reference would.
"""

from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefits.registry.caseload_import import (
    COLUMNS,
    _context,
    _fast_row,
    _fast_row_refusing_nul,
    _staged,
    parse_row,
)

# Per column: good values and near misses for each check of the fast path.
CHOICES = {
    "national_id": [
        "001044700004",
        "001144700004",
        "003044700004",
        "00104470000",
        "001244700004",
        "００1044700004",
        "001044700004 ",
        "0010447000041",
        "ab1044700004",
    ],
    "full_name": ["Lâm Văn Sơn", "", "Ngô  An", "A" * 121, "Lâm\x00Sơn", "김민준"],
    "date_of_birth": [
        "1944-10-10",
        "1945-10-10",
        "1944-02-30",
        "19441010",
        "2090-01-01",
        "1944-1-10",
        "",
    ],
    "sex": ["M", "F", "m", ""],
    "commune_code": ["00070", "99999", ""],
    "address": ["Tổ 1", "", "T" * 256, "Tổ\x001"],
    "categories": [
        "ELDERLY_POOR_ALONE",
        "DISABLED_EXTREMELY_SEVERE;ELDERLY_POOR_ALONE",
        "CHILD_NO_SUPPORT",
        "NOT_A_CATEGORY",
        "SINGLE_PARENT_POOR",
        ";",
        "",
        "ELDERLY_80_NO_PENSION",
        "ELDERLY_75_DIFFICULT_AREA",
        "DISABLED_SEVERE; DISABLED_SEVERE",
    ],
    "dependent_children": ["0", "", "2", "-1", "x", "02", "+1", "99", "100", "9" * 30],
    "decision_number": ["125/QĐ-UBND", "", "1" * 61],
    "decision_date": ["2021-07-01", "2021-02-30", "20210701", ""],
    "effective_month": ["2021-07", "2025-07", "2021-13", "2021-7", "0000-01", "１９９９-01", ""],
    "paid_through_month": ["", "2025-02", "2025-2", "2025-00"],
    "payment_method": ["POST", "BANK", "COMMUNE", "CASH", ""],
    "payment_point": ["PO-HK-01", "", "P" * 41],
    "bank_code": ["VCB", "", "B" * 21],
    "bank_account": ["0123456789", "", "1" * 41, "01\x00"],
}


@st.composite
def rows(draw):
    """A good row (the first choice of each column) with up to two columns changed."""
    row = {column: CHOICES[column][0] for column in COLUMNS}
    for column in draw(st.lists(st.sampled_from(COLUMNS), max_size=2, unique=True)):
        row[column] = draw(st.sampled_from(CHOICES[column]))
    return row


@settings(
    max_examples=500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(row=rows())
def test_the_fast_check_accepts_only_what_the_reference_accepts(app, row):
    values = [row[column].strip() for column in COLUMNS]
    fast_ctx, reference_ctx = _context(date(2026, 1, 1)), _context(date(2026, 1, 1))
    # The import takes the NUL-refusing variant for a file holding a NUL character.
    nul = any("\x00" in value for value in values)
    staged = (_fast_row_refusing_nul if nul else _fast_row)(values, fast_ctx)
    parsed, problems = parse_row(2, values, reference_ctx)
    if staged is None:
        assert not fast_ctx.seen_ids
        return
    assert problems == []
    assert staged == _staged(parsed)
    assert fast_ctx.seen_ids == reference_ctx.seen_ids


def test_most_good_rows_take_the_fast_path(app):
    values = [CHOICES[column][0] for column in COLUMNS]
    assert _fast_row(values, _context(date(2026, 1, 1))) is not None
