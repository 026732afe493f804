"""The request's one transaction boundary (decision 79; design.md "one commit per request",
as Indico's ``RH.process``): committed once when the request returns a response, rolled
back when an exception leaves it. Views and services only flush; this module and the jobs'
and commands' own boundaries (``benefits.jobs``, ``benefits.commands``) are the only places
that commit. ``benefits.web.transaction`` answers the refusals on top of it."""

from __future__ import annotations

from flask import Flask, g

from benefits.extensions import db

_ROLLED_BACK = "request_rolled_back"


class Portal(Flask):
    """The Flask application, with a request that rolls back when it raises."""

    def handle_user_exception(self, e):
        # Whatever handler answers the exception, nothing the request did is kept.
        roll_back_the_request()
        return super().handle_user_exception(e)


def roll_back_the_request() -> None:
    """Nothing the request did is kept, nor committed at its end."""
    db.session.rollback()
    g.setdefault(_ROLLED_BACK, True)


def roll_back_the_refused_work() -> None:
    """A refusal the view answers itself: its change is undone, and what the view does
    next (an audit row, a flash) is committed at the end as planned."""
    db.session.rollback()
    g.pop(_ROLLED_BACK, None)


def commit_the_request(response):
    if not g.get(_ROLLED_BACK):
        # A no-op when nothing was changed, or when an older view already committed.
        db.session.commit()
    return response
