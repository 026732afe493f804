"""PDF signature sheets (danh sách ký nhận), one per commune and payment point, as paid
out at the counter (interchange.md section 3; issue 27 item 4): each row numbered by the
batch's ``line_no`` (the number the post office reports back), who collects, for whom,
the kind of payment, the collector's ID number masked but for the last 3 digits, the
amount and an empty signature box. Every page has the commune's header and its page
total; a sheet's last page its grand total and the blocks where the preparer and the
commune chairman sign, with the date. Always in Vietnamese, the language of the state's
papers. DejaVu Sans carries every Vietnamese diacritic."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from flask_babel import force_locale
from sqlalchemy import select

from benefits.extensions import db
from benefits.i18n import format_month, format_number
from benefits.labels import LINE_KIND, label
from benefits.payments.export import DRAFT_MARK, DRAFT_NOTE, _lines, is_draft
from benefits.payments.models import PaymentBatch, PaymentLine
from benefits.pdf import dejavu_font, masked_for_signature
from benefits.places.calendar import vietnam_today
from benefits.places.models import Commune

# Landscape A4: 277 mm between the margins.
COLUMNS = (("STT", 14), ("Người nhận", 56), ("Hưởng cho", 50), ("Loại chi trả", 42),
           ("Số định danh", 29), ("Số tiền (đồng)", 30), ("Ký nhận", 56))  # fmt: skip
ROW_HEIGHT = 8
# Rows on a page: the header, the table's head, the rows and the page's total fit with room
# for the grand total and the two signature blocks on the last one.
ROWS_PER_PAGE = 12
MARGIN = 10


def _commune_names(batch: PaymentBatch) -> dict[str, str]:
    """The names of the communes the batch pays in ("Phường Hoàn Kiếm"), by code."""
    communes = select(PaymentLine.commune_code).where(PaymentLine.batch_id == batch.id)
    rows = db.session.execute(select(Commune.code, Commune.name).where(Commune.code.in_(communes)))
    return dict(rows.all())


def write_signature_sheets(
    batch: PaymentBatch, path: Path, rows_per_page: int = ROWS_PER_PAGE
) -> int:
    """Write the PDF; returns the number of sheets (commune and payment point)."""
    # fpdf2 (with fontTools, about 30 MB) is loaded when a sheet is written, not by every
    # process of the portal.
    from fpdf import FPDF

    draft = is_draft(batch)

    class Sheets(FPDF):
        def header(self):
            # An open batch's sheets say so on every page, a new one included.
            if draft:
                _draft_banner(self)

    pdf = Sheets(orientation="L", unit="mm", format="A4")
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(auto=False)
    pdf.add_font("DejaVu", "", str(dejavu_font()))
    sheets = 0
    names = _commune_names(batch)
    month = format_month(batch.month, "vi")  # 03/2025, the Vietnamese way
    with force_locale("vi"):
        kinds = {code: label(LINE_KIND, code) for code in LINE_KIND}
    today = vietnam_today()
    key = lambda line: (line.commune_code, line.payment_point or "")  # noqa: E731
    for (commune, point), group in groupby(_lines(batch.id), key=key):
        sheets += 1
        lines = list(group)  # one payment point's list: a page count to print
        pages = [lines[i : i + rows_per_page] for i in range(0, len(lines), rows_per_page)]
        commune_name = names.get(commune, commune)
        for number, rows in enumerate(pages, start=1):
            pdf.add_page()
            _sheet_header(pdf, month, commune_name, commune, point, number, len(pages))
            for line in rows:
                _row(pdf, line, kinds)
            _total_row(pdf, "Cộng trang", sum(line.total_amount for line in rows))
        _total_row(pdf, f"Tổng cộng ({format_number(len(lines), 'vi')} người nhận)",
                   sum(line.total_amount for line in lines))  # fmt: skip
        _signature_blocks(pdf, commune_name, today)
    if not sheets:
        pdf.add_page()
    pdf.output(str(path))
    return sheets


def _sheet_header(pdf, month: str, commune_name: str, commune: str, point: str,
                  page: int, pages: int) -> None:  # fmt: skip
    pdf.set_font("DejaVu", size=13)
    pdf.cell(0, 8, f"DANH SÁCH KÝ NHẬN TRỢ CẤP XÃ HỘI THÁNG {month}",
             new_x="LMARGIN", new_y="NEXT", align="C")  # fmt: skip
    pdf.set_font("DejaVu", size=10)
    pdf.cell(0, 6, f"{commune_name} ({commune})   Điểm chi trả: {point or '—'}   "
                   f"Trang {page}/{pages}",
             new_x="LMARGIN", new_y="NEXT", align="C")  # fmt: skip
    pdf.ln(2)
    pdf.set_font("DejaVu", size=9)
    for title, width in COLUMNS:
        pdf.cell(width, 7, title, border=1, align="C")
    pdf.ln()


def _fitted(pdf, text: str, width: float, size: float = 9) -> None:
    """Set a font size at which ``text`` fits its cell (a long name is not cut off)."""
    while size > 5 and pdf.get_string_width(text) > width - 2:
        size -= 0.5
        pdf.set_font("DejaVu", size=size)


def _row(pdf, line, kinds: dict[str, str]) -> None:
    # The one who signs is the payee: a carer paid care support signs with their own ID
    # number, not the beneficiary's (ND20 Art 20).
    signer_id = line.payee_national_id or line.national_id
    about = line.full_name if line.full_name != line.payee_name else ""
    cells = (
        (str(line.line_no), "R"), (line.payee_name, "L"), (about, "L"),
        (kinds.get(line.kind, line.kind), "L"), (masked_for_signature(signer_id), "L"),
        (format_number(line.total_amount, "vi"), "R"), ("", "L"),
    )  # fmt: skip
    for (_, width), (text, align) in zip(COLUMNS, cells, strict=True):
        pdf.set_font("DejaVu", size=9)
        _fitted(pdf, text, width)
        pdf.cell(width, ROW_HEIGHT, text, border=1, align=align)
    pdf.ln()


def _total_row(pdf, title: str, amount: int) -> None:
    pdf.set_font("DejaVu", size=9)
    before_amount = sum(width for _, width in COLUMNS[:5])
    pdf.cell(before_amount, ROW_HEIGHT, title, border=1)
    pdf.cell(COLUMNS[5][1], ROW_HEIGHT, format_number(amount, "vi"), border=1, align="R")
    pdf.cell(COLUMNS[6][1], ROW_HEIGHT, "", border=1)
    pdf.ln()


# The signature blocks: the date line, the two titles, what they write, room to sign.
SIGNATURES_HEIGHT = 40


def _signature_blocks(pdf, commune_name: str, today) -> None:
    """The preparer (left) and the commune chairman (right) sign the sheet, dated; on a
    page of their own, with the commune's name, when the last rows leave no room."""
    if pdf.get_y() + SIGNATURES_HEIGHT > pdf.h - MARGIN:
        pdf.add_page()
        pdf.set_font("DejaVu", size=10)
        pdf.cell(0, 6, commune_name, new_x="LMARGIN", new_y="NEXT", align="C")
    half = (pdf.w - 2 * MARGIN) / 2
    pdf.ln(4)
    pdf.set_font("DejaVu", size=10)
    pdf.cell(half, 6, "")
    pdf.cell(half, 6, f"{commune_name}, ngày {today:%d} tháng {today:%m} năm {today:%Y}",
             new_x="LMARGIN", new_y="NEXT", align="C")  # fmt: skip
    for left, right in (("NGƯỜI LẬP DANH SÁCH", "CHỦ TỊCH ỦY BAN NHÂN DÂN"),
                        ("(Ký, ghi rõ họ tên)", "(Ký, ghi rõ họ tên, đóng dấu)")):  # fmt: skip
        pdf.cell(half, 6, left, align="C")
        pdf.cell(half, 6, right, new_x="LMARGIN", new_y="NEXT", align="C")


def _draft_banner(pdf) -> None:
    """A red line at the top of the page and the word across it, under the table."""
    pdf.set_font("DejaVu", size=11)
    pdf.set_text_color(176, 0, 32)
    pdf.cell(0, 7, DRAFT_NOTE, border=1, new_x="LMARGIN", new_y="NEXT", align="C")
    y = pdf.get_y()
    pdf.set_font("DejaVu", size=60)
    pdf.set_text_color(235, 200, 200)
    with pdf.rotation(30, x=pdf.w / 2, y=pdf.h / 2):
        pdf.text(pdf.w / 2 - 75, pdf.h / 2 + 10, DRAFT_MARK)
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, y + 1)
