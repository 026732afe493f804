"""Money reads as the reader writes it (issue 30 item 9, decision 123): 500.000 ₫ on a
Vietnamese page, 500,000 ₫ on an English one, whole đồng, the sign after the amount."""

import pytest
from bs4 import BeautifulSoup
from flask_babel import force_locale

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.i18n import format_vnd
from tests.builders import PASSWORD


@pytest.mark.parametrize(("locale", "written", "large"), [
    ("vi", "500.000\xa0₫", "40.000.000\xa0₫"), ("en", "500,000\xa0₫", "40,000,000\xa0₫"),
])  # fmt: skip
def test_an_amount_in_each_language(app_ctx, locale, written, large):
    with force_locale(locale):
        assert format_vnd(500_000) == written
        assert format_vnd(40_000_000) == large
        assert format_vnd(0) == "0\xa0₫" and format_vnd(None) == ""


def test_the_rule_tables_write_the_standard_level_in_the_pages_language(app, client):
    create_staff_user("admin", "admin@so.gov.vn", "Quản Trị", PASSWORD, Actor.system("t"),
                      province_code="01")  # fmt: skip
    client.post("/login", data={"username": "admin@so.gov.vn", "password": PASSWORD})
    for lang, written in (("vi", "500.000\xa0₫"), ("en", "500,000\xa0₫")):
        client.set_cookie("lang", lang)
        levels = BeautifulSoup(client.get("/admin/rules").data, "html.parser").select("table")[0]
        assert written in {cell.get_text() for cell in levels.select("td.num")}
