"""``flask --app wsgi reports ...`` (interchange.md section 4)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from benefits.extensions import db
from benefits.month import Month
from benefits.places.models import Province
from benefits.reports import health_insurance

reports_cli = AppGroup("reports", help="Reports: the health-insurance list, report forms.")


def _fail(message) -> None:
    db.session.rollback()
    click.echo(str(message), err=True)
    sys.exit(1)


def _month(_ctx, _param, value: str) -> Month:
    try:
        return Month.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


@reports_cli.command("health-insurance")
@click.option("--month", required=True, callback=_month, help="YYYY-MM")
@click.option("--province", help="Province code (2 digits); the whole country without it.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def health_insurance_command(month: Month, province: str | None, out: Path, as_json: bool):
    """The people whose health-insurance entitlement starts or ends in the month."""
    if province is not None and db.session.get(Province, province) is None:
        _fail(f"unknown province code: {province}")
    try:
        counts = health_insurance.write_csv(
            month, health_insurance.Scope(province_code=province), out
        )
    except OSError as error:
        _fail(f"cannot write {out}: {error.strerror}")
    figures = counts.as_json()
    click.echo(json.dumps(figures) if as_json else f"{out}: {figures}")


def all_provinces() -> list[str]:
    return list(db.session.scalars(select(Province.code).order_by(Province.code)))
