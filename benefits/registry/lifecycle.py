"""How a beneficiary's record changes after it starts (``grant.py`` starts it): adjusted,
suspended (tạm dừng), resumed (tiếp tục hưởng) and stopped (thôi hưởng), domain.md
section 2 "What each decision changes" and section 3; TT02 Art 2.1, 2.3, 6.1.b.

These are the registry's only writers of a record's status and entitlement months: the
chairman's decisions (``cases.effects``), the officer's resume of a suspension, and the
death engine (``write_stop``, its set-based form, on the civil registry's hot path) all
go through them, so a record stops the same way whatever stopped it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, inspect, select, update

from benefits.accounts.audit import Actor, record_audit
from benefits.errors import AlreadyRecorded, DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.models import PaymentItem
from benefits.places.models import province_of_commune
from benefits.registry.models import PAYMENT_METHODS, Beneficiary, BeneficiaryCategory, Decision
from benefits.rules.entitlement import (
    EntitlementInput,
    HeldCategory,
    RuleBook,
    category_refusal,
    entitlement_for,
)

# TT02 Art 2.1: why a monthly allowance stops (thôi hưởng), with the words a page shows.
STOP_REASONS = {
    "not_eligible": _l("No longer eligible"),
    "prison": _l("Serving a prison sentence"),
    "refused": _l("Refuses the benefit"),
    "missing": _l("Declared missing"),
    "unheeded_suspension": _l("3 months after a suspension without a response"),
}
# Stops that are not TT02 Art 2.1's: a move to another province (ND20 Art 8.4, the new
# province grants again) and an admission to a facility (ND20 Art 27, 28: the facility's
# nurture allowance replaces the Art 6 monthly allowance). Set by their own procedures.
MOVED_OUT = "moved_out"
IN_FACILITY = "in_facility"
OTHER_STOP_REASONS = {
    MOVED_OUT: _l("Moved to another province (ND20 Art 8.4)"),
    IN_FACILITY: _l("Admitted to a social assistance facility (ND20 Art 27, 28)"),
}
MOVE_OUT_PROCEDURE = "MOVE-OUT-PROVINCE"
# TT02 Art 2.3: why it is suspended (tạm dừng); the first is automatic (domain.md 6).
SUSPEND_REASONS = {
    "unpaid_three_batches": _l("Not collected in 3 batches in a row"),
    "recheck_not_complied": _l("Did not comply with a re-check"),
    "detention": _l("Temporary detention of a month or more"),
}
# A record still receiving (a suspended one is held, not ended).
RECEIVING = ("active", "suspended")

_beneficiaries = Beneficiary.__table__
_categories = BeneficiaryCategory.__table__

# Built once: the death engine runs them for every death it records.
_STOP_RECORD = (
    update(_beneficiaries)
    .where(_beneficiaries.c.id == bindparam("beneficiary"))
    .values(status=bindparam("new_status"), last_entitled_month=bindparam("last_month"))
)
_CLOSE_CATEGORIES = (
    update(_categories)
    .where(_categories.c.id.in_(bindparam("closed", expanding=True)))
    .values(to_month=bindparam("last_month"))
)


def write_stop(
    beneficiary_id: int, closed: list[int], last_month: Month, status: str = "stopped"
) -> None:
    """ND20 Art 8.2: the record is entitled up to ``last_month`` (that month is paid) and
    the ``closed`` categories end with it. Two statements, no ORM object loaded: the
    death engine's form; ``stop_allowance`` is the checked, audited one over it."""
    db.session.execute(
        _STOP_RECORD,
        {"beneficiary": beneficiary_id, "new_status": status, "last_month": last_month},
    )
    if closed:
        db.session.execute(_CLOSE_CATEGORIES, {"closed": closed, "last_month": last_month})
    _expire_loaded(Beneficiary, [beneficiary_id])
    _expire_loaded(BeneficiaryCategory, closed)


def categories_running_after(
    categories: tuple[tuple[int, Month | None], ...], last_month: Month
) -> list[int]:
    """The ids of the (id, to_month) categories still running after ``last_month``."""
    return [held for held, to_month in categories if to_month is None or to_month > last_month]


def refuse_stop_behind_paid(beneficiary_id: int, last_month) -> None:
    """A locked batch never changes: a stop behind the last month issued would need an
    overpayment instead."""
    issued = last_month_issued(beneficiary_id)
    if issued is not None and last_month < issued:
        raise DomainError(
            _l("Month %(month)s is already paid: the stop takes effect after the last month "
               "paid, or record an overpayment.", month=str(issued)),
            field="from_month",
        )  # fmt: skip


def last_month_issued(beneficiary_id: int) -> Month | None:
    """The latest allowance month a batch has issued or paid to the record."""
    return db.session.scalar(
        select(func.max(PaymentItem.month)).where(
            PaymentItem.beneficiary_id == beneficiary_id,
            PaymentItem.kind == "ALLOWANCE",
            PaymentItem.case_id.is_(None),
            PaymentItem.status.in_(("issued", "paid")),
        )
    )


def stop_allowance(
    beneficiary: Beneficiary, last_month: Month, reason: str, actor: Actor,
    decision: Decision | None = None,
) -> None:  # fmt: skip
    """TT02 Art 2.1, ND20 Art 8.2: payment stops from the month after ``last_month`` (the
    month of the event). The record keeps its history (its categories end, nothing is
    deleted) and may be granted again by a new decision."""
    if reason not in STOP_REASONS and reason not in OTHER_STOP_REASONS:
        raise DomainError(_l("Choose why the allowance stops."), field="stop_reason")
    _lock(beneficiary)
    if beneficiary.status not in RECEIVING:
        raise AlreadyRecorded(_l("This allowance is already stopped."))
    if last_month < beneficiary.effective_month - 1:
        raise DomainError(_l("The allowance cannot stop before it started."), field="from_month")
    refuse_stop_behind_paid(beneficiary.id, last_month)
    closed = categories_running_after(
        tuple((c.id, c.to_month) for c in beneficiary.categories), last_month
    )
    before = beneficiary.status
    write_stop(beneficiary.id, closed, last_month)
    record_audit(actor, "registry.stopped", "beneficiary", beneficiary.code,
                 {"status": [before, "stopped"], "last_entitled_month": [None, last_month],
                  "reason": reason, "decision": decision.number if decision else None},
                 commune_code=beneficiary.commune_code)  # fmt: skip


def moved_out_through(beneficiary: Beneficiary) -> Month | None:
    """ND20 Art 8.4: the last month the old commune paid (M) when the record's latest
    decision is the old commune's stop for a move to another province, not yet followed
    by the new commune's grant; ``None`` otherwise."""
    from benefits.cases.models import Case

    latest = db.session.scalar(
        select(Case.procedure_code)
        .join(Decision, Decision.case_id == Case.id)
        .where(Decision.beneficiary_id == beneficiary.id)
        .order_by(Decision.id.desc())
        .limit(1)
    )
    if beneficiary.status == "stopped" and latest == MOVE_OUT_PROCEDURE:
        return beneficiary.last_entitled_month
    return None


def restart_allowance(
    beneficiary: Beneficiary, commune_code: str, terms: dict, first: Month, actor: Actor,
    decision: Decision | None = None,
) -> Month:  # fmt: skip
    """domain.md section 2, 1.001776 stop: a stopped record "keeps its history and can be
    granted again later by a new decision". It restarts active, with the new decision's way
    of payment, from ``first`` (the new category's month); its earlier categories all end
    by the month it stopped, so no month between is due. After the old province's stop for
    a move (ND20 Art 8.4.d), the new commune grants from the month after M, at its own
    province's standard level (the entitlement reads the level of the record's commune).
    Returns the first month paid."""
    _lock(beneficiary)
    if beneficiary.status != "stopped":
        raise DomainError(_l("The person's earlier allowance record is stopped: it cannot "
                             "take a new category here."))  # fmt: skip
    paid_through = moved_out_through(beneficiary)
    moving = paid_through is not None and province_of_commune(
        beneficiary.commune_code
    ) != province_of_commune(commune_code)
    if moving:
        first = paid_through + 1
    last = beneficiary.last_entitled_month
    for held in beneficiary.categories:
        if last is not None and (held.to_month is None or held.to_month > last):
            held.to_month = last  # a record stopped before this rule kept them open
    old = beneficiary.commune_code
    beneficiary.commune_code = commune_code
    beneficiary.person.commune_code = commune_code
    beneficiary.status = "active"
    beneficiary.last_entitled_month = None
    for name in (*PAYMENT_FIELDS, "dependent_children"):
        value = terms.get(name)
        setattr(beneficiary, name, value if value not in ("", None) else None)
    beneficiary.dependent_children = beneficiary.dependent_children or 0
    if old != commune_code:
        changes = {"commune": [old, commune_code],
                   "paid_through": str(paid_through or last or ""),
                   "decision": decision.number if decision else None}  # fmt: skip
        for commune in (commune_code, old):
            record_audit(actor, "registry.moved", "beneficiary", beneficiary.code, changes,
                         commune_code=commune)  # fmt: skip
    return first


def suspend_allowance(
    beneficiary: Beneficiary, reason: str, actor: Actor, decision: Decision | None = None
) -> None:
    """TT02 Art 2.3: the record is left out of the batches until it is resumed; the
    months held stay due (``resume_allowance``)."""
    if reason not in SUSPEND_REASONS:
        raise DomainError(_l("Choose why the allowance is suspended."), field="suspend_reason")
    _lock(beneficiary)
    if beneficiary.status == "suspended":
        raise AlreadyRecorded(_l("This allowance is already suspended."))
    if beneficiary.status != "active":
        raise DomainError(_l("Only an allowance being paid can be suspended."))
    beneficiary.status = "suspended"
    record_audit(actor, "registry.suspend", "beneficiary", beneficiary.code,
                 {"status": ["active", "suspended"], "reason": reason,
                  "decision": decision.number if decision else None},
                 commune_code=beneficiary.commune_code)  # fmt: skip


def resume_allowance(
    beneficiary: Beneficiary, actor: Actor, decision: Decision | None = None
) -> None:
    """TT02 Art 6.1.b: the allowance continues; the months held were never paid, so the
    next batch pays them as arrears (truy lĩnh) with its own month."""
    _lock(beneficiary)
    if beneficiary.status == "active":
        raise AlreadyRecorded(_l("This allowance is already being paid."))
    if beneficiary.status != "suspended":
        raise DomainError(_l("Only a suspended allowance can be resumed."))
    beneficiary.status = "active"
    record_audit(actor, "registry.resumed", "beneficiary", beneficiary.code,
                 {"status": ["suspended", "active"],
                  "decision": decision.number if decision else None},
                 commune_code=beneficiary.commune_code)  # fmt: skip


@dataclass(frozen=True)
class AllowanceChange:
    """What an adjustment (điều chỉnh) changes; ``None``: unchanged."""

    add_category: str | None = None
    end_category: str | None = None
    dependent_children: int | None = None
    payment_method: str | None = None
    payment_point: str | None = None
    bank_code: str | None = None
    bank_account: str | None = None
    payee_name: str | None = None
    payee_national_id: str | None = None


def check_change_terms(beneficiary: Beneficiary, request: str, proposal, this_month: Month) -> None:
    """What the officer proposes for an adjust, stop, suspend or resume dossier holds: the
    same checks the decision makes when it is signed, so that a proposal the chairman
    could not sign is refused next to its field (``proposal``: ``cases.workflow.Proposal``)."""
    if request == "resume":
        if beneficiary.status != "suspended":
            raise DomainError(_l("Only a suspended allowance can be resumed."), field="outcome")
        return
    if beneficiary.status not in RECEIVING:
        raise DomainError(_l("The allowance is already stopped."), field="outcome")
    if request == "suspend":
        if proposal.suspend_reason not in SUSPEND_REASONS:
            raise DomainError(_l("Choose why the allowance is suspended."),
                              field="suspend_reason")  # fmt: skip
        return
    try:
        month = Month.parse(proposal.from_month or "")
    except ValueError:
        raise DomainError(_l("Give the month as YYYY-MM."), field="from_month") from None
    if request == "stop":
        if proposal.stop_reason not in STOP_REASONS:
            raise DomainError(_l("Choose why the allowance stops."), field="stop_reason")
        refuse_stop_behind_paid(beneficiary.id, month)
        return
    change = change_of(proposal)
    if change == AllowanceChange():
        raise DomainError(_l("Say what the adjustment changes."), field="add_category")
    if month > this_month + 1:
        raise DomainError(_l("The new terms start this month or next at the latest."),
                          field="from_month")  # fmt: skip
    _check_payment(beneficiary, change)


def change_of(terms) -> AllowanceChange:
    """The ``AllowanceChange`` named by a proposal (an object or a dict of its fields)."""
    get = terms.get if isinstance(terms, dict) else lambda name: getattr(terms, name, None)
    return AllowanceChange(**{name: get(name) for name in AllowanceChange.__dataclass_fields__})


def _check_payment(beneficiary: Beneficiary, change: AllowanceChange) -> None:
    """The way of payment after the change is complete (the registry's constraints)."""
    method = change.payment_method or beneficiary.payment_method
    if method not in PAYMENT_METHODS:
        raise DomainError(_l("Choose how the person is paid."), field="payment_method")
    moving = (
        change.payment_method is not None and change.payment_method != beneficiary.payment_method
    )
    point = change.payment_point or (None if moving else beneficiary.payment_point)
    bank = (change.bank_code or (None if moving else beneficiary.bank_code),
            change.bank_account or (None if moving else beneficiary.bank_account))  # fmt: skip
    if method == "POST" and not point:
        raise DomainError(_l("Give the post office that pays the person."),
                          field="payment_point")  # fmt: skip
    if method == "BANK" and not all(bank):
        raise DomainError(_l("Give the bank and the account number."), field="bank_account")


PAYMENT_FIELDS = ("payment_method", "payment_point", "bank_code", "bank_account")
PAYEE_FIELDS = ("payee_name", "payee_national_id")


def adjust_allowance(
    beneficiary: Beneficiary, change: AllowanceChange, qualifies_from: Month, signed: Month,
    actor: Actor, decision: Decision | None = None,
) -> Month:  # fmt: skip
    """domain.md section 2, 1.001776 adjust (điều chỉnh), ND20 Art 8.1: the new terms
    apply from the month the person qualifies for them; a lower amount only from the month
    after the decision (nothing is clawed back). Returns the month the terms apply from.

    Months already issued at the lower amount are made up by the next batch: the record's
    ``top_up_from`` names the first of them (``payments.generation``)."""
    _lock(beneficiary)
    if beneficiary.status not in RECEIVING:
        raise DomainError(_l("Only an allowance still being paid can be adjusted."))
    rules = RuleBook.load(db.session)
    born = beneficiary.person.date_of_birth
    held_open = {c.category_code: c for c in beneficiary.categories if c.to_month is None}
    if change.add_category:
        if change.add_category in held_open:
            raise DomainError(_l("The person already holds this category."), field="add_category")
        refusal = category_refusal(change.add_category, born, qualifies_from, rules)
        if refusal:
            raise DomainError(_l("This category cannot be granted: %(reason)s.", reason=refusal),
                              field="add_category")  # fmt: skip
    if change.end_category and change.end_category not in held_open:
        raise DomainError(_l("The person does not hold this category."), field="end_category")
    if change.dependent_children is not None and change.dependent_children < 0:
        raise DomainError(_l("Give the number of children the parent raises."),
                          field="dependent_children")  # fmt: skip
    _check_payment(beneficiary, change)
    before = EntitlementInput.of(beneficiary)
    after = _with_change(before, change, qualifies_from)
    # Higher or lower: compared in the month the terms would start and in the month signed.
    months = {qualifies_from, signed}
    lower = any(_amount(after, m, rules) < _amount(before, m, rules) for m in months)
    starts = max(qualifies_from, signed + 1) if lower else qualifies_from
    changes: dict = {"from": str(starts), "decision": decision.number if decision else None}
    if change.end_category:
        held_open[change.end_category].to_month = starts - 1
        changes["ended"] = change.end_category
    if change.add_category:
        db.session.add(
            BeneficiaryCategory(
                beneficiary_id=beneficiary.id,
                category_code=change.add_category,
                from_month=starts,
                decision_id=decision.id if decision else None,
            )  # fmt: skip
        )
        changes["added"] = change.add_category
    for name in ("dependent_children", *PAYMENT_FIELDS, *PAYEE_FIELDS):
        value = getattr(change, name)
        if value is not None and value != getattr(beneficiary, name):
            changes[name] = [getattr(beneficiary, name), value]
            setattr(beneficiary, name, value if value != "" else None)
    if change.payment_method is not None:
        # The columns of the other methods are cleared.
        if change.payment_method != "POST":
            beneficiary.payment_point = None
        if change.payment_method != "BANK":
            beneficiary.bank_code = beneficiary.bank_account = None
    issued = last_month_issued(beneficiary.id)
    if not lower and issued is not None and starts <= issued:
        # ND20 Art 8.1: the months already issued at the lower amount are made up as
        # arrears (truy lĩnh) by the next batch.
        current = beneficiary.top_up_from
        beneficiary.top_up_from = starts if current is None else min(current, starts)
        changes["top_up_from"] = str(beneficiary.top_up_from)
    db.session.flush()
    db.session.expire(beneficiary, ["categories"])
    record_audit(actor, "registry.adjusted", "beneficiary", beneficiary.code, changes,
                 commune_code=beneficiary.commune_code)  # fmt: skip
    return starts


def move_within_province(
    beneficiary: Beneficiary, new_commune: str, change: AllowanceChange, actor: Actor,
    decision: Decision | None = None,
) -> Month | None:  # fmt: skip
    """ND20 Art 8.3 (domain.md section 2, MOVE-IN-PROVINCE): one record, its commune and
    its way of payment changed. The old commune has paid through the last month its
    batches issued (M, returned); every month after it is paid by the new commune, as
    arrears if need be: the items' unique index pays no month twice, and a month the old
    commune's open batch held is due again once that batch is generated again."""
    _lock(beneficiary)
    check_move_terms(beneficiary, new_commune, change)
    old = beneficiary.commune_code
    paid_through = last_month_issued(beneficiary.id)
    changes: dict = {"commune": [old, new_commune],
                     "paid_through": str(paid_through) if paid_through else None,
                     "decision": decision.number if decision else None}  # fmt: skip
    beneficiary.commune_code = new_commune
    beneficiary.person.commune_code = new_commune  # where the person now lives
    for name in PAYMENT_FIELDS:
        setattr(beneficiary, name, getattr(change, name) or None)
    changes["payment_method"] = [None, change.payment_method]
    db.session.flush()
    # Both communes see the move: one row each.
    for commune in (new_commune, old):
        record_audit(actor, "registry.moved", "beneficiary", beneficiary.code, changes,
                     commune_code=commune)  # fmt: skip
    return paid_through


def check_move_terms(beneficiary: Beneficiary, new_commune: str, change: AllowanceChange):
    """A move within the province: a record still paid, by another commune of the same
    province, with the new commune's way of payment given in full."""
    if beneficiary.status not in RECEIVING:
        raise DomainError(_l("Only an allowance still being paid can move."), field="outcome")
    if beneficiary.commune_code == new_commune:
        raise DomainError(_l("The person is already paid by this commune."), field="outcome")
    if province_of_commune(beneficiary.commune_code) != province_of_commune(new_commune):
        raise DomainError(
            _l("The person moves from another province: that commune stops the allowance "
               "and this one grants it (MOVE-OUT-PROVINCE, ND20 Art 8.4)."),
            field="outcome",
        )  # fmt: skip
    if not change.payment_method:
        raise DomainError(_l("Choose how the person is paid."), field="payment_method")
    if change.payment_method == "POST" and not change.payment_point:
        raise DomainError(_l("Give the post office that pays the person."),
                          field="payment_point")  # fmt: skip
    if change.payment_method == "BANK" and not (change.bank_code and change.bank_account):
        raise DomainError(_l("Give the bank and the account number."), field="bank_account")


def _with_change(before: EntitlementInput, change: AllowanceChange, starts: Month):
    held = list(before.categories)
    if change.end_category:
        held = [
            replace(h, to_month=starts - 1)
            if h.code == change.end_category and h.to_month is None
            else h
            for h in held
        ]
    if change.add_category:
        held.append(HeldCategory(change.add_category, starts, None))
    children = before.dependent_children
    if change.dependent_children is not None:
        children = change.dependent_children
    return replace(before, categories=tuple(held), dependent_children=children)


def _amount(person: EntitlementInput, month: Month, rules: RuleBook) -> int:
    found = entitlement_for(person, month, rules)
    return found.amount if found is not None else 0


def _lock(beneficiary: Beneficiary) -> None:
    """The record's row locked until the commit and read again: two decisions about one
    person never interleave (PostgreSQL; SQLite writes one at a time)."""
    db.session.scalar(
        select(Beneficiary)
        .where(Beneficiary.id == beneficiary.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _expire_loaded(model, ids) -> None:
    """Rows written above with plain statements: an object of the session that holds one
    of them is expired, so that it reads the new values (none is loaded on the API path)."""
    session = db.session()
    mapper = inspect(model)
    for row_id in ids:
        loaded = session.identity_map.get(mapper.identity_key_from_primary_key((row_id,)))
        if loaded is not None:
            session.expire(loaded)
