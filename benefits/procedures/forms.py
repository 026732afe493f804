"""Application forms built from the catalogue: one form class per procedure, made from
its data (never eleven hand-written forms)."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from benefits.forms import Form, select_choices, sex_choices
from benefits.people.national_id import (
    InvalidNationalId,
    check_national_id,
    normalize_national_id,
)
from benefits.places.calendar import vietnam_today
from benefits.procedures.catalogue import Procedure


class ApplicationBase(Form):
    """The person concerned, the "declaring on behalf" block, the submission token."""

    # The page's own token (a UUID): anything else was not sent by the page (decision 100).
    submission_token = HiddenField(validators=[Optional(), Regexp(
        r"^[0-9A-Za-z][0-9A-Za-z_.:-]{0,63}$",
        message=_l("The form was altered: open it again and send it once more."))])  # fmt: skip
    full_name = StringField(_l("Full name of the person concerned"),
                            validators=[DataRequired(), Length(max=120)])  # fmt: skip
    # InputRequired for dates and numbers: an impossible date is explained as such, and 0 is
    # an answer (DataRequired would call both "missing").
    date_of_birth = DateField(_l("Date of birth"), validators=[InputRequired()])
    sex = SelectField(_l("Sex"), choices=sex_choices(), validators=[DataRequired()])
    national_id = StringField(_l("Personal ID number (12 digits)"), validators=[DataRequired()],
                              filters=[normalize_national_id])  # fmt: skip
    commune_code = StringField(_l("Commune or ward of residence"),
                               validators=[DataRequired(), Length(max=160)])  # fmt: skip
    address = StringField(_l("Address (hamlet, group, street)"), validators=[Length(max=255)])
    on_behalf = BooleanField(_l("I am declaring on behalf of this person"))
    declarant_name = StringField(_l("Your full name"), validators=[Length(max=120)])
    declarant_national_id = StringField(_l("Your personal ID number"),
                                        filters=[normalize_national_id])  # fmt: skip
    declarant_relationship = StringField(_l("Your relationship to the person"),
                                         validators=[Length(max=60)])  # fmt: skip
    declarant_address = StringField(_l("Your address"), validators=[Length(max=255)])
    attachments = MultipleFileField(_l("Attachments (PDF, JPEG or PNG, 10 MB each at most)"))

    find_communes = staticmethod(lambda typed: [])  # what the typed name or code names
    account_national_id: str | None = None  # the ID number of whoever fills in the form

    def validate_date_of_birth(self, field):
        if field.data and field.data > vietnam_today():
            raise ValidationError(_l("The date of birth cannot be in the future."))

    def validate_national_id(self, field):
        try:
            check_national_id((field.data or "").strip(), self.date_of_birth.data,
                              self.sex.data or None)  # fmt: skip
        except InvalidNationalId as error:
            raise ValidationError(error.message) from None

    def validate_commune_code(self, field):
        """A citizen knows their ward's name, not its code: either is taken, and the field
        holds the code once one commune is found."""
        matches = self.find_communes(field.data or "")
        if len(matches) == 1:
            field.data = matches[0].code
            return
        if not matches:
            raise ValidationError(_l("There is no commune or ward with this name or code. "
                                     "Check the spelling, or type its 5-digit code."))  # fmt: skip
        listed = "; ".join(f"{m.name} ({m.province_name}): {m.code}" for m in matches[:12])
        raise ValidationError(_l(
            "Several communes have this name: %(communes)s. Type the code of yours, or add "
            "the province after a comma.", communes=listed))  # fmt: skip

    def validate_on_behalf(self, field):
        # domain.md section 2: someone filing for another person declares on their behalf and
        # gives their own details; without the tick the dossier would claim the person filed.
        concerned = (self.national_id.data or "").strip()
        if field.data or not self.account_national_id or not concerned:
            return
        if concerned != self.account_national_id:
            raise ValidationError(_l(
                "This is not your own ID number: if you apply for someone else, tick “I am "
                "declaring on behalf of this person” and give your details."))  # fmt: skip

    def validate_declarant_name(self, field):
        if self.on_behalf.data and not (field.data or "").strip():
            raise ValidationError(_l("Give your name when declaring on behalf of someone."))

    def validate_declarant_national_id(self, field):
        if not self.on_behalf.data:
            return
        try:
            check_national_id((field.data or "").strip())
        except InvalidNationalId as error:
            raise ValidationError(error.message) from None

    def validate_declarant_relationship(self, field):
        if self.on_behalf.data and not (field.data or "").strip():
            raise ValidationError(_l("Say how you are related to the person."))

    def validate_draft(self) -> bool:
        """A draft keeps whatever was typed (decision 62): a field left empty is not asked
        for yet, whichever check asks for it; a value given is checked as on submission
        (an impossible date, a wrong ID number, an unknown commune are still refused)."""
        self.validate()
        for field in self:
            # The CSRF token is no answer of the citizen's: a missing one is still refused.
            if field.type != "CSRFTokenField" and not _given(field):
                field.errors = []
        return not self.errors

    def procedure_data(self) -> dict:
        """The procedure's own fields as plain JSON values."""
        data = {}
        for name in self._procedure_fields:
            value = self[name].data
            data[name] = value.isoformat() if isinstance(value, date) else value
        return data


def _given(field) -> bool:
    """Whether the citizen typed, chose or ticked something in ``field``."""
    return any(str(value).strip() for value in field.raw_data or ())


def _fits_the_age(form, field) -> None:
    if field.data and form.date_of_birth.data:
        problem = form.category_problem(field.data, form.date_of_birth.data)
        if problem:
            raise ValidationError(problem)


def past_event(form, field) -> None:
    """A date the procedure asks for (a death, a certificate) is of something that happened:
    not after today, and not before the person concerned was born."""
    if field.data is None:
        return
    if field.data > vietnam_today():
        raise ValidationError(_l("This date cannot be in the future."))
    born = form.date_of_birth.data
    if born is not None and field.data < born:
        raise ValidationError(_l("This date cannot be before the person's date of birth."))


def application_form_class(procedure: Procedure, locale: str, categories: list[tuple[str, str]],
                           find_communes, account_national_id: str | None = None,
                           category_problem=lambda code, born: None,
                           ) -> type[ApplicationBase]:  # fmt: skip
    """A form class for ``procedure``; ``categories`` are (code, name) for the reader;
    ``find_communes`` finds communes from a typed name or code; ``account_national_id`` is
    the ID number of the account filling it in; ``category_problem`` says why a category
    does not fit a date of birth."""
    attrs: dict = {"_procedure_fields": [], "find_communes": staticmethod(find_communes),
                   "account_national_id": account_national_id,
                   "category_problem": staticmethod(category_problem)}  # fmt: skip
    for spec in procedure.fields:
        label = spec.label_en if locale == "en" else spec.label_vi
        validators = [DataRequired()] if spec.required else [Optional()]
        if spec.required and spec.kind in ("date", "int"):
            validators = [InputRequired()]
        if spec.kind == "textarea":
            field = TextAreaField(label, validators=[*validators, Length(max=2000)])
        elif spec.kind == "date":
            field = DateField(label, validators=[*validators, past_event])
        elif spec.kind == "int":
            field = IntegerField(label, validators=[*validators, NumberRange(min=0, max=20)])
        elif spec.kind == "category":
            # An empty first choice: a pre-selected category would be sent unread.
            choices = select_choices([("", _l("Choose the category")), *categories])
            field = SelectField(label, choices=choices, validators=[*validators, _fits_the_age])
        elif spec.kind == "select":
            choices = select_choices(
                (v, en if locale == "en" else vi) for v, vi, en in spec.choices
            )
            field = SelectField(label, choices=choices, validators=[Optional()])
        else:
            field = StringField(label, validators=[*validators, Length(max=255)])
        attrs[spec.name] = field
        attrs["_procedure_fields"].append(spec.name)
    return type(f"Form_{procedure.code.replace('.', '_').replace('-', '_')}",
                (ApplicationBase,), attrs)  # fmt: skip
