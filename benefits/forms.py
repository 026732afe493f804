"""What the forms of every module share."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import lazy_gettext as _l
from wtforms.fields import SelectChoice


def select_choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the options of a SelectField."""
    return [SelectChoice(value, label) for value, label in pairs]


def sex_choices() -> list[SelectChoice]:
    return select_choices([("M", _l("Male")), ("F", _l("Female"))])
