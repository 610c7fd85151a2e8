"""A second, empty database beside the test database, for tests that restore into one (tests/deploy/test_backup.py,
tests/storage/test_backup_storage.py): on PostgreSQL a database with a unique name on the same server, on
SQLite a file in the test's temporary directory; dropped afterwards."""

import uuid
from contextlib import contextmanager

from django.db import connection, connections


@contextmanager
def fresh_database(tmp_path, alias: str = "restore_target"):
    """Yields `alias`, usable with connections[alias] and commands' --database (a dynamic_connection)."""
    postgres = connection.vendor == "postgresql"
    name = f"xf_restore_{uuid.uuid4().hex[:12]}" if postgres else str(tmp_path / f"{alias}.sqlite3")
    if postgres:
        _outside_the_test_transaction(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        with dynamic_connection(alias, NAME=name):
            yield alias
    finally:
        if postgres:
            _outside_the_test_transaction(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def dynamic_connection(alias: str, **settings):
    """connections[alias] with the test database's settings (changed by `settings`), closed and forgotten
    afterwards. The connection is made, then its settings are taken out again: the test case fences every
    alias of settings.DATABASES it was not told about, but lets "dynamically created connections" through."""
    connections.settings[alias] = {**connection.settings_dict, **settings}
    target = connections[alias]
    del connections.settings[alias]
    try:
        yield target
    finally:
        target.close()
        del connections[alias]


def _outside_the_test_transaction(sql: str) -> None:
    own = connections.create_connection("default")
    try:
        with own.cursor() as cursor:
            cursor.execute(sql)
    finally:
        own.close()


def table_names(conn) -> list[str]:
    with conn.cursor() as cursor:
        return sorted(conn.introspection.table_names(cursor))
