"""What the chairman's approval of a monthly-allowance dossier (procedure 1.001776) writes
in the registry: the person, their beneficiary record and the category granted, from the
month ND20 Art 8.1 gives (decision 78)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.people.models import Person
from benefits.registry.lifecycle import restart_allowance
from benefits.registry.models import PAYMENT_METHODS, Beneficiary, BeneficiaryCategory, Decision
from benefits.rules.entitlement import RuleBook, category_refusal

if TYPE_CHECKING:
    from benefits.cases.models import Case
    from benefits.cases.workflow import Proposal

MONTHLY_ALLOWANCE_PROCEDURE = "1.001776"
DISABILITY_GROUP = "DISABILITY"


def check_allowance_terms(case: Case, proposal: Proposal, today: date) -> None:
    """The proposal names a category that fits the person from the month it would start,
    and a way to pay them (the same rules as the registry's own constraints)."""
    rules = RuleBook.load(db.session)
    code = proposal.category
    if not code or code not in rules.categories:
        raise DomainError(_l("Choose the category to grant."), field="category")
    born = _born(case)
    refusal = category_refusal(code, born, start_month(case, code, rules, today), rules)
    if refusal:
        raise DomainError(_l("This category cannot be granted: %(reason)s.", reason=refusal),
                          field="category")  # fmt: skip
    if rules.categories[code].per_child and not (proposal.dependent_children or 0) > 0:
        raise DomainError(_l("Give the number of children the parent raises."),
                          field="dependent_children")  # fmt: skip
    if proposal.payment_method not in PAYMENT_METHODS:
        raise DomainError(_l("Choose how the person is paid."), field="payment_method")
    if proposal.payment_method == "POST" and not proposal.payment_point:
        raise DomainError(_l("Give the post office that pays the person."),
                          field="payment_point")  # fmt: skip
    if proposal.payment_method == "BANK" and not (proposal.bank_code and proposal.bank_account):
        raise DomainError(_l("Give the bank and the account number."), field="bank_account")


def start_month(case: Case, category_code: str, rules: RuleBook, signed_on: date) -> Month:
    """ND20 Art 8.1: from the month the chairman signs; for a disability, from the month
    the disability certificate was issued (when the dossier gives it, and not later)."""
    signed = Month.of(signed_on)
    issued = (case.data or {}).get("disability_certificate_date")
    if rules.categories[category_code].group == DISABILITY_GROUP and issued:
        return min(signed, Month.of(date.fromisoformat(issued)))
    return signed


def _born(case: Case) -> date:
    return date.fromisoformat(case.data["date_of_birth"])


def person_of_case(case: Case) -> Person:
    """The person the dossier is about, as the register knows them; a person it does not
    know yet is added from what the dossier gives (name, birth, sex, residence)."""
    person = db.session.scalar(select(Person).where(Person.national_id == case.subject_national_id))
    if person is None:
        data = case.data or {}
        person = Person(
            national_id=case.subject_national_id, full_name=case.subject_name,
            date_of_birth=_born(case), sex=data.get("sex"), commune_code=case.commune_code,
            address=data.get("address"),
        )  # fmt: skip
        db.session.add(person)
        db.session.flush()
    return person


def grant_monthly_allowance(case: Case, decision: Decision, actor: Actor, today: date) -> None:
    """The approved category enters the registry from its start month: a new beneficiary
    record, or one more category on the person's record (the batch pays the highest,
    ND20 Art 6.2). The next batch pays the months since the start as arrears."""
    terms = case.proposal or {}
    rules = RuleBook.load(db.session)
    code = terms["category"]
    first = start_month(case, code, rules, today)
    # Checked again at signing: the posting and the wait may have crossed into a month
    # the category no longer fits (an age reached, Decree 176/2025's closed categories).
    refusal = category_refusal(code, _born(case), first, rules)
    if refusal:
        raise DomainError(_l("This category cannot be granted: %(reason)s.", reason=refusal))
    person = person_of_case(case)
    if person.died_on is not None:
        raise DomainError(_l("The person is recorded as deceased."))
    case.subject_person_id = person.id
    beneficiary = db.session.scalar(select(Beneficiary).where(Beneficiary.person_id == person.id))
    if beneficiary is None:
        beneficiary = Beneficiary(
            code=f"BTXH-{case.commune_code}-{person.id:08d}", person_id=person.id,
            commune_code=case.commune_code, status="active", effective_month=first,
            dependent_children=terms.get("dependent_children") or 0,
            payment_method=terms["payment_method"], payment_point=terms.get("payment_point"),
            bank_code=terms.get("bank_code"), bank_account=terms.get("bank_account"),
        )  # fmt: skip
        db.session.add(beneficiary)
        db.session.flush()
    elif beneficiary.status == "stopped":
        # The record keeps its history and is granted again (domain.md section 2); after
        # a move out of another province, from the month after its last month paid.
        first = restart_allowance(beneficiary, case.commune_code, terms, first, actor, decision)
        refusal = category_refusal(code, _born(case), first, rules)
        if refusal:
            raise DomainError(_l("This category cannot be granted: %(reason)s.",
                                 reason=refusal))  # fmt: skip
    elif beneficiary.commune_code != case.commune_code:
        # Another commune pays them: a move is its own procedure (ND20 Art 8.3, 8.4).
        raise DomainError(_l("The person receives the allowance in another commune: file the "
                             "move first."))  # fmt: skip
    elif any(c.category_code == code and c.to_month is None for c in beneficiary.categories):
        raise DomainError(_l("The person already holds this category."))
    else:
        if rules.categories[code].per_child and terms.get("dependent_children"):
            beneficiary.dependent_children = terms["dependent_children"]
        if first < beneficiary.effective_month:
            beneficiary.effective_month = first
    db.session.add(
        BeneficiaryCategory(
            beneficiary_id=beneficiary.id,
            category_code=code,
            from_month=first,
            decision_id=decision.id,
        )  # fmt: skip
    )
    record_audit(actor, "beneficiary.granted", "beneficiary", beneficiary.code,
                 {"category": code, "from": str(first), "decision": decision.number,
                  "case": case.code}, commune_code=case.commune_code)  # fmt: skip
