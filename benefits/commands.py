"""What the operators' commands (``flask --app wsgi ...``) share: a command's own
transaction boundary (design.md: jobs and commands keep theirs), its refusal on stderr with
exit status 1, and the ``--month YYYY-MM`` option."""

from __future__ import annotations

import contextlib
import sys

import click

from benefits.errors import DomainError
from benefits.extensions import db
from benefits.month import Month


def fail(message) -> None:
    """Nothing the command did is kept; the reason on stderr, exit status 1."""
    db.session.rollback()
    click.echo(str(message), err=True)
    sys.exit(1)


@contextlib.contextmanager
def one_transaction():
    """The command's changes committed once, or a refusal rolled back and printed."""
    try:
        yield
    except DomainError as error:
        fail(error)
    db.session.commit()


def parse_month(_ctx, _param, value: str) -> Month:
    """The ``--month`` option's callback."""
    try:
        return Month.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from error
