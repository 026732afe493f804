"""What the forms of every module share."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask import g
from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.form import _Auto
from wtforms import EmailField, HiddenField, PasswordField, StringField, TelField
from wtforms.fields import SelectChoice
from wtforms.validators import StopValidation

from benefits.safe_text import FORMULA_MESSAGE, starts_like_a_formula


def select_choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the options of a SelectField."""
    return [SelectChoice(value, label) for value, label in pairs]


def sex_choices() -> list[SelectChoice]:
    return select_choices([("M", _l("Male")), ("F", _l("Female"))])


class _WTFormsMessages:
    """WTForms' own messages ("This field is required.") looked up in the portal's
    catalogue: WTForms ships no Vietnamese, and Flask-WTF only reads WTForms' catalogues,
    so a validator without its own message spoke English on a Vietnamese page."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return get_translations().ungettext(singular, plural, n)


# The WTForms messages the portal's validators can show, so that the catalogue holds them
# (WTForms formats the placeholders itself).
WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Field must be equal to %(other_name)s."),
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.",
                  "Field must be exactly %(max)d characters long.", 1),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid date value."),
    _l("Not a valid integer value."),
)  # fmt: skip


# Where ``benefits.web.expired_form`` keeps what was typed into a form shown again.
TYPED_INTO_AN_EXPIRED_FORM = "expired_form_typed"


class Form(FlaskForm):
    """The portal's form: every message in the reader's language, and no free text that
    a spreadsheet would run (interchange.md conventions; decision 104)."""

    class Meta:
        def get_translations(self, form):
            return _WTFormsMessages()

        def wrap_formdata(self, form, formdata):
            # An expired form shown again holds what was typed (decision 126).
            typed = g.get(TYPED_INTO_AN_EXPIRED_FORM) if formdata is _Auto else None
            return typed if typed is not None else super().wrap_formdata(form, formdata)

    def process(self, formdata=None, obj=None, data=None, extra_filters=None, **kwargs):
        super().process(formdata, obj, data, extra_filters, **kwargs)
        # What is typed is kept without the spaces around it, as it is stored: an optional
        # field of spaces alone is then empty for the view too (an optional month " "
        # passed Optional() and reached Month.parse: a 500; decision 100).
        for field in self:
            if is_free_text(field) and isinstance(field.data, str):
                field.data = field.data.strip()

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Once a field passed its own checks: one message at a time, the field's first.
        for field in self:
            if is_free_text(field) and not field.errors and starts_like_a_formula(field.data):
                field.errors.append(FORMULA_MESSAGE)
                valid = False
        return valid


# Typed text with a shape of its own (a password, an email, a phone number: "+84...")
# or none typed at all (a hidden token) is not free text.
_NOT_FREE_TEXT = (PasswordField, EmailField, TelField, HiddenField)


def is_free_text(field) -> bool:
    return isinstance(field, StringField) and not isinstance(field, _NOT_FREE_TEXT)


_MONEY_NOISE = re.compile(r"[\s.,]|₫|đồng|đ|vnd", re.IGNORECASE)


class MoneyField(StringField):
    """Whole VND as people write it: ``600.000``, ``600,000``, ``600 000 ₫`` or ``600000``
    (docs/decisions.md 48 writes money the Vietnamese way; a form reads it back)."""

    raw = ""

    def process_formdata(self, valuelist):
        self.raw = (valuelist[0] if valuelist else "") or ""
        text = _MONEY_NOISE.sub("", self.raw)
        self.data = int(text) if text.isascii() and text.isdigit() else None

    def pre_validate(self, form):
        if self.raw.strip() and self.data is None:
            raise StopValidation(_l("Write the amount in whole đồng, for example 600.000."))
