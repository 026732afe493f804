"""The officer's forms to recover an overpayment (issue 25 item 8, decision 172); the
rules are the service's (``payments.recovery``), which names the field it refuses."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from benefits.forms import Form

# Whole VND as people type it: 1.500.000, 1,500,000, 1 500 000 or 1500000, with or
# without "đ", "₫" or "VND".
_GROUPING = re.compile(r"[\s.,]")
_CURRENCY = re.compile(r"(?i)\s*(₫|đ|vnd|đồng)\s*$")


def parse_vnd(typed: str | None) -> int | None:
    """The amount typed, or None when it is not a whole number of VND."""
    digits = _GROUPING.sub("", _CURRENCY.sub("", (typed or "").strip()))
    return int(digits) if digits.isdigit() and len(digits) <= 13 else None


class RepaymentForm(Form):
    amount = StringField(
        _l("Amount repaid (VND)"),
        validators=[
            InputRequired(message=_l("Give the amount repaid, in whole VND, more than 0."))
        ],
    )
    on_date = DateField(
        _l("Day it was repaid"),
        validators=[InputRequired(message=_l("Give the date of the repayment."))],
        render_kw={"type": "date"},
    )

    def validate_amount(self, field):
        if parse_vnd(field.data) is None:
            raise ValidationError(_l("Give the amount repaid, in whole VND, more than 0."))


class WaiverForm(Form):
    reason = TextAreaField(
        _l("Why the rest is not recovered (kept in the audit log)"),
        validators=[
            DataRequired(message=_l("Give the reason why the rest is not recovered.")),
            Length(max=500),
        ],
        render_kw={"rows": 2, "maxlength": 500},
    )
