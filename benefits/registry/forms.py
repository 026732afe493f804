"""The commune officer's form to record that a beneficiary receives the social pension."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

MONTH_PATTERN = r"^\d{4}-(0[1-9]|1[0-2])$"


class SocialPensionForm(FlaskForm):
    from_month = StringField(
        _l("Receives the social pension from (YYYY-MM)"),
        validators=[
            DataRequired(message=_l("Write the month as YYYY-MM.")),
            Regexp(MONTH_PATTERN, message=_l("Write the month as YYYY-MM.")),
        ],
    )
    to_month = StringField(
        _l("Until (YYYY-MM), if it has ended"),
        validators=[Optional(), Regexp(MONTH_PATTERN, message=_l("Write the month as YYYY-MM."))],
    )
    reference = StringField(
        _l("Social pension decision (number and date)"),
        validators=[
            DataRequired(message=_l("Give the number and date of the social pension decision.")),
            Length(max=120),
        ],
    )


class EndSocialPensionForm(FlaskForm):
    last_month = StringField(
        _l("Last month received (YYYY-MM)"),
        validators=[
            DataRequired(message=_l("Write the month as YYYY-MM.")),
            Regexp(MONTH_PATTERN, message=_l("Write the month as YYYY-MM.")),
        ],
    )
