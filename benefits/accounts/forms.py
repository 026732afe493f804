"""Account forms. Collaborators are passed in; labels and messages are translated."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    InputRequired,
    Length,
    Optional,
    Regexp,
    ValidationError,
)

from benefits.accounts.models import STAFF_ROLES
from benefits.forms import Form, select_choices, sex_choices
from benefits.labels import ROLE
from benefits.people.national_id import (
    InvalidNationalId,
    check_national_id,
    normalize_national_id,
)
from benefits.places.calendar import vietnam_today


class RegisterForm(Form):
    full_name = StringField(_l("Full name, as on your ID card"),
                            validators=[DataRequired(), Length(max=120)])  # fmt: skip
    # InputRequired, not DataRequired: an impossible date (30 February) is explained as such,
    # not as a missing one.
    date_of_birth = DateField(_l("Date of birth"), validators=[InputRequired()])
    sex = SelectField(_l("Sex"), choices=sex_choices(), validators=[DataRequired()])
    national_id = StringField(_l("Personal ID number (12 digits)"), validators=[DataRequired()],
                              filters=[normalize_national_id])  # fmt: skip
    phone = TelField(
        _l("Phone number"),
        validators=[DataRequired(), Regexp(r"^\+?[0-9]{9,15}$", message=_l(
            "Enter the phone number in digits, for example 0912345678."))],
        filters=[lambda value: re.sub(r"[\s.\-()]", "", value or "")],
    )  # fmt: skip
    email = EmailField(_l("Email (optional)"), validators=[Optional(), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    password_confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )

    def __init__(self, *args, id_in_use: Callable[[str], bool], password_problem, **kwargs):
        super().__init__(*args, **kwargs)
        self._id_in_use = id_in_use
        self._password_problem = password_problem

    def validate_date_of_birth(self, field):
        if field.data and field.data > vietnam_today():
            raise ValidationError(_l("The date of birth cannot be in the future."))

    def validate_national_id(self, field):
        value = (field.data or "").strip()
        try:
            check_national_id(value, self.date_of_birth.data, self.sex.data or None)
        except InvalidNationalId as error:
            raise ValidationError(error.message) from None
        if self._id_in_use(value):
            raise ValidationError(
                _l("An account already exists for this ID number: log in with it instead.")
            )

    def validate_password(self, field):
        problem = self._password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)


class LoginForm(Form):
    username = StringField(_l("ID number (citizens) or email (staff)"),
                           validators=[DataRequired(), Length(max=254)])  # fmt: skip
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ChangePasswordForm(Form):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    password_confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class ForgotPasswordForm(Form):
    username = StringField(_l("ID number (citizens) or email (staff)"),
                           validators=[DataRequired(), Length(max=254)])  # fmt: skip


class ResetPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    password_confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class DeskPasswordForm(Form):
    """A commune officer gives a citizen a temporary password (decision 65)."""

    national_id = StringField(_l("Personal ID number (12 digits)"),
                              validators=[DataRequired(), Length(max=20)])  # fmt: skip
    date_of_birth = DateField(_l("Date of birth, as on the ID card"),
                              validators=[InputRequired()])  # fmt: skip
    card_checked = BooleanField(
        _l("I have checked the citizen's ID card: the person in front of me is its holder"),
        validators=[DataRequired(message=_l("Check the ID card first, then tick the box."))],
    )

    def validate_national_id(self, field):
        if not normalize_national_id((field.data or "").strip()).isdigit():
            raise ValidationError(_l("An ID number is 12 digits."))


class StaffUserForm(Form):
    """A new staff account; :class:`StaffEditForm` changes one."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()])
    role = SelectField(_l("Role"), choices=select_choices((r, ROLE[r]) for r in STAFF_ROLES))
    # The communes of the admin's province, by name (passed in); the service refuses one
    # outside it, with its own message.
    commune = SelectField(_l("Commune"), validate_choice=False)
    password = PasswordField(_l("Initial password"), validators=[DataRequired()])

    def __init__(self, *args, communes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.commune.choices = select_choices(
            [("", _l("None: a province-level account")),
             *((code, f"{name} ({code})") for code, name in communes)]
        )  # fmt: skip


class StaffEditForm(Form):
    """A province admin changes a staff account (decision 120): its password is never
    typed here; a reset link is sent instead."""

    full_name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=120)])
    email = EmailField(_l("Email"), validators=[DataRequired(), Email(), Length(max=254)])
    role = SelectField(_l("Role"), choices=select_choices((r, ROLE[r]) for r in STAFF_ROLES))
    commune = SelectField(_l("Commune"), validate_choice=False)

    def __init__(self, *args, communes: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.commune.choices = select_choices(
            [("", _l("None: a province-level account")),
             *((code, f"{name} ({code})") for code, name in communes)]
        )  # fmt: skip
