"""The throw-away database of the bench scripts that make their own (backup, pii, legacy_import, exchange, batch).

`environment(suffix, sqlite_name)` — before django.setup() — points DATABASE_URL at a SQLite file in a new
temporary folder, or, when DATABASE_URL=postgres://user@host:port/NAME, at NAME_<suffix> on that server, and gives
the run its own var directory and keys. `fresh(tmp, *names)` — after django.setup() — creates the PostgreSQL
databases empty and, on leaving, closes the connections, drops them and removes the temporary folder.
"""

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


def environment(suffix: str, sqlite_name: str) -> Path:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-"))
    base = os.environ.get("DATABASE_URL", "")
    os.environ["DATABASE_URL"] = (
        f"{base.split('?')[0]}_{suffix}" if POSTGRES else f"sqlite:///{tmp / sqlite_name}"
    )
    os.environ["XINFANG_VAR_DIR"] = str(tmp / "var")
    os.environ.setdefault("SECRET_KEY", "bench-" + "k" * 60)
    os.environ.setdefault("XINFANG_PII_KEYS", "k1:" + "a" * 43 + "=")  # 32 bytes in Base64 (issue 14, E004)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    return tmp


def admin_sql(sql: str) -> None:
    """CREATE/DROP DATABASE from a connection to the server's `postgres` database."""
    from django.db import connections

    own = connections.create_connection("default")
    own.settings_dict = {**own.settings_dict, "NAME": "postgres"}
    try:
        with own.cursor() as cursor:
            cursor.execute(sql)
    finally:
        own.close()


@contextmanager
def fresh(tmp: Path, *names: str):
    """Empty PostgreSQL databases `names` for the run (nothing to do on SQLite), dropped with `tmp` afterwards."""
    from django.db import connections

    names = names if POSTGRES else ()
    for name in names:
        admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin_sql(f'CREATE DATABASE "{name}" TEMPLATE template0')
    try:
        yield
    finally:
        connections.close_all()
        for name in names:
            admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)
