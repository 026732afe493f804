"""The PDF of the commune chairman's decision on a dossier (ND20 Art 8.1; domain.md section 2,
step 4): a numbered decision when approved, a refusal in writing with its reasons."""

from dataclasses import replace
from datetime import date
from io import BytesIO

from pypdf import PdfReader

from benefits.cases.decision_letter import DecisionLetter, render_decision_letter

APPROVAL = DecisionLetter(
    number="12/QĐ-UBND",
    signed_on=date(2026, 3, 5),
    commune_name="Phường Hoàn Kiếm",
    province_name="Thành phố Hà Nội",
    approved=True,
    procedure_name="Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng, hỗ trợ kinh "
    "phí chăm sóc, nuôi dưỡng hằng tháng",
    legal_basis="Nghị định 20/2021/NĐ-CP, Điều 7, 8",
    dossier_code="BTXH-00070-2026-000012",
    received_on=date(2026, 2, 20),
    subject_name="Nguyễn Thị Ánh",
    subject_national_id="001045700123",
    subject_date_of_birth=date(1945, 1, 9),
    subject_address="Số 5 phố Hàng Bạc, Phường Hoàn Kiếm, Thành phố Hà Nội",
    terms=(
        ("Diện đối tượng", "Người cao tuổi từ đủ 80 tuổi trở lên (Điều 5.5.a)"),
        ("Mức trợ cấp hằng tháng", "750.000 đồng"),
        ("Thời điểm hưởng", "từ tháng 03/2026"),
    ),
    chairman_name="Trần Văn Bình",
)
REFUSAL = replace(
    APPROVAL,
    number="13/TB-UBND",
    approved=False,
    terms=(),
    reasons="Người đề nghị chưa đủ 80 tuổi.\nĐang hưởng lương hưu từ tháng 01/2020.",
)


def read_back(pdf: bytes) -> tuple[PdfReader, str]:
    """The PDF as a reader sees it, its text with the wrapping undone."""
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


def test_an_approval_is_a_numbered_decision_in_vietnamese():
    reader, text = read_back(render_decision_letter(APPROVAL))
    assert reader.metadata.title == "12/QĐ-UBND"
    for words in ("ỦY BAN NHÂN DÂN", "PHƯỜNG HOÀN KIẾM", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
                  "Độc lập - Tự do - Hạnh phúc", "Số: 12/QĐ-UBND",
                  "Phường Hoàn Kiếm, ngày 05 tháng 03 năm 2026", "QUYẾT ĐỊNH",
                  "Về việc thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng",
                  "CHỦ TỊCH ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM",
                  "Căn cứ Nghị định 20/2021/NĐ-CP, Điều 7, 8;",
                  "Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15;",
                  "Xét hồ sơ số BTXH-00070-2026-000012 nộp ngày 20/02/2026;", "QUYẾT ĐỊNH:",
                  "Điều 1.", "Nguyễn Thị Ánh", "Ngày sinh: 09/01/1945",
                  "Nơi cư trú: Số 5 phố Hàng Bạc", "Điều 2. Quyết định có hiệu lực kể từ ngày ký.",
                  "Điều 3.", "CHỦ TỊCH", "Trần Văn Bình"):  # fmt: skip
        assert words in text


def test_an_approval_states_each_term_it_grants():
    _, text = read_back(render_decision_letter(APPROVAL))
    assert "Diện đối tượng: Người cao tuổi từ đủ 80 tuổi trở lên (Điều 5.5.a)" in text
    assert "Mức trợ cấp hằng tháng: 750.000 đồng" in text
    assert "Thời điểm hưởng: từ tháng 03/2026" in text


def test_the_id_number_is_masked_but_for_its_last_3_digits():
    for letter in (APPROVAL, REFUSAL):
        _, text = read_back(render_decision_letter(letter))
        assert "*********123" in text
        assert "001045700123" not in text and "001045" not in text


def test_unknown_birth_date_and_address_are_left_out():
    letter = replace(APPROVAL, subject_date_of_birth=None, subject_address=None, received_on=None)
    _, text = read_back(render_decision_letter(letter))
    assert "Ngày sinh" not in text and "Nơi cư trú" not in text and "None" not in text
    assert "Xét hồ sơ số BTXH-00070-2026-000012;" in text


def test_a_refusal_is_in_writing_with_its_reasons():
    reader, raw = read_back(render_decision_letter(REFUSAL))
    assert reader.metadata.title == "13/TB-UBND"
    for words in ("THÔNG BÁO", "Về việc không giải quyết hồ sơ BTXH-00070-2026-000012",
                  "Số: 13/TB-UBND", "Phường Hoàn Kiếm, ngày 05 tháng 03 năm 2026",
                  "Nguyễn Thị Ánh", "Lý do:", "Người đề nghị chưa đủ 80 tuổi.",
                  "Đang hưởng lương hưu từ tháng 01/2020.",
                  "Người đề nghị có quyền khiếu nại theo quy định của pháp luật.",
                  "CHỦ TỊCH", "Trần Văn Bình"):  # fmt: skip
        assert words in raw
    assert "Điều 1." not in raw and "QUYẾT ĐỊNH:" not in raw


def test_the_reasons_keep_their_line_breaks():
    reader = PdfReader(BytesIO(render_decision_letter(REFUSAL)))
    lines = reader.pages[0].extract_text().splitlines()
    assert "Người đề nghị chưa đủ 80 tuổi." in lines
    assert "Đang hưởng lương hưu từ tháng 01/2020." in lines


def test_very_long_reasons_run_onto_more_pages():
    reasons = ("Hồ sơ thiếu giấy xác nhận của cơ sở y tế về tình trạng sức khỏe. " * 50)[:3000]
    reasons += " " + "X" * 400  # one word wider than the page
    reader, text = read_back(render_decision_letter(replace(REFUSAL, reasons=reasons)))
    assert len(reader.pages) >= 2
    assert text.count("giấy xác nhận") == reasons.count("giấy xác nhận")
    assert "Người đề nghị có quyền khiếu nại" in text and "Trần Văn Bình" in text
    assert all(page.mediabox.width < page.mediabox.height for page in reader.pages)  # A4 portrait


def test_a_name_typed_in_decomposed_unicode_prints_composed():
    letter = replace(APPROVAL, subject_name="Nguye\u0302\u0303n Thi\u0323 A\u0301nh")
    _, text = read_back(render_decision_letter(letter))
    assert "Nguyễn Thị Ánh" in text


FUNERAL = replace(
    APPROVAL,
    procedure_name="Hỗ trợ chi phí mai táng",
    legal_basis="Nghị định 20/2021/NĐ-CP, Điều 11",
    subject_name="Hoàng Thị Lành",
    subject_national_id="001135000783",
    terms=(("Số tiền hỗ trợ", "9.000.000 đồng"),),
    organiser_name="Hoàng Thị Dân",
    organiser_national_id="001190000777",
    organiser_relationship="cháu",
    date_of_death=date(2026, 3, 1),
)


def test_a_funeral_decision_names_the_organiser_who_is_paid_then_the_deceased():
    _, text = read_back(render_decision_letter(FUNERAL))
    paid = text.index("cho người tổ chức mai táng: Họ và tên: Hoàng Thị Dân")
    assert "Quan hệ với người đã mất: cháu" in text and "******777" in text
    deceased = text.index("Người đã mất: Họ và tên: Hoàng Thị Lành")
    assert paid < deceased < text.index("Số tiền hỗ trợ: 9.000.000 đồng")
    assert "Ngày mất: 01/03/2026" in text
    # A refusal is addressed to the organiser who asked, not to the deceased.
    _, refusal = read_back(render_decision_letter(replace(FUNERAL, approved=False, reasons="x")))
    assert "Kính gửi: Hoàng Thị Dân" in refusal
