"""``flask --app wsgi notify send-pending``: run every minute (cron), it sends the copies
of notifications waiting in the outbox (a failed send, or one queued while Redis was
down), each once (decision 140)."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from benefits.notify.outbox import send_pending

notify_cli = AppGroup("notify", help="Notifications by email and SMS.")


@notify_cli.command("send-pending")
@click.option("--json", "as_json", is_flag=True, help="End with one JSON line.")
def send_pending_command(as_json: bool) -> None:
    """Send every email and SMS copy that is due."""
    sent, waiting = send_pending()
    if as_json:
        click.echo(json.dumps({"sent": sent, "waiting": waiting}))
    else:
        click.echo(f"{sent} sent, {waiting} waiting")
