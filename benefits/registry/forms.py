"""The commune officer's registry forms: the social pension received, care support."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from benefits.forms import Form, select_choices

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"
MONTH_MESSAGE = _l("Write the month as YYYY-MM.")


def month_field(label, required: bool = True, id: str | None = None) -> StringField:
    """A ``YYYY-MM`` month, required or optional. ``id`` tells apart two forms' fields of
    the same name on one page (a label must tick or focus its own field)."""
    first = DataRequired(message=MONTH_MESSAGE) if required else Optional()
    validators = [first, Regexp(MONTH_PATTERN, message=MONTH_MESSAGE)]
    return StringField(label, validators=validators, id=id)


class SocialPensionForm(Form):
    from_month = month_field(_l("Receives the social pension from (YYYY-MM)"),
                             id="pension-from_month")  # fmt: skip
    to_month = month_field(_l("Until (YYYY-MM), if it has ended"), required=False,
                           id="pension-to_month")  # fmt: skip
    reference = StringField(
        _l("Social pension decision (number and date)"),
        validators=[
            DataRequired(message=_l("Give the number and date of the social pension decision.")),
            Length(max=120),
        ],
    )
    # Decree 176/2025: a lower age for a person of a poor or near-poor household.
    poor_or_near_poor = BooleanField(
        _l("The person's household is poor or near-poor (Decree 176/2025)")
    )


class EndSocialPensionForm(Form):
    last_month = month_field(_l("Last month received (YYYY-MM)"))


class CareSupportForm(Form):
    """ND20 Art 20: who is paid to care for the beneficiary, from a month. The kinds of
    care come from the rule tables (``care_groups``, passed in)."""

    # An unknown kind is refused by the service, with a translated message.
    care_group = SelectField(
        _l("Kind of care"),
        validators=[DataRequired(message=_l("Choose the kind of care."))],
        validate_choice=False,
    )
    carer_name = StringField(
        _l("Carer's full name"),
        validators=[DataRequired(message=_l("Give the carer's full name.")), Length(max=120)],
    )
    carer_national_id = StringField(
        _l("Carer's personal ID number"),
        validators=[
            Optional(),
            Regexp(r"^\d{12}$", message=_l("The ID number must be exactly 12 digits.")),
        ],
    )
    from_month = month_field(_l("Paid from (YYYY-MM)"), id="care-from_month")
    to_month = month_field(_l("Until (YYYY-MM), if it has ended"), required=False,
                           id="care-to_month")  # fmt: skip

    def __init__(self, *args, care_groups: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.care_group.choices = select_choices([("", _l("Choose…")), *care_groups])


# What a dossier about a beneficiary asks (1.001776, decision 90); the words of
# ``cases.effects.REQUESTS``, without the grant, which the record already has.
CHANGE_REQUESTS = (
    ("adjust", _l("Adjust the allowance (category, children, payment, guardian)")),
    ("stop", _l("Stop the allowance")),
    ("suspend", _l("Suspend the allowance")),
    ("resume", _l("Resume a suspended allowance")),
)


class OpenChangeDossierForm(Form):
    """The officer opens an adjust, stop, suspend or resume dossier from the record."""

    request = SelectField(
        _l("What the dossier decides"),
        choices=select_choices(CHANGE_REQUESTS),
        validators=[DataRequired(message=_l("Choose what the dossier asks for."))],
    )
    details = TextAreaField(
        _l("Why (for the dossier)"), validators=[Length(max=2000)], render_kw={"rows": 2}
    )


class CitizenChangeForm(Form):
    """A citizen asks to adjust or stop an allowance they, or someone they care for,
    receive (1.001776)."""

    national_id = StringField(
        _l("Personal ID number of the person receiving the allowance"),
        validators=[DataRequired(message=_l("Give the personal ID number.")),
                    Regexp(r"^\d{12}$", message=_l("The ID number must be exactly 12 digits."))],
    )  # fmt: skip
    request = SelectField(
        _l("What you ask for"),
        choices=select_choices(CHANGE_REQUESTS[:2]),
        validators=[DataRequired(message=_l("Choose what the dossier asks for."))],
    )
    relationship = StringField(
        _l("Your relationship to them, if it is not you"), validators=[Length(max=60)]
    )
    details = TextAreaField(
        _l("What changed, and since when"),
        validators=[DataRequired(message=_l("Say what changed.")), Length(max=2000)],
        render_kw={"rows": 4},
    )
