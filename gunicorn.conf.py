"""gunicorn settings of the portal, read by ``gunicorn wsgi:app`` run from this folder
(docs/scaling.md says why, and benchmarks/README.md what was measured with them).

A request spends much of its time waiting on PostgreSQL (one round trip per statement), so
each worker process serves several requests at once in threads (``gthread``): while one
thread waits on the database the others use the CPU. Any setting can be overridden on the
command line (``--workers 4``) or with ``GUNICORN_CMD_ARGS``.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
# Processes: about one per core (WEB_CONCURRENCY is the usual knob of hosting platforms).
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
# Threads per process: enough to overlap the database waits, few enough for the GIL.
threads = int(os.environ.get("WEB_THREADS", "4"))
# Keep a client's connection open between requests (the civil registry sends in a row).
keepalive = 5
# The app is built once in the master, then forked: workers start fast and share memory.
preload_app = True


def post_fork(server, worker):
    """A forked worker must not reuse a database connection opened by the master: drop the
    inherited pool (without closing the master's sockets); the worker opens its own."""
    from benefits.extensions import db

    app = server.app.wsgi()
    with app.app_context():
        db.engine.dispose(close=False)
