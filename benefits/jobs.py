"""Background jobs: one way to enqueue, two executors.

``enqueue()`` is called the same way everywhere. The job is dispatched only once the
current transaction commits (a rolled-back request leaves no job behind), then:

- with ``REDIS_URL`` set, it goes to a named RQ queue (``default``, ``payments``,
  ``notify``) and ``flask --app wsgi worker`` runs it;
- without it, it runs in process, in a fresh application context and session.

Jobs receive ids, never ORM objects, and commit their own work (the job is the commit
boundary). A job must be safe to run twice.
"""

from __future__ import annotations

import importlib
import logging
import uuid
from collections.abc import Callable

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from benefits.extensions import db

log = logging.getLogger(__name__)

_PENDING = "benefits_pending_jobs"


def _path_of(func: Callable | str) -> str:
    if isinstance(func, str):
        return func
    return f"{func.__module__}:{func.__qualname__}"


def _resolve(path: str) -> Callable:
    module, _, name = path.partition(":")
    target = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


def enqueue(
    func: Callable | str, *args, queue: str = "default", job_id: str | None = None, **kwargs
) -> str:
    """Schedule ``func(*args, **kwargs)`` after the current transaction commits.

    Returns the job id (given or generated), usable as a key in a jobs table.
    """
    job_id = job_id or uuid.uuid4().hex
    spec = (_path_of(func), args, kwargs, queue, job_id)
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before the commit drops the job too
    session.info.setdefault(_PENDING, []).append(spec)
    return job_id


def _dispatch(app: Flask, specs: list[tuple]) -> None:
    redis_url = app.config.get("REDIS_URL")
    for path, args, kwargs, queue, job_id in specs:
        if redis_url:
            from rq import Queue

            Queue(queue, connection=redis_connection(app)).enqueue(
                run_job, path, *args, job_id=job_id, **kwargs
            )
        else:
            _run_in_process(app, path, args, kwargs)


def _run_in_process(app: Flask, path: str, args: tuple, kwargs: dict) -> None:
    with app.app_context():
        try:
            _resolve(path)(*args, **kwargs)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", path)
            raise
        finally:
            db.session.remove()


def run_job(path: str, *args, **kwargs):
    """What the RQ worker executes: the job inside an application context."""
    if has_app_context():
        app = current_app._get_current_object()
    else:
        from benefits import create_app

        app = create_app()
    with app.app_context():
        try:
            result = _resolve(path)(*args, **kwargs)
            db.session.commit()
            return result
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


_redis_clients: dict[str, object] = {}


def redis_connection(app: Flask | None = None):
    from redis import Redis

    app = app or current_app
    url = app.config["REDIS_URL"]
    if url not in _redis_clients:
        _redis_clients[url] = Redis.from_url(url)
    return _redis_clients[url]


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    specs = session.info.pop(_PENDING, None)
    if specs and has_app_context():
        _dispatch(current_app._get_current_object(), specs)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, previous_transaction) -> None:
    # Only the session's outermost transaction drops its jobs; a savepoint rolled back
    # inside a service keeps what the rest of the transaction enqueued.
    if previous_transaction.parent is None and not previous_transaction.nested:
        session.info.pop(_PENDING, None)
