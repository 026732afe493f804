"""Background jobs: one way to enqueue, two executors.

``enqueue()`` is called the same way everywhere. The job is dispatched only once the
current transaction commits (a rolled-back request leaves no job behind), then:

- with ``REDIS_URL`` set, it goes to a named RQ queue (``default``, ``payments``,
  ``notify``) and ``flask --app wsgi worker`` runs it;
- without it, it runs in process, in a fresh application context and session.

Jobs receive ids, never ORM objects, and commit their own work (the job is the commit
boundary). A job must be safe to run twice. A job's failure never reaches the code that
enqueued it, in process as on RQ: it is logged (and recorded in the module's jobs table
where there is one, e.g. ``payment_jobs``).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, exc
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from benefits.extensions import db

log = logging.getLogger(__name__)

_PENDING = "benefits_pending_jobs"

# The queues whose jobs run in process when Redis does not answer (decision 141).
IN_PROCESS_WHEN_REDIS_IS_DOWN = frozenset({"notify"})


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
    func: Callable | str,
    *args,
    queue: str = "default",
    job_id: str | None = None,
    timeout: int | None = None,
    **kwargs,
) -> str:
    """Schedule ``func(*args, **kwargs)`` after the current transaction commits.

    Returns the job id (given or generated), usable as a key in a jobs table. Enqueueing
    an id again (a re-run) replaces what RQ kept of the earlier job of that id.
    ``timeout`` (seconds) bounds the job on RQ (its default is 180 s).
    """
    job_id = job_id or uuid.uuid4().hex
    spec = (_path_of(func), args, kwargs, queue, job_id, timeout)
    session = db.session()
    if not session.in_transaction():
        session.begin()  # so that a rollback before the commit drops the job too
    session.info.setdefault(_PENDING, []).append(spec)
    return job_id


def _dispatch(app: Flask, specs: list[tuple]) -> None:
    redis_url = app.config.get("REDIS_URL")
    for path, args, kwargs, queue, job_id, timeout in specs:
        if redis_url:
            from redis.exceptions import RedisError
            from rq import Queue

            try:
                connection = redis_connection(app)
                _forget(job_id, connection)
                Queue(queue, connection=connection).enqueue(
                    run_job, path, *args, job_id=job_id, job_timeout=timeout, **kwargs
                )
            except RedisError:
                if queue not in IN_PROCESS_WHEN_REDIS_IS_DOWN:
                    raise
                # Issue 29.2: Redis down costs nothing; the job is short and kept in its
                # module's table (the notify outbox), whose sweep retries a failure.
                log.warning("queue %s unreachable: job %s runs in process", queue, path)
                _run_in_process(app, path, args, kwargs)
        else:
            _run_in_process(app, path, args, kwargs)


def _forget(job_id: str, connection) -> None:
    """Drop RQ's record of an earlier job with this id (a failed job being re-run)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    with contextlib.suppress(NoSuchJobError):
        Job.fetch(job_id, connection=connection).delete()


def _run_in_process(app: Flask, path: str, args: tuple, kwargs: dict) -> None:
    with app.app_context():
        try:
            _resolve(path)(*args, **kwargs)
            db.session.commit()
        except Exception:
            # As on RQ: the failure is the job's, not the enqueuing request's (whose
            # transaction has already committed), and the next jobs still run.
            db.session.rollback()
            log.exception("job %s failed", path)
        finally:
            db.session.remove()


def queued_job_state(job_id: str, app: Flask | None = None) -> str | None:
    """What RQ says of a job (``queued``, ``started``, ``finished``, ``failed``,
    ``stopped``, ``canceled`` ...), or None when it does not know the id. A job started
    whose worker has sent no heartbeat for ``HEARTBEAT_LOST`` is ``lost``: its worker was
    killed (RQ itself would call it abandoned only 90 s after)."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    try:
        job = Job.fetch(job_id, connection=redis_connection(app))
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=False)
    status = getattr(status, "value", status)
    if status == "started":
        beat = job.last_heartbeat or job.started_at
        if beat is not None:
            beat = beat if beat.tzinfo else beat.replace(tzinfo=UTC)
            if datetime.now(UTC) - beat > HEARTBEAT_LOST:
                return "lost"
    return status


# A worker beats for its job every ``HEARTBEAT`` seconds; three beats missed, it is dead.
HEARTBEAT = 10
HEARTBEAT_LOST = timedelta(seconds=3 * HEARTBEAT)
# Functions (``module:name``) a worker calls between beats to give up the jobs of dead
# workers: each module with a jobs table registers its own (``payments.runs``).
_SWEEPS: list[str] = []


def sweep_with_workers(func: Callable | str) -> None:
    """Have every worker call ``func()`` (in an app context, committed) every few seconds."""
    path = _path_of(func)
    if path not in _SWEEPS:
        _SWEEPS.append(path)


def run_sweeps(app: Flask) -> None:
    """Call the registered sweeps, each in its own transaction; a failure is logged."""
    for path in list(_SWEEPS):
        with app.app_context():
            try:
                _resolve(path)()
                db.session.commit()
            except Exception:
                db.session.rollback()
                log.exception("sweep %s failed", path)
            finally:
                db.session.remove()


def quick_to_stop(worker_class):
    """An RQ worker class that ends within a second of being told to (or of its burst).

    RQ's listener for its commands (stop a job ...) waits for a message 60 s at a time,
    and redis-py 8 waits for it when the worker ends: a worker told to stop, or done with
    its burst, often took a minute to exit (decision 151). It waits a second at a time."""

    class QuickToStop(worker_class):
        def subscribe(self):
            self.pubsub = self.connection.pubsub()
            self.pubsub.subscribe(**{self.pubsub_channel_name: self.handle_payload})
            self.pubsub_thread = self.pubsub.run_in_thread(
                sleep_time=1, daemon=True, exception_handler=self._pubsub_exception_handler
            )

    return QuickToStop


def portal_worker(app: Flask, queues):
    """An RQ worker that beats every ``HEARTBEAT`` seconds and, between beats and while
    idle, runs the sweeps: a job whose worker was killed is marked failed within a
    minute by any worker still alive. (No thread: a work-horse is forked from it.)"""
    from rq import Worker
    from rq.exceptions import StopRequested
    from rq.worker import WorkerStatus

    class PortalWorker(quick_to_stop(Worker)):
        sweeping = stop_after_sweeps = False

        def maintain_heartbeats(self, job, execution):
            super().maintain_heartbeats(job, execution)
            self.sweep()

        def run_maintenance_tasks(self):
            super().run_maintenance_tasks()
            self.sweep()

        def sweep(self):
            self.sweeping = True
            try:
                run_sweeps(app)
            finally:
                self.sweeping = False
            if self.stop_after_sweeps:
                raise StopRequested()  # what RQ's signal handler would have raised

        def _shutdown(self):
            # An idle worker told to stop (SIGTERM) raises StopRequested from its signal
            # handler, wherever it is: inside a sweep, that broke the sweep's database
            # connection mid-statement ("another command is already in progress"), the
            # sweep's handler swallowed it and the worker never stopped. It stops once the
            # sweep's transaction is over instead (decision 151).
            if self.sweeping and self.get_state() != WorkerStatus.BUSY:
                self.stop_after_sweeps = True
                return
            super()._shutdown()

    return PortalWorker(
        list(queues), connection=redis_connection(app), job_monitoring_interval=HEARTBEAT,
        maintenance_interval=HEARTBEAT, worker_ttl=HEARTBEAT + 15,
    )  # fmt: skip


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


@contextlib.contextmanager
def dropped_jobs_on_error():
    """The jobs enqueued inside are dropped if it raises, though the transaction goes on
    (a savepoint rolled back and tried again must not enqueue its jobs twice)."""
    pending = db.session().info.setdefault(_PENDING, [])
    mark = len(pending)
    try:
        yield
    except BaseException:
        del pending[mark:]
        raise


_redis_clients: dict[str, object] = {}


def redis_connection(app: Flask | None = None):
    from redis import Redis

    app = app or current_app
    url = app.config["REDIS_URL"]
    if url not in _redis_clients:
        # A Redis that does not answer costs a second, not a hung request (issue 29.2).
        _redis_clients[url] = Redis.from_url(url, socket_connect_timeout=1)
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


# An RQ work-horse is a fork of its worker: a pooled connection it inherited is the
# worker's own, and a horse killed inside a transaction would leave that transaction (and
# its row locks) open for as long as the worker lives, blocking the job's re-run. A
# process only ever uses the connections it opened (SQLAlchemy's recipe for forks).
@event.listens_for(Engine, "connect")
def _remember_process(_dbapi_connection, record) -> None:
    record.info["pid"] = os.getpid()


@event.listens_for(Engine, "checkout")
def _refuse_inherited(_dbapi_connection, record, proxy) -> None:
    if record.info.get("pid", os.getpid()) != os.getpid():
        record.dbapi_connection = proxy.dbapi_connection = None
        raise exc.DisconnectionError("a connection of the parent process, not used in a fork")
