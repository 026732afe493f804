"""Errors in view (issue 30 item 3, decision 125): a refused form answers with one error
summary at the top of the page, before its content, that takes the focus and links to
each field in error, by the field's name; a form at the foot of a long page too."""

import pytest
from bs4 import BeautifulSoup
from flask import url_for
from sqlalchemy import select

from benefits.accounts.demo import DEMO_PASSWORD
from benefits.cases.models import Case
from benefits.demo import load_demo
from benefits.extensions import db


def path(app, endpoint, **values):
    with app.test_request_context():
        return url_for(endpoint, **values)


def assert_summary_leads_to_the_fields(response, fields: set[str]):
    page = BeautifulSoup(response.data, "html.parser")
    summaries = page.select(".error-summary")
    assert len(summaries) == 1, "one summary a page"
    summary = summaries[0]
    assert summary.has_attr("autofocus") and summary["tabindex"] == "-1"
    assert summary["role"] == "alert"
    # Above the page's content: nothing but notices comes before it in <main>.
    main = page.select_one("main")
    before = [el for el in summary.find_all_previous() if main in el.parents]
    assert all("notice" in (el.get("class") or []) for el in before if el.name == "div")
    assert not [el for el in before if el.name in ("h1", "form")]
    targets = [a["href"].removeprefix("#") for a in summary.select("a")]
    assert targets and all(page.find(id=t) is not None for t in targets), targets
    named = {page.find(id=t).get("name") for t in targets}
    assert named == fields
    # Each message names its field first.
    for link in summary.select("a"):
        target = page.find(id=link["href"][1:])
        label = page.find("label", attrs={"for": target["id"]})
        if target.get("type") != "radio" and label is not None and label.get_text(strip=True):
            assert link.get_text().startswith(label.get_text(strip=True)), link.get_text()
    assert page.select_one("script[src$='error-summary.js']") is not None


def test_a_refused_registration_leads_to_each_field(client):
    response = client.post("/register", data={"full_name": "", "national_id": "12",
                                              "password": "x"})  # fmt: skip
    assert response.status_code == 200
    page = BeautifulSoup(response.data, "html.parser")
    in_error = {f["id"].removesuffix("-field") for f in page.select(".field-error")}
    assert {"full_name", "national_id", "password"} <= in_error
    assert_summary_leads_to_the_fields(response, in_error)


@pytest.fixture
def chairman(app):
    load_demo()
    db.session.flush()
    client = app.test_client()
    client.set_cookie("lang", "vi")
    client.post("/login", data={"username": "chairman.hoankiem@demo.gov.vn",
                                "password": DEMO_PASSWORD})  # fmt: skip
    return client


def test_the_chairmans_decision_at_the_foot_of_the_dossier_is_summed_up_at_its_top(app, chairman):
    case = db.session.scalar(select(Case).where(Case.status == "proposed"))
    response = chairman.post(path(app, "officer.case_decide", code=case.code), data={})
    assert response.status_code == 200
    assert_summary_leads_to_the_fields(response, {"outcome"})  # a list of radio buttons
    db.session.refresh(case)
    assert case.status == "proposed"


def test_a_page_without_errors_has_no_summary(app, chairman):
    case = db.session.scalar(select(Case).where(Case.status == "proposed"))
    page = BeautifulSoup(chairman.get(path(app, "officer.case_detail", code=case.code)).data,
                         "html.parser")  # fmt: skip
    assert page.select(".error-summary") == []
