"""``flask --app wsgi registry ...``: the caseload import (interchange.md section 1)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from benefits.accounts.audit import Actor
from benefits.deaths.service import apply_deaths_reported_before
from benefits.extensions import db
from benefits.people.national_id import mask_national_id
from benefits.places.calendar import vietnam_today
from benefits.registry.caseload_import import ImportRefused, import_caseload

registry_cli = AppGroup("registry", help="The beneficiary registry.")


@registry_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--skip-invalid", is_flag=True, help="Import the good rows, report the bad ones.")
@click.option("--json", "as_json", is_flag=True, help="End with a JSON line of figures.")
def import_command(file: Path, skip_invalid: bool, as_json: bool) -> None:
    """Import a caseload CSV file (interchange.md section 1)."""
    if not file.exists():
        click.echo(f"{file}: " + _("no such file"), err=True)
        sys.exit(1)

    def report(line: str) -> None:
        click.echo(line, err=True)

    try:
        result = import_caseload(
            file, skip_invalid=skip_invalid, actor=Actor.system("cli"), report=report
        )
    except ImportRefused as error:
        db.session.rollback()
        click.echo(str(error), err=True)
        sys.exit(1)
    except OSError as error:
        db.session.rollback()
        reason = error.strerror or str(error)
        click.echo(f"{file}: " + _("cannot be read: %(reason)s", reason=reason), err=True)
        sys.exit(1)
    db.session.commit()
    # Issue 25 item 6: a death reported before the person was imported is applied now.
    for record in apply_deaths_reported_before(Actor.system("cli"), vietnam_today()):
        report(
            _("%(national_id)s: recorded as deceased on %(day)s (death registration "
              "%(number)s received before the import)",
              national_id=mask_national_id(record.national_id),
              day=record.date_of_death.isoformat(), number=record.registration_number)
        )  # fmt: skip
    db.session.commit()
    figures = result.as_dict()
    if as_json:
        click.echo(json.dumps(figures))
    else:
        click.echo(", ".join(f"{name}: {count}" for name, count in figures.items()))
