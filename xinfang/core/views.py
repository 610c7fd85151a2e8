"""Health endpoints for the load balancer and the service manager, and the HTML 500 page with the request id.

/healthz: the process answers (no database, nothing else). /readyz: the process can serve — a database query,
the storage and the task queue (when one is configured); 503 names what failed. Neither needs a login nor says
anything about the data: only "ok" / "failed" per component (the cause goes to the log)."""

import logging
import sys
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import HttpResponseServerError, JsonResponse
from django.template import loader
from django.views import defaults
from django.views.decorators.cache import never_cache

from xinfang.core.logs import current_request_id

logger = logging.getLogger("xinfang.health")


@never_cache
def healthz(request):
    return JsonResponse({"status": "ok"})


# Each probe raises when its component cannot serve, and returns False when the component is not configured.
def probe_database() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True


def probe_storage() -> bool:
    default_storage.exists("readyz-probe")  # a missing name is fine; an unreachable storage raises
    return True


def probe_queue() -> bool:
    """Each configured task backend loads, passes its own checks and answers a lookup (the database backend
    queries its table)."""
    if not getattr(settings, "TASKS", None):
        return False
    from django_tasks import task_backends
    from django_tasks.exceptions import TaskResultDoesNotExist

    for alias in settings.TASKS:
        backend = task_backends[alias]
        errors = [m for m in backend.check() if m.is_serious()]
        if errors:
            raise RuntimeError(f"task backend {alias}: {errors[0].msg}")
        try:
            backend.get_result(str(uuid.UUID(int=0)))
        except (TaskResultDoesNotExist, NotImplementedError):
            pass
    return True


PROBES = {"database": probe_database, "storage": probe_storage, "queue": probe_queue}


@never_cache
def readyz(request):
    status, body = 200, {}
    for name, probe in PROBES.items():
        try:
            if probe():
                body[name] = "ok"
        except Exception:
            logger.exception("readyz: %s failed", name)
            status, body[name] = 503, "failed"
    return JsonResponse(body, status=status)


def bad_request(request, exception):
    """handler400: Django's 400 page — but a 503 with Retry-After when a dependency is down underneath: Django
    reports a session it could not save because the database went away as SessionInterrupted, a 400 (bench/load
    caught it: the receipt page during a PostgreSQL restart), and a client must know to try again."""
    from xinfang.core.unavailable import is_unavailable, unavailable_response

    if is_unavailable(exception):
        return unavailable_response(request, current_request_id())
    return defaults.bad_request(request, exception)


def server_error(request):
    """handler500: the Chinese 500 page (rendered without a request context, as Django's) with the request id;
    a 503 with Retry-After when the exception says the database or the storage is down (core.unavailable)."""
    from xinfang.core.unavailable import is_unavailable, unavailable_response

    if is_unavailable(sys.exc_info()[1]):
        return unavailable_response(request, current_request_id())
    html = loader.get_template("500.html").render({"request_id": current_request_id()})
    return HttpResponseServerError(html)
