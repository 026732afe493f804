"""Language choice and the one formatter for money and dates.

Vietnamese is the default; English is the second language. The choice is remembered in
a cookie (and on the account once logged in, by the accounts module).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from flask import current_app, has_request_context, request
from flask_babel import get_locale

from benefits.models_base import aware_utc
from benefits.month import Month

LANGUAGE_COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if has_request_context():
        chosen = request.cookies.get(LANGUAGE_COOKIE)
        if chosen in languages:
            return chosen
        # A logged-in person's saved language, set by the accounts module.
        from flask_login import current_user

        saved = getattr(current_user, "locale", None)
        if saved in languages:
            return saved
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def portal_zone() -> ZoneInfo:
    """The portal's time zone (Vietnam): its days, deadlines and dates shown."""
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _locale_name(locale: str | None) -> str:
    if locale:
        return locale
    current = get_locale()
    return str(current) if current else "vi"


# Whole đồng, the sign after the amount in both languages (docs/decisions.md 123).
_VND_PATTERN = "#,##0\xa0¤"


def format_vnd(amount: int | None, locale: str | None = None) -> str:
    """Whole VND with the reader's separators: ``500.000 ₫`` on a Vietnamese page,
    ``500,000 ₫`` on an English one (docs/decisions.md 123, replacing 48). The state's
    documents (decision letters, signature sheets, the post office's files) are in
    Vietnamese and write their amounts themselves."""
    if amount is None:
        return ""
    return format_currency(int(amount), "VND", format=_VND_PATTERN,
                           locale=_locale_name(locale), currency_digits=True)  # fmt: skip


def format_number(value, locale: str | None = None) -> str:
    return format_decimal(value, locale=_locale_name(locale))


def format_coefficient_pct(pct: int | None, locale: str | None = None) -> str:
    """A coefficient stored in hundredths, as the reader writes a decimal: ``2,5`` in
    Vietnamese (where ``2.5`` reads as twenty-five), ``2.5`` in English; the files keep
    ``2.5`` (interchange.md section 3)."""
    if pct is None:
        return ""
    return format_decimal(Decimal(pct) / 100, "0.0#", locale=_locale_name(locale))


_DATE_PATTERNS = {"vi": "dd/MM/yyyy", "en": "d MMM yyyy"}
_DATETIME_PATTERNS = {"vi": "HH:mm dd/MM/yyyy", "en": "d MMM yyyy, HH:mm"}


def format_day(value: date | datetime | None, locale: str | None = None) -> str:
    """A date as people write it: ``14/03/2025`` in Vietnamese, ``14 Mar 2025`` in English.
    A moment is shown as the day it was in Vietnam (stored in UTC; SQLite gives it back
    without its zone): 23:30 UTC on the 14th is the 15th there."""
    if value is None:
        return ""
    name = _locale_name(locale)
    if isinstance(value, datetime):
        value = aware_utc(value).astimezone(portal_zone()).date()
    return format_date(value, _DATE_PATTERNS.get(name, "yyyy-MM-dd"), locale=name)


_MONTH_PATTERNS = {"vi": "MM/yyyy", "en": "MMM yyyy"}


def format_month(value, locale: str | None = None) -> str:
    """A month as people write it: ``03/2025`` in Vietnamese, ``Mar 2025`` in English.
    The files and the form fields keep ``2025-03`` (interchange.md section 3)."""
    if value in (None, ""):
        return ""
    month = value if isinstance(value, Month) else Month.parse(str(value))
    name = _locale_name(locale)
    return format_date(
        date(month.year, month.month, 1), _MONTH_PATTERNS.get(name, "yyyy-MM"), locale=name
    )


def format_months(value: str | None, locale: str | None = None) -> str:
    """A ``;``-separated list of months, as in ``arrears_months``, for the reader."""
    return ", ".join(format_month(m, locale) for m in (value or "").split(";") if m.strip())


def format_moment(value: datetime | None, locale: str | None = None) -> str:
    if value is None:
        return ""
    name = _locale_name(locale)
    return format_datetime(
        value,
        _DATETIME_PATTERNS.get(name, "yyyy-MM-dd HH:mm"),
        tzinfo=current_app.config.get("BABEL_DEFAULT_TIMEZONE"),
        locale=name,
    )
