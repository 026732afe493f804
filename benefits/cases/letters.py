"""The chairman's decision on a dossier as its letter (``cases.decision_letter``): the
commune, the person, and what the decision grants, worded in Vietnamese from the
registry and the rules (decision 78)."""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale
from sqlalchemy import select

from benefits.accounts.models import User
from benefits.cases.decision_letter import DecisionLetter
from benefits.cases.models import Case
from benefits.extensions import db
from benefits.i18n import format_coefficient_pct, format_month, format_number
from benefits.month import Month
from benefits.places.models import Commune
from benefits.procedures.catalogue import procedure
from benefits.registry.lifecycle import (
    MOVED_OUT,
    OTHER_STOP_REASONS,
    STOP_REASONS,
    SUSPEND_REASONS,
)
from benefits.registry.models import Beneficiary, BeneficiaryCategory
from benefits.rules.entitlement import EntitlementInput, RuleBook, entitlement_for
from benefits.rules.models import Category

PAYMENT_WORDS = {
    "POST": "qua bưu điện",
    "BANK": "chuyển khoản qua tài khoản ngân hàng",
    "COMMUNE": "tại Ủy ban nhân dân xã",
}


def _money(amount: int) -> str:
    return f"{format_number(amount, 'vi')} đồng"


def decision_letter_of(case: Case) -> DecisionLetter:
    decision = case.decision
    commune = db.session.get(Commune, case.commune_code)
    data = case.data or {}
    born = data.get("date_of_birth")
    approved = decision.kind != "refuse"
    return DecisionLetter(
        number=decision.number, signed_on=decision.signed_on, commune_name=commune.name,
        province_name=commune.province.name, approved=approved,
        procedure_name=procedure(case.procedure_code).name_vi,
        legal_basis=decision.legal_basis or procedure(case.procedure_code).legal_basis,
        dossier_code=case.code, received_on=case.received_on, subject_name=case.subject_name,
        subject_national_id=case.subject_national_id or "",
        subject_date_of_birth=date.fromisoformat(born) if born else None,
        subject_address=data.get("address"),
        terms=_terms(case) if approved else (), reasons=case.decision_reasons,
        chairman_name=_chairman_name(case), **_organiser(case),
    )  # fmt: skip


def _organiser(case: Case) -> dict:
    """A funeral support names who organised the funeral, who is paid (ND20 Art 11, 14)."""
    if procedure(case.procedure_code).payout_kind != "FUNERAL" or not case.declarant_name:
        return {}
    died = (case.data or {}).get("date_of_death")
    return {
        "organiser_name": case.declarant_name,
        "organiser_national_id": case.declarant_national_id,
        "organiser_relationship": case.declarant_relationship,
        "date_of_death": date.fromisoformat(died) if died else None,
    }


# What a decision other than a grant does (decision 90), as the letter says it.
CHANGE_WORDS = {
    "adjust": "Điều chỉnh trợ cấp xã hội hằng tháng",
    "stop": "Thôi hưởng trợ cấp xã hội hằng tháng",
    "suspend": "Tạm dừng trợ cấp xã hội hằng tháng",
    "resume": "Tiếp tục hưởng trợ cấp xã hội hằng tháng; các tháng tạm dừng được truy lĩnh",
}


def _change_terms(case: Case) -> list[tuple[str, str]]:
    """A stop, suspension, resumption or adjustment: what it does and from which month
    (ND20 Art 8.1, 8.2; TT02 Art 2.1, 2.3, 6.1.b)."""
    kind = case.decision.kind
    terms = case.proposal or {}
    lines = [("Nội dung", CHANGE_WORDS[kind])]
    with force_locale("vi"):
        if kind == "stop":
            reason = terms.get("stop_reason")
            reason = reason or MOVED_OUT  # a move's stop names no reason of its own
            words = {**STOP_REASONS, **OTHER_STOP_REASONS}.get(reason, "")
            lines.append(("Lý do", str(words)))
        if kind == "suspend":
            lines.append(("Lý do", str(SUSPEND_REASONS.get(terms.get("suspend_reason"), ""))))
    if kind == "stop" and terms.get("from_month"):
        after = Month.parse(terms["from_month"]) + 1
        lines.append(("Thời điểm thôi hưởng", f"từ tháng {format_month(after, 'vi')}"))
    if kind == "suspend":
        after = Month.of(case.decision.signed_on) + 1
        lines.append(("Thời điểm tạm dừng", f"từ tháng {format_month(after, 'vi')}"))
    return lines


def _terms(case: Case) -> tuple[tuple[str, str], ...]:
    """What the approval grants: the category, coefficient, amount and first month of a
    monthly allowance (ND20 Art 6, 8.1); the amount of a one-off support; what a stop,
    suspension, resumption or adjustment does."""
    extra = _change_terms(case) if case.decision.kind in CHANGE_WORDS else []
    row = db.session.execute(
        select(BeneficiaryCategory, Beneficiary)
        .join(Beneficiary, Beneficiary.id == BeneficiaryCategory.beneficiary_id)
        .where(BeneficiaryCategory.decision_id == case.decision_id)
    ).first()
    if row is None:
        if case.amount:
            return (("Số tiền hỗ trợ", _money(case.amount)),
                    ("Hình thức chi trả", "trong danh sách chi trả tháng kế tiếp"))  # fmt: skip
        return tuple(extra)
    granted, beneficiary = row
    category = db.session.get(Category, granted.category_code)
    terms = [*extra, ("Diện đối tượng", f"{category.name_vi} (Điều {category.article} Nghị "
                                        "định 20/2021/NĐ-CP)")]  # fmt: skip
    due = entitlement_for(EntitlementInput.of(beneficiary), granted.from_month,
                          RuleBook.load(db.session))  # fmt: skip
    if due is not None:
        terms += [("Hệ số", format_coefficient_pct(due.coefficient_pct, "vi")),
                  ("Mức trợ cấp hằng tháng", _money(due.allowance_amount))]  # fmt: skip
    terms += [("Thời điểm hưởng", f"từ tháng {format_month(granted.from_month, 'vi')}"),
              ("Hình thức chi trả", PAYMENT_WORDS.get(beneficiary.payment_method, ""))]  # fmt: skip
    return tuple(terms)


def _chairman_name(case: Case) -> str:
    """Who signed: the user who took the dossier to its decision."""
    step = next((e for e in reversed(case.events) if e.to_status in ("approved", "refused")), None)
    if step is None or not step.actor_label.startswith("user:"):
        return ""
    user = db.session.get(User, int(step.actor_label.removeprefix("user:")))
    return user.full_name if user else ""
