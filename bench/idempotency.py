"""What an `Idempotency-Key` costs (ADR 0013): POST /api/registrations without a key, with a fresh key each time
(claim + run + store the encrypted answer), and a retry with a used key (the answer replayed, nothing runs) — on
SQLite and PostgreSQL. Prints figures; asserts nothing.

    .venv/bin/python bench/idempotency.py [--db sqlite|postgres|both] [--n 200]

SQLite: a throw-away file; PostgreSQL: database `xinfang_bench_idem` on $BENCH_PG (default
postgres://postgres@127.0.0.1:5432), created and dropped. Each database runs in its own subprocess.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PG_DB = "xinfang_bench_idem"


def child(n: int) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    call_command("migrate", verbosity=0)
    from tests import factories
    from tests.api.test_intake import body
    from xinfang.accounts.services import create_api_token

    units = factories.make_units()
    clerk = factories.make_user("benchclerk", "clerk", unit=units["bureau"], full_name="接待员")
    client = Client(headers={"Authorization": f"Bearer {create_api_token(clerk, name='bench')}"})
    data = json.dumps(body(), default=str)

    def post(key=None):
        headers = {"Idempotency-Key": key} if key else {}
        t0 = time.perf_counter()
        response = client.post("/api/registrations", data, content_type="application/json", headers=headers)
        assert response.status_code == 201, response.content
        return time.perf_counter() - t0

    post()  # warm-up
    figures = {
        "no key": [post() for _ in range(n)],
        "fresh key": [post(f"bench-{i}") for i in range(n)],
        "replay": [post(f"bench-{i % 10}") for i in range(n)],
    }
    return {name: [s * 1000 for s in times] for name, times in figures.items()}


def run(label: str, database_url: str, n: int) -> None:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_SETTINGS_MODULE": "xinfang.settings"}
    code = f"import json, bench.idempotency as b; print(json.dumps(b.child({n})))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode:
        print(f"== {label}: failed ==\n{out.stderr[-2000:]}")
        return
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\n== {label}, POST /api/registrations, {n} calls each ==")
    for name, ms in figures.items():
        p95 = sorted(ms)[round(0.95 * (len(ms) - 1))]
        print(f"{name:<10} p50 {statistics.median(ms):7.1f} ms   p95 {p95:7.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args()
    if args.db in ("sqlite", "both"):
        with tempfile.TemporaryDirectory() as tmp:
            run("SQLite", f"sqlite:///{tmp}/bench.sqlite3", args.n)
    if args.db in ("postgres", "both"):
        admin = f"{PG}/postgres"
        psql = ["psql", admin, "-q", "-c"]
        subprocess.run([*psql, f"DROP DATABASE IF EXISTS {PG_DB}"], check=True)
        subprocess.run([*psql, f"CREATE DATABASE {PG_DB}"], check=True)
        try:
            run("PostgreSQL", f"{PG}/{PG_DB}", args.n)
        finally:
            subprocess.run([*psql, f"DROP DATABASE IF EXISTS {PG_DB}"], check=True)


if __name__ == "__main__":
    main()
