"""Deaths learned after a batch holds later months (domain.md section 5 item 4).

One of the death engine's effects (``deaths.service.DEATH_EFFECTS``), so it runs in
the same transaction:
- an open batch drops those months when it is generated again (the entitlement now ends
  at the month of death), so nothing is done to it here;
- a locked, unpaid line covering later months is marked do-not-pay as a whole, and the
  months up to the death are released to the next batch as arrears;
- a paid line records an overpayment to recover (thu hồi);
- a stopped line the post office reports paid all the same (it had the list already) is
  settled by the reconciliation (``payments.service``), with the reason worded here.
The same holds for care-support lines paying a carer who has died (domain.md 5.2).
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, update

from benefits.accounts.audit import Actor, record_audit
from benefits.deaths.models import DeathRecord
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.models import (
    Overpayment,
    PaymentBatch,
    PaymentItem,
    PaymentLine,
    death_reason,
    items_of,
)
from benefits.registry.models import Beneficiary, CareSupport


def _locked_lines_paying_later_months(*line_conditions, item_condition=None):
    """Ids of the monthly lines (allowance, care support: not a one-off, the funeral
    support itself is no entitlement month) of locked batches, open or paid, that pay a
    month after ``:last_month``. Built once per kind of death: every death runs it."""
    later_item = select(PaymentItem.id).where(
        items_of(PaymentLine),
        PaymentItem.month > bindparam("last_month"),
        *([item_condition] if item_condition is not None else []),
    )
    return (
        select(PaymentLine.id)
        .join(PaymentBatch, PaymentBatch.id == PaymentLine.batch_id)
        .where(
            *line_conditions,
            PaymentBatch.status == "locked",
            PaymentLine.status.in_(("open", "paid")),
            PaymentLine.case_id.is_(None),
            later_item.exists(),
        )
    )


# The deceased's own lines.
_LINES_AFTER_DEATH = _locked_lines_paying_later_months(
    PaymentLine.beneficiary_id == bindparam("beneficiary_id")
)
# Domain 5.2: care support paid to the deceased as carer. Care paid to oneself (a parent
# with a disability) ends with one's own death, as a beneficiary: not twice.
_CARE_LINES_AFTER_CARER_DEATH = _locked_lines_paying_later_months(
    PaymentLine.kind == "CARE_SUPPORT",
    PaymentLine.beneficiary_id.not_in(
        select(Beneficiary.id).where(Beneficiary.person_id == bindparam("person_id"))
    ),
    item_condition=PaymentItem.care_support_id.in_(
        select(CareSupport.id).where(CareSupport.carer_person_id == bindparam("person_id"))
    ),
)


def apply_death_to_batches(record, beneficiary, last_month: Month, actor: Actor) -> None:
    found = db.session.scalars(
        _LINES_AFTER_DEATH, {"beneficiary_id": beneficiary.id, "last_month": last_month.yyyymm}
    ).all()
    _stop_lines(found, last_month, record, actor)


def apply_carer_death_to_batches(record, person_id: int, last_month: Month, actor: Actor):
    found = db.session.scalars(
        _CARE_LINES_AFTER_CARER_DEATH, {"person_id": person_id, "last_month": last_month.yyyymm}
    ).all()
    _stop_lines(found, last_month, record, actor)


def _stop_lines(found: list[int], last_month: Month, record, actor: Actor) -> None:
    """A locked unpaid line is not paid (its months up to the death go to the next batch);
    a paid one records an overpayment to recover."""
    if not found:
        return  # most deaths: no locked batch pays a later month
    lines = db.session.scalars(
        select(PaymentLine).where(PaymentLine.id.in_(found)).order_by(PaymentLine.id)
    ).all()
    for line in lines:
        items = items_of(line)
        if line.status == "paid":
            _record_overpayment(line, items, last_month, record, actor)
            continue
        line.status = "do_not_pay"
        db.session.execute(
            update(PaymentItem)
            .where(items, PaymentItem.month <= last_month.yyyymm)
            .values(status="released")
        )
        db.session.execute(
            update(PaymentItem)
            .where(items, PaymentItem.month > last_month.yyyymm)
            .values(status="do_not_pay")
        )
        record_audit(
            actor, "payments.do_not_pay", "payment_line", line.id,
            {"status": ["open", "do_not_pay"], "death": record.registration_number},
            commune_code=line.commune_code,
        )  # fmt: skip


def _record_overpayment(line, items, last_month: Month, record, actor: Actor) -> None:
    paid_after = db.session.execute(
        select(PaymentItem.month, PaymentItem.amount)
        .where(items, PaymentItem.month > last_month.yyyymm)
        .order_by(PaymentItem.month)
    ).all()
    add_overpayment(line, paid_after, death_reason(record), actor, record.registration_number)


def add_overpayment(line, months_paid, reason: str, actor: Actor, death: str | None) -> None:
    """An overpayment to recover of ``months_paid`` (``(month, amount)`` rows) of a paid
    line; ``death``: the registration number of the death that makes it one, if any."""
    amount = sum(a for _, a in months_paid)
    months = ";".join(str(m) for m, _ in months_paid)
    db.session.add(
        Overpayment(
            beneficiary_id=line.beneficiary_id, batch_id=line.batch_id, line_id=line.id,
            months=months, amount=amount, reason=reason,
        )
    )  # fmt: skip
    record_audit(
        actor, "payments.overpayment", "payment_line", line.id,
        {"amount": amount, "months": months, "death": death},
        commune_code=line.commune_code,
    )  # fmt: skip


def death_stopping(line) -> DeathRecord:
    """The death that stopped a line: the beneficiary's own or, for care support, the
    carer's (the earliest effective one)."""
    people = [select(Beneficiary.person_id).where(Beneficiary.id == line.beneficiary_id)]
    if line.care_support_id is not None:
        people.append(
            select(CareSupport.carer_person_id).where(CareSupport.id == line.care_support_id)
        )
    return db.session.scalars(
        select(DeathRecord)
        .where(
            DeathRecord.status == "effective",
            DeathRecord.person_id.in_(people[0].union_all(*people[1:])),
        )
        .order_by(DeathRecord.date_of_death)
        .limit(1)
    ).one()
