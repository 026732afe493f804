"""``flask --app wsgi payments ...`` (interchange.md section 3)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from benefits.accounts.audit import Actor
from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month
from benefits.payments.export import csv_chunks, write_xlsx
from benefits.payments.generation import generate_batch
from benefits.payments.service import get_batch, lock_batch, reconcile_batch
from benefits.payments.signature_sheets import write_signature_sheets

payments_cli = AppGroup("payments", help="Monthly payment batches.")
CLI = Actor.system("cli")


def _fail(message) -> None:
    db.session.rollback()
    click.echo(str(message), err=True)
    sys.exit(1)


def _month(_ctx, _param, value: str) -> Month:
    try:
        return Month.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error


@payments_cli.command("generate")
@click.option("--month", required=True, callback=_month, help="YYYY-MM")
@click.option("--province", help="Province code (2 digits).")
@click.option("--commune", help="Commune code (5 digits).")
@click.option("--json", "as_json", is_flag=True)
def generate_command(month: Month, province: str | None, commune: str | None, as_json: bool):
    """Compute the batch of a month for a province or a commune."""
    if bool(province) == bool(commune):
        _fail("give exactly one of --province or --commune")
    scope = ("province", province) if province else ("commune", commune)
    try:
        batch = generate_batch(month, *scope, CLI)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    figures = {"batch_id": batch.id, "lines": batch.line_count, "total_amount": batch.total_amount}
    click.echo(json.dumps(figures) if as_json else f"batch {batch.id}: {figures}")


@payments_cli.command("lock")
@click.argument("batch_id", type=int)
def lock_command(batch_id: int):
    """Freeze a batch: lines, totals and the SHA-256 of its CSV."""
    try:
        batch = lock_batch(batch_id, CLI)
    except DomainError as error:
        _fail(error)
    db.session.commit()
    click.echo(f"batch {batch.id} locked, sha256 {batch.csv_sha256}")


@payments_cli.command("export")
@click.argument("batch_id", type=int)
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "pdf"]), default="csv")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(batch_id: int, fmt: str, out: Path):
    """Write the payment list of a batch (CSV per interchange.md section 3, or XLSX)."""
    try:
        batch = get_batch(batch_id)
    except DomainError as error:
        _fail(error)
    if batch.status != "locked":
        click.echo(f"warning: batch {batch.id} is open: this file is a draft", err=True)
    if fmt == "xlsx":
        write_xlsx(batch, out)
    elif fmt == "pdf":
        try:
            write_signature_sheets(batch, out)
        except DomainError as error:
            _fail(error)
    else:
        with out.open("w", encoding="utf-8", newline="") as fh:
            for chunk in csv_chunks(batch):
                fh.write(chunk)
    click.echo(f"{out}: {batch.line_count} lines")


@payments_cli.command("reconcile")
@click.argument("batch_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def reconcile_command(batch_id: int, file: Path, as_json: bool):
    """Read the post office's result file for a locked batch."""
    try:
        result = reconcile_batch(
            batch_id, file, CLI, report=lambda line: click.echo(line, err=True)
        )
    except DomainError as error:
        _fail(error)
    db.session.commit()
    for code in result.suspended:
        click.echo(f"suspended (unpaid 3 batches in a row): {code}", err=True)
    click.echo(
        f"paid {result.paid_amount} + unpaid {result.unpaid_amount} + not reported "
        f"{result.open_amount}",
        err=True,
    )
    figures = result.as_dict()
    click.echo(json.dumps(figures) if as_json else str(figures))
