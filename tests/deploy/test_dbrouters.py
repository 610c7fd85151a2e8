"""The read replica (xinfang/core/dbrouters.py, opt-in by DATABASE_REPLICA_URL): the analytics dashboards' reads
of the casework and statistics tables go to the `replica` alias; the session, the user and every write stay on
the primary. Here the replica is a second connection to the test database (what PostgreSQL streaming replication
gives: the same tables), so the test sees which connection ran which statement."""

import json
import re
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.databases import dynamic_connection
from tests.deploy.test_gunicorn import ROOT
from xinfang.analytics.models import DayTally
from xinfang.core.dbrouters import PRIMARY, REPLICA, ReplicaRouter, replica_reads
from xinfang.petitions.models import Matter, Unit

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|ALTER|CREATE|DROP|TRUNCATE)\b", re.IGNORECASE)


def test_the_router_reads_dashboard_tables_from_the_replica_and_writes_to_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(Matter) == PRIMARY  # outside a dashboard request
    with replica_reads():
        assert [router.db_for_read(m) for m in (Matter, Unit, DayTally)] == [REPLICA] * 3
        assert [router.db_for_read(m) for m in (get_user_model(), Session)] == [PRIMARY] * 2
        assert {router.db_for_write(m) for m in (Matter, DayTally, Session, get_user_model())} == {PRIMARY}
    assert router.db_for_read(DayTally) == PRIMARY
    assert router.allow_migrate(PRIMARY, "petitions") and not router.allow_migrate(REPLICA, "petitions")


def test_the_replica_is_opt_in_by_its_url():
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps(["
        "sorted(s.DATABASES), s.DATABASE_ROUTERS, s.MIDDLEWARE[-1], s.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR')]))"
    )

    def settings_with(**extra) -> list:
        env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "xinfang.settings", **extra}
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)

    databases, routers, last, _ = settings_with()
    assert databases == ["default"] and routers == [] and "dbrouters" not in last
    assert settings_with(DATABASE_REPLICA_URL="postgres://reader@10.0.0.2:5432/xinfang") == [
        ["default", "replica"],
        ["xinfang.core.dbrouters.ReplicaRouter"],
        "xinfang.core.dbrouters.ReplicaReadsMiddleware",
        "default",  # TEST MIRROR: a test run reads the test database through it
    ]


@pytest.mark.django_db(transaction=True)  # the replica's connection sees committed rows only
def test_a_dashboard_reads_from_the_replica_and_writes_only_to_the_primary(
    client, settings, leader, in_state
):
    in_state("registered")
    settings.DATABASE_ROUTERS = ["xinfang.core.dbrouters.ReplicaRouter"]
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "xinfang.core.dbrouters.ReplicaReadsMiddleware"]
    client.force_login(leader)
    with dynamic_connection(REPLICA) as replica:  # the test database again, as the replica
        with CaptureQueriesContext(replica) as on_replica, CaptureQueriesContext(connection) as on_primary:
            page = client.get("/analytics/")
        assert page.status_code == 200
        replica_sql = [q["sql"] for q in on_replica.captured_queries]
        primary_sql = [q["sql"] for q in on_primary.captured_queries]
        assert any('FROM "analytics_daytally"' in s for s in replica_sql)  # the summary tables
        assert any('FROM "petitions_unit"' in s for s in replica_sql)  # units and codes for the labels
        assert not [
            s for s in replica_sql if WRITE.match(s) or "django_session" in s or '"accounts_user"' in s
        ]
        assert any(s.startswith('UPDATE "django_session"') for s in primary_sql)  # the session: primary
        assert not [s for s in primary_sql if re.search(r'FROM "(petitions|analytics)_', s)]

        with CaptureQueriesContext(replica) as on_replica:
            client.get("/casework/")  # not a dashboard
            with replica_reads():  # a write inside a dashboard's reads still goes to the primary
                Unit.objects.filter(pk=leader.unit_id).update(name="县人民政府")
        assert on_replica.captured_queries == []
