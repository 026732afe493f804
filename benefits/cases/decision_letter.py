"""The PDF of the commune chairman's decision on a dossier, always in Vietnamese (an official
paper). ND20 Art 8.1: the chairman decides; an approval is a numbered decision (quyết
định), a refusal is answered in writing with its reasons (domain.md section 2, step 4).
Since 1 July 2025 local government has two levels (Law 72/2025/QH15): the decision ND20
gave to the district chairman is the commune chairman's. No database here: the caller
words the letter (``cases.letters``), this module lays it out on A4."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date

from benefits.pdf import dejavu_font, masked_for_signature

LOCAL_GOVERNMENT_LAW = "Luật Tổ chức chính quyền địa phương số 72/2025/QH15"
# Decree 30/2020/NĐ-CP, Appendix I: margins of an administrative document, in mm.
MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM = 25, 20, 15, 20
HEADER_LEFT_WIDTH = 70  # the issuing body; the national motto takes the rest
LINE = 6.5  # mm, body text at 12 pt
SIGNATURE_GAP = 25  # mm left for the signature and the seal
# Kept on one page: "CHỦ TỊCH", the space to sign, the name ("Nơi nhận" is shorter).
SIGNATURE_BLOCK_HEIGHT = 2 * LINE + SIGNATURE_GAP


@dataclass(frozen=True)
class DecisionLetter:
    number: str  # "12/QĐ-UBND"
    signed_on: date
    commune_name: str  # "Phường Hoàn Kiếm"
    province_name: str  # "Thành phố Hà Nội"
    approved: bool  # False: a refusal in writing, with reasons (ND20 Art 8.1)
    procedure_name: str  # Vietnamese name of the procedure
    legal_basis: str  # "Nghị định 20/2021/NĐ-CP, Điều 7, 8"
    dossier_code: str  # "BTXH-00070-2026-000012"
    received_on: date | None
    subject_name: str
    subject_national_id: str  # full 12 digits; the letter prints it masked but the last 3
    subject_date_of_birth: date | None
    subject_address: str | None
    terms: tuple[tuple[str, str], ...] = ()  # what is granted, already worded
    reasons: str | None = None  # the refusal's reasons, as the chairman typed them
    chairman_name: str = ""
    # A funeral support (ND20 Art 11, 14) is paid to whoever organised the funeral: the
    # letter names them in Điều 1, and the deceased (the dossier's person) below them.
    organiser_name: str | None = None
    organiser_national_id: str | None = None
    organiser_relationship: str | None = None
    date_of_death: date | None = None


def render_decision_letter(letter: DecisionLetter) -> bytes:
    """The letter as PDF bytes: a decision if approved, else a notice of refusal."""
    # fpdf2 (with fontTools, about 30 MB) is loaded when a letter is written, not by every
    # process of the portal.
    from fpdf import FPDF

    pdf = FPDF(orientation="P", unit="mm", format="A4")
    regular = dejavu_font()
    bold = regular.with_name("DejaVuSans-Bold.ttf")
    pdf.add_font("DejaVu", "", str(regular))
    pdf.add_font("DejaVu", "B", str(bold if bold.exists() else regular))
    pdf.set_margins(MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT)
    pdf.set_auto_page_break(auto=True, margin=MARGIN_BOTTOM)
    pdf.set_title(letter.number)
    pdf.set_lang("vi")
    pdf.add_page()
    _heading(pdf, letter)
    if letter.approved:
        _decision(pdf, letter)
    else:
        _refusal(pdf, letter)
    _signature(pdf, letter)
    return bytes(pdf.output())


def _clean(text: str) -> str:
    """Composed diacritics (DejaVu has a glyph for each), no tabs nor carriage returns."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ")
    return unicodedata.normalize("NFC", text)


def _day(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _write(pdf, text: str, *, bold: bool = False, size: float = 12, align: str = "L",
           indent: float = 0, height: float = LINE) -> None:  # fmt: skip
    """A paragraph across the text width (less the indent), wrapped, line breaks kept."""
    pdf.set_font("DejaVu", "B" if bold else "", size)
    pdf.set_x(pdf.l_margin + indent)
    pdf.multi_cell(pdf.epw - indent, height, _clean(text), align=align,
                   new_x="LMARGIN", new_y="NEXT")  # fmt: skip


def _columns(pdf, left: list[tuple[str, bool]], right: list[tuple[str, bool]],
             *, size: float = 12, underline: bool = False) -> None:  # fmt: skip
    """Two blocks of centred lines side by side (text, bold); the cursor ends below the
    longer. ``underline``: the short rule under each block of an official heading."""
    top = pdf.get_y()
    bottoms = []
    right_x, right_width = pdf.l_margin + HEADER_LEFT_WIDTH, pdf.epw - HEADER_LEFT_WIDTH
    # The rule: 40% of the body's name on the left, the motto's full width on the right.
    blocks = ((pdf.l_margin, HEADER_LEFT_WIDTH, left, 0.4), (right_x, right_width, right, 1.0))
    for x, width, lines, rule_share in blocks:
        pdf.set_xy(x, top)
        for text, bold in lines:
            pdf.set_font("DejaVu", "B" if bold else "", size)
            pdf.set_x(x)
            pdf.multi_cell(width, LINE, _clean(text), align="C", new_x="LEFT", new_y="NEXT")
        if underline and lines:
            rule_width = min(pdf.get_string_width(_clean(lines[-1][0])), width) * rule_share
            y = pdf.get_y() + 0.5
            pdf.line(x + (width - rule_width) / 2, y, x + (width + rule_width) / 2, y)
            pdf.set_y(y + 0.5)
        bottoms.append(pdf.get_y())
    pdf.set_xy(pdf.l_margin, max(bottoms))


def _heading(pdf, letter: DecisionLetter) -> None:
    """The issuing body and the national motto, then the number and the place and date."""
    signed = letter.signed_on
    _columns(pdf, [("ỦY BAN NHÂN DÂN", False), (letter.commune_name.upper(), True)],
             [("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
              ("Độc lập - Tự do - Hạnh phúc", True)], size=11, underline=True)  # fmt: skip
    pdf.ln(3)
    place_and_date = (f"{letter.commune_name}, ngày {signed:%d} tháng {signed:%m} "
                      f"năm {signed:%Y}")  # fmt: skip
    _columns(pdf, [(f"Số: {letter.number}", False)], [(place_and_date, False)], size=11)
    pdf.ln(8)


def _title(pdf, title: str, subject: str) -> None:
    _write(pdf, title, bold=True, size=14, align="C", height=8)
    _write(pdf, subject, bold=True, align="C")
    pdf.ln(6)


def _decision(pdf, letter: DecisionLetter) -> None:
    """Approval: the bases, then Điều 1 (the person and what is granted), 2 and 3."""
    _title(pdf, "QUYẾT ĐỊNH", f"Về việc {_lower_first(letter.procedure_name)}")
    _write(pdf, f"CHỦ TỊCH ỦY BAN NHÂN DÂN {letter.commune_name.upper()}", bold=True, align="C")
    pdf.ln(4)
    # Decree 30/2020/NĐ-CP: the bases go from the highest legal force down.
    _write(pdf, f"Căn cứ {LOCAL_GOVERNMENT_LAW};")
    _write(pdf, f"Căn cứ {letter.legal_basis};")
    received = f" nộp ngày {_day(letter.received_on)}" if letter.received_on else ""
    _write(pdf, f"Xét hồ sơ số {letter.dossier_code}{received};")
    pdf.ln(4)
    _write(pdf, "QUYẾT ĐỊNH:", bold=True, align="C")
    pdf.ln(4)
    _write(pdf, "Điều 1.", bold=True)
    if letter.organiser_name:
        _write(pdf, f"Chấp thuận hồ sơ số {letter.dossier_code}, hỗ trợ chi phí mai táng cho "
                    "người tổ chức mai táng:")  # fmt: skip
        for line in _organiser(letter):
            _write(pdf, line, indent=8)
        _write(pdf, "Người đã mất:")
        lines = _person(letter)
        if letter.date_of_death is not None:
            lines.append(f"Ngày mất: {_day(letter.date_of_death)}")
    else:
        _write(pdf, f"Chấp thuận hồ sơ số {letter.dossier_code} đối với:")
        lines = _person(letter)
    for line in lines + [f"{label}: {value}" for label, value in letter.terms]:
        _write(pdf, line, indent=8)
    pdf.ln(2)
    _write(pdf, "Điều 2. Quyết định có hiệu lực kể từ ngày ký.")
    pdf.ln(2)
    _write(pdf, "Điều 3. Công chức văn hóa - xã hội và người có tên tại Điều 1 chịu trách "
                "nhiệm thi hành Quyết định này.")  # fmt: skip


def _person(letter: DecisionLetter) -> list[str]:
    """Who the decision is about; a line whose value is unknown is left out."""
    lines = [f"Họ và tên: {letter.subject_name}"]
    if letter.subject_national_id:
        lines.append(f"Số định danh cá nhân: {masked_for_signature(letter.subject_national_id)}")
    if letter.subject_date_of_birth is not None:
        lines.append(f"Ngày sinh: {_day(letter.subject_date_of_birth)}")
    if letter.subject_address is not None:
        lines.append(f"Nơi cư trú: {letter.subject_address}")
    return lines


def _organiser(letter: DecisionLetter) -> list[str]:
    """Who is paid the funeral support; a line whose value is unknown is left out."""
    lines = [f"Họ và tên: {letter.organiser_name}"]
    if letter.organiser_national_id:
        lines.append(f"Số định danh cá nhân: {masked_for_signature(letter.organiser_national_id)}")
    if letter.organiser_relationship:
        lines.append(f"Quan hệ với người đã mất: {letter.organiser_relationship}")
    return lines


def _refusal(pdf, letter: DecisionLetter) -> None:
    """Refusal in writing, with its reasons, and the right to complain (ND20 Art 8.1)."""
    _title(pdf, "THÔNG BÁO", f"Về việc không giải quyết hồ sơ {letter.dossier_code}")
    _write(pdf, f"Kính gửi: {letter.organiser_name or letter.subject_name}", align="C")
    pdf.ln(4)
    received = f", nộp ngày {_day(letter.received_on)}" if letter.received_on else ""
    national_id = letter.subject_national_id
    masked = f" (số định danh cá nhân: {masked_for_signature(national_id)})" if national_id else ""
    commune = letter.commune_name
    _write(pdf, f"Ủy ban nhân dân {commune} đã nhận hồ sơ số {letter.dossier_code}{received}, "
                f"của {letter.subject_name}{masked} đề nghị "
                f"{_lower_first(letter.procedure_name)}. Sau khi xem xét, Chủ tịch Ủy ban nhân "
                f"dân {commune} thông báo không giải quyết hồ sơ này.")  # fmt: skip
    pdf.ln(2)
    _write(pdf, "Lý do:", bold=True)
    _write(pdf, letter.reasons or "")
    pdf.ln(2)
    _write(pdf, "Người đề nghị có quyền khiếu nại theo quy định của pháp luật.")


def _signature(pdf, letter: DecisionLetter) -> None:
    """Bottom right the chairman's title and name; left, who receives a copy."""
    pdf.ln(6)
    if pdf.will_page_break(SIGNATURE_BLOCK_HEIGHT):
        pdf.add_page()
    top = pdf.get_y()
    copies = ("Nơi nhận:", "- Như Điều 3;" if letter.approved else "- Như trên;", "- Lưu: VT.")
    for number, line in enumerate(copies):
        pdf.set_font("DejaVu", "B" if number == 0 else "", 10)
        pdf.multi_cell(HEADER_LEFT_WIDTH, 5, line, new_x="LMARGIN", new_y="NEXT")
    signer_x, signer_width = pdf.l_margin + HEADER_LEFT_WIDTH, pdf.epw - HEADER_LEFT_WIDTH
    pdf.set_font("DejaVu", "B", 12)
    pdf.set_xy(signer_x, top)
    pdf.multi_cell(signer_width, LINE, "CHỦ TỊCH", align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_xy(signer_x, pdf.get_y() + SIGNATURE_GAP)
    pdf.multi_cell(signer_width, LINE, _clean(letter.chairman_name), align="C",
                   new_x="LEFT", new_y="NEXT")  # fmt: skip
