"""The citizen's pages: apply under a procedure, follow the dossier, answer requests."""

from __future__ import annotations

import uuid
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from benefits.cases.forms import WithdrawDossierForm
from benefits.cases.models import Case
from benefits.cases.queries import draft_deleted_by, fetch_citizen_cases
from benefits.cases.service import (
    WITHDRAWABLE_BY_APPLICANT,
    Application,
    answer_supplement,
    delete_draft,
    save_draft,
    submit_dossier,
    withdraw_dossier,
)
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.notify.service import notifications_for, render
from benefits.payments.citizen_money import my_allowance, own_beneficiaries, own_beneficiary
from benefits.places.calendar import vietnam_today
from benefits.places.search import find_communes
from benefits.procedures.catalogue import procedure
from benefits.procedures.eligibility import category_problem, open_to_new_applications
from benefits.procedures.forms import application_form_class
from benefits.registry.models import Beneficiary
from benefits.rules.models import Category
from benefits.web.auth import request_actor
from benefits.web.transaction import back_on_refusal, once_more_after_a_race, refusals_onto
from benefits.web.uploads import (
    send_case_attachment,
    send_decision_letter,
    upload_folder,
    uploads_from,
)

citizen_bp = Blueprint("citizen", __name__, url_prefix="/me")


def _locale() -> str:
    return str(get_locale() or "vi")


def _own_case(code: str) -> Case:
    case = db.session.scalar(
        select(Case).where(Case.code == code, Case.applicant_user_id == current_user.id)
    )
    if case is None:
        abort(404)
    return case


@citizen_bp.get("/")
def home():
    locale = _locale()
    notes = [(n, render(n, locale)) for n in notifications_for(current_user.id)]
    return render_template("citizen/home.html", cases=fetch_citizen_cases(current_user.id),
                           notifications=notes)  # fmt: skip


def _form_for(proc):
    locale = _locale()
    today = vietnam_today()
    rows = {c.code: c for c in db.session.scalars(select(Category).order_by(Category.article))
            if open_to_new_applications(c, today)}  # fmt: skip
    categories = [
        (c.code, f"{c.name_en if locale == 'en' else c.name_vi} ({c.article})")
        for c in rows.values()
    ]
    form_class = application_form_class(
        proc, locale, categories, find_communes,
        account_national_id=current_user.national_id,
        category_problem=lambda code, born: (
            category_problem(rows[code], born, today) if code in rows else None
        ),
    )  # fmt: skip
    return form_class()


def _typed(field) -> str | None:
    """What was typed in ``field``, or ``None`` when nothing was (a draft may lack it)."""
    return (field.data or "").strip() or None


def _application(proc, form) -> Application:
    declarant = None
    if form.on_behalf.data:
        declarant = {
            "full_name": _typed(form.declarant_name),
            "national_id": _typed(form.declarant_national_id),
            "relationship": _typed(form.declarant_relationship),
            "address": _typed(form.declarant_address),
        }
    return Application(
        procedure_code=proc.code, full_name=_typed(form.full_name),
        date_of_birth=form.date_of_birth.data, sex=form.sex.data or None,
        national_id=_typed(form.national_id), commune_code=_typed(form.commune_code),
        address=_typed(form.address), declarant=declarant, data=form.procedure_data(),
    )  # fmt: skip


@citizen_bp.route("/apply/<code>", methods=["GET", "POST"])
def apply(code: str):
    try:
        proc = procedure(code)
    except DomainError:
        abort(404)
    draft = None
    if draft_id := request.args.get("draft", type=int):
        query = select(Case).where(Case.id == draft_id, Case.applicant_user_id == current_user.id)
        if request.method == "POST":
            query = query.with_for_update()  # a second click waits for the first one's answer
        draft = db.session.scalar(query)
        if draft is None or (draft.status != "draft" and draft.code is None):
            abort(404)
        if draft.status != "draft":
            # Sent already (a second click, or an old "finish later" link): show where it is.
            endpoint = "citizen.receipt" if request.method == "POST" else "citizen.dossier"
            return redirect(url_for(endpoint, code=draft.code))
    form = _form_for(proc)
    if request.method == "GET":
        form.submission_token.data = uuid.uuid4().hex
        _prefill(form, draft, proc)
    elif form.validate_draft() if request.form.get("action") == "draft" else form.validate():
        return _save_or_submit(proc, form, draft)
    elif any(f.filename for f in request.files.getlist(form.attachments.name)):
        # A browser never fills a file input again: the files chosen are gone from the page.
        form.attachments.errors.append(
            _(
                "The files you chose were not kept because of the problems above: choose them "
                "again before you send."
            )  # fmt: skip
        )
    return render_template("citizen/apply.html", form=form, procedure=proc,
                           procedure_name=proc.name(_locale()), draft=draft)  # fmt: skip


def _prefill(form, draft, proc) -> None:
    """For oneself: the account's own details; or the saved draft, with its declarant
    block when it has one. A death's procedure is never for oneself: only the declarant's
    block is filled, and "on behalf" ticked."""
    if draft is not None:
        form.full_name.data = draft.subject_name
        form.national_id.data = draft.subject_national_id
        form.commune_code.data = draft.commune_code
        data = draft.data or {}
        born = data.get("date_of_birth")
        form.date_of_birth.data = date.fromisoformat(born) if born else None
        form.sex.data = data.get("sex")
        form.address.data = data.get("address")
        for name in form._procedure_fields:
            value = data.get(name)
            if value and form[name].type == "DateField":
                value = date.fromisoformat(value)
            form[name].data = value
        declared = {"declarant_name": draft.declarant_name,
                    "declarant_national_id": draft.declarant_national_id,
                    "declarant_relationship": draft.declarant_relationship,
                    "declarant_address": draft.declarant_address}  # fmt: skip
        if any(declared.values()):  # saved with "on behalf" ticked
            form.on_behalf.data = True
            for name, value in declared.items():
                form[name].data = value
            return
    elif not proc.about_a_death:
        form.full_name.data = current_user.full_name
        form.date_of_birth.data = current_user.date_of_birth
        form.sex.data = current_user.sex
        form.national_id.data = current_user.national_id
    if proc.about_a_death:
        form.on_behalf.data = True
    # Used only when "on behalf" is ticked; most who do so are the account holder.
    form.declarant_name.data = current_user.full_name
    form.declarant_national_id.data = current_user.national_id


def _save_or_submit(proc, form, draft):
    application = _application(proc, form)
    uploads = uploads_from(request.files.getlist(form.attachments.name))
    actor = request_actor()
    token = form.submission_token.data

    def send() -> Case:
        if request.form.get("action") == "draft":
            return save_draft(application, current_user.id, token, actor, uploads,
                              upload_folder(), draft=draft)  # fmt: skip
        return submit_dossier(application, current_user.id, token, actor, uploads,
                              upload_folder(), vietnam_today(), draft=draft)[0]  # fmt: skip

    # A refused file, a dossier already open: nothing kept. The same form sent twice at
    # once: the second finds the dossier the first created.
    with refusals_onto(form, default="attachments") as refused:
        case = once_more_after_a_race(send)
    if refused:
        return render_template("citizen/apply.html", form=form, procedure=proc,
                               procedure_name=proc.name(_locale()), draft=draft)  # fmt: skip
    return _after_save(proc, case)


@citizen_bp.route("/drafts/<int:draft_id>/delete", methods=["GET", "POST"])
def draft_delete(draft_id: int):
    """A page asks "delete this draft?"; its button deletes it."""
    draft = db.session.scalar(
        select(Case).where(Case.id == draft_id, Case.applicant_user_id == current_user.id)
    )
    if draft is None:
        if request.method == "POST" and draft_deleted_by(draft_id, current_user.id):
            flash(_("This draft is already deleted."), "info")  # a second click
            return redirect(url_for("citizen.home"))
        abort(404)
    if request.method == "GET":
        if draft.status != "draft":
            return redirect(url_for("citizen.dossier", code=draft.code))
        return render_template("citizen/delete_draft.html", draft=draft)
    # Refused: it was sent meanwhile (it has a code now); its page says where it is.
    back_on_refusal(url_for("citizen.dossier", code=draft.code) if draft.code else
                    url_for("citizen.home"))  # fmt: skip
    delete_draft(draft, request_actor(), upload_folder())
    flash(_("Your draft is deleted."), "success")
    return redirect(url_for("citizen.home"))


def _after_save(proc, case):
    if case.status != "draft":
        return redirect(url_for("citizen.receipt", code=case.code))
    flash(_("Your draft is saved. You can finish it later."), "success")
    return redirect(url_for("citizen.apply", code=proc.code, draft=case.id))


@citizen_bp.get("/dossiers/<code>/receipt")
def receipt(code: str):
    case = _own_case(code)
    name = procedure(case.procedure_code).name(_locale())
    return render_template("citizen/receipt.html", case=case, procedure_name=name)


@citizen_bp.route("/dossiers/<code>", methods=["GET", "POST"])
def dossier(code: str):
    case = _own_case(code)
    answer, errors = "", {}
    if request.method == "POST":
        answer = (request.form.get("message") or "").strip()[:2000]
        uploads = uploads_from(request.files.getlist("attachments"))
        with refusals_onto() as refused:
            answer_supplement(case, answer, uploads, upload_folder(), request_actor(),
                              vietnam_today())  # fmt: skip
        if not refused:
            flash(_("Your answer is sent to the commune office."), "success")
            return redirect(url_for("citizen.dossier", code=case.code))
        # next to the field, the answer kept (a refusal naming none is flashed)
        errors = {error.field: error.message for error in refused if error.field}
    return _dossier_page(case, answer=answer, errors=errors)


@citizen_bp.post("/dossiers/<code>/withdraw")
def dossier_withdraw(code: str):
    case = _own_case(code)
    form = WithdrawDossierForm()
    # A dossier past the steps (or withdrawn by a first click) gets the service's answer,
    # whatever the form holds.
    if case.status in WITHDRAWABLE_BY_APPLICANT and not form.validate_on_submit():
        return _dossier_page(case, withdraw_form=form)
    page = back_on_refusal(url_for("citizen.dossier", code=case.code))
    withdraw_dossier(case, form.reason.data or "", request_actor())
    flash(_("Your dossier is withdrawn: the commune office no longer handles it."), "success")
    return redirect(page)


def _dossier_page(case: Case, answer: str = "", errors: dict | None = None,
                  withdraw_form: WithdrawDossierForm | None = None) -> str:  # fmt: skip
    """The dossier, with the answer to a request for papers and the withdrawal form while
    they apply."""
    if withdraw_form is None and case.status in WITHDRAWABLE_BY_APPLICANT:
        withdraw_form = WithdrawDossierForm(formdata=None)
    name = procedure(case.procedure_code).name(_locale())
    return render_template("citizen/dossier.html", case=case, procedure_name=name,
                           answer=answer, errors=errors or {},
                           withdraw_form=withdraw_form,
                           money=_money_of_decision(case))  # fmt: skip


def _money_of_decision(case: Case):
    """An approved dossier whose decision made or changed a record the citizen is the
    person or the payee of: its monthly amount and where it is collected (decision 170)."""
    decision = case.decision
    if case.status != "approved" or decision is None or decision.beneficiary_id is None:
        return None
    code = db.session.scalar(select(Beneficiary.code).where(
        Beneficiary.id == decision.beneficiary_id))  # fmt: skip
    found = own_beneficiary(current_user.national_id, code) if code else None
    if found is None:
        return None
    return my_allowance(found, current_user.national_id, Month.of(vietnam_today()), lines=False)


@citizen_bp.get("/payments")
def payments():
    """My payments: every record the citizen is the person or the payee of."""
    this_month = Month.of(vietnam_today())
    allowances = [my_allowance(b, current_user.national_id, this_month)
                  for b in own_beneficiaries(current_user.national_id)]  # fmt: skip
    return render_template("citizen/payments.html", allowances=allowances, single=False)


@citizen_bp.get("/payments/<code>")
def payments_of(code: str):
    """One record's payments; a record that is not the citizen's does not exist here."""
    found = own_beneficiary(current_user.national_id, code)
    if found is None:
        abort(404)
    allowance = my_allowance(found, current_user.national_id, Month.of(vietnam_today()))
    return render_template("citizen/payments.html", allowances=[allowance], single=True)


@citizen_bp.get("/dossiers/<code>/decision.pdf")
def decision_letter(code: str):
    """The chairman's decision on the citizen's own dossier (ND20 Art 8.1)."""
    return send_decision_letter(_own_case(code))


@citizen_bp.get("/dossiers/<code>/attachments/<int:attachment_id>")
def attachment(code: str, attachment_id: int):
    return send_case_attachment(_own_case(code), attachment_id)
