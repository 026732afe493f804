"""The citizen's form to withdraw a dossier (rút hồ sơ); the officer's proposal, the
complaints about a posting and the chairman's decision."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from benefits.forms import Form, select_choices
from benefits.registry.lifecycle import STOP_REASONS, SUSPEND_REASONS

# A decision suspends for these (TT02 Art 2.3.b, c); 3 unpaid batches suspend by themselves.
DECIDED_SUSPENSIONS = {k: v for k, v in SUSPEND_REASONS.items() if k != "unpaid_three_batches"}

# A sentence or two for the commune office; the timeline keeps it as the step's note.
WITHDRAWAL_REASON_MAX = 500


class WithdrawDossierForm(Form):
    reason = TextAreaField(
        _l("Why do you withdraw the dossier?"),
        validators=[
            DataRequired(message=_l("Say why you withdraw the dossier.")),
            Length(max=WITHDRAWAL_REASON_MAX),
        ],
        render_kw={"rows": 3, "maxlength": WITHDRAWAL_REASON_MAX},
    )
    confirm = BooleanField(
        _l("Yes, I withdraw this dossier"),
        validators=[DataRequired(message=_l("Tick the box to confirm the withdrawal."))],
    )


# The officer's and the chairman's steps after checking (decision 78).
REASONS_MAX = 2000
HOUSING_CHOICES = (
    ("HOUSING_BUILD", _l("Build a house (40,000,000 VND)")),
    ("HOUSING_RELOCATE", _l("Relocate a house (30,000,000 VND)")),
    ("HOUSING_REPAIR", _l("Repair a house (20,000,000 VND)")),
)


class ProposalForm(Form):
    """What the officer proposes; the rules of each procedure are checked by the domain
    (``cases.workflow.propose``), which names the field in its refusal."""

    outcome = RadioField(
        _l("Proposal"),
        choices=select_choices([("approve", _l("Approve")), ("refuse", _l("Refuse"))]),
        validators=[DataRequired(message=_l("Choose approve or refuse."))],
    )
    reasons = TextAreaField(
        _l("Reasons (read by the applicant if refused)"),
        validators=[Length(max=REASONS_MAX)],
        render_kw={"rows": 3, "maxlength": REASONS_MAX},
    )
    category = SelectField(_l("Category to grant"), choices=[], validate_choice=False)
    dependent_children = IntegerField(
        _l("Children raised (single parent)"), validators=[Optional(), NumberRange(min=0, max=20)]
    )
    payment_method = SelectField(_l("How the person is paid"), choices=[], validate_choice=False)
    payment_point = StringField(_l("Post office that pays (code)"), validators=[Length(max=40)])
    bank_code = StringField(_l("Bank"), validators=[Length(max=20)])
    bank_account = StringField(_l("Account number"), validators=[Length(max=40)])
    housing = SelectField(
        _l("Kind of housing support"),
        choices=select_choices([("", ""), *HOUSING_CHOICES]),
        validate_choice=False,
    )
    # An adjust, stop or suspend dossier (1.001776; TT02 Art 2.1, 2.3; decision 90).
    from_month = StringField(
        _l("From the month (YYYY-MM)"),
        validators=[Optional(), Regexp(r"^\d{4}-(0[1-9]|1[0-2])$",
                                       message=_l("Write the month as YYYY-MM."))],
    )  # fmt: skip
    end_category = SelectField(_l("Category that ends"), choices=[], validate_choice=False)
    stop_reason = SelectField(
        _l("Why the allowance stops (TT02 Art 2.1)"),
        choices=select_choices([("", ""), *STOP_REASONS.items()]),
        validate_choice=False,
    )
    suspend_reason = SelectField(
        _l("Why the allowance is suspended (TT02 Art 2.3)"),
        choices=select_choices([("", ""), *DECIDED_SUSPENSIONS.items()]),
        validate_choice=False,
    )
    payee_name = StringField(_l("Who collects (guardian)"), validators=[Length(max=120)])
    payee_national_id = StringField(
        _l("Their personal ID number"),
        validators=[
            Optional(),
            Regexp(r"^\d{12}$", message=_l("The ID number must be exactly 12 digits.")),
        ],
    )


class ComplaintForm(Form):
    complainant = StringField(
        _l("Who complains"),
        validators=[
            DataRequired(message=_l("Give the name of whoever complains.")),
            Length(max=120),
        ],
    )
    text = TextAreaField(
        _l("What the complaint says"),
        validators=[
            DataRequired(message=_l("Write what the complaint says.")),
            Length(max=REASONS_MAX),
        ],
        render_kw={"rows": 3},
    )


class ComplaintAnswerForm(Form):
    answer = TextAreaField(
        _l("Answer to the complaint"),
        validators=[
            DataRequired(message=_l("Write the answer to the complaint.")),
            Length(max=REASONS_MAX),
        ],
        render_kw={"rows": 2},
    )


class BackToCheckingForm(Form):
    note = TextAreaField(
        _l("Why it goes back to checking"),
        validators=[
            DataRequired(message=_l("Say why the dossier goes back to checking.")),
            Length(max=REASONS_MAX),
        ],
        render_kw={"rows": 2},
    )


class DecisionForm(Form):
    """The chairman's decision: approve, or refuse with reasons written to the applicant."""

    outcome = RadioField(
        _l("Decision"),
        choices=select_choices(
            [("approve", _l("Approve and sign the decision")), ("refuse", _l("Refuse in writing"))]
        ),
        validators=[DataRequired(message=_l("Choose approve or refuse."))],
    )
    reasons = TextAreaField(
        _l("Reasons for a refusal"),
        validators=[Length(max=REASONS_MAX)],
        render_kw={"rows": 3, "maxlength": REASONS_MAX},
    )
