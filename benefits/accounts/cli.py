"""``flask --app wsgi users create --role ROLE --commune CODE --email ... --name ...``."""

from __future__ import annotations

import secrets
import sys

import click
from flask.cli import AppGroup

from benefits.accounts.audit import Actor
from benefits.accounts.models import STAFF_ROLES
from benefits.accounts.service import create_staff_user
from benefits.errors import DomainError
from benefits.extensions import db

users_cli = AppGroup("users", help="Staff accounts.")


@users_cli.command("create")
@click.option("--role", required=True, type=click.Choice(STAFF_ROLES))
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--commune", help="5-digit commune code (officer, chairman, commune payment).")
@click.option("--province", help="2-digit province code (admin, province payment).")
@click.option("--password", help="Initial password; generated and printed when omitted.")
def create_command(role, email, full_name, commune, province, password):
    """Create a staff account (the first admin comes from here)."""
    shown = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = create_staff_user(
            role, email, full_name, password, Actor.system("cli"),
            commune_code=commune, province_code=province,
        )  # fmt: skip
    except DomainError as error:
        db.session.rollback()
        click.echo(str(error), err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"user {user.id} ({role}) {user.email}")
    if shown:
        click.echo(password)
