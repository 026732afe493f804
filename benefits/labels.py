"""How the codes the registry and the payments store read on a page, in the reader's
language: a status, a payment method, a kind of line, a category, an overpayment's reason,
a note the system wrote in a dossier's timeline."""

from __future__ import annotations

import contextlib
from datetime import date

from flask import g
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from benefits.cases.models import DEATH_CANCELLED_NOTE, DEATH_RECORDED_NOTE, NO_ANSWER_NOTE
from benefits.errors import NotFound
from benefits.extensions import db
from benefits.i18n import format_day
from benefits.payments.models import DEATH_REASON, INTERRUPTED, PAID_AFTER_UNPAID
from benefits.places.models import place_names
from benefits.procedures.catalogue import procedure
from benefits.rules.models import Category

BENEFICIARY_STATUS = {
    "active": _l("Receiving"),
    "suspended": _l("Suspended"),
    "stopped": _l("Stopped"),
    "deceased": _l("Deceased"),
}
PAYMENT_METHOD = {
    "POST": _l("At the post office"),
    "BANK": _l("Bank transfer"),
    "COMMUNE": _l("At the commune office"),
}
ROLE = {
    "officer": _l("Commune officer"),
    "chairman": _l("Commune chairman"),
    "payment": _l("Payment officer"),
    "admin": _l("Province admin"),
    "citizen": _l("Citizen"),
}
BATCH_STATUS = {"open": _l("Open"), "locked": _l("Locked")}
# A province's generation job in a run (``payments.runs``).
JOB_STATE = {
    "queued": _l("Waiting for a worker"),
    "running": _l("Running"),
    "done": _l("Done"),
    "failed": _l("Failed"),
    "interrupted": _l("Interrupted"),
}
LINE_STATUS = {
    "open": _l("Not reported yet"),
    "paid": _l("Paid"),
    "unpaid": _l("Unpaid (carried into the next batch)"),
    "do_not_pay": _l("Do not pay"),
}
LINE_KIND = {
    "ALLOWANCE": _l("Monthly allowance"),
    "CARE_SUPPORT": _l("Care support"),
    "FUNERAL": _l("Funeral support"),
    "ONE_OFF": _l("One-off support"),
}


AUDIT_ACTION = {
    "account.create": _l("Staff account created"),
    "account.register": _l("Citizen account registered"),
    "account.login": _l("Signed in"),
    "account.login_failed": _l("Sign-in refused"),
    "account.logout": _l("Signed out"),
    "account.password_changed": _l("Password changed"),
    "account.password_reset_requested": _l("Password reset link asked for"),
    "account.password_reset": _l("Password reset through the emailed link"),
    "account.temporary_password": _l("Temporary password given at the commune's desk"),
    "api_client.create": _l("API client created"),
    "api_client.revoke": _l("API client revoked"),
    "case.draft_saved": _l("Application draft saved"),
    "case.draft_deleted": _l("Application draft deleted"),
    "death.recorded": _l("Death recorded"),
    "death.cancelled": _l("Death registration cancelled"),
    "death.duplicate": _l("Death reported again (possible duplicate)"),
    "payments.generate": _l("Payment batch generated"),
    "payments.lock": _l("Payment batch locked"),
    "payments.empty": _l("Open payment batch emptied"),
    "payments.reconcile": _l("Post office result recorded"),
    "payments.do_not_pay": _l("Payment line stopped"),
    "payments.overpayment": _l("Overpayment recorded"),
    "payments.paid_after_release": _l("Line paid after its months were released"),
    "registry.import": _l("Caseload imported"),
    "registry.care_support": _l("Care support recorded"),
    "registry.deceased": _l("Beneficiary recorded deceased"),
    "registry.suspend": _l("Beneficiary suspended"),
    "registry.resumed": _l("Beneficiary resumed"),
    "registry.social_pension_recorded": _l("Social pension recorded"),
    "registry.social_pension_ended": _l("Social pension ended"),
    "rules.standard_level_added": _l("Standard level added"),
    "payments.correct_line": _l("Payment line corrected (post office result)"),
    # Issue 25: what the chairman's decisions change in the registry.
    "registry.stopped": _l("Allowance stopped"),
    "registry.adjusted": _l("Allowance adjusted"),
    "death.applied": _l("Death applied to a person known later"),
    # A province admin looks after staff accounts (decision 120).
    "account.update": _l("Staff account changed"),
    "account.deactivated": _l("Staff account deactivated"),
    "account.reactivated": _l("Staff account activated again"),
    "account.password_reset_sent": _l("Password reset link sent by the admin"),
    "beneficiary.granted": _l("Allowance granted"),
    "registry.moved": _l("Beneficiary moved to another commune"),
    # Actions written without words before (decision 122).
    "case.proposal": _l("Dossier: result proposed to the chairman"),
    "case.decision": _l("Dossier: decision of the chairman"),
    "case.complaint": _l("Dossier: complaint about the posting recorded"),
    "case.complaint_answered": _l("Dossier: complaint answered"),
    "payments.run.start": _l("Payment generation started"),
    "payments.job.start": _l("Payment generation of a commune started"),
    "payments.job.done": _l("Payment generation of a commune done"),
    "payments.job.fail": _l("Payment generation of a commune failed"),
    "payments.job.rerun": _l("Payment generation of a commune started again"),
    # Issue 25 item 8: an overpayment recovered (decision 172).
    "payments.overpayment_repayment": _l("Overpayment: repayment recorded"),
    "payments.overpayment_waiver": _l("Overpayment: the rest waived"),
    "payments.overpayment_offset": _l("Overpayment: deducted from a payment"),
}


AUDIT_OBJECT = {
    "case": _l("Dossier"),
    "beneficiary": _l("Beneficiary"),
    "death": _l("Death registration"),
    "payment_batch": _l("Payment batch"),
    "payment_line": _l("Payment line"),
    "payment_run": _l("Payment generation"),
    "payment_job": _l("Payment generation of a commune"),
    "user": _l("Account"),
    "login": _l("Sign-in attempt"),
    "api_client": _l("API client"),
    "caseload": _l("Caseload import"),
    "standard_level": _l("Standard level"),
}


def audit_object_choices() -> list[tuple[str, str]]:
    """The kinds of object the audit log names, as (code, words), in the order of the words."""
    return sorted(((code, str(words)) for code, words in AUDIT_OBJECT.items()),
                  key=lambda pair: pair[1])  # fmt: skip


def audit_action(code: str) -> str:
    """What an audit entry's action did; a dossier's move names the status it reached."""
    if code.startswith("case.") and code not in AUDIT_ACTION:
        from benefits.cases.models import STATUS_LABELS

        status = code.removeprefix("case.")
        if status in STATUS_LABELS:
            return _("Dossier: %(status)s", status=STATUS_LABELS[status])
    return label(AUDIT_ACTION, code)


def audit_action_choices() -> list[tuple[str, str]]:
    """Every action the audit log records, as (code, words), in the order of the words:
    the admin filters by what was done, not by a code to remember."""
    from benefits.cases.models import STATUS_LABELS

    codes = [*AUDIT_ACTION, *(f"case.{status}" for status in STATUS_LABELS if status != "draft")]
    return sorted(((code, audit_action(code)) for code in codes), key=lambda pair: pair[1])


def audit_changes(changes) -> list[tuple[str, str]]:
    """An audit entry's changes as (field, what happened) pairs: ``[before, after]``
    reads ``before → after``; other values as they are."""
    if not isinstance(changes, dict):
        return [("", str(changes))] if changes else []
    pairs = []
    for field, value in changes.items():
        if isinstance(value, list) and len(value) == 2 and not isinstance(value[0], list | dict):
            text = f"{_blank(value[0])} → {_blank(value[1])}"
        elif isinstance(value, list):
            text = ", ".join(str(v) for v in value) or "–"
        else:
            text = _blank(value)
        pairs.append((field, text))
    return pairs


def _blank(value) -> str:
    return "–" if value is None or value == "" else str(value)


def label(labels: dict, code: str | None) -> str:
    """The label of ``code``; the code itself when it has none (never a blank cell)."""
    if code is None:
        return ""
    return str(labels.get(code, code))


def category_name(code: str) -> str:
    """The category's name (ND20 Art 5) in the reader's language; read once a request."""
    return _categories().get(code, (code, code))[0]


def category_article(code: str) -> str:
    """Where ND20 defines the category ("5.5.a": Article 5, clause 5, point a)."""
    return _categories().get(code, (code, code))[1]


def _categories() -> dict[str, tuple[str, str]]:
    names = g.get("categories")
    if names is None:
        english = str(get_locale() or "vi") == "en"
        rows = db.session.execute(
            select(Category.code, Category.name_vi, Category.name_en, Category.article)
        )
        names = g.categories = {c: (en if english else vi, art) for c, vi, en, art in rows}
    return names


def place_name(code: str | None) -> str:
    """A province's (2-digit code) or commune's (5 digits) name, with its code; "whole
    country" for none (a national run's scope). Read once a request."""
    if code is None:
        return str(_l("whole country"))
    names = g.get("place_names")
    if names is None or code not in names:
        # With the communes of its province: a page lists the communes of one province.
        names = g.place_names = {**(names or {}), **place_names(province_of=code)}
    name = names.get(code)
    return f"{name} ({code})" if name else code


def overpayment_reason(reason: str) -> str:
    """Why an overpayment is to recover, in the reader's language."""
    if reason == PAID_AFTER_UNPAID:
        return _("reported unpaid by the post office, then paid: a later batch paid the "
                 "months again")  # fmt: skip
    found = DEATH_REASON.fullmatch(reason)
    if found is None:
        return reason
    words = {"day": format_day(date.fromisoformat(found["day"])), "number": found["number"]}
    if found["paid"]:
        return _("death on %(day)s (registration %(number)s), paid by the post office "
                 "after the line was stopped", **words)  # fmt: skip
    return _("death on %(day)s (registration %(number)s), learned after payment", **words)


# What jobs found stopped stored before ``INTERRUPTED`` (in the language of the page that
# found them).
_INTERRUPTED_BEFORE = (
    "Interrupted: the worker stopped before the end.",
    "Bị gián đoạn: tiến trình xử lý đã dừng trước khi xong.",
)


def job_error(error: str | None) -> str:
    """Why a payment job failed, in the reader's language when the portal says it; an
    error's own words otherwise."""
    if not error:
        return ""
    if error == INTERRUPTED or error in _INTERRUPTED_BEFORE:
        return _("Interrupted: the worker stopped before the end.")
    return error


def case_note(note: str | None, case_code: str | None = None) -> str:
    """A note of a dossier's timeline in the reader's language when the system wrote it
    (``cases.models``; rows written before hold the same English words); a person's note
    as typed. A linked death dossier approved before decision 63 has its own code as note."""
    if not note:
        return ""
    if note == NO_ANSWER_NOTE:
        return _("closed after 30 days without an answer to the request for papers")
    if found := DEATH_CANCELLED_NOTE.fullmatch(note):
        return _("the death registration %(number)s was cancelled", number=found["number"])
    found = DEATH_RECORDED_NOTE.fullmatch(note)
    if found is not None or (case_code and note == case_code):
        number = found["number"] if found else note
        return _("death recorded under registration number %(number)s", number=number)
    return note


_SEX = {"M": _l("Male"), "F": _l("Female")}
# What a dossier's data holds besides its procedure's own fields: the person's particulars
# (a citizen's form) and, for a funeral dossier opened by a death, the death it follows.
_PERSON_FIELDS = (
    ("date_of_birth", _l("Date of birth"), "date"),
    ("sex", _l("Sex"), "sex"),
    ("address", _l("Address"), "text"),
)
_DEATH_FIELDS = (
    ("death_registration", _l("Death registration number"), "text"),
    ("date_of_death", _l("Date of death"), "date"),
    ("beneficiary_code", _l("Beneficiary"), "text"),
)


def dossier_answers(procedure_code: str, data: dict | None) -> list[tuple[str, str]]:
    """What the dossier says, as (label, value) in the reader's language, in the order of
    its form: the officer checks what was filed (ND20 Art 8.1 step 2). Empty answers and
    internal keys are left out."""
    data = data or {}
    english = str(get_locale() or "vi") == "en"
    try:
        fields = procedure(procedure_code).fields
    except NotFound:
        fields = ()
    rows: list[tuple[str, str, str, dict]] = [(n, str(t), k, {}) for n, t, k in _PERSON_FIELDS]
    for spec in fields:
        choices = {value: en if english else vi for value, vi, en in spec.choices}
        rows.append((spec.name, spec.label_en if english else spec.label_vi, spec.kind, choices))
    shown = {name for name, *_ in rows}
    rows += [(n, str(t), k, {}) for n, t, k in _DEATH_FIELDS if n not in shown]
    answers = []
    for name, title, kind, choices in rows:
        value = data.get(name)
        if value is None or value == "":
            continue
        if kind == "date":
            with contextlib.suppress(ValueError):  # kept as written when not a date
                value = format_day(date.fromisoformat(str(value)))
        elif kind == "sex":
            value = label(_SEX, value)
        elif kind == "category":
            value = f"{category_name(value)} ({category_article(value)})"
        elif kind == "select":
            value = choices.get(value, value)
        answers.append((title, str(value)))
    return answers


def procedure_name(code: str | None) -> str:
    """A procedure's name in the reader's language (a citizen does not know "1.001776");
    the code when it is unknown."""
    if not code:
        return ""
    try:
        return procedure(code).name("en" if str(get_locale() or "vi") == "en" else "vi")
    except NotFound:
        return code
