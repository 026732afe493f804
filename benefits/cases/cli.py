"""``flask --app wsgi cases expire-supplements``: run daily (cron or a scheduler)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from benefits.accounts.audit import Actor
from benefits.cases.models import NO_ANSWER_NOTE
from benefits.cases.queries import fetch_unanswered_supplements
from benefits.cases.service import move_case
from benefits.extensions import db
from benefits.places.calendar import vietnam_today

cases_cli = AppGroup("cases", help="Dossiers.")


@cases_cli.command("expire-supplements")
def expire_supplements() -> None:
    """Close as withdrawn the dossiers left unanswered 30 days after a request for papers."""
    actor = Actor.system("cli")
    expired = fetch_unanswered_supplements(vietnam_today())
    for case in expired:
        move_case(case, "withdrawn", actor, note=NO_ANSWER_NOTE)
    db.session.commit()
    click.echo(f"{len(expired)} dossier(s) closed as withdrawn")
