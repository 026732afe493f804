"""Two identical death registrations at the same moment have their effects once: the
unique constraint decides, on a real server and a real PostgreSQL."""

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from sqlalchemy import func, select
from werkzeug.serving import make_server

from benefits.accounts.audit import Actor
from benefits.api.clients import create_client
from benefits.cases.models import Case
from benefits.deaths.models import DeathRecord
from benefits.extensions import db
from tests.builders import create_beneficiary

pytestmark = pytest.mark.postgres


@pytest.fixture
def server(app, committed_db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("concurrency is proven on PostgreSQL (DATABASE_URL)")
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_identical_requests_at_the_same_moment_have_one_effect(server):
    token = create_client("civil-registry", Actor.system("test"))
    beneficiary = create_beneficiary(
        categories=["ELDERLY_COMMUNITY_CARE"], date_of_birth=date(1944, 12, 31)
    )
    db.session.commit()
    body = json.dumps({
        "registration_number": "KT-2025-777777",
        "national_id": beneficiary.person.national_id,
        "full_name": beneficiary.person.full_name,
        "date_of_death": "2025-03-14",
        "registered_on": "2025-03-16",
        "commune_code": beneficiary.commune_code,
        "declarant": {"full_name": "Nguyễn Thị B", "national_id": "001190054321"},
    }).encode()  # fmt: skip

    def send(_):
        request = urllib.request.Request(  # noqa: S310 - a loopback http URL of the test
            f"{server}/api/v1/civil-registry/deaths", data=body, method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, range(8)))
    statuses = sorted(status for status, _ in answers)
    assert statuses == [200] * 7 + [201]
    assert len({json.dumps(body, sort_keys=True) for _, body in answers}) == 1
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(DeathRecord)) == 1
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_two_numbers_for_one_death_at_the_same_moment_have_one_effect(server):
    token = create_client("civil-registry", Actor.system("test"))
    beneficiary = create_beneficiary(
        categories=["ELDERLY_COMMUNITY_CARE"], date_of_birth=date(1944, 12, 31)
    )
    db.session.commit()
    deceased = {
        "national_id": beneficiary.person.national_id,
        "full_name": beneficiary.person.full_name,
        "date_of_death": "2025-03-14",
        "registered_on": "2025-03-16",
        "commune_code": beneficiary.commune_code,
        "declarant": {"full_name": "Nguyễn Thị B", "national_id": "001190054321"},
    }

    def send(number):
        body = json.dumps({"registration_number": f"KT-2025-{number:06d}", **deceased}).encode()
        request = urllib.request.Request(  # noqa: S310 - a loopback http URL of the test
            f"{server}/api/v1/civil-registry/deaths", data=body, method="POST",
            headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read())

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(send, range(1, 9)))
    # Each number is a registration of its own: all are received, one has the effects.
    assert [status for status, _ in answers] == [201] * 8
    funerals = [body["funeral_allowance"] for _, body in answers if body["funeral_allowance"]]
    assert len(funerals) == 1
    db.session.remove()
    statuses = db.session.scalars(select(DeathRecord.status)).all()
    assert sorted(statuses) == ["duplicate"] * 7 + ["effective"]
    assert db.session.scalar(select(func.count()).select_from(Case)) == 1


def test_concurrent_cancellations_take_effect_once(server):
    """interchange.md section 2: concurrent cancellations take effect once (decision 102):
    the first reverses the effects, the others wait for it and answer 409."""
    from benefits.accounts.models import AuditEntry
    from benefits.registry.models import Beneficiary

    token = create_client("civil-registry", Actor.system("test"))
    beneficiary = create_beneficiary(
        categories=["ELDERLY_COMMUNITY_CARE"], date_of_birth=date(1944, 12, 31)
    )
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps({
        "registration_number": "KT-2025-888888",
        "national_id": beneficiary.person.national_id,
        "full_name": beneficiary.person.full_name,
        "date_of_death": "2025-03-14", "registered_on": "2025-03-16",
        "commune_code": beneficiary.commune_code,
        "declarant": {"full_name": "Nguyễn Thị B", "national_id": "001190054321"},
    }).encode()  # fmt: skip
    request = urllib.request.Request(  # noqa: S310 - a loopback http URL of the test
        f"{server}/api/v1/civil-registry/deaths", data=body, method="POST", headers=headers
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        assert response.status == 201
    barrier = threading.Barrier(8)

    def cancel(_):
        request = urllib.request.Request(  # noqa: S310 - a loopback http URL of the test
            f"{server}/api/v1/civil-registry/deaths/KT-2025-888888", method="DELETE",
            data=json.dumps({"reason": "Đăng ký nhầm người"}).encode(), headers=headers,
        )  # fmt: skip
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return response.status
        except urllib.error.HTTPError as error:
            return error.code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = sorted(pool.map(cancel, range(8)))
    assert statuses == [200] + [409] * 7
    db.session.remove()
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("death.cancelled") == 1
    assert actions.count("registry.resumed") == 1
    assert db.session.get(Beneficiary, beneficiary.id).status == "active"
    assert db.session.scalar(select(DeathRecord.status)) == "cancelled"


def test_an_officers_cancellations_at_the_same_moment_take_effect_once(server):
    """Issue 29.3 (decision 184): the officer's page cancels a death recorded by hand
    through the same locked ``cancel_death``; eight clicks at once, from eight signed-in
    browsers, reverse it once, with one audit row, and the others are told it is done."""
    import http.cookiejar
    import urllib.parse

    from benefits.accounts.models import AuditEntry
    from benefits.accounts.service import create_staff_user
    from benefits.deaths.service import DeathReport, record_death
    from benefits.registry.models import Beneficiary

    password = "một-mật-khẩu-dài"
    create_staff_user("officer", "o@xa.gov.vn", "Cán Bộ", password, Actor.system("test"),
                      commune_code="00070")  # fmt: skip
    beneficiary = create_beneficiary(
        categories=["ELDERLY_COMMUNITY_CARE"], date_of_birth=date(1944, 12, 31),
        commune_code="00070",
    )  # fmt: skip
    report = DeathReport(
        registration_number="KT-TAY-1", national_id=beneficiary.person.national_id,
        full_name=beneficiary.person.full_name, date_of_death=date(2025, 3, 14),
        registered_on=date(2025, 3, 16), commune_code="00070",
        declarant={"full_name": "Nguyễn Thị B", "national_id": "001190054321"},
    )  # fmt: skip
    record_death(report, Actor.system("test"), "officer", date(2025, 3, 16))
    db.session.commit()
    beneficiary_id = beneficiary.id

    def browser():
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = urllib.parse.urlencode({"username": "o@xa.gov.vn", "password": password})
        opener.open(f"{server}/login", data=form.encode(), timeout=30).close()
        return opener

    browsers = [browser() for _ in range(8)]
    barrier = threading.Barrier(8)

    def cancel(opener):
        form = urllib.parse.urlencode({"reason": "Nhầm người", "confirm": "y"}).encode()
        barrier.wait()
        try:
            with opener.open(f"{server}/officer/deaths/KT-TAY-1/cancel", data=form,
                             timeout=30) as response:  # fmt: skip
                page = response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code  # came after the first's commit: no longer cancellable
        if "Đã hủy bản ghi KT-TAY-1." in page:
            return "cancelled"
        assert "Đăng ký khai tử số KT-TAY-1 đã được hủy." in page  # waited for the first
        return "already"

    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(cancel, browsers))
    assert answers.count("cancelled") == 1
    assert answers.count(404) + answers.count("already") == 7
    db.session.remove()
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert actions.count("death.cancelled") == 1
    assert actions.count("registry.resumed") == 1
    assert db.session.get(Beneficiary, beneficiary_id).status == "active"
    assert db.session.scalar(select(DeathRecord.status)) == "cancelled"
