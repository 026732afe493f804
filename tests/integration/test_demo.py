"""`make run` loads demo data once; running it again keeps the data (9 beneficiaries: the
demo citizen's grandmother, whose funeral support is proposed, among them)."""

from bs4 import BeautifulSoup
from sqlalchemy import func, select

from benefits.cases.models import Case
from benefits.extensions import db
from benefits.people.models import Person
from benefits.registry.models import Beneficiary, CareSupport


def test_demo_data_is_loaded_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Beneficiary)) == 9
    assert db.session.scalar(select(func.count()).select_from(CareSupport)) == 1
    # The grandmother of the funeral dossier received the allowance (ND20 Art 11).
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(Beneficiary)
            .join(Beneficiary.person)
            .where(Person.national_id == "001135000783")
        )
        == 1
    )
    # The officer's queue is not empty: one dossier to check, one waiting for papers; nor
    # the chairman's: a funeral support proposed for a decision.
    statuses = db.session.scalars(select(Case.status).order_by(Case.id)).all()
    assert statuses == ["submitted", "supplement_requested", "proposed"]
    officer = app.test_client()
    officer.post("/login", data={"username": "officer.hoankiem@demo.gov.vn",
                                 "password": "demo-portal-2025"})  # fmt: skip
    queue = officer.get("/officer/").get_data(as_text=True)
    assert "Hoàng Văn Phúc" in queue and "Hoàng Văn An" in queue
    case = db.session.scalar(select(Case).where(Case.status == "submitted"))
    paper = officer.get(f"/officer/cases/{case.code}/attachments/{case.attachments[0].id}")
    assert paper.status_code == 200 and paper.data.startswith(b"%PDF-")
    chairman = app.test_client()
    chairman.post("/login", data={"username": "chairman.hoankiem@demo.gov.vn",
                                  "password": "demo-portal-2025"})  # fmt: skip
    waiting = chairman.get("/officer/?step=proposed").get_data(as_text=True)
    assert "Hoàng Thị Lành" in waiting and "Hoàng Văn Phúc" not in waiting
    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code == 0 and "already" in again.output
    assert db.session.scalar(select(func.count()).select_from(Beneficiary)) == 9
    assert db.session.scalar(select(func.count()).select_from(Case)) == 3


def test_the_demo_dashboards_show_the_demo_figures(app):
    """The province admin's first look at the reports after ``make run`` shows the demo's
    beneficiaries, not "not computed yet"."""
    assert app.test_cli_runner().invoke(args=["seed", "demo"]).exit_code == 0
    admin = app.test_client()
    admin.set_cookie("lang", "vi")
    admin.post("/login", data={"username": "admin.hanoi@demo.gov.vn",
                               "password": "demo-portal-2025"})  # fmt: skip
    page = BeautifulSoup(admin.get("/reports/").data, "html.parser")
    assert "Số liệu chưa được tính." not in page.get_text()
    rows = page.select("#beneficiaries-by-category tbody tr")
    # Hà Nội's demo beneficiaries (Phường Hoàn Kiếm and its neighbours) are counted.
    assert rows and "Không có đối tượng." not in rows[0].get_text()
