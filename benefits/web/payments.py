"""The payment officer's pages: batches, their checks and their downloads."""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, abort, render_template, send_file, stream_with_context
from flask_login import current_user
from sqlalchemy import select

from benefits.accounts.policy import commune_filter
from benefits.extensions import db
from benefits.payments.export import csv_chunks, write_xlsx
from benefits.payments.models import PaymentBatch
from benefits.payments.queries import difference_with_last_month, run_checks
from benefits.places.models import Commune

payments_bp = Blueprint("payments", __name__, url_prefix="/payments")


@payments_bp.get("/", endpoint="home")
def payments_home():
    scope = (PaymentBatch.scope_kind == "commune") & commune_filter(
        current_user, PaymentBatch.scope_code
    )
    if not current_user.commune_code:  # a province payment officer
        scope |= (PaymentBatch.scope_kind == "province") & (
            PaymentBatch.scope_code == current_user.province_code
        )
    batches = db.session.scalars(
        select(PaymentBatch).where(scope).order_by(PaymentBatch.month.desc()).limit(100)
    ).all()
    return render_template("payments/home.html", batches=batches)


def _batch_in_scope(batch_id: int) -> PaymentBatch:
    batch = db.session.get(PaymentBatch, batch_id)
    if batch is None:
        abort(404)
    if batch.scope_kind == "commune":
        visible = db.session.scalar(
            select(Commune.code).where(
                Commune.code == batch.scope_code, commune_filter(current_user, Commune.code)
            )
        )
    else:
        visible = not current_user.commune_code and batch.scope_code == current_user.province_code
    if not visible:
        abort(404)
    return batch


@payments_bp.get("/batches/<int:batch_id>")
def batch_detail(batch_id: int):
    batch = _batch_in_scope(batch_id)
    return render_template("payments/batch.html", batch=batch, checks=run_checks(batch),
                           diff=difference_with_last_month(batch))  # fmt: skip


@payments_bp.get("/batches/<int:batch_id>/export.<fmt>")
def batch_export(batch_id: int, fmt: str):
    batch = _batch_in_scope(batch_id)
    name = f"chi-tra-{batch.month}-{batch.scope_code}"
    if fmt == "csv":
        return Response(
            stream_with_context(csv_chunks(batch)),
            mimetype="text/csv; charset=utf-8",
            headers={"Content-Disposition": f"attachment; filename={name}.csv"},
        )
    if fmt == "xlsx":
        with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as tmp:
            write_xlsx(batch, tmp.name)
        return send_file(tmp.name, as_attachment=True, download_name=f"{name}.xlsx")
    abort(404)
