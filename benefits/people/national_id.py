"""Personal ID number (số định danh cá nhân, printed on the CCCD card).

Twelve digits ``PPP G YY NNNNNN`` (Circular 59/2021/TT-BCA Art 7): ``PPP`` the province
code of birth registration (the 63 pre-2025 codes, which stay valid), ``G`` the century
and sex (0 male / 1 female born 1900-1999, 2 / 3 born 2000-2099), ``YY`` the last two
digits of the birth year. There is no check digit (domain.md section 7).
"""

from __future__ import annotations

import re
from datetime import date

from flask_babel import lazy_gettext as _l

from benefits.errors import DomainError

# Circular 59/2021/TT-BCA, appendix: the province codes of the 63 pre-2025 provinces.
PROVINCE_CODES = frozenset(
    [
        "001",
        "002",
        "004",
        "006",
        "008",
        "010",
        "011",
        "012",
        "014",
        "015",
        "017",
        "019",
        "020",
        "022",
        "024",
        "025",
        "026",
        "027",
        "030",
        "031",
        "033",
        "034",
        "035",
        "036",
        "037",
        "038",
        "040",
        "042",
        "044",
        "045",
        "046",
        "048",
        "049",
        "051",
        "052",
        "054",
        "056",
        "058",
        "060",
        "062",
        "064",
        "066",
        "067",
        "068",
        "070",
        "072",
        "074",
        "075",
        "077",
        "079",
        "080",
        "082",
        "083",
        "084",
        "086",
        "087",
        "089",
        "091",
        "092",
        "093",
        "094",
        "095",
        "096",
    ]
)

# Century-and-sex digit: (first year of the century, sex). Circular 59/2021 Art 7.2.
_CENTURY_SEX = {"0": (1900, "M"), "1": (1900, "F"), "2": (2000, "M"), "3": (2000, "F")}


class InvalidNationalId(DomainError):
    """The number is malformed, or disagrees with the date of birth or sex.

    ``part`` names what is wrong: ``length``, ``province``, ``century``, ``year`` or
    ``sex``, so that a form or an import report can point at it.
    """

    def __init__(self, message, part: str):
        super().__init__(message, field="national_id")
        self.part = part


def normalize_national_id(text: str | None) -> str:
    """The number as typed, without the spaces, dots or dashes people put between the digit
    groups ("001 190 000 777" is read out and copied that way)."""
    return re.sub(r"[\s.\-]", "", text or "")


def check_national_id(
    number: str, date_of_birth: date | None = None, sex: str | None = None
) -> None:
    """Raise :class:`InvalidNationalId` saying which part of ``number`` is wrong.

    ``date_of_birth`` and ``sex`` (``"M"``/``"F"``), when given, must agree with the
    century/sex digit and the birth-year digits.
    """
    # ASCII digits only: "\d" would take other scripts' digits (full-width ０-９ ...).
    if not (number and len(number) == 12 and number.isascii() and number.isdigit()):
        raise InvalidNationalId(_l("The ID number must be exactly 12 digits."), "length")
    if number[:3] not in PROVINCE_CODES:
        raise InvalidNationalId(
            _l(
                "The first 3 digits (%(code)s) are not a province code of birth registration.",
                code=number[:3],
            ),
            "province",
        )
    century_sex = _CENTURY_SEX.get(number[3])
    if century_sex is None:
        raise InvalidNationalId(
            _l("The 4th digit (century and sex) must be 0, 1, 2 or 3."), "century"
        )
    century, coded_sex = century_sex
    if date_of_birth is not None:
        if not century <= date_of_birth.year < century + 100:
            raise InvalidNationalId(
                _l("The 4th digit (century and sex) does not match the year of birth."),
                "century",
            )
        if int(number[4:6]) != date_of_birth.year % 100:
            raise InvalidNationalId(
                _l(
                    "Digits 5 and 6 (%(yy)s) do not match the year of birth %(year)s.",
                    yy=number[4:6],
                    year=date_of_birth.year,
                ),
                "year",
            )
    if sex is not None and sex != coded_sex:
        raise InvalidNationalId(
            _l("The 4th digit (century and sex) does not match the sex."), "sex"
        )


def is_valid_national_id(
    number: str, date_of_birth: date | None = None, sex: str | None = None
) -> bool:
    try:
        check_national_id(number, date_of_birth, sex)
    except InvalidNationalId:
        return False
    return True


def mask_national_id(number: str | None) -> str:
    """``001******345``: the province code and the last three digits, for screens and lists
    where the full number is not needed (issue 3, privacy)."""
    if not number:
        return ""
    if len(number) <= 6:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 6) + number[-3:]
