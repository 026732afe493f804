"""PostgreSQL planner settings for the statements of one block (docs/decisions.md 42).

A few large set-based statements (payment generation, caseload import) set their own plan
where the planner, left free, was measured to pick a far slower one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text


@contextmanager
def planner_settings(connection: Connection, settings: dict[str, str]) -> Iterator[None]:
    """``settings`` for the statements inside, then back to the ones before; nothing on a
    database other than PostgreSQL."""
    if connection.dialect.name != "postgresql":
        yield
        return
    before = _set_locally(connection, settings)
    yield
    # Not on an error: the transaction (or savepoint) is rolled back, and its settings
    # with it; a statement now would only hide the error behind "transaction aborted".
    _set_locally(connection, before)


def _set_locally(connection: Connection, settings: dict[str, str]) -> dict[str, str]:
    """Set ``settings`` for the transaction; returns the ones before."""
    read, change = text("SELECT current_setting(:name)"), text("SELECT set_config(:name, :v, true)")
    before = {name: connection.execute(read, {"name": name}).scalar() for name in settings}
    for name, value in settings.items():
        connection.execute(change, {"name": name, "v": value})
    return before
