"""Batch operations (issue 12): how long a batch of --matters 签收 takes through petitions.batch.run (each matter
in its own transaction with its version check, event and audit row), next to the confirmation page's check
(petitions.batch.preview). Prints figures; nothing here asserts a time.

    .venv/bin/python bench/batch.py [--matters 100]

A throw-away database (bench/throwaway.py): SQLite by default (a temporary file); with
DATABASE_URL=postgres://user@host:port/NAME it creates and drops NAME_bench_batch on that server."""

import argparse
import os
import time

from throwaway import POSTGRES, environment, fresh  # bench/ is on sys.path when a script runs


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--matters", type=int, default=100, help="matters in the batch (at most 100, default 100)")
    args = p.parse_args()
    tmp = environment("bench_batch", "batch.sqlite3")
    os.environ.setdefault("XINFANG_TASKS", "immediate")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    with fresh(tmp, connections["default"].settings_dict["NAME"]):
        call_command("migrate", verbosity=0, skip_checks=True)
        run(args.matters)


def run(matters: int) -> None:
    from tests import factories
    from xinfang.petitions import batch, services, workflow
    from xinfang.petitions.models import Matter

    units = factories.make_units()
    clerk = factories.make_user("clerk1", "clerk", unit=units["bureau"])
    officer = factories.make_user("unit1", "unit_officer", unit=units["dept"])
    numbers = []
    for _ in range(matters):
        m = factories.register(clerk)
        services.forward_matter(m, by=clerk, unit=units["dept"])
        numbers.append(m.number)
    db = "PostgreSQL" if POSTGRES else "SQLite"
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
