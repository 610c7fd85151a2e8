"""A PostgreSQL read replica for the dashboards (issue 13; docs/deploy.md, "Beyond one machine").

Opt-in: with DATABASE_REPLICA_URL set, settings.py adds the database alias `replica`, this router and
`ReplicaReadsMiddleware`. The middleware marks the GET/HEAD requests of the analytics dashboards
(settings.XINFANG_REPLICA_PATHS, default `/analytics/`); while such a request runs, the router sends the reads
of the casework and statistics tables (REPLICA_APPS) to the replica. Everything else reads from the primary:
the session, the user and their roles (a login a moment ago must not be lost to replication lag), the portal,
the queue. Writes never go to the replica, in a dashboard request or anywhere else (the session is saved on
every request: `default`). Migrations run on the primary only; the replica follows by replication.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"
PRIMARY = "default"
# The apps whose tables the dashboards read: matters, registrations, units, code tables; the summary tables.
REPLICA_APPS = frozenset({"petitions", "analytics"})

_replica_reads: ContextVar[bool] = ContextVar("xinfang_replica_reads", default=False)


@contextmanager
def replica_reads():
    """Within: the reads of REPLICA_APPS go to the replica (when one is configured)."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _replica_reads.get() and model._meta.app_label in REPLICA_APPS:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA, None}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """The dashboards' GET and HEAD requests read from the replica; any other method
    reads what it writes from the primary."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = tuple(getattr(settings, "XINFANG_REPLICA_PATHS", ("/analytics/",)))

    def __call__(self, request):
        if request.method in ("GET", "HEAD") and request.path.startswith(self.paths):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
