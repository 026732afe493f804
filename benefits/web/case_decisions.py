"""The commune's steps after checking, on the officer's blueprint (decision 78): the
officer proposes, posts publicly and takes complaints; the chairman decides. Each view
reads its form, calls ``cases.workflow`` and commits; a refusal is shown next to its field
and changes nothing."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from benefits.accounts.policy import commune_filter, has_permission, permission_required
from benefits.cases.effects import request_of
from benefits.cases.forms import (
    BackToCheckingForm,
    ComplaintAnswerForm,
    ComplaintForm,
    DecisionForm,
    ProposalForm,
)
from benefits.cases.models import Case, CaseComplaint
from benefits.cases.queries import fetch_posted
from benefits.cases.workflow import (
    Proposal,
    answer_complaint,
    back_to_checking,
    decide,
    posting_notice,
    propose,
    record_complaint,
    send_to_chairman,
)
from benefits.errors import AlreadyRecorded
from benefits.extensions import db
from benefits.places.calendar import vietnam_today
from benefits.places.models import place_names
from benefits.web.auth import request_actor
from benefits.web.officer import _case_in_scope, officer_bp, render_case_page
from benefits.web.transaction import back_on_refusal, refusals_onto
from benefits.web.uploads import send_decision_letter


def _to_case(case, anchor: str = ""):
    return redirect(url_for("officer.case_detail", code=case.code) + anchor)


@officer_bp.get("/posting")
def posting_notice_page():
    """The notice the commune posts at its office (ND20 Art 8.1), ready to print."""
    cases = fetch_posted(commune_filter(current_user, Case.commune_code))
    return render_template("officer/posting.html", lines=posting_notice(cases),
                           places=place_names({c.commune_code for c in cases}
                                              | {current_user.commune_code} - {None}),
                           today=vietnam_today())  # fmt: skip


@officer_bp.post("/cases/<code>/propose")
@permission_required("case.check")
def case_propose(code: str):
    case = _case_in_scope(code)
    form = ProposalForm()
    if form.validate_on_submit():
        # An adjust dossier's category is one to add (decision 90).
        changing = request_of(case) != "grant"
        category = form.category.data or None
        proposal = Proposal(
            outcome=form.outcome.data, reasons=(form.reasons.data or "").strip() or None,
            category=None if changing else category,
            add_category=category if changing else None,
            dependent_children=form.dependent_children.data,
            payment_method=form.payment_method.data or None,
            payment_point=(form.payment_point.data or "").strip() or None,
            bank_code=(form.bank_code.data or "").strip() or None,
            bank_account=(form.bank_account.data or "").strip() or None,
            housing=form.housing.data or None,
            **_stripped(form, "from_month", "end_category", "stop_reason", "suspend_reason",
                        "payee_name", "payee_national_id"),
        )  # fmt: skip
        with refusals_onto(form, default="outcome") as refused:
            propose(case, proposal, request_actor(), vietnam_today())
        if not refused:
            flash(_("The proposal is posted publicly.") if case.status == "posting"
                  else _("The proposal is sent to the chairman."), "success")  # fmt: skip
            return _to_case(case)
    return render_case_page(case, proposal_form=form)


def _stripped(form, *names: str) -> dict:
    return {name: (getattr(form, name).data or "").strip() or None for name in names}


@officer_bp.post("/cases/<code>/send-to-chairman")
@permission_required("case.check")
def case_send_to_chairman(code: str):
    case = _case_in_scope(code)
    back_on_refusal(url_for("officer.case_detail", code=case.code))
    send_to_chairman(case, request_actor(), vietnam_today())
    flash(_("The proposal is sent to the chairman."), "success")
    return _to_case(case)


@officer_bp.post("/cases/<code>/back-to-checking")
def case_back_to_checking(code: str):
    """The officer takes back a posted proposal; the chairman sends a proposal back."""
    case = _case_in_scope(code)
    allowed = "case.check" if case.status == "posting" else "case.decide"
    if not has_permission(current_user, allowed):
        abort(404)  # as ``permission_required``: nothing leaks
    form = BackToCheckingForm()
    if form.validate_on_submit():
        with refusals_onto(form, default="note") as refused:
            back_to_checking(case, form.note.data, request_actor())
        if not refused:
            flash(_("The dossier is back to checking."), "success")
            return _to_case(case)
    return render_case_page(case, back_form=form)


@officer_bp.post("/cases/<code>/complaints")
@permission_required("case.check")
def case_record_complaint(code: str):
    case = _case_in_scope(code)
    form = ComplaintForm()
    if form.validate_on_submit():
        back_on_refusal(url_for("officer.case_detail", code=case.code) + "#complaints")
        with refusals_onto(form, default="text", passing=AlreadyRecorded) as refused:
            record_complaint(case, form.complainant.data, form.text.data, request_actor(),
                             vietnam_today())  # fmt: skip
        if not refused:
            flash(_("The complaint is recorded."), "success")
            return _to_case(case, "#complaints")
    return render_case_page(case, complaint_form=form)


@officer_bp.post("/cases/<code>/complaints/<int:complaint_id>/answer")
@permission_required("case.check")
def case_answer_complaint(code: str, complaint_id: int):
    case = _case_in_scope(code)
    row = db.session.get(CaseComplaint, complaint_id)
    if row is None or row.case_id != case.id:
        abort(404)
    form = ComplaintAnswerForm()
    if form.validate_on_submit():
        with refusals_onto(form, default="answer") as refused:
            answer_complaint(row, form.answer.data, request_actor(), vietnam_today())
        if not refused:
            flash(_("The answer is recorded."), "success")
            return _to_case(case, "#complaints")
    return render_case_page(case, answer_form=form, answering=complaint_id)


@officer_bp.post("/cases/<code>/decide")
@permission_required("case.decide")
def case_decide(code: str):
    case = _case_in_scope(code)
    form = DecisionForm()
    if form.validate_on_submit():
        back_on_refusal(url_for("officer.case_detail", code=case.code))
        # A second click (AlreadyRecorded) goes back to the page, which shows the decision.
        with refusals_onto(form, default="outcome", passing=AlreadyRecorded) as refused:
            decide(case, form.outcome.data == "approve", form.reasons.data, request_actor(),
                   vietnam_today())  # fmt: skip
        if not refused:
            flash(_("Decision %(number)s is signed.", number=case.decision.number), "success")
            return _to_case(case)
    return render_case_page(case, decision_form=form)


@officer_bp.get("/cases/<code>/decision.pdf")
def case_decision_letter(code: str):
    return send_decision_letter(_case_in_scope(code))
