"""What a citizen sees of their own money (issue 25 item 9; domain.md sections 2 and 6):
the monthly allowance of the records they are the person or the payee of, from which
month, where and how it is collected, and what each locked batch paid them.

Scope (decision 170): a record is the citizen's when its person carries the citizen's
personal ID number, or when they collect it (the payee or guardian the record names,
``Beneficiary.payee_national_id``). Nobody else's record is ever read here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select

from benefits.extensions import db
from benefits.month import Month
from benefits.payments.models import Overpayment, PaymentBatch, PaymentLine
from benefits.people.models import Person
from benefits.registry.models import Beneficiary
from benefits.rules.entitlement import EntitlementInput, RuleBook, entitlement_for

# The batches a citizen's page lists, newest first: two years of months.
LINES_SHOWN = 48


@dataclass(frozen=True)
class PaidLine:
    month: Month
    line: PaymentLine


@dataclass(frozen=True)
class MyAllowance:
    beneficiary: Beneficiary
    # The citizen collects it for someone else (payee or guardian).
    as_payee: bool
    # This month's allowance (None: none is due this month, e.g. stopped).
    monthly_amount: int | None
    lines: list[PaidLine]
    # What remains of the overpayments to recover from the record (decision 172): the
    # family learns what it owes before the commune asks.
    to_repay: int = 0


def _own(national_id: str):
    return or_(
        Beneficiary.person_id.in_(select(Person.id).where(Person.national_id == national_id)),
        Beneficiary.payee_national_id == national_id,
    )


def own_beneficiaries(national_id: str | None) -> list[Beneficiary]:
    if not national_id:
        return []
    return list(db.session.scalars(select(Beneficiary).where(_own(national_id))
                                   .order_by(Beneficiary.id)))  # fmt: skip


def own_beneficiary(national_id: str | None, code: str) -> Beneficiary | None:
    """The record ``code`` if it is the citizen's, else None (the page answers 404)."""
    if not national_id:
        return None
    return db.session.scalar(select(Beneficiary).where(Beneficiary.code == code,
                                                       _own(national_id)))  # fmt: skip


def my_allowance(beneficiary: Beneficiary, national_id: str, this_month: Month,
                 *, lines: bool = True) -> MyAllowance:  # fmt: skip
    """The record's terms this month and the lines of the locked batches that paid it
    (a batch still open may change: decision 171), newest first. Care support paid to
    the citizen as carer is a line of its own kind."""
    entitlement = None
    if beneficiary.status in ("active", "suspended"):
        entitlement = entitlement_for(EntitlementInput.of(beneficiary), this_month,
                                      RuleBook.load(db.session))  # fmt: skip
    found = []
    if lines:
        found = [
            PaidLine(month, line)
            for line, month in db.session.execute(
                select(PaymentLine, PaymentBatch.month)
                .join(PaymentBatch, PaymentBatch.id == PaymentLine.batch_id)
                .where(
                    PaymentLine.beneficiary_id == beneficiary.id,
                    PaymentBatch.status == "locked",
                )
                .order_by(PaymentBatch.month.desc(), PaymentLine.id.desc())
                .limit(LINES_SHOWN)
            )
        ]
    to_repay = db.session.scalar(
        select(func.coalesce(func.sum(Overpayment.amount - Overpayment.recovered_amount
                                      - Overpayment.waived_amount), 0))
        .where(Overpayment.beneficiary_id == beneficiary.id, Overpayment.status == "to_recover")
    )  # fmt: skip
    return MyAllowance(
        beneficiary=beneficiary,
        as_payee=beneficiary.person.national_id != national_id,
        monthly_amount=entitlement.amount if entitlement else None,
        lines=found,
        to_repay=int(to_repay or 0),
    )
