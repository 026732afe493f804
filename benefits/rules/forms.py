"""The province admin's form for a standard-level top-up."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length, NumberRange, Regexp

from benefits.forms import Form, MoneyField


class StandardLevelForm(Form):
    month = StringField(
        _l("From month (YYYY-MM)"),
        validators=[
            DataRequired(),
            Regexp(r"^\d{4}-(0[1-9]|1[0-2])$", message=_l("Write the month as YYYY-MM.")),
        ],
    )
    amount = MoneyField(
        _l("Standard level (VND a month)"),
        validators=[DataRequired(), NumberRange(min=1, max=100_000_000)],
    )
    legal_basis = StringField(
        _l("Legal basis (resolution of the provincial People's Council)"),
        validators=[DataRequired(), Length(max=255)],
    )
