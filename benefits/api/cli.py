"""``flask --app wsgi clients create|revoke NAME``: system clients of the API."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from benefits.accounts.audit import Actor
from benefits.api.clients import create_client, revoke_client
from benefits.commands import one_transaction

clients_cli = AppGroup("clients", help="System clients of the API.")


@clients_cli.command("create")
@click.argument("name")
@click.option("--json", "as_json", is_flag=True)
def create_command(name: str, as_json: bool):
    """Create a client; its token is printed once, alone on the last line."""
    with one_transaction():
        token = create_client(name, Actor.system("cli"))
    click.echo(json.dumps({"token": token}) if as_json else token)


@clients_cli.command("revoke")
@click.argument("name")
def revoke_command(name: str):
    """Revoke a client's token."""
    with one_transaction():
        revoke_client(name, Actor.system("cli"))
    click.echo(f"{name}: revoked", err=True)
