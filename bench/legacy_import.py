"""Time of `xinfang import_legacy` on a generated historical register (xinfang/petitions/legacy_sample.py).

Into a throw-away database with the demo's units, code tables and users (no casework), it checks a register of
ROWS rows with a planted problem every 125th row (the dry run), then imports the cleaned register (one
transaction, summary tables rebuilt) and prints the figures:
    .venv/bin/python bench/legacy_import.py [--rows 10000]
SQLite by default (a temporary file); with DATABASE_URL=postgres://user@host:port/NAME it creates and drops
NAME_bench_legacy on that server.
"""

import argparse
import time

from throwaway import POSTGRES, environment, fresh  # bench/ is on sys.path when a script runs

tmp = environment("bench_legacy", "legacy.sqlite3")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from xinfang.analytics.work_statistics import work_statistics  # noqa: E402
from xinfang.petitions import demo, legacy, legacy_sample  # noqa: E402
from xinfang.petitions.codes import load_codes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    rows = parser.parse_args().rows
    name = connections["default"].settings_dict["NAME"]
    with fresh(tmp, name):
        call_command("migrate", verbosity=0, skip_checks=True)
        load_codes()
        units = demo.make_units()
        officer = demo.make_users(units)["banan"]
        began = time.perf_counter()
        faulty = legacy_sample.register(rows, errors_every=125)
        clean = legacy_sample.register(rows)
        made = time.perf_counter() - began
        began = time.perf_counter()
        checked = legacy.run(faulty.content, by=officer, filename="faulty.xlsx", dry_run=True)
        dry = time.perf_counter() - began
        assert len(checked.problems) == len(faulty.problems)
        before = work_statistics(2019).total.batches
        began = time.perf_counter()
        legacy.run(clean.content, by=officer, filename="clean.xlsx")
        commit = time.perf_counter() - began
        after = work_statistics(2019).total.batches
        db = "PostgreSQL" if POSTGRES else "SQLite"
        print(
            f"legacy import, {db}, {rows} rows ({len(faulty.content) / 1024:.0f} KB .xlsx; generated both in {made:.1f} s)"
        )
        print(f"  dry run with {len(checked.problems)} problems: {dry:.1f} s ({rows / dry:.0f} rows/s)")
        print(f"  import of the cleaned register: {commit:.1f} s ({rows / commit:.0f} rows/s), "
              f"2019 信访总量 {before} → {after} (+{clean.by_year[2019][0]} rows dated 2019)")  # fmt: skip


if __name__ == "__main__":
    main()
