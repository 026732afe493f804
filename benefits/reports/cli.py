"""``flask --app wsgi reports ...`` (interchange.md section 4)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from benefits.commands import fail, parse_month
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.places.models import Commune, Province
from benefits.reports import health_insurance
from benefits.reports.half_year import HalfYear

reports_cli = AppGroup("reports", help="Reports: the health-insurance list, report forms.")


@reports_cli.command("health-insurance")
@click.option("--month", required=True, callback=parse_month, help="YYYY-MM")
@click.option("--province", help="Province code (2 digits); the whole country without it.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def health_insurance_command(month: Month, province: str | None, out: Path, as_json: bool):
    """The people whose health-insurance entitlement starts or ends in the month."""
    if province is not None and db.session.get(Province, province) is None:
        fail(f"unknown province code: {province}")
    try:
        counts = health_insurance.write_csv(
            month, health_insurance.Scope(province_code=province), out
        )
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror}")
    figures = counts.as_json()
    click.echo(json.dumps(figures) if as_json else f"{out}: {figures}")


@reports_cli.command("forms")
@click.option("--year", required=True, type=int)
@click.option("--half", required=True, type=click.Choice(["1", "2"]), help="1: Jan-Jun, 2: Jul-Dec")
@click.option("--province", help="Province code (2 digits).")
@click.option("--commune", help="Commune code (5 digits).")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def forms_command(year, half, province, commune, out: Path, as_json: bool):
    """The half-year report forms 10a to 10d (TT02 Art 6) of a commune or a province, as
    XLSX, from the lines the post office reported paid."""
    from benefits.reports.forms_data import compute_forms
    from benefits.reports.forms_xlsx import write_forms

    if bool(province) == bool(commune):
        fail("give one of --province or --commune")
    if province and db.session.get(Province, province) is None:
        fail(f"unknown province code: {province}")
    if commune and db.session.get(Commune, commune) is None:
        fail(f"unknown commune code: {commune}")
    try:
        period = HalfYear.parse(year, half)
    except DomainError as error:
        fail(error)
    scope = health_insurance.Scope(province_code=province, commune_code=commune)
    forms = compute_forms(period, scope)
    try:
        write_forms(forms, out)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror}")
    figures = {"regular_amount": forms.regular_total, "one_off_amount": forms.one_off_total}
    click.echo(json.dumps(figures) if as_json else f"{out}: {figures}")


@reports_cli.command("refresh")
@click.option("--province", help="Province code (2 digits); every province without it.")
@click.option("--json", "as_json", is_flag=True)
def refresh_command(province: str | None, as_json: bool):
    """Compute the dashboards' summaries again (run it from cron, e.g. every 15 minutes)."""
    from benefits.places.calendar import vietnam_today
    from benefits.reports.summaries import refresh_province

    if province is not None and db.session.get(Province, province) is None:
        fail(f"unknown province code: {province}")
    codes = [province] if province else list(db.session.scalars(select(Province.code)))
    today = vietnam_today()
    started = time.perf_counter()
    for code in codes:
        refresh_province(code, today)
        db.session.commit()
    figures = {"provinces": len(codes), "seconds": round(time.perf_counter() - started, 3)}
    click.echo(json.dumps(figures) if as_json else f"refreshed: {figures}")
