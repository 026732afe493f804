"""A beneficiary's history as their page shows it (issue 25 item 5): each change of the
record (grant, adjustment, suspension, resumption, stop, death) with the decision and the
dossier behind it, read from the audit rows the registry's functions write in the same
transaction as the change (what each batch paid is the page's table of payments)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from benefits.accounts.models import AuditEntry
from benefits.cases.models import Case
from benefits.deaths.models import DeathRecord
from benefits.extensions import db
from benefits.i18n import format_day, format_month
from benefits.labels import PAYMENT_METHOD, category_name, label, place_name
from benefits.month import Month
from benefits.registry.lifecycle import OTHER_STOP_REASONS, STOP_REASONS, SUSPEND_REASONS
from benefits.registry.models import Beneficiary, Decision

# The audit actions that change a record's entitlement (the others, a care support or a
# social pension, have their own tables on the page).
LIFE_ACTIONS = (
    "beneficiary.granted", "registry.adjusted", "registry.suspend", "registry.resumed",
    "registry.stopped", "registry.deceased", "registry.moved",
)  # fmt: skip


@dataclass(frozen=True)
class HistoryEvent:
    at: datetime
    action: str
    details: tuple[str, ...]
    decision: Decision | None
    case_code: str | None


def beneficiary_history(beneficiary: Beneficiary) -> list[HistoryEvent]:
    """Oldest first."""
    rows = db.session.scalars(
        select(AuditEntry)
        .where(
            AuditEntry.object_type == "beneficiary",
            AuditEntry.object_id == beneficiary.code,
            AuditEntry.action.in_(LIFE_ACTIONS),
        )
        .order_by(AuditEntry.id)
    ).all()
    decisions = {
        d.number: d
        for d in db.session.scalars(
            select(Decision).where(
                Decision.commune_code == beneficiary.commune_code,
                Decision.number.in_({_decision_number(r) for r in rows}),
            )
        )  # fmt: skip
    }
    cases = dict(
        db.session.execute(
            select(Case.id, Case.code).where(
                Case.id.in_({d.case_id for d in decisions.values() if d.case_id})
            )
        ).all()
    )
    death = db.session.scalar(
        select(DeathRecord).where(
            DeathRecord.person_id == beneficiary.person_id, DeathRecord.status == "effective"
        )
    )
    events = []
    for row in rows:
        moved = (row.changes or {}).get("commune")
        if (
            row.action == "registry.moved"
            and isinstance(moved, list)
            and row.commune_code != moved[1]
        ):
            continue  # the old commune's copy of the same move
        decision = decisions.get(_decision_number(row))
        events.append(
            HistoryEvent(
                row.at,
                row.action,
                _details(row, death),
                decision,
                cases.get(decision.case_id) if decision else None,
            )  # fmt: skip
        )
    return events


def _decision_number(row: AuditEntry) -> str | None:
    return (row.changes or {}).get("decision")


def _details(row: AuditEntry, death: DeathRecord | None) -> tuple[str, ...]:
    """What the change was, in words (no code on the page)."""
    changes = row.changes or {}
    words = []
    if changes.get("category"):
        words.append(str(category_name(changes["category"])))
    if changes.get("added"):
        words.append(str(_l("added: %(category)s", category=category_name(changes["added"]))))
    if changes.get("ended"):
        words.append(str(_l("ended: %(category)s", category=category_name(changes["ended"]))))
    if changes.get("from"):
        words.append(str(_l("from %(month)s", month=format_month(Month.parse(changes["from"])))))
    last = changes.get("last_entitled_month")
    if isinstance(last, list) and last[-1]:
        words.append(
            str(_l("paid through %(month)s", month=format_month(Month.parse(str(last[-1])))))
        )
    reason = changes.get("reason")
    if reason in STOP_REASONS:
        words.append(str(STOP_REASONS[reason]))
    elif reason in OTHER_STOP_REASONS:
        words.append(str(OTHER_STOP_REASONS[reason]))
    elif reason in SUSPEND_REASONS:
        words.append(str(SUSPEND_REASONS[reason]))
    elif isinstance(reason, str) and reason.startswith("unpaid 3 batches"):
        # The reconciliation's automatic suspension (TT02 Art 2.3.a), worded in English.
        words.append(str(SUSPEND_REASONS["unpaid_three_batches"]))
    if row.action == "registry.deceased" and death is not None:
        words.append(
            str(_l("died on %(day)s (death registration %(number)s)",
                   day=format_day(death.date_of_death), number=death.registration_number))
        )  # fmt: skip
    if isinstance(changes.get("dependent_children"), list):
        words.append(str(_l("children raised: %(number)s",
                            number=changes["dependent_children"][-1])))  # fmt: skip
    if isinstance(changes.get("payment_method"), list):
        words.append(str(label(PAYMENT_METHOD, changes["payment_method"][-1])))
    if isinstance(changes.get("payment_point"), list) and changes["payment_point"][-1]:
        words.append(str(_l("paid at %(point)s", point=changes["payment_point"][-1])))
    if isinstance(changes.get("payee_name"), list) and changes["payee_name"][-1]:
        words.append(str(_l("collected by %(name)s", name=changes["payee_name"][-1])))
    if isinstance(changes.get("commune"), list):
        words.append(f"{place_name(changes['commune'][0])} → {place_name(changes['commune'][1])}")
    if changes.get("top_up_from"):
        words.append(str(_l("months already paid made up from %(month)s",
                            month=format_month(Month.parse(changes["top_up_from"])))))  # fmt: skip
    return tuple(words)
