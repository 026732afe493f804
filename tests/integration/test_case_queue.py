"""The officer's case queue: search by dossier code, name or ID number, filters by
procedure, state and deadline, keyset pages with counts (issue 30 item 1, decision 121)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from bs4 import BeautifulSoup
from flask import url_for

from benefits.accounts.audit import Actor
from benefits.accounts.service import create_staff_user
from benefits.cases.queries import deadline_flag
from benefits.cases.service import open_case, start_checking, withdraw_dossier
from benefits.extensions import db
from tests.builders import PASSWORD

SYSTEM = Actor.system("test")
# A Wednesday in Vietnam (10:00 there).
TODAY = date(2025, 3, 12)
NOW = datetime(2025, 3, 12, 3, 0, tzinfo=UTC)


@pytest.fixture
def officer(client):
    create_staff_user("officer", "here@xa.gov.vn", "Cán Bộ", PASSWORD, SYSTEM,
                      commune_code="00070")  # fmt: skip
    client.set_cookie("lang", "vi")
    client.post("/login", data={"username": "here@xa.gov.vn", "password": PASSWORD})
    return client


def path(app, endpoint, **values):
    with app.test_request_context():
        return url_for(endpoint, **values)


def listed(response) -> list[str]:
    tables = BeautifulSoup(response.data, "html.parser").select("table")
    if not tables or "closed" in (tables[0].find_previous("h2") or {}).get("id", ""):
        return []  # no table of what was found: the first one is of the dossiers closed
    return [row.select("td")[0].get_text(strip=True) for row in tables[0].select("tbody tr")]


def text_of(response) -> str:
    return BeautifulSoup(response.data, "html.parser").get_text(" ", strip=True)


def search(app, client, **form):
    data = {"q": "", "procedure": "", "state": "open", "deadline": "", **form}
    return client.post(path(app, "officer.queue_search"), data=data)


def test_a_search_by_name_or_code_finds_the_dossier(app, officer):
    wanted = open_case("1.001731", "00070", "Nguyễn Thị Lan", SYSTEM, date(2025, 3, 3))
    other = open_case("1.001731", "00070", "Trần Văn Bình", SYSTEM, date(2025, 3, 3))
    open_case("1.001731", "00004", "Nguyễn Thị Lan Khác", SYSTEM, date(2025, 3, 3))
    answer = search(app, officer, q="thị lan")
    assert answer.status_code == 302
    assert listed(officer.get(answer.headers["Location"])) == [wanted.code]
    # A dossier code, or its end as read out over the phone.
    for typed in (other.code, other.code[-6:], other.code.lower()):
        found = officer.get(search(app, officer, q=typed).headers["Location"])
        assert listed(found) == [other.code], typed
    # Characters that mean something to LIKE are searched as typed.
    assert listed(officer.get(path(app, "officer.home", q="%"))) == []


def test_an_id_number_search_never_puts_the_number_in_the_url(app, officer):
    wanted = open_case("1.001731", "00070", "Ông Văn Đức", SYSTEM, date(2025, 3, 17),
                       subject_national_id="001044700008")  # fmt: skip
    open_case("1.001731", "00070", "Bà Thị Hoa", SYSTEM, date(2025, 3, 17),
              subject_national_id="001144700009")  # fmt: skip
    answer = search(app, officer, q="001 044 700 008")
    location = answer.headers["Location"]
    assert "001044700008" not in location and "700008" not in location
    assert "001%2A%2A%2A%2A%2A%2A008" in location or "001******008" in location
    page = officer.get(location)
    assert listed(page) == [wanted.code]
    assert "001044700008" not in page.get_data(as_text=True)
    box = BeautifulSoup(page.data, "html.parser").select_one("input[name=q]")
    assert box["value"] == "001******008"
    # Sent again as the box shows it (masked), with another filter: the same person.
    again = search(app, officer, q="001******008", procedure="1.001731")
    assert listed(officer.get(again.headers["Location"])) == [wanted.code]
    # The link alone, in another browser, does not carry the number: it asks for it again.
    other = app.test_client()
    other.post("/login", data={"username": "here@xa.gov.vn", "password": PASSWORD})
    other.set_cookie("lang", "vi")
    elsewhere = other.get(location)
    assert elsewhere.status_code == 200
    assert "nhập lại" in text_of(elsewhere)


def test_filters_by_procedure_and_state_and_the_closed_ones_are_searched_on_demand(app, officer):
    funeral = open_case("1.001731", "00070", "Người Mất", SYSTEM, date(2025, 3, 3))
    monthly = open_case("1.001776", "00070", "Người Già", SYSTEM, date(2025, 3, 3))
    checking = start_checking(open_case("1.001776", "00070", "Người Kiểm", SYSTEM,
                                        date(2025, 3, 3)), SYSTEM)  # fmt: skip
    closed = withdraw_dossier(open_case("1.001776", "00070", "Người Rút", SYSTEM,
                                        date(2025, 3, 3)), "đã đủ", SYSTEM)  # fmt: skip
    db.session.flush()
    home = path(app, "officer.home")
    assert sorted(listed(officer.get(path(app, "officer.home", procedure="1.001776")))) == sorted(
        [monthly.code, checking.code])  # fmt: skip
    assert listed(officer.get(path(app, "officer.home", state="checking"))) == [checking.code]
    assert closed.code not in listed(officer.get(home))
    assert listed(officer.get(path(app, "officer.home", state="withdrawn"))) == [closed.code]
    assert closed.code in listed(officer.get(path(app, "officer.home", state="all", q="Rút")))
    nothing = officer.get(path(app, "officer.home", q="Người Rút"))
    assert "Chỉ tìm trong hồ sơ đang xử lý" in text_of(nothing)
    # Unknown values (an old bookmark, a typo) show the queue, never an error.
    odd = officer.get(path(app, "officer.home", state="nonsense", procedure="9.999",
                           deadline="yesterday", after="x"))  # fmt: skip
    assert odd.status_code == 200 and funeral.code in listed(odd)


# A Wednesday, and a Sunday (past due counts working days, not days).
@pytest.mark.parametrize("today", [TODAY, date(2025, 3, 16)])
def test_the_deadline_filters_find_exactly_what_the_queue_flags(app, officer, today):
    received = [today - timedelta(days=n) for n in range(0, 14)]
    cases = [open_case("1.001731", "00070", f"Người {n}", SYSTEM, day)
             for n, day in enumerate(received)]  # fmt: skip
    db.session.flush()
    with time_machine.travel(datetime.combine(today, NOW.timetz()), tick=False):
        # Logged in again on that day: a session signed later would be from the future.
        officer.post("/login", data={"username": "here@xa.gov.vn", "password": PASSWORD})
        flags = {c.code: deadline_flag(c, today) for c in cases}
        home = officer.get(path(app, "officer.home"))
        overdue = officer.get(path(app, "officer.home", deadline="overdue"))
        soon = officer.get(path(app, "officer.home", deadline="due_soon"))
    assert sorted(listed(overdue)) == sorted(c for c, f in flags.items() if f == "overdue")
    assert sorted(listed(soon)) == sorted(c for c, f in flags.items() if f == "due_soon")
    assert listed(overdue) and listed(soon)  # the test means something
    counts = text_of(home)
    assert f"Quá hạn ({len(listed(overdue))})" in counts
    assert f"Sắp đến hạn ({len(listed(soon))})" in counts


def test_pages_of_a_search_say_where_they_are_and_keep_the_search(app, officer):
    for n in range(60):
        open_case("1.001731", "00070", f"Nguyễn Số {n:02d}", SYSTEM,
                  date(2025, 1, 6) + timedelta(days=n // 2))  # fmt: skip
    open_case("1.001731", "00070", "Trần Khác", SYSTEM, date(2025, 1, 6))
    first = officer.get(path(app, "officer.home", q="Nguyễn"))
    assert "Hồ sơ 1 đến 50 trong 60 hồ sơ tìm thấy" in text_of(first)
    following = BeautifulSoup(first.data, "html.parser").select_one("a[rel=next]")["href"]
    assert "q=Nguy" in following
    second = officer.get(following)
    assert "Hồ sơ 51 đến 60 trong 60 hồ sơ tìm thấy" in text_of(second)
    assert len(listed(second)) == 10
    seen = listed(first) + listed(second)
    assert len(set(seen)) == 60


def test_another_communes_dossiers_are_never_found(app, officer):
    there = open_case("1.001731", "00004", "Người Xã Khác", SYSTEM, date(2025, 3, 3),
                      subject_national_id="001044700008")  # fmt: skip
    for response in (
        officer.get(search(app, officer, q="001044700008").headers["Location"]),
        officer.get(path(app, "officer.home", q=there.code, state="all")),
    ):
        assert response.status_code == 200
        assert there.code not in listed(response)
