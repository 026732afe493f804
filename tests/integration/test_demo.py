"""`make run` loads demo data once; running it again keeps the data."""

from sqlalchemy import func, select

from benefits.extensions import db
from benefits.registry.models import Beneficiary, CareSupport


def test_demo_data_is_loaded_once(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["seed", "demo"])
    assert first.exit_code == 0
    assert db.session.scalar(select(func.count()).select_from(Beneficiary)) == 8
    assert db.session.scalar(select(func.count()).select_from(CareSupport)) == 1
    again = runner.invoke(args=["seed", "demo"])
    assert again.exit_code == 0 and "already" in again.output
    assert db.session.scalar(select(func.count()).select_from(Beneficiary)) == 8
