"""Flask CLI commands: ``flask --app wsgi GROUP COMMAND``.

Each domain module owns its command group (``users``, ``registry``, ``payments``,
``clients``, ``reports``); this module registers them all, plus ``seed`` and ``worker``.
Conventions (interchange.md): exit 0 on success, non-zero with a one-line reason per
problem on stderr; with ``--json`` the last stdout line is one JSON object.
"""

from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from benefits.extensions import db

seed_cli = AppGroup("seed", help="Load data into the database.")


@seed_cli.command("demo")
def seed_demo() -> None:
    """Demo data for `make run`: loaded once, running it again keeps what is there."""
    from benefits.demo import load_demo

    created = load_demo()
    db.session.commit()
    click.echo(f"demo data: {created} new records" if created else "demo data already loaded")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.argument("queues", nargs=-1)
def worker(burst: bool, queues: tuple[str, ...]) -> None:
    """Run an RQ worker on the named queues (all of them by default)."""
    if not current_app.config.get("REDIS_URL"):
        raise click.ClickException("REDIS_URL is not set: jobs run in process, no worker needed")
    from benefits.jobs import portal_worker

    names = queues or current_app.config["RQ_QUEUES"]
    # RQ's scheduler runs the jobs enqueued for later: a notification's next attempt.
    scheduler = "notify" in names
    portal_worker(current_app._get_current_object(), names).work(
        burst=burst, with_scheduler=scheduler
    )


def register_commands(app: Flask) -> None:
    from benefits.accounts.cli import users_cli
    from benefits.api.cli import clients_cli
    from benefits.cases.cli import cases_cli
    from benefits.notify.cli import notify_cli
    from benefits.payments.cli import payments_cli
    from benefits.registry.cli import registry_cli
    from benefits.reports.cli import reports_cli

    app.cli.add_command(users_cli)
    app.cli.add_command(clients_cli)
    app.cli.add_command(cases_cli)
    app.cli.add_command(notify_cli)
    app.cli.add_command(payments_cli)
    app.cli.add_command(registry_cli)
    app.cli.add_command(reports_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(worker)
