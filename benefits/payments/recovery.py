"""Overpayments are recovered, not only listed (issue 25 item 8; domain.md sections 2 and
5.4; decision 172): the officer records a repayment the person made (amount, date) or
waives what remains, with its reason. Each step is a row of ``overpayment_recoveries``
and an audit row on the beneficiary, in the request's transaction.

The database keeps the sum honest: the step adds to the overpayment's
``recovered_amount`` or ``waived_amount`` in one UPDATE guarded by its status, under the
CHECK that the two never exceed what was overpaid (migration 0038a). Two officers
recording at once the repayment of the whole remainder: the second finds it settled.
"""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select, update
from sqlalchemy.exc import IntegrityError

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import DomainError, InvalidTransition
from benefits.extensions import db
from benefits.i18n import format_vnd
from benefits.payments.models import Overpayment, OverpaymentRecovery
from benefits.registry.models import Beneficiary

TO_RECOVER = "to_recover"
OVERPAYMENT_STATUS = {
    "to_recover": _l("To recover"),
    "recovered": _l("Recovered"),
    "waived": _l("Rest waived"),
    # A correction found the line unpaid after all: nothing was overpaid.
    "cancelled": _l("Cancelled: the line was not paid"),
}
# The audit action of each kind of step (``labels.AUDIT_ACTION`` words them).
AUDIT_ACTION_OF = {
    "repayment": "payments.overpayment_repayment",
    "waiver": "payments.overpayment_waiver",
    "offset": "payments.overpayment_offset",
}
RECOVERY_KIND = {
    "repayment": _l("repaid"),
    "waiver": _l("waived"),
    "offset": _l("deducted from a payment"),
}


def record_repayment(overpayment: Overpayment, amount: int | None, on_date: date | None,
                     actor: Actor, today: date) -> OverpaymentRecovery:  # fmt: skip
    """The person paid back ``amount`` VND on ``on_date``: the overpayment is recovered
    when nothing remains."""
    if amount is None or amount <= 0:
        raise DomainError(_l("Give the amount repaid, in whole VND, more than 0."),
                          field="amount")  # fmt: skip
    if on_date is None:
        raise DomainError(_l("Give the date of the repayment."), field="on_date")
    if on_date > today:
        raise DomainError(_l("The date of the repayment cannot be after today."),
                          field="on_date")  # fmt: skip
    _still_open(overpayment)
    if amount > overpayment.remaining:
        raise DomainError(_l("The amount is more than what remains to recover (%(amount)s).",
                             amount=format_vnd(overpayment.remaining)), field="amount")  # fmt: skip
    return _settle(overpayment, "repayment", amount, on_date, None, actor,
                   recovered=amount)  # fmt: skip


def waive(overpayment: Overpayment, reason: str | None, actor: Actor,
          today: date) -> OverpaymentRecovery:  # fmt: skip
    """What remains is not recovered (miễn thu hồi), for the reason given (the decision
    or the family's circumstances): the overpayment is closed."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Give the reason why the rest is not recovered."), field="reason")
    _still_open(overpayment)
    return _settle(overpayment, "waiver", overpayment.remaining, today, reason[:500], actor,
                   waived=overpayment.remaining)  # fmt: skip


def _still_open(overpayment: Overpayment) -> None:
    if overpayment.status != TO_RECOVER or overpayment.remaining <= 0:
        raise InvalidTransition(_l("This overpayment is no longer to recover: nothing was "
                                   "recorded."))  # fmt: skip


def _settle(overpayment: Overpayment, kind: str, amount: int, on_date: date,
            reason: str | None, actor: Actor, *, recovered: int = 0,
            waived: int = 0) -> OverpaymentRecovery:  # fmt: skip
    settled = Overpayment.recovered_amount + Overpayment.waived_amount + recovered + waived
    closed = "waived" if waived else "recovered"
    try:
        with db.session.begin_nested():
            done = db.session.execute(
                update(Overpayment)
                .where(Overpayment.id == overpayment.id, Overpayment.status == TO_RECOVER)
                .values(
                    recovered_amount=Overpayment.recovered_amount + recovered,
                    waived_amount=Overpayment.waived_amount + waived,
                    status=case((settled >= Overpayment.amount, closed), else_=TO_RECOVER),
                )
                .execution_options(synchronize_session=False)
            )
    except IntegrityError:  # another step took the rest meanwhile (the CHECK)
        done = None
    if done is None or done.rowcount != 1:
        db.session.refresh(overpayment)
        raise InvalidTransition(_l("Someone recorded a recovery of this overpayment at the "
                                   "same moment: nothing was recorded; look again at what "
                                   "remains."))  # fmt: skip
    db.session.refresh(overpayment)
    step = OverpaymentRecovery(overpayment_id=overpayment.id, kind=kind, amount=amount,
                               on_date=on_date, reason=reason, actor_id=actor.user_id)  # fmt: skip
    db.session.add(step)
    beneficiary = db.session.get(Beneficiary, overpayment.beneficiary_id)
    record_audit(
        actor, AUDIT_ACTION_OF[kind], "beneficiary", beneficiary.code,
        {"overpayment": overpayment.id, "amount": amount, "on": on_date.isoformat(),
         "reason": reason, "remaining": overpayment.remaining, "status": overpayment.status},
        commune_code=beneficiary.commune_code,
    )  # fmt: skip
    db.session.flush()
    return step


def recoveries_of(overpayment_ids: list[int]) -> dict[int, list[OverpaymentRecovery]]:
    """Each overpayment's recovery steps, oldest first."""
    found: dict[int, list[OverpaymentRecovery]] = {i: [] for i in overpayment_ids}
    if overpayment_ids:
        for step in db.session.scalars(
            select(OverpaymentRecovery)
            .where(OverpaymentRecovery.overpayment_id.in_(overpayment_ids))
            .order_by(OverpaymentRecovery.id)
        ):
            found[step.overpayment_id].append(step)
    return found
