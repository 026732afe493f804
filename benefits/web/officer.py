"""The commune officer's and chairman's pages: the queue, dossiers, registry, deaths."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from benefits.accounts.forms import DeskPasswordForm
from benefits.accounts.models import AuditEntry, User
from benefits.accounts.policy import commune_filter, has_permission, permission_required
from benefits.accounts.service import issue_temporary_password
from benefits.cases.forms import (
    BackToCheckingForm,
    ComplaintAnswerForm,
    ComplaintForm,
    DecisionForm,
    ProposalForm,
)
from benefits.cases.models import CASE_STATUSES, STATUS_LABELS, Case
from benefits.cases.queries import (
    QueueFilter,
    complaints_overdue,
    deadline_flag,
    event_actor_names,
    fetch_commune_queue,
    fetch_recently_closed,
    queue_counts,
)
from benefits.cases.queue_forms import QueueSearchForm
from benefits.cases.service import request_supplement, start_checking
from benefits.deaths.forms import AcceptDeathForm, CancelDeathForm, RecordDeathForm
from benefits.deaths.linked_dossier import accept_linked_death_dossier
from benefits.deaths.models import DeathRecord
from benefits.deaths.service import DeathReport, cancel_death, record_death
from benefits.extensions import db
from benefits.forms import select_choices
from benefits.labels import PAYMENT_METHOD, procedure_name
from benefits.month import Month
from benefits.payments.models import Overpayment, PaymentBatch, PaymentLine
from benefits.payments.recovery import record_repayment, recoveries_of, waive
from benefits.payments.recovery_forms import RepaymentForm, WaiverForm, parse_vnd
from benefits.places.calendar import vietnam_today
from benefits.procedures.catalogue import PROCEDURES
from benefits.registry.care_support import care_group_choices, grant_care_support
from benefits.registry.forms import (
    CareSupportForm,
    EndSocialPensionForm,
    OpenChangeDossierForm,
    SocialPensionForm,
)
from benefits.registry.history import beneficiary_history
from benefits.registry.models import Beneficiary, CareSupport, SocialPensionPeriod
from benefits.registry.queries import PAGE as REGISTRY_PAGE
from benefits.registry.queries import search_beneficiaries
from benefits.registry.social_pension import end_social_pension, record_social_pension
from benefits.rules.entitlement import (
    EntitlementInput,
    RuleBook,
    care_support_rate,
    entitlement_for,
)
from benefits.rules.models import Category
from benefits.web.auth import request_actor
from benefits.web.queue_search import format_key, parse_key, queue_filter, queue_url, search_args
from benefits.web.transaction import back_on_refusal, refusals_onto
from benefits.web.uploads import send_case_attachment

officer_bp = Blueprint("officer", __name__, url_prefix="/officer")


@officer_bp.get("/", endpoint="home")
def officer_home():
    """The case queue: the search and filters of decision 121, a keyset page of what they
    find with its counts, and the dossiers closed lately."""
    today = vietnam_today()
    scope = commune_filter(current_user, Case.commune_code)
    procedures = _queue_procedures()
    flt, lost = queue_filter(request.args, {code for code, _name in procedures})
    if lost:
        flash(_("For privacy the ID number is not kept in the link: type it again."), "info")
    form = _queue_form(
        procedures,
        formdata=None,
        data={
            "q": request.args.get("who") if flt.national_id else flt.text,
            "procedure": flt.procedure or "",
            "state": flt.state,
            "deadline": flt.deadline or "",
        },
    )
    return _render_queue(form, flt, scope, today)


@officer_bp.post("/queue/search")
def queue_search():
    """The search form, sent by POST: an ID number typed into it stays out of the URL."""
    procedures = _queue_procedures()
    form = _queue_form(procedures)
    if form.validate_on_submit():
        return redirect(queue_url(form.q.data or "", form.procedure.data, form.state.data,
                                  form.deadline.data))  # fmt: skip
    today = vietnam_today()
    return _render_queue(form, QueueFilter(), commune_filter(current_user, Case.commune_code),
                         today)  # fmt: skip


def _queue_procedures() -> list[tuple[str, str]]:
    return [(p.code, procedure_name(p.code)) for p in PROCEDURES]


def _queue_form(procedures, **kwargs) -> QueueSearchForm:
    states = [(s, STATUS_LABELS[s]) for s in CASE_STATUSES if s != "draft"]
    return QueueSearchForm(procedures=procedures, states=states, **kwargs)


def _render_queue(form, flt: QueueFilter, scope, today: date):
    page = fetch_commune_queue(scope, parse_key(request.args.get("after")), flt=flt,
                               today=today)  # fmt: skip
    return render_template(
        "officer/home.html", form=form, page=page, flt=flt, cases=page.cases,
        searching=flt != QueueFilter(), search=search_args(request.args),
        counts=queue_counts(scope, today),
        flags={c.id: deadline_flag(c, today) for c in page.cases},
        complaints_late=complaints_overdue([c.id for c in page.cases], today),
        next_after=format_key(page.next_after), closed=fetch_recently_closed(scope),
    )  # fmt: skip


def _case_in_scope(code: str) -> Case:
    case = db.session.scalar(
        select(Case).where(Case.code == code, commune_filter(current_user, Case.commune_code))
    )
    if case is None:
        abort(404)
    return case


@officer_bp.get("/cases/<code>")
def case_detail(code: str):
    return render_case_page(_case_in_scope(code))


def render_case_page(case: Case, **forms):
    """The dossier's page, with the form of each step it may take next; ``forms`` are
    the ones sent back with their errors."""
    locale = str(get_locale() or "vi")
    proposal = forms.pop("proposal_form", None) or _proposal_form(case)
    proposal.category.choices = select_choices([("", "")] + [
        (c.code, f"{c.name_en if locale == 'en' else c.name_vi} ({c.article})")
        for c in db.session.scalars(select(Category).order_by(Category.article))
    ])  # fmt: skip
    proposal.payment_method.choices = select_choices([("", ""), *PAYMENT_METHOD.items()])
    proposal.end_category.choices = proposal.category.choices
    return render_template(
        "officer/case.html", case=case, actors=event_actor_names(case),
        accept_form=AcceptDeathForm(), proposal_form=proposal,
        complaint_form=forms.pop("complaint_form", None) or ComplaintForm(),
        answer_form=forms.pop("answer_form", None) or ComplaintAnswerForm(),
        back_form=forms.pop("back_form", None) or BackToCheckingForm(),
        decision_form=forms.pop("decision_form", None) or DecisionForm(),
        today=vietnam_today(), **forms,
    )  # fmt: skip


def _proposal_form(case: Case) -> ProposalForm:
    """A new proposal starts from what the dossier asks for (or the last proposal, for a
    dossier sent back to checking)."""
    asked = case.data or {}
    last = case.proposal or {}
    form = ProposalForm(formdata=None, data={
        "outcome": last.get("outcome"), "reasons": last.get("reasons"),
        "category": last.get("category") or asked.get("category"),
        "dependent_children": last.get("dependent_children") or asked.get("dependent_children"),
        "payment_method": last.get("payment_method") or "POST",
        "payment_point": last.get("payment_point"), "bank_code": last.get("bank_code"),
        "bank_account": last.get("bank_account"), "housing": last.get("housing"),
        **_change_terms(case, last),
    })  # fmt: skip
    return form


def _change_terms(case: Case, last: dict) -> dict:
    """An adjust, stop or suspend dossier (decision 90): its own terms; no way of payment
    is pre-filled (left blank, the payment is unchanged)."""
    request = (case.data or {}).get("request")
    if not request or request == "grant":
        return {}
    names = ("from_month", "stop_reason", "suspend_reason", "end_category", "payee_name",
             "payee_national_id")  # fmt: skip
    terms = {name: last.get(name) or (case.data or {}).get(name) for name in names}
    return {**terms, "payment_method": last.get("payment_method") or "",
            "category": last.get("add_category")}  # fmt: skip


@officer_bp.post("/cases/<code>/supplement")
@permission_required("case.check")
def case_request_supplement(code: str):
    case = _case_in_scope(code)
    message = (request.form.get("message") or "").strip()
    if not message:
        flash(_("Say which papers are missing."), "error")
    else:
        back_on_refusal(url_for("officer.case_detail", code=case.code))
        request_supplement(case, message[:2000], request_actor())
        flash(_("The request is sent to the applicant."), "success")
    return redirect(url_for("officer.case_detail", code=case.code))


@officer_bp.post("/cases/<code>/check")
@permission_required("case.check")
def case_start_checking(code: str):
    case = _case_in_scope(code)
    page = back_on_refusal(url_for("officer.case_detail", code=case.code))
    start_checking(case, request_actor())
    return redirect(page)


@officer_bp.post("/cases/<code>/accept-death")
@permission_required("case.check")
def case_accept_death(code: str):
    case = _case_in_scope(code)
    form = AcceptDeathForm()
    if not form.validate_on_submit():
        for message in form.confirm.errors:
            flash(message, "error")
        return redirect(url_for("officer.case_detail", code=case.code) + "#accept-death")
    page = back_on_refusal(url_for("officer.case_detail", code=case.code))
    accept_linked_death_dossier(case, request_actor(), vietnam_today())
    flash(_("The death is recorded."), "success")
    return redirect(page)


@officer_bp.get("/cases/<code>/attachments/<int:attachment_id>")
def case_attachment(code: str, attachment_id: int):
    return send_case_attachment(_case_in_scope(code), attachment_id)


@officer_bp.get("/registry")
@permission_required("registry.read")
def registry():
    found = search_beneficiaries(
        commune_filter(current_user, Beneficiary.commune_code),
        request.args.get("q", ""),
        request.args.get("after", type=int),
    )
    after = found[-1].id if len(found) == REGISTRY_PAGE else None
    return render_template("officer/registry.html", beneficiaries=found, after=after)


def _beneficiary_in_scope(code: str) -> Beneficiary:
    found = db.session.scalar(
        select(Beneficiary).where(
            Beneficiary.code == code, commune_filter(current_user, Beneficiary.commune_code)
        )
    )
    if found is None:
        abort(404)
    return found


@officer_bp.get("/registry/<code>")
@permission_required("registry.read")
def beneficiary(code: str):
    found = _beneficiary_in_scope(code)
    editor = has_permission(current_user, "registry.edit")
    return _beneficiary_page(
        found, SocialPensionForm() if editor else None, _care_form() if editor else None
    )


def _care_form() -> CareSupportForm:
    return CareSupportForm(care_groups=care_group_choices(str(get_locale() or "vi")))


@officer_bp.post("/registry/<code>/care-support")
@permission_required("registry.edit")
def beneficiary_care_support(code: str):
    """ND20 Art 20: record who is paid to care for the beneficiary, from a month."""
    found = _beneficiary_in_scope(code)
    form = _care_form()
    if form.validate_on_submit():
        with refusals_onto(form, "care_group", {"national_id": "carer_national_id"}) as refused:
            grant_care_support(
                found, form.care_group.data, form.carer_name.data.strip(),
                form.carer_national_id.data or None, Month.parse(form.from_month.data),
                request_actor(),
                to_month=Month.parse(form.to_month.data) if form.to_month.data else None,
            )  # fmt: skip
        if not refused:
            flash(_("The care support is recorded."), "success")
            return redirect(url_for("officer.beneficiary", code=found.code) + "#care-support")
    return _beneficiary_page(found, None, form)


@officer_bp.post("/registry/<code>/social-pension")
@permission_required("registry.edit")
def beneficiary_social_pension(code: str):
    """Decree 176/2025: record that the person receives the social pension from a month."""
    found = _beneficiary_in_scope(code)
    form = SocialPensionForm()
    if form.validate_on_submit():
        with refusals_onto(form, default="from_month") as refused:
            record_social_pension(
                found, Month.parse(form.from_month.data),
                Month.parse(form.to_month.data) if form.to_month.data else None,
                form.reference.data, request_actor(),
                poor_or_near_poor=form.poor_or_near_poor.data,
            )  # fmt: skip
        if not refused:
            flash(_("The social pension is recorded."), "success")
            return redirect(url_for("officer.beneficiary", code=found.code))
    return _beneficiary_page(found, form, None)


@officer_bp.post("/registry/<code>/social-pension/<int:period_id>/end")
@permission_required("registry.edit")
def beneficiary_social_pension_end(code: str, period_id: int):
    """Decree 176/2025: the person no longer receives the social pension after a month."""
    found = _beneficiary_in_scope(code)
    period = db.session.get(SocialPensionPeriod, period_id)
    if period is None or period.beneficiary_id != found.id:
        abort(404)
    form = EndSocialPensionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    else:
        back_on_refusal(url_for("officer.beneficiary", code=found.code) + "#social-pension")
        end_social_pension(period, Month.parse(form.last_month.data), request_actor())
        flash(_("The end of the social pension is recorded."), "success")
    return redirect(url_for("officer.beneficiary", code=found.code) + "#social-pension")


def _beneficiary_page(
    found: Beneficiary,
    pension_form: SocialPensionForm | None,
    care_form: CareSupportForm | None = None,
):
    rules = RuleBook.load(db.session)
    person = EntitlementInput.of(found)
    this_month = Month.of(vietnam_today())
    months = [
        (m, entitlement_for(person, m, rules)) for m in (this_month - 12).until(this_month + 3)
    ]
    lines = db.session.scalars(
        select(PaymentLine).where(PaymentLine.beneficiary_id == found.id).order_by(
            PaymentLine.id.desc()).limit(24)
    ).all()  # fmt: skip
    overpayments = db.session.scalars(
        select(Overpayment).where(Overpayment.beneficiary_id == found.id).order_by(Overpayment.id)
    ).all()
    recoveries = recoveries_of([o.id for o in overpayments])
    # Each line's batch named by the month it pays.
    batch_months = dict(
        db.session.execute(
            select(PaymentBatch.id, PaymentBatch.month).where(
                PaymentBatch.id.in_({line.batch_id for line in lines})
            )
        ).all()
    )
    care_supports = db.session.scalars(
        select(CareSupport).where(CareSupport.beneficiary_id == found.id).order_by(
            CareSupport.from_month)
    ).all()  # fmt: skip
    # ND20 Art 20: what each care record pays this month (none outside its months).
    care_this_month = {
        c.id: care_support_rate(c.care_group, found.person.date_of_birth, person.province_code,
                                this_month, rules, person.categories)
        for c in care_supports
        if c.from_month <= this_month and (c.to_month is None or this_month <= c.to_month)
    }  # fmt: skip
    # Who acted, by name (a staff member), else the system's label ("demo", "cli").
    audit = db.session.execute(
        select(AuditEntry, User.full_name)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .where(AuditEntry.object_type == "beneficiary", AuditEntry.object_id == found.code)
        .order_by(AuditEntry.id.desc())
        .limit(50)
    ).all()
    # Issue 25: an adjust, stop, suspend or resume dossier opened from the record.
    change_form = OpenChangeDossierForm() if has_permission(current_user, "registry.edit") else None
    return render_template("officer/beneficiary.html", beneficiary=found, months=months,
                           change_form=change_form, history=beneficiary_history(found),
                           lines=lines, batch_months=batch_months,
                           overpayments=overpayments, recoveries=recoveries, audit=audit,
                           can_recover=has_permission(current_user, "registry.edit"),
                           care_supports=care_supports, care_form=care_form,
                           care_this_month=care_this_month,
                           care_labels=dict(care_group_choices(str(get_locale() or "vi"))),
                           pension_form=pension_form)  # fmt: skip


def _overpayment_of(found: Beneficiary, overpayment_id: int) -> Overpayment:
    overpayment = db.session.get(Overpayment, overpayment_id, with_for_update=True)
    if overpayment is None or overpayment.beneficiary_id != found.id:
        abort(404)
    return overpayment


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


@officer_bp.post("/registry/<code>/overpayments/<int:overpayment_id>/repayment")
@permission_required("registry.edit")
def overpayment_repayment(code: str, overpayment_id: int):
    """Issue 25 item 8: the person paid back part or all of an overpayment."""
    return _overpayment_step(
        code, overpayment_id, RepaymentForm(), _("The repayment is recorded."),
        lambda overpayment, form: record_repayment(
            overpayment, parse_vnd(form.amount.data), form.on_date.data, request_actor(),
            vietnam_today(),
        ),
    )  # fmt: skip


@officer_bp.post("/registry/<code>/overpayments/<int:overpayment_id>/waiver")
@permission_required("registry.edit")
def overpayment_waiver(code: str, overpayment_id: int):
    """Issue 25 item 8: what remains of an overpayment is not recovered, for a reason."""
    return _overpayment_step(
        code, overpayment_id, WaiverForm(), _("The rest of the overpayment is waived."),
        lambda overpayment, form: waive(overpayment, form.reason.data, request_actor(),
                                        vietnam_today()),
    )  # fmt: skip


def _overpayment_step(code: str, overpayment_id: int, form, done: str, step):
    """One step of recovering an overpayment, back to the beneficiary's overpayments."""
    found = _beneficiary_in_scope(code)
    overpayment = _overpayment_of(found, overpayment_id)
    page = url_for("officer.beneficiary", code=found.code) + "#overpayments"
    if not form.validate_on_submit():
        _flash_form_errors(form)
        return redirect(page)
    back_on_refusal(page)
    step(overpayment, form)
    flash(done, "success")
    return redirect(page)


@officer_bp.route("/citizen-password", methods=["GET", "POST"], endpoint="citizen_password")
@permission_required("citizen_password.reset")
def citizen_password():
    """A citizen without email who forgot their password, at the one-stop desk."""
    form = DeskPasswordForm()
    if form.validate_on_submit():
        with refusals_onto(form, default="national_id") as refused:
            citizen, temporary = issue_temporary_password(
                form.national_id.data, form.date_of_birth.data, request_actor(),
                current_user.commune_code,
            )  # fmt: skip
        if not refused:
            page = render_template("officer/citizen_password_given.html", citizen=citizen,
                                   temporary=temporary)  # fmt: skip
            return page, 200, {"Cache-Control": "no-store"}
    return render_template("officer/citizen_password.html", form=form)


@officer_bp.route("/deaths", methods=["GET", "POST"])
@permission_required("registry.read")
def deaths():
    """Record a death by hand (same engine as the civil registry) and review duplicates."""
    form = RecordDeathForm()
    if request.method == "POST" and not has_permission(current_user, "case.check"):
        abort(404)
    if form.validate_on_submit():
        report = DeathReport(
            registration_number=form.registration_number.data.strip(),
            national_id=form.national_id.data.strip(), full_name=form.full_name.data.strip(),
            date_of_death=form.date_of_death.data, registered_on=form.registered_on.data,
            commune_code=current_user.commune_code,
            declarant={"full_name": form.declarant_name.data.strip(),
                       "national_id": form.declarant_national_id.data.strip(),
                       "relationship": (form.declarant_relationship.data or "").strip() or None},
        )  # fmt: skip
        # Next to the ID number, or else to the registration number.
        with refusals_onto(form, default="registration_number") as refused:
            record, _created = record_death(report, request_actor(), "officer", vietnam_today(),
                                            residents_only=True)  # fmt: skip
        if not refused:
            funeral = (record.response or {}).get("funeral_allowance")
            flash(_("The death is recorded.") + (f" {funeral['case_code']}" if funeral else ""),
                  "success")  # fmt: skip
            return redirect(url_for("officer.deaths"))
    records = db.session.scalars(
        select(DeathRecord)
        .where(commune_filter(current_user, DeathRecord.commune_code))
        .order_by(DeathRecord.id.desc())
        .limit(100)
    ).all()
    return render_template("officer/deaths.html", form=form, records=records,
                           visible=_followable_codes(records), cancel_form=CancelDeathForm(),
                           cancellable=_cancellable)  # fmt: skip


def _cancellable(record: DeathRecord) -> bool:
    """An officer takes back only a death recorded by hand in their commune, and in
    effect (a duplicate did nothing); one from the civil registry is corrected there, and
    comes back through its API."""
    return record.source == "officer" and record.status == "effective"


@officer_bp.post("/deaths/<registration_number>/cancel")
@permission_required("case.check")
def cancel_recorded_death(registration_number: str):
    record = db.session.scalar(
        select(DeathRecord).where(
            DeathRecord.registration_number == registration_number,
            commune_filter(current_user, DeathRecord.commune_code),
        )
    )
    if record is None or not _cancellable(record):
        abort(404)
    form = CancelDeathForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("officer.deaths"))
    back_on_refusal(url_for("officer.deaths"))
    cancel_death(registration_number, form.reason.data.strip(), request_actor())
    flash(_("The record %(number)s is cancelled.", number=registration_number), "success")
    return redirect(url_for("officer.deaths"))


def _followable_codes(records: list[DeathRecord]) -> set[str]:
    """The beneficiaries and funeral dossiers the deaths named that the officer may open
    (their commune's): those are linked on the page, the others only named."""
    answers = [r.response or {} for r in records]
    beneficiaries = {(a.get("beneficiary") or {}).get("code") for a in answers} - {None}
    cases = {(a.get("funeral_allowance") or {}).get("case_code") for a in answers} - {None}
    found = db.session.scalars(
        select(Beneficiary.code).where(
            Beneficiary.code.in_(beneficiaries),
            commune_filter(current_user, Beneficiary.commune_code),
        )
    ).all()
    found += db.session.scalars(
        select(Case.code).where(
            Case.code.in_(cases), commune_filter(current_user, Case.commune_code)
        )
    ).all()
    return set(found)
