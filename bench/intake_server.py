"""Settings and URLconf of bench/intake.py's gunicorn only (DJANGO_SETTINGS_MODULE=bench.intake_server): the
project's settings, its URLs, and one bench-only endpoint that production never routes —
POST /bench/bare: the same middleware, the same API token check and the same request schema as
POST /api/registrations, then a single INSERT in a transaction (the comparison for the intake's figures)."""

from functools import cache

from xinfang.settings import *  # noqa: F403

ROOT_URLCONF = "bench.intake_server"
BARE_TABLE = "bench_intake_bare"  # created by bench/intake.py


@cache
def _urlpatterns() -> list:
    """Built when the URLconf is first read (the module is loaded as settings before the apps are ready)."""
    from django.db import connection, transaction
    from django.urls import path
    from ninja import NinjaAPI

    from xinfang.api.auth import ApiTokenAuth
    from xinfang.api.schemas import RegistrationIn
    from xinfang.urls import urlpatterns

    bare = NinjaAPI(urls_namespace="bench-bare", auth=[ApiTokenAuth()], docs_url=None, openapi_url=None)

    @bare.post("/bare", response={201: dict})
    def bare_insert(request, payload: RegistrationIn):
        with transaction.atomic(), connection.cursor() as c:
            c.execute(f"INSERT INTO {BARE_TABLE} (title) VALUES (%s) RETURNING id", [payload.title])
            (pk,) = c.fetchone()
        return 201, {"id": pk}

    return [path("bench/", bare.urls), *urlpatterns]


def __getattr__(name: str):
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)
