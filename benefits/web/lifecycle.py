"""A beneficiary's life after the grant, on the officer's and the citizen's blueprints
(issue 25, decision 90): the officer opens an adjust, stop, suspend or resume dossier from
the record, lists the people suspended and resumes them; a citizen asks to adjust or stop
an allowance. The dossiers then follow the steps of ``cases.workflow``."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from benefits.accounts.models import AuditEntry
from benefits.accounts.policy import commune_filter, permission_required
from benefits.cases.workflow import file_change_request, open_change_dossier
from benefits.extensions import db
from benefits.people.models import Person
from benefits.places.calendar import vietnam_today
from benefits.registry.forms import CitizenChangeForm, OpenChangeDossierForm
from benefits.registry.lifecycle import resume_allowance
from benefits.registry.models import Beneficiary
from benefits.registry.queries import fetch_moves, fetch_moving_out, fetch_suspended
from benefits.web.auth import request_actor
from benefits.web.citizen import citizen_bp
from benefits.web.officer import _beneficiary_in_scope, officer_bp
from benefits.web.transaction import back_on_refusal, refusals_onto


@officer_bp.post("/registry/<code>/dossier")
@permission_required("registry.edit")
def beneficiary_open_dossier(code: str):
    """1.001776 opened by the officer from the record: being checked at once."""
    found = _beneficiary_in_scope(code)
    form = OpenChangeDossierForm()
    page = back_on_refusal(url_for("officer.beneficiary", code=found.code) + "#change")
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(page)
    case = open_change_dossier(found, form.request.data, request_actor(), vietnam_today(),
                               details=form.details.data)  # fmt: skip
    flash(_("Dossier %(code)s is opened: propose the decision.", code=case.code), "success")
    return redirect(url_for("officer.case_detail", code=case.code) + "#propose")


@officer_bp.get("/suspended")
@permission_required("registry.read")
def suspended():
    """TT02 Art 2.3: the people left out of the batches, with resume and propose a stop."""
    rows = fetch_suspended(commune_filter(current_user, Beneficiary.commune_code))
    return render_template("officer/suspended.html", rows=rows)


@officer_bp.get("/moves")
@permission_required("registry.read")
def moves():
    """ND20 Art 8.3, 8.4: the moves, seen by both communes; a move to another province
    waits until the new commune has granted."""
    rows = fetch_moves(commune_filter(current_user, AuditEntry.commune_code))
    names = dict(
        db.session.execute(
            select(Beneficiary.code, Person.full_name)
            .join(Person)
            .where(Beneficiary.code.in_({row.object_id for row in rows}))
        ).all()
    )
    waiting = fetch_moving_out(commune_filter(current_user, Beneficiary.commune_code))
    return render_template("officer/moves.html", rows=rows, names=names, waiting=waiting)


@officer_bp.post("/registry/<code>/resume")
@permission_required("registry.edit")
def beneficiary_resume(code: str):
    """TT02 Art 6.1.b: the person came back; the held months are paid by the next batch."""
    found = _beneficiary_in_scope(code)
    page = back_on_refusal(url_for("officer.suspended"))
    resume_allowance(found, request_actor())
    flash(_("%(name)s is paid again: the next batch pays the months held.",
            name=found.person.full_name), "success")  # fmt: skip
    return redirect(page)


@citizen_bp.route("/allowance/change", methods=["GET", "POST"])
def allowance_change():
    """The citizen asks to adjust or stop an allowance (1.001776)."""
    form = CitizenChangeForm()
    if form.validate_on_submit():
        with refusals_onto(form, default="national_id") as refused:
            case = file_change_request(
                current_user, form.national_id.data, form.request.data,
                form.relationship.data, form.details.data, request_actor(), vietnam_today(),
            )  # fmt: skip
        if not refused:
            flash(_("Dossier %(code)s is sent to the commune.", code=case.code), "success")
            return redirect(url_for("citizen.dossier", code=case.code))
    elif not form.is_submitted():
        form.national_id.data = current_user.national_id
    return render_template("citizen/allowance_change.html", form=form)
