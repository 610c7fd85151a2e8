"""The embedded database under several gunicorn workers (make run): a transaction holds the write lock from
its start, so a concurrent writer waits for it (busy timeout) instead of failing with "database is locked"
when it writes after having read (found by the UI walk: a registration answered 503 while another user's
page view wrote its audit row)."""

import sqlite3

import pytest
from django.conf import settings
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"), reason="only the SQLite settings"
)


def test_a_transaction_takes_the_write_lock_when_it_begins(tmp_path, django_db_blocker):
    path = tmp_path / "db.sqlite3"
    sqlite3.connect(path).executescript("CREATE TABLE t (x INTEGER); PRAGMA journal_mode=WAL;")
    # the project's connection options (settings.py) on a file of its own
    wrapper = DatabaseWrapper({**settings.DATABASES["default"], "NAME": str(path)}, alias="probe")
    with django_db_blocker.unblock():
        _hold_a_transaction(wrapper, path)


def _hold_a_transaction(wrapper, path):
    try:
        # what transaction.atomic() does on SQLite: BEGIN (in the configured transaction mode)
        wrapper.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")  # a read first, as a service does before it writes
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")  # another worker's write must wait for this transaction
        other.close()
        wrapper.rollback()
    finally:
        wrapper.close()
