"""The procedures a citizen can file (domain.md section 2), as data.

Each entry names its legal basis, deadline in working days, whether public posting
applies by default, the form it uses and what it produces. The catalogue is open to
additions (the social pension 1.014027 is already here).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from benefits.errors import NotFound
from benefits.extensions import db
from benefits.places.calendar import add_working_days
from benefits.procedures.models import PostingSetting


@dataclass(frozen=True)
class FieldSpec:
    """A field of a procedure's own form. ``kind``: text, textarea, date, int, category,
    select (with ``choices`` as (value, vi, en))."""

    name: str
    label_vi: str
    label_en: str
    kind: str = "text"
    required: bool = False
    choices: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class AttachmentSpec:
    name: str
    label_vi: str
    label_en: str
    required: bool = True


_NATIONAL_CODE = re.compile(r"^\d\.\d{6}$")
_LEGAL_WORDS_EN = (
    ("Luật Người khuyết tật", "Law on Persons with Disabilities"),
    ("Nghị định", "Decree"),
    ("Điều", "Art"),
)

GENERIC_FIELDS = (
    FieldSpec("details", "Nội dung đề nghị", "What you ask for, and why", "textarea", True),
)
GENERIC_ATTACHMENTS = (
    AttachmentSpec("papers", "Giấy tờ kèm theo", "Supporting papers", required=False),
)


@dataclass(frozen=True)
class Procedure:
    code: str
    name_vi: str
    name_en: str
    legal_basis: str
    form: str
    deadline_working_days: int
    public_posting: bool
    produces: str
    # Law 51/2010 counts the disability assessment in calendar days, not working days.
    calendar_days: bool = False
    # The payment-list kind an approved dossier's amount is paid as (interchange.md 3):
    # FUNERAL or ONE_OFF, through the next monthly batch (domain.md section 4).
    payout_kind: str | None = None
    who_vi: str = "Người đề nghị hoặc người giám hộ, người khai thay"
    who_en: str = "The person, a guardian, or someone declaring on their behalf"
    fields: tuple[FieldSpec, ...] = GENERIC_FIELDS
    attachments: tuple[AttachmentSpec, ...] = GENERIC_ATTACHMENTS

    def name(self, locale: str) -> str:
        return self.name_en if locale == "en" else self.name_vi

    def legal_basis_in(self, locale: str) -> str:
        """The legal basis in the reader's language: ``Decree 20/2021/NĐ-CP, Art 8.3``
        on an English page; the document numbers stay as they are published."""
        if locale != "en":
            return self.legal_basis
        text = self.legal_basis
        for vi, en in _LEGAL_WORDS_EN:
            text = text.replace(vi, en)
        return text

    @property
    def national_code(self) -> str | None:
        """The code of the national public-service catalogue (``1.001731``); ``None`` for a
        procedure the catalogue gives no code (a move, emergency support), whose key here
        (``MOVE-IN-PROVINCE``) is the portal's own and means nothing to a citizen."""
        return self.code if _NATIONAL_CODE.match(self.code) else None

    @property
    def about_a_death(self) -> bool:
        """Funeral support (ND20 Art 11, 14) and the linked death procedure (Decree 63/2024):
        the person concerned has died, so whoever applies declares on their behalf."""
        return self.payout_kind == "FUNERAL" or any(f.name == "date_of_death" for f in self.fields)

    def due_date(self, received_on: date) -> date:
        if self.calendar_days:
            return received_on + timedelta(days=self.deadline_working_days)
        return add_working_days(received_on, self.deadline_working_days)


PROCEDURES: tuple[Procedure, ...] = (
    Procedure(
        "1.001776",
        "Thực hiện, điều chỉnh, thôi hưởng trợ cấp xã hội hằng tháng, hỗ trợ kinh phí chăm "
        "sóc, nuôi dưỡng hằng tháng",
        "Grant, adjust or stop the monthly social allowance and monthly care support",
        "Nghị định 20/2021/NĐ-CP, Điều 7, 8", "Mẫu 1a-1đ, 2a, 2b", 10, True,
        "decision; beneficiary record; monthly payments",
        who_vi="Trẻ em không có nguồn nuôi dưỡng, người cao tuổi, người khuyết tật, người đơn "
        "thân nghèo nuôi con, người nhiễm HIV thuộc hộ nghèo (Điều 5 Nghị định 20/2021/NĐ-CP)",
        who_en="Children without support, elderly people, people with disabilities, poor single "
        "parents, people with HIV in poor households (ND20 Art 5)",
        fields=(
            FieldSpec("category", "Diện đối tượng đề nghị", "Category asked for", "category", True),
            FieldSpec("parents_situation", "Hoàn cảnh của cha mẹ (với trẻ em)",
                      "Parents' situation (for a child)", "textarea"),
            FieldSpec("disability_level", "Mức độ khuyết tật", "Disability level", "select",
                      choices=(("", "Không", "None"), ("severe", "Nặng", "Severe"),
                               ("extremely_severe", "Đặc biệt nặng", "Extremely severe"))),
            FieldSpec("disability_certificate_date", "Ngày cấp giấy xác nhận khuyết tật",
                      "Date of the disability certificate", "date"),
            FieldSpec("dependent_children", "Số con đang nuôi", "Children raised", "int"),
        ),
        attachments=(
            AttachmentSpec("proof", "Giấy tờ chứng minh thuộc diện đối tượng",
                           "Proof of the category (certificate, household paper...)"),
        ),
    ),
    Procedure(
        "MOVE-IN-PROVINCE", "Tiếp tục chi trả khi chuyển đến xã khác trong tỉnh",
        "Continue payment after a move within the province", "Nghị định 20/2021/NĐ-CP, Điều 8.3",
        "written request", 3, False, "stop at the old commune, continue at the new one",
        who_vi="Người đang hưởng trợ cấp chuyển nơi ở sang xã khác trong cùng tỉnh",
        who_en="A beneficiary moving to another commune of the same province",
    ),
    Procedure(
        "MOVE-OUT-PROVINCE", "Thực hiện trợ cấp khi chuyển đến tỉnh khác",
        "Re-grant after a move to another province", "Nghị định 20/2021/NĐ-CP, Điều 8.4",
        "written request", 3, False, "stop decision, then grant decision",
        who_vi="Người đang hưởng trợ cấp chuyển nơi ở sang tỉnh khác",
        who_en="A beneficiary moving to another province",
    ),
    Procedure(
        "1.001731", "Hỗ trợ chi phí mai táng", "Funeral cost support",
        "Nghị định 20/2021/NĐ-CP, Điều 11", "Mẫu 04", 3, False, "one-off payment",
        who_vi="Người tổ chức mai táng cho người đang hưởng trợ cấp xã hội hằng tháng",
        who_en="Whoever organised the funeral of a monthly-allowance beneficiary",
        fields=(
            FieldSpec("date_of_death", "Ngày mất", "Date of death", "date", True),
            FieldSpec("details", "Ghi chú", "Notes", "textarea"),
        ),
        attachments=(
            AttachmentSpec("death_certificate", "Giấy chứng tử", "Death certificate"),
        ),
        payout_kind="FUNERAL",
    ),
    Procedure(
        "EMERGENCY-FUNERAL", "Hỗ trợ chi phí mai táng khẩn cấp", "Emergency funeral support",
        "Nghị định 20/2021/NĐ-CP, Điều 14", "Mẫu 04", 3, False, "one-off payment",
        who_vi="Gia đình có người chết, mất tích do thiên tai, hỏa hoạn, dịch bệnh, tai nạn nghiêm trọng",
        who_en="A family whose member died or is missing in a disaster, fire, epidemic or serious accident",
        # domain.md section 2: Mẫu 04 and a death notice, as for funeral support; Art 14
        # also covers a person gone missing, whose date is the day they went missing.
        fields=(
            FieldSpec("date_of_death", "Ngày mất (hoặc ngày mất tích)",
                      "Date of death (or of going missing)", "date", True),
            FieldSpec("details", "Hoàn cảnh (thiên tai, hỏa hoạn, tai nạn...)",
                      "What happened (disaster, fire, accident...)", "textarea"),
        ),
        attachments=(
            AttachmentSpec("death_notice", "Giấy báo tử hoặc xác nhận của Ủy ban nhân dân xã",
                           "Death notice or the commune's confirmation"),
        ),
        payout_kind="FUNERAL",
    ),
    Procedure(
        "EMERGENCY-HOUSING", "Hỗ trợ làm nhà ở, sửa chữa nhà ở",
        "Emergency support to build, relocate or repair a house",
        "Nghị định 20/2021/NĐ-CP, Điều 15", "Mẫu 06", 10, False, "one-off payment",
        who_vi="Hộ gia đình có nhà ở bị đổ, sập, trôi, cháy, hư hỏng nặng do thiên tai, hỏa hoạn",
        who_en="A household whose house collapsed, burned or was badly damaged by a disaster or fire",
        payout_kind="ONE_OFF",
    ),
    Procedure(
        "FOSTER-CARE", "Nhận chăm sóc, nuôi dưỡng đối tượng cần bảo vệ khẩn cấp",
        "Community foster care of a person needing emergency protection",
        "Nghị định 20/2021/NĐ-CP, Điều 21", "Mẫu 2b, 03", 10, True,
        "care support to the foster carer",
        who_vi="Gia đình, cá nhân nhận chăm sóc người cần bảo vệ khẩn cấp tại cộng đồng",
        who_en="A family or person taking in someone who needs emergency protection",
    ),
    Procedure(
        "2.000286", "Tiếp nhận đối tượng vào cơ sở trợ giúp xã hội",
        "Admission to a social assistance facility", "Nghị định 20/2021/NĐ-CP, Điều 27",
        "Mẫu 07", 10, True, "admission decision",
        who_vi="Người thuộc diện được chăm sóc, nuôi dưỡng tại cơ sở trợ giúp xã hội",
        who_en="A person entitled to care in a social assistance facility",
    ),
    Procedure(
        "2.000282", "Tiếp nhận khẩn cấp đối tượng vào cơ sở trợ giúp xã hội",
        "Emergency admission to a facility", "Nghị định 20/2021/NĐ-CP, Điều 28",
        "Mẫu 07", 10, False, "admission decision",
        who_vi="Người cần bảo vệ khẩn cấp: bị bạo lực, bỏ rơi, lang thang hoặc nguy hiểm đến tính mạng",
        who_en="A person needing emergency protection: abuse, abandonment, homelessness or danger to life",
    ),
    Procedure(
        "2.000477", "Dừng trợ giúp xã hội tại cơ sở trợ giúp xã hội",
        "Leaving a social assistance facility", "Nghị định 20/2021/NĐ-CP, Điều 30",
        "Mẫu 09", 10, False, "exit decision",
        who_vi="Người đang ở cơ sở trợ giúp xã hội muốn trở về gia đình, cộng đồng",
        who_en="A resident of a facility returning to their family or community",
    ),
    Procedure(
        "1.001699", "Xác định, xác định lại mức độ khuyết tật và cấp Giấy xác nhận khuyết tật",
        "Disability level assessment and certificate", "Luật Người khuyết tật 51/2010/QH12",
        "request form", 30, False, "disability certificate", calendar_days=True,
        who_vi="Người khuyết tật hoặc người đại diện cần xác định mức độ khuyết tật",
        who_en="A person with a disability, or their representative, asking for the level to be assessed",
    ),
    Procedure(
        "2.002913",
        "Liên thông đăng ký khai tử, xóa đăng ký thường trú, hưởng chế độ mai táng phí",
        "Linked procedure: death registration, residence deregistration, funeral support",
        "Nghị định 63/2024/NĐ-CP", "tờ khai liên thông", 3, False,
        "death registration; residence deregistration; funeral support",
        who_vi="Thân nhân hoặc người tổ chức mai táng của người đã mất",
        who_en="A relative of the deceased, or whoever organises the funeral",
        fields=(
            FieldSpec("date_of_death", "Ngày mất", "Date of death", "date", True),
            FieldSpec("components", "Các thủ tục đề nghị giải quyết", "Procedures asked for",
                      "select", True, choices=(
                          ("all", "Khai tử, xóa thường trú và mai táng phí",
                           "Death, deregistration and funeral support"),
                          ("death_residence", "Khai tử và xóa đăng ký thường trú",
                           "Death and residence deregistration"),
                          ("death_funeral", "Khai tử và mai táng phí",
                           "Death and funeral support"))),
        ),
        attachments=(AttachmentSpec("death_notice", "Giấy báo tử", "Death notice"),),
    ),
    Procedure(
        "1.014027", "Trợ cấp hưu trí xã hội", "Social pension",
        "Nghị định 176/2025/NĐ-CP", "tờ khai", 10, True, "decision; monthly payments",
        who_vi="Người từ đủ 75 tuổi (70 tuổi nếu thuộc hộ nghèo, cận nghèo) không có lương hưu",
        who_en="People aged 75 or over (70 if poor or near-poor) without a pension",
    ),
)  # fmt: skip

_BY_CODE = {p.code: p for p in PROCEDURES}


def posting_required(code: str, province_code: str) -> bool:
    """The province's setting for the procedure, else the catalogue's default."""
    setting = db.session.scalar(
        select(PostingSetting.public_posting).where(
            PostingSetting.procedure_code == code, PostingSetting.province_code == province_code
        )
    )
    return procedure(code).public_posting if setting is None else setting


def payout_procedures(kind: str) -> tuple[str, ...]:
    """Codes of the procedures whose approved amount is paid as ``kind``."""
    return tuple(p.code for p in PROCEDURES if p.payout_kind == kind)


def procedure(code: str) -> Procedure:
    try:
        return _BY_CODE[code]
    except KeyError:
        raise NotFound(_l("Unknown procedure %(code)s.", code=code)) from None
