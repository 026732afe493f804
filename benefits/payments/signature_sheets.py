"""PDF signature sheets (danh sách ký nhận), one per commune and payment point, as paid
out at the counter: name, ID number masked but for the last 3 digits, amount, an empty
signature column, totals. DejaVu Sans carries every Vietnamese diacritic."""

from __future__ import annotations

from itertools import groupby
from pathlib import Path

from sqlalchemy import select

from benefits.extensions import db
from benefits.i18n import format_month, format_number
from benefits.payments.export import DRAFT_MARK, DRAFT_NOTE, _lines, is_draft
from benefits.payments.models import PaymentBatch, PaymentLine
from benefits.pdf import dejavu_font, masked_for_signature
from benefits.places.models import Commune

COLUMNS = (("STT", 12), ("Họ và tên", 62), ("Số định danh", 34), ("Số tiền (đồng)", 34),
           ("Ký nhận", 48))  # fmt: skip


def _commune_names(batch: PaymentBatch) -> dict[str, str]:
    """The names of the communes the batch pays in ("Phường Hoàn Kiếm"), by code."""
    communes = select(PaymentLine.commune_code).where(PaymentLine.batch_id == batch.id)
    rows = db.session.execute(select(Commune.code, Commune.name).where(Commune.code.in_(communes)))
    return dict(rows.all())


def write_signature_sheets(batch: PaymentBatch, path: Path) -> int:
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

    pdf = Sheets(orientation="P", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(dejavu_font()))
    pdf.set_auto_page_break(auto=True, margin=15)
    sheets = 0
    names = _commune_names(batch)
    month = format_month(batch.month, "vi")  # 03/2025, the Vietnamese way
    key = lambda line: (line.commune_code, line.payment_point or "")  # noqa: E731
    for (commune, point), lines in groupby(_lines(batch.id), key=key):
        sheets += 1
        pdf.add_page()
        pdf.set_font("DejaVu", size=13)
        pdf.cell(0, 8, f"DANH SÁCH KÝ NHẬN TRỢ CẤP XÃ HỘI THÁNG {month}",
                 new_x="LMARGIN", new_y="NEXT", align="C")  # fmt: skip
        pdf.set_font("DejaVu", size=10)
        pdf.cell(0, 6, f"{names.get(commune, commune)} ({commune})   "
                       f"Điểm chi trả: {point or '—'}",
                 new_x="LMARGIN", new_y="NEXT", align="C")  # fmt: skip
        pdf.ln(2)
        for title, width in COLUMNS:
            pdf.cell(width, 7, title, border=1, align="C")
        pdf.ln()
        total = 0
        for number, line in enumerate(lines, start=1):
            total += line.total_amount
            # The one who signs is the payee: a carer paid care support signs with their
            # own ID number, not the beneficiary's (ND20 Art 20).
            signer_id = line.payee_national_id or line.national_id
            cells = (str(number), line.payee_name, masked_for_signature(signer_id),
                     format_number(line.total_amount, "vi"), "")  # fmt: skip
            for (_, width), text in zip(COLUMNS, cells, strict=True):
                pdf.cell(
                    width, 9, text, border=1, align="R" if text.replace(".", "").isdigit() else "L"
                )
            pdf.ln()
        pdf.cell(COLUMNS[0][1] + COLUMNS[1][1] + COLUMNS[2][1], 8, "Tổng cộng", border=1)
        pdf.cell(COLUMNS[3][1], 8, format_number(total, "vi"), border=1, align="R")
        pdf.cell(COLUMNS[4][1], 8, "", border=1)
        pdf.ln()
    if not sheets:
        pdf.add_page()
    pdf.output(str(path))
    return sheets


def _draft_banner(pdf) -> None:
    """A red line at the top of the page and the word across it, under the table."""
    pdf.set_font("DejaVu", size=11)
    pdf.set_text_color(176, 0, 32)
    pdf.cell(0, 7, DRAFT_NOTE, border=1, new_x="LMARGIN", new_y="NEXT", align="C")
    y = pdf.get_y()
    pdf.set_font("DejaVu", size=60)
    pdf.set_text_color(235, 200, 200)
    with pdf.rotation(45, x=pdf.w / 2, y=pdf.h / 2):
        pdf.text(pdf.w / 2 - 75, pdf.h / 2 + 10, DRAFT_MARK)
    pdf.set_text_color(0, 0, 0)
    pdf.set_xy(pdf.l_margin, y + 1)
