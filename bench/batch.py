"""Batch operations (issue 12): how long a batch of --matters 签收 takes through petitions.batch.run (each matter
in its own transaction with its version check, event and audit row), next to the confirmation page's check
(petitions.batch.preview). Prints figures; nothing here asserts a time.

    .venv/bin/python bench/batch.py [--matters 100]            # a temporary SQLite database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/xf_bench_batch .venv/bin/python bench/batch.py

The PostgreSQL database is created if missing and emptied (flush) before the run: never point it at real data."""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--matters", type=int, default=100, help="matters in the batch (at most 100, default 100)")
    args = p.parse_args()
    var = tempfile.mkdtemp(prefix="xf_bench_batch_")
    os.environ.setdefault("XINFANG_VAR_DIR", var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")
    os.environ.setdefault("XINFANG_TASKS", "immediate")
    sys.path[:0] = [str(ROOT)]
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        import psycopg

        server, name = url.rsplit("/", 1)
        with psycopg.connect(f"{server}/postgres", autocommit=True) as c:
            if not c.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
                c.execute(f'create database "{name}"')
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from tests import factories
    from xinfang.petitions import batch, services, workflow
    from xinfang.petitions.models import Matter

    units = factories.make_units()
    clerk = factories.make_user("clerk1", "clerk", unit=units["bureau"])
    officer = factories.make_user("unit1", "unit_officer", unit=units["dept"])
    numbers = []
    for _ in range(args.matters):
        m = factories.register(clerk)
        services.forward_matter(m, by=clerk, unit=units["dept"])
        numbers.append(m.number)
    db = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    t0 = time.perf_counter()
    rows = batch.preview(officer, "acknowledge", numbers)
    t1 = time.perf_counter()
    results = batch.run(officer, "acknowledge", numbers, {})
    t2 = time.perf_counter()
    done = sum(r.done for r in results)
    assert done == len(numbers) == sum(r.done for r in rows), "every matter should be signed"
    assert {m for m in Matter.objects.values_list("state", flat=True)} == {workflow.RECEIVED_BY_UNIT}
    print(f"{db}: 确认页检查 {len(numbers)} 件 {1000 * (t1 - t0):.0f} ms；"
          f"批量签收 {done} 件 {1000 * (t2 - t1):.0f} ms（每件 {1000 * (t2 - t1) / done:.1f} ms）")  # fmt: skip


if __name__ == "__main__":
    main()
