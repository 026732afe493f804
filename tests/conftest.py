"""Test harness.

- The schema is built once per run by ``alembic upgrade head`` (which tests the
  migrations too), on the database named by ``DATABASE_URL`` (PostgreSQL in CI) or on a
  fresh SQLite file.
- Each test runs inside a transaction that is rolled back at the end: the app's engine is
  swapped for one connection in a transaction, and the session commits into savepoints.
- Tests that need real commits seen by another process or thread (a live server, an RQ
  worker) use ``committed_db`` instead, which empties the tables it leaves behind.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from benefits import create_app
from benefits.extensions import db, limiter

OUTPUT_DIR = Path(__file__).resolve().parent.parent / "test-output"


def _test_settings(tmp_root: Path) -> dict:
    settings = {
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        "UPLOAD_FOLDER": str(tmp_root / "uploads"),
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    if not os.environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = "sqlite:///" + str(tmp_root / "test.sqlite3")
    return settings


class FreshContextClient(FlaskClient):
    """Each request in its own application context, as in production.

    A test holds an app context open (for its rolled-back transaction); without this, every
    request would reuse it and share ``g`` (Flask-Login caches the user there), so two
    clients in one test would see each other's login.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    tmp_root = tmp_path_factory.mktemp("app")
    os.environ.setdefault("INSTANCE_PATH", str(tmp_root / "instance"))
    application = create_app(_test_settings(tmp_root))
    application.test_client_class = FreshContextClient
    with application.app_context():
        from flask_migrate import upgrade

        upgrade()
    return application


@pytest.fixture(autouse=True)
def _transaction(request, app):
    """Every test in a rolled-back transaction, unless it asks for ``committed_db``."""
    if "committed_db" in request.fixturenames or "no_db" in request.keywords:
        yield
        return
    with app.app_context():
        engines = db.engines
        engine = engines[None]
        connection = engine.connect()
        outer = connection.begin()
        engines[None] = connection
        original_options = dict(db.session.session_factory.kw)
        db.session.remove()
        db.session.session_factory.configure(join_transaction_mode="create_savepoint")
        try:
            yield
        finally:
            db.session.remove()
            db.session.session_factory.kw.clear()
            db.session.session_factory.kw.update(original_options)
            engines[None] = engine
            outer.rollback()
            connection.close()
    limiter.reset()


@pytest.fixture
def committed_db(app):
    """Real commits (for another thread or process); the data tables are emptied after."""
    with app.app_context():
        yield db
        db.session.remove()
        _empty_data_tables()
    limiter.reset()


def _empty_data_tables() -> None:
    """Delete every row the tests wrote. Tables seeded by migrations (reference data and
    rule tables) carry ``info={"seeded": True}`` and stay.

    The database refuses to delete audit rows and locked batches (triggers); the test
    cleanup alone sets them aside: on PostgreSQL with ``session_replication_role``, on
    SQLite by dropping the triggers and creating them again.
    """
    with db.engine.begin() as conn:
        triggers = []
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET LOCAL session_replication_role = replica")
        else:
            triggers = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
            ).all()
            for name, _sql in triggers:
                conn.exec_driver_sql(f"DROP TRIGGER {name}")
        for table in reversed(db.Model.metadata.sorted_tables):
            if not table.info.get("seeded"):
                conn.execute(table.delete())
        for _name, sql in triggers:
            conn.exec_driver_sql(sql)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def citizen(client):
    """Hoàng Thị Dân, a registered citizen, logged in on ``client``."""
    from datetime import date

    from benefits.accounts.audit import Actor
    from benefits.accounts.service import CitizenRegistration, register_citizen
    from tests.builders import PASSWORD

    user = register_citizen(CitizenRegistration(
        "Hoàng Thị Dân", date(1990, 5, 17), "F", "001190000777", "0912345678",
        "dan@example.vn", PASSWORD), Actor.system("test"))  # fmt: skip
    client.post("/login", data={"username": "001190000777", "password": PASSWORD})
    return user


@pytest.fixture
def app_ctx(app):
    with app.test_request_context():
        yield


@pytest.fixture(scope="session")
def output_dir():
    OUTPUT_DIR.mkdir(exist_ok=True)
    return OUTPUT_DIR
