"""The officer's search of the case queue (issue 30 item 1, decision 121): one box for a
dossier code, a name or an ID number, and filters by procedure, state and deadline. It is
sent by POST, so that an ID number typed into it never lands in a URL or an access log."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length

from benefits.forms import Form, select_choices

DEADLINE_LABELS = {"overdue": _l("Past due"), "due_soon": _l("Due within 2 working days")}


class QueueSearchForm(Form):
    q = StringField(_l("Dossier code, name or ID number"), validators=[Length(max=120)])
    procedure = SelectField(_l("Procedure"), validate_choice=True)
    state = SelectField(_l("State"), validate_choice=True)
    deadline = SelectField(
        _l("Deadline"),
        choices=select_choices([("", _l("Any")), *DEADLINE_LABELS.items()]),
        validate_choice=True,
    )

    def __init__(self, *args, procedures: list[tuple[str, str]],
                 states: list[tuple[str, str]], **kwargs):  # fmt: skip
        super().__init__(*args, **kwargs)
        self.procedure.choices = select_choices([("", _l("Any procedure")), *procedures])
        self.state.choices = select_choices(
            [("open", _l("Open dossiers (the queue)")), ("all", _l("Any state, closed too")),
             *states]
        )  # fmt: skip
