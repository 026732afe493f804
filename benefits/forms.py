"""What the forms of every module share."""

from __future__ import annotations

from collections.abc import Iterable

from flask_babel import get_translations
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields import SelectChoice


def N_(message: str) -> str:  # noqa: N802 - the gettext marker's usual name
    """Mark a message for the catalogue without translating it here."""
    return message


# WTForms' own messages, in the portal's catalogue: WTForms ships no Vietnamese, so without
# them a citizen would read "This field is required." on a Vietnamese page.
WTFORMS_MESSAGES = (
    N_("This field is required."),
    N_("Not a valid date value."),
    N_("Not a valid integer value."),
    N_("Not a valid choice."),
    N_("Invalid email address."),
    N_("Field must be equal to %(other_name)s."),
    N_("Field must be at least %(min)d character long."),
    N_("Field must be at least %(min)d characters long."),
    N_("Field cannot be longer than %(max)d character."),
    N_("Field cannot be longer than %(max)d characters."),
    N_("Field must be exactly %(max)d character long."),
    N_("Field must be exactly %(max)d characters long."),
    N_("Field must be between %(min)d and %(max)d characters long."),
    N_("Number must be at least %(min)s."),
    N_("Number must be at most %(max)s."),
    N_("Number must be between %(min)s and %(max)s."),
)


class _CatalogueTranslations:
    """WTForms asks this for its messages; the reader's catalogue answers. Singular and
    plural are two messages of their own (Vietnamese has one form)."""

    def gettext(self, string: str) -> str:
        return get_translations().ugettext(string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


class PortalForm(FlaskForm):
    """The base of every form of the portal: WTForms' messages in the reader's language."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return _CatalogueTranslations()


def select_choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    """``(value, label)`` pairs as the options of a SelectField."""
    return [SelectChoice(value, label) for value, label in pairs]


def sex_choices() -> list[SelectChoice]:
    return select_choices([("M", _l("Male")), ("F", _l("Female"))])
