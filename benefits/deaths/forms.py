"""The officer's form to record a death by hand (the same effects engine as the API)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from benefits.forms import Form
from benefits.people.national_id import InvalidNationalId, check_national_id
from benefits.places.calendar import vietnam_today


def _valid_id(_form, field):
    try:
        check_national_id((field.data or "").strip())
    except InvalidNationalId as error:
        raise ValidationError(error.message) from None


class RecordDeathForm(Form):
    registration_number = StringField(
        _l("Death registration number"), validators=[DataRequired(), Length(max=60)]
    )
    national_id = StringField(
        _l("Personal ID number of the deceased"), validators=[DataRequired(), _valid_id]
    )
    full_name = StringField(
        _l("Full name of the deceased"), validators=[DataRequired(), Length(max=120)]
    )
    # InputRequired: an impossible date (30 February) is called impossible, not missing.
    date_of_death = DateField(_l("Date of death"), validators=[InputRequired()])
    registered_on = DateField(_l("Date of registration"), validators=[InputRequired()])
    declarant_name = StringField(
        _l("Declarant's full name"), validators=[DataRequired(), Length(max=120)]
    )
    declarant_national_id = StringField(
        _l("Declarant's personal ID number"), validators=[DataRequired(), _valid_id]
    )
    declarant_relationship = StringField(
        _l("Relationship to the deceased"), validators=[Length(max=60)]
    )

    def validate_date_of_death(self, field):
        if field.data and field.data > vietnam_today():
            raise ValidationError(_l("The date of death cannot be in the future."))
        if field.data and self.registered_on.data and field.data > self.registered_on.data:
            raise ValidationError(_l("The date of death cannot be after the registration."))


class AcceptDeathForm(Form):
    """The officer confirms a citizen's linked death dossier (Decree 63/2024): its effects
    (allowance stopped, residence deregistered, funeral dossier) follow at once."""

    confirm = BooleanField(
        _l("I have checked the death notice and the date of death: record the death."),
        validators=[DataRequired(message=_l("Tick the box to confirm the death."))],
    )


class CancelDeathForm(Form):
    """An officer takes back a death they recorded by hand by mistake (the wrong person,
    a registration not theirs): its effects are reversed where they can be."""

    reason = StringField(
        _l("Why the record is wrong"),
        validators=[DataRequired(message=_l("Say why the record is wrong.")), Length(max=500)],
    )
    confirm = BooleanField(
        _l("The allowance resumes without a gap and an undecided funeral dossier is "
           "withdrawn: cancel this record."),
        validators=[DataRequired(message=_l("Tick the box to confirm the cancellation."))],
    )  # fmt: skip
