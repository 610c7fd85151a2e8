"""The portal's per-address limits (portal/throttle.py): checked and recorded atomically, configured from the
environment, and a blocked burst written to the audit log once (issue 14)."""

import os
import subprocess
import sys
import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from tests.portal.helpers import form_data
from xinfang.accounts.models import AuditEntry
from xinfang.petitions.models import Registration


def test_a_blocked_burst_writes_one_audit_row_and_a_later_block_another(
    client, units, settings, time_machine
):
    settings.PORTAL_SUBMIT_MAX = 1
    assert client.post("/portal/submit/", form_data()).status_code == 302
    for _ in range(4):
        assert client.post("/portal/submit/", form_data()).status_code == 429
    assert AuditEntry.objects.filter(action="portal:submit_blocked").count() == 1
    time_machine.move_to(timezone.now() + timedelta(hours=1, minutes=1))
    assert client.post("/portal/submit/", form_data()).status_code == 302  # the block is over
    for _ in range(2):
        assert client.post("/portal/submit/", form_data()).status_code == 429
    assert AuditEntry.objects.filter(action="portal:submit_blocked").count() == 2
    assert Registration.objects.count() == 2


def test_a_form_error_does_not_use_up_the_limit(client, units, settings):
    settings.PORTAL_SUBMIT_MAX = 1
    assert client.post("/portal/submit/", form_data(title="")).status_code == 200  # shown again with errors
    assert client.post("/portal/submit/", form_data()).status_code == 302


def test_limit_and_window_follow_the_settings(client, units, settings, time_machine):
    settings.PORTAL_SUBMIT_MAX = 2
    settings.PORTAL_SUBMIT_WINDOW_SECONDS = 600
    for _ in range(2):
        assert client.post("/portal/submit/", form_data()).status_code == 302
    blocked = client.post("/portal/submit/", form_data())
    assert blocked.status_code == 429 and "请10分钟后再试" in blocked.content.decode()
    time_machine.move_to(timezone.now() + timedelta(minutes=11))
    assert client.post("/portal/submit/", form_data()).status_code == 302


def test_the_limits_are_read_from_the_environment():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
        "PORTAL_SUBMIT_MAX": "3",
        "PORTAL_SUBMIT_WINDOW_SECONDS": "900",
        "PORTAL_TRACK_FAILURES_MAX": "7",
        "PORTAL_TRACK_WINDOW_SECONDS": "1800",
    }
    code = (
        "import django; django.setup(); from xinfang.portal import throttle as t; "
        "s, k = t.submit_limit(), t.track_limit(); "
        "print(s.max_hits, int(s.window.total_seconds()), k.max_hits, int(k.window.total_seconds()))"
    )
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["3", "900", "7", "1800"]


@pytest.mark.django_db(transaction=True)
def test_a_burst_from_one_address_gets_exactly_the_limit_through(units):
    """Ten submissions at once, each on its own connection: check-then-record let eight of five through."""
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent connections: the SQLite test database is one in-memory database")
    Client(REMOTE_ADDR="10.9.9.9").post("/portal/submit/", form_data())  # numbers and the petitioner exist
    burst, start, statuses = 10, threading.Barrier(10), []

    def submit():
        from django.db import connection as own

        try:
            c = Client(REMOTE_ADDR="10.1.2.3")
            start.wait()
            statuses.append(c.post("/portal/submit/", form_data()).status_code)
        finally:
            own.close()

    threads = [threading.Thread(target=submit) for _ in range(burst)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [302] * 5 + [429] * 5
    assert Registration.objects.count() == 1 + 5
    assert AuditEntry.objects.filter(action="portal:submit_blocked").count() == 1
