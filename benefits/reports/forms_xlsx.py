"""The half-year report forms 10a to 10d (TT02 Art 6) as one XLSX workbook, a sheet per
form, with Vietnamese titles and headers whatever the reader's language: they are the
official forms sent to the level above (communes before 15 June and 15 December,
provinces to the Ministry before 15 January and 15 July)."""

from __future__ import annotations

import xlsxwriter
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from benefits.errors import NotFound
from benefits.i18n import format_day
from benefits.places.calendar import vietnam_today
from benefits.places.models import Commune, Province
from benefits.procedures.catalogue import procedure
from benefits.reports.forms_data import (
    AGE_GROUPS_10A,
    AGE_GROUPS_10C,
    AGE_GROUPS_10D,
    Forms,
    Row,
    commune_names,
)
from benefits.reports.reading import reader
from benefits.reports.spreadsheet import safe_text
from benefits.rules.models import CareSupportRule, Category


def _age_headers():
    return {
        "under_16": _("Under 16"),
        "16_to_59": _("16 to under 60"),
        "60_to_79": _("60 to under 80"),
        "80_and_over": _("80 and over"),
        "60_and_over": _("60 and over"),
    }


def file_name(forms: Forms) -> str:
    return f"bao-cao-10a-10d-{forms.half}-{forms.scope.code}.xlsx"


def write_forms(forms: Forms, path) -> None:
    with force_locale("vi"):
        _write(forms, path)


class _Sheet:
    """A form's sheet: its heading, then rows written one after the other."""

    def __init__(self, book, styles, name: str, form_number: str, title: str, forms, columns):
        self.sheet = book.add_worksheet(name)
        self.styles = styles
        self.row = 0
        self.width = len(columns)
        self.sheet.set_column(0, 0, 6)
        self.sheet.set_column(1, 1, 48)
        self.sheet.set_column(2, self.width - 1, 16)
        self._line(_("SOCIALIST REPUBLIC OF VIETNAM"), "bold")
        self._line(_("Independence - Freedom - Happiness"), "bold")
        self._line(
            _("Form %(number)s (Circular 02/2021/TT-BLĐTBXH, Article 6)", number=form_number)
        )
        self._line(title, "title")
        self._line(_half_year_label(forms))
        self._line(_("Reporting unit: %(place)s", place=_place_label(forms)))
        self._line(_("Made on %(day)s from the payments the post office reported paid.",
                     day=format_day(vietnam_today(), "vi")))  # fmt: skip
        self.row += 1
        self.sheet.write_row(self.row, 0, [str(c) for c in columns], styles["header"])
        self.row += 1

    def _line(self, text, style=None):
        self.sheet.write_string(self.row, 0, str(text), self.styles.get(style))
        self.row += 1

    def section(self, text):
        self.sheet.write_string(self.row, 1, str(text), self.styles["bold"])
        self.row += 1

    def write(self, number, label, values, style=None):
        """``values``: the counts and amounts, written as numbers (never text)."""
        if number is not None:
            self.sheet.write_string(self.row, 0, str(number), self.styles.get(style))
        self.sheet.write_string(self.row, 1, str(safe_text(label)), self.styles.get(style))
        for col, value in enumerate(values, start=2):
            if isinstance(value, str):
                self.sheet.write_string(self.row, col, value, self.styles.get(style))
            else:
                self.sheet.write_number(self.row, col, value, self.styles[style or "number"])
        self.row += 1


def _place_label(forms: Forms) -> str:
    code = forms.scope.commune_code or forms.scope.province_code
    if code is None:
        return _("whole country")
    model = Commune if forms.scope.commune_code else Province
    name = reader().scalar(select(model.name).where(model.code == code))
    return f"{name} ({code})"


def _half_year_label(forms: Forms) -> str:
    if forms.half.half == 1:
        return _("First half of %(year)s (1 January to 30 June)", year=forms.half.year)
    return _("Second half of %(year)s (1 July to 31 December)", year=forms.half.year)


def _people_values(row: Row, groups) -> list:
    return [row.people, row.women, *(row.ages.get(key, 0) for key, _l, _h in groups), row.amount]


def _summed(rows: list[Row], groups) -> Row:
    total = Row(code="", people=sum(r.people for r in rows), women=sum(r.women for r in rows),
                amount=sum(r.amount for r in rows),
                care_amount=sum(r.care_amount for r in rows))  # fmt: skip
    total.ages = {key: sum(r.ages.get(key, 0) for r in rows) for key, _l, _h in groups}
    return total


def _write(forms: Forms, path) -> None:
    book = xlsxwriter.Workbook(str(path))
    styles = {
        "bold": book.add_format({"bold": True}),
        "title": book.add_format({"bold": True, "font_size": 13}),
        "header": book.add_format({"bold": True, "text_wrap": True, "border": 1, "valign": "top"}),
        "number": book.add_format({"num_format": "#,##0", "border": 1}),
        "total": book.add_format({"bold": True, "num_format": "#,##0", "border": 1}),
        None: book.add_format({"border": 1}),
    }
    categories = dict(reader().execute(select(Category.code, Category.name_vi)).all())
    articles = dict(reader().execute(select(Category.code, Category.article)).all())
    care_names = {}
    for group, name in reader().execute(
        select(CareSupportRule.care_group, CareSupportRule.name_vi).order_by(CareSupportRule.id)
    ):
        care_names.setdefault(group, name)
    ages = _age_headers()
    people_headers = [_("People"), _("Of whom women")]
    money = _("Money paid (VND)")

    def category_label(code):
        name = categories.get(code, code)
        if code not in articles:
            return name
        article = _("Art %(article)s", article=articles[code])
        return f"{name} ({article})"

    # 10a: regular assistance.
    columns = [
        "#", _("Group of beneficiaries"), *people_headers,
        *(ages[k] for k, _l, _h in AGE_GROUPS_10A), money,
    ]  # fmt: skip
    sheet = _Sheet(book, styles, "10a", "10a",
                   _("REPORT ON REGULAR SOCIAL ASSISTANCE"), forms, columns)  # fmt: skip
    sheet.section(_("I. Monthly social allowance (Decree 20/2021, Article 5)"))
    for number, row in enumerate(forms.allowance, start=1):
        sheet.write(number, category_label(row.code), _people_values(row, AGE_GROUPS_10A))
    allowance_total = _summed(forms.allowance, AGE_GROUPS_10A)
    sheet.write("I", _("Total I"), _people_values(allowance_total, AGE_GROUPS_10A), "total")
    sheet.section(_("II. Monthly care support (Decree 20/2021, Article 20)"))
    for number, row in enumerate(forms.care, start=1):
        sheet.write(number, care_names.get(row.code, row.code), _people_values(row, AGE_GROUPS_10A))
    care_total = _summed(forms.care, AGE_GROUPS_10A)
    sheet.write("II", _("Total II"), _people_values(care_total, AGE_GROUPS_10A), "total")
    both = _summed([allowance_total, care_total], AGE_GROUPS_10A)
    sheet.write(None, _("Grand total (I + II)"), _people_values(both, AGE_GROUPS_10A), "total")

    # 10b: ad-hoc assistance.
    sheet = _Sheet(book, styles, "10b", "10b", _("REPORT ON AD-HOC SOCIAL ASSISTANCE"), forms,
                   ["#", _("Kind of support"), _("Cases"), money])  # fmt: skip
    for number, row in enumerate(forms.one_off, start=1):
        sheet.write(number, _procedure_name(row.code), [row.people, row.amount])
    sheet.write(None, _("Grand total"),
                [sum(r.people for r in forms.one_off), forms.one_off_total], "total")  # fmt: skip

    # 10c: the elderly.
    columns = [
        "#", _("Group of beneficiaries"), *people_headers,
        *(ages[k] for k, _l, _h in AGE_GROUPS_10C), money,
    ]  # fmt: skip
    sheet = _Sheet(book, styles, "10c", "10c",
                   _("REPORT ON SOCIAL ASSISTANCE TO THE ELDERLY"), forms, columns)  # fmt: skip
    elderly = [row for row in forms.elderly if row.people or row.code in _elderly_codes()]
    for number, row in enumerate(elderly, start=1):
        sheet.write(number, category_label(row.code), _people_values(row, AGE_GROUPS_10C))
    elderly_total = _summed(elderly, AGE_GROUPS_10C)
    sheet.write(None, _("Grand total"), _people_values(elderly_total, AGE_GROUPS_10C), "total")

    # 10d: people with disabilities.
    columns = ["#", _("Level of disability"), *people_headers,
               *(ages[k] for k, _l, _h in AGE_GROUPS_10D), money,
               _("Care support paid for them (VND)")]  # fmt: skip
    sheet = _Sheet(book, styles, "10d", "10d",
                   _("REPORT ON SOCIAL ASSISTANCE TO PEOPLE WITH DISABILITIES"), forms,
                   columns)  # fmt: skip
    for number, row in enumerate(forms.disability, start=1):
        sheet.write(number, category_label(row.code),
                    [*_people_values(row, AGE_GROUPS_10D), row.care_amount])  # fmt: skip
    total = _summed(forms.disability, AGE_GROUPS_10D)
    sheet.write(None, _("Grand total"), [*_people_values(total, AGE_GROUPS_10D), total.care_amount],
                "total")  # fmt: skip

    if not forms.scope.commune_code:
        names = commune_names(forms)
        columns = ["#", _("Commune or ward"), _("People and dossiers paid"), money]
        sheet = _Sheet(
            book, styles, _("By commune"), "10a-10d", _("MONEY PAID BY COMMUNE"), forms, columns
        )
        for number, row in enumerate(forms.communes, start=1):
            sheet.write(number, f"{names.get(row.code, row.code)} ({row.code})",
                        [row.people, row.amount])  # fmt: skip
        sheet.write(None, _("Grand total"),
                    [sum(r.people for r in forms.communes),
                     sum(r.amount for r in forms.communes)], "total")  # fmt: skip
    book.close()


def _elderly_codes() -> set[str]:
    return set(reader().scalars(select(Category.code).where(Category.group == "ELDERLY")))


def _procedure_name(code: str) -> str:
    try:
        return procedure(code).name("vi")
    except NotFound:  # a code no longer in the catalogue is shown as it is
        return code
