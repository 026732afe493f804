"""The citizen's form to withdraw a dossier (rút hồ sơ)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, TextAreaField
from wtforms.validators import DataRequired, Length

from benefits.forms import Form

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
