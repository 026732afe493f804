"""Which communes a batch holds: the batches of one month never overlap (interchange.md
section 3). Each commune's lines of a month are in exactly one batch, the one holding it
in ``payment_batch_communes`` (its primary key is the month and the commune).

A batch takes its communes when it is opened, in one ``INSERT ... SELECT``: a wider
scope (the country, a province) leaves out the communes that another batch of the month
already holds; a narrower one inside a wider batch of the month is refused, naming it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, delete, exists, func, insert, literal, select, true
from sqlalchemy.exc import IntegrityError

from benefits.errors import DomainError
from benefits.extensions import db
from benefits.i18n import format_month
from benefits.month import Month
from benefits.payments.models import BatchCommune, PaymentBatch
from benefits.places.models import Commune, Province


class BatchesOverlap(DomainError):
    """A commune's lines of a month belong to one batch only."""


def scope_communes(scope_kind: str, scope_code: str | None):
    """The communes of a scope, as a condition on ``Commune``."""
    if scope_kind == "commune":
        return Commune.code == scope_code
    if scope_kind == "province":
        return Commune.province_code == scope_code
    return true()


def batch_name(batch: PaymentBatch) -> str:
    """The batch as the payment officer names it: its id, month and scope."""
    if batch.scope_kind == "national":
        scope = _l("the whole country")
    elif batch.scope_kind == "province":
        province = db.session.get(Province, batch.scope_code)
        scope = province.name if province else batch.scope_code
    else:
        commune = db.session.get(Commune, batch.scope_code)
        scope = commune.name if commune else batch.scope_code
    return str(_l("batch %(id)s of %(month)s (%(scope)s)", id=batch.id,
                  month=format_month(batch.month), scope=scope))  # fmt: skip


def _holders(month: Month, scope_kind: str, scope_code: str | None, except_batch: int | None):
    """The other batches of the month holding communes of the scope, with how many."""
    return db.session.execute(
        select(PaymentBatch, func.count())
        .join(BatchCommune, BatchCommune.batch_id == PaymentBatch.id)
        .join(Commune, Commune.code == BatchCommune.commune_code)
        .where(BatchCommune.month == month, scope_communes(scope_kind, scope_code),
               PaymentBatch.id != (except_batch or 0))
        .group_by(PaymentBatch.id)
        .order_by(PaymentBatch.id)
    ).all()  # fmt: skip


WIDTH = {"commune": 0, "province": 1, "national": 2}


def check_no_wider_batch(
    month: Month, scope_kind: str, scope_code: str | None, batch_id: int | None = None
) -> None:
    """A narrower scope inside a wider batch of the month is refused, naming it."""
    for holder, _count in _holders(month, scope_kind, scope_code, batch_id):
        if WIDTH[holder.scope_kind] > WIDTH[scope_kind] or (
            holder.scope_kind == scope_kind and holder.scope_code != scope_code
        ):
            raise BatchesOverlap(
                _l("The lines of %(month)s for this scope are already in %(batch)s: "
                   "generate that batch instead.", month=format_month(month),
                   batch=batch_name(holder))
            )  # fmt: skip


def cover_communes(batch: PaymentBatch) -> None:
    """The batch takes the communes of its scope that no batch of the month holds
    (set-based), when it is opened and each time it is generated again (a commune whose
    own batch was emptied, decision 67, comes back to the wider one)."""
    check_no_wider_batch(batch.month, batch.scope_kind, batch.scope_code, batch.id)
    held = exists().where(
        BatchCommune.month == batch.month, BatchCommune.commune_code == Commune.code
    )
    rows = select(literal(batch.month.yyyymm), Commune.code, literal(batch.id)).where(
        scope_communes(batch.scope_kind, batch.scope_code), ~held
    )
    try:
        with db.session.begin_nested():
            taken = db.session.execute(
                insert(BatchCommune).from_select(["month", "commune_code", "batch_id"], rows)
            )
    except IntegrityError as error:  # another batch of the month was opened meanwhile
        raise BatchesOverlap(
            _l("Another batch of %(month)s was opened for these communes meanwhile: "
               "generate again to see which.", month=format_month(batch.month))
        ) from error  # fmt: skip
    del taken
    held = db.session.scalar(select(func.count()).where(BatchCommune.batch_id == batch.id))
    if not held:
        raise BatchesOverlap(
            _l("Every commune of this scope already has its batch of %(month)s.",
               month=format_month(batch.month))
        )  # fmt: skip


@dataclass
class LeftOut:
    """Communes of a batch's scope held by another batch of the month."""

    batch: PaymentBatch
    communes: int
    name: str


@dataclass
class Coverage:
    communes: int
    pending: int
    left_out: list[LeftOut]


def batch_coverage(batch: PaymentBatch) -> Coverage:
    """What the batch page says of the batch's communes: how many it holds, and the batches
    that hold those of its scope it leaves out."""
    held, pending = db.session.execute(
        select(func.count(), func.count().filter(BatchCommune.pending))
        .where(BatchCommune.batch_id == batch.id)
    ).one()  # fmt: skip
    left_out = [
        LeftOut(holder, count, batch_name(holder))
        for holder, count in _holders(batch.month, batch.scope_kind, batch.scope_code, batch.id)
    ]
    return Coverage(int(held), int(pending), left_out)


def release_communes(batch: PaymentBatch) -> None:
    """An emptied batch holds no commune: its months are paid by the batch that takes
    them next (decision 67)."""
    db.session.execute(delete(BatchCommune).where(BatchCommune.batch_id == batch.id))


def covered_communes(batch: PaymentBatch, province_code: str | None = None):
    """The codes of the communes the batch holds (in ``province_code`` only, if given)."""
    query = select(BatchCommune.commune_code).where(BatchCommune.batch_id == batch.id)
    if province_code is not None:
        query = query.join(Commune, Commune.code == BatchCommune.commune_code).where(
            Commune.province_code == province_code
        )
    return query


def provinces_of(batch: PaymentBatch) -> list[str]:
    """The provinces with at least one commune in the batch, in code order."""
    return list(db.session.scalars(
        select(Commune.province_code).distinct()
        .join(BatchCommune, and_(BatchCommune.commune_code == Commune.code,
                                 BatchCommune.batch_id == batch.id))
        .order_by(Commune.province_code)
    ))  # fmt: skip
