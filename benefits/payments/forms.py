"""The payment officer's forms: generate a month's batches, lock or empty a batch,
reconcile it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, RadioField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from benefits.forms import Form, select_choices
from benefits.month import Month


class GenerateForm(Form):
    month = StringField(
        _l("Month to pay"), validators=[DataRequired(message=_l("Enter the month to pay."))]
    )

    # Asked only when the month is earlier than one already locked (decision 162).
    confirm_earlier = BooleanField(
        _l("Yes, generate this earlier month: I know a later month is already locked."),
        id="confirm-earlier",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed: Month | None = None

    def validate_month(self, field):
        # Which months may be paid is the generation's rule (check_payable_month).
        try:
            self.parsed = Month.parse(field.data or "")
        except ValueError:
            raise ValidationError(_l("Enter the month as YYYY-MM, for example 2025-03.")) from None


class LockForm(Form):
    confirm = BooleanField(
        _l("I have read the checks above: lock the batch for payment. A locked batch never "
           "changes."),
        validators=[DataRequired(message=_l("Tick the box to confirm the lock."))],
        id="lock-confirm",  # the batch page also holds the emptying's box
    )  # fmt: skip


class EmptyBatchForm(Form):
    confirm = BooleanField(
        _l("Empty this batch: its people and months will be paid in the batch that is "
           "generated and locked instead."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
        id="empty-confirm",
    )  # fmt: skip


class ReconcileForm(Form):
    # interchange.md section 3: columns line_no, national_id, status, paid_on.
    result_file = FileField(
        _l("The post office's result file (CSV: line_no, national_id, status, paid_on)"),
        validators=[
            FileRequired(message=_l("Choose the post office's result file.")),
            FileAllowed(["csv"], message=_l("The result file is a CSV file (.csv).")),
        ],
    )


class CorrectLineForm(Form):
    """The payment officer's correction of what the post office reported of a line
    (interchange.md section 3); the rules (a reported line, the payment date) are the
    service's (``payments.service.correct_line``), which names the field it refuses."""

    line_no = IntegerField(
        _l("Line number (line_no)"),
        validators=[InputRequired(message=_l("Enter the line number.")), NumberRange(min=1)],
        id="correct-line_no",  # the batch page holds other forms
    )
    status = RadioField(
        _l("What the post office did"),
        choices=select_choices([("PAID", _l("Paid")), ("UNPAID", _l("Not paid"))]),
        validators=[DataRequired(message=_l("Choose paid or not paid."))],
        id="correct-status",
    )
    paid_on = DateField(
        _l("Day it was paid (empty when not paid)"),
        validators=[Optional()],
        render_kw={"type": "date"},
        id="correct-paid_on",
    )
    reason = TextAreaField(
        _l("Reason for the correction (kept in the audit log)"),
        validators=[
            DataRequired(message=_l("Give the reason for the correction.")),
            Length(max=500),
        ],
        render_kw={"rows": 3, "maxlength": 500},
        id="correct-reason",
    )
