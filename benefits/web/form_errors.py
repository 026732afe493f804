"""One error summary at the top of every page whose form was refused (issue 30 item 3,
decision 125; the GOV.UK pattern design.md names): each message, after the name of its
field, links to the field, and the summary takes the focus when the page opens, so a
refused form never looks as if nothing happened, however far down the page it is (the
chairman's decision at the foot of a dossier)."""

from __future__ import annotations

from dataclasses import dataclass

from flask_wtf import FlaskForm
from jinja2 import pass_context
from wtforms import RadioField


@dataclass(frozen=True)
class ErrorLink:
    message: str
    # The id of the input to move to ("" for an error of the whole form), and the name
    # of its field, said before the message: two "This field is required." say nothing.
    target: str
    label: str


def _target(field) -> str:
    # A list of radio buttons has no input of its own id: its first button.
    return f"{field.id}-0" if isinstance(field, RadioField) else field.id


def _links(form: FlaskForm) -> list[ErrorLink]:
    links = []
    for name, errors in form.errors.items():
        field = form[name] if name is not None and name in form else None
        for error in errors if isinstance(errors, list | tuple) else [errors]:
            if field is None:
                links.append(ErrorLink(str(error), "", ""))
            else:
                links.append(ErrorLink(str(error), _target(field), str(field.label.text or "")))
    return links


@pass_context
def page_errors(context) -> list[ErrorLink]:
    """The errors of every form the page was rendered with (each once, however many names
    the template knows it by), in the order the view passed them."""
    seen: set[int] = set()
    links: list[ErrorLink] = []
    for value in context.get_all().values():
        if isinstance(value, FlaskForm) and id(value) not in seen and value.errors:
            seen.add(id(value))
            links += _links(value)
    return links


def init_app(app) -> None:
    app.jinja_env.globals["page_errors"] = page_errors
