"""Demo data for ``make run``. Each area adds its own loader to ``LOADERS``; every loader
is idempotent and returns how many records it created."""

from __future__ import annotations

from collections.abc import Callable

from benefits.accounts.demo import load_demo_accounts
from benefits.cases.demo import load_demo_dossiers
from benefits.registry.demo import load_demo_care_support, load_demo_caseload
from benefits.reports.demo import load_demo_summaries

LOADERS: list[Callable[[], int]] = [
    load_demo_accounts,
    load_demo_caseload,
    load_demo_care_support,
    load_demo_dossiers,
    load_demo_summaries,  # last: it counts what the others loaded
]


def load_demo() -> int:
    return sum(loader() for loader in LOADERS)
