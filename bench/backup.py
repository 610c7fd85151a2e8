"""Time and size of `xinfang backup` and `xinfang restore` on the demo plus stored files.

Loads the demo (default: the full one, as `make run` does) into a throw-away database, stores FILES files of
KB kilobytes of random bytes (attachments), backs both up, restores into a second, empty database and an empty
storage (which checks every table and file against the manifest) and prints the figures:
    .venv/bin/python bench/backup.py [--count 300] [--no-history] [--files 200] [--kb 250]
SQLite by default (temporary files); with DATABASE_URL=postgres://user@host:port/NAME it creates and drops
NAME_bench_src and NAME_bench_dst on that server.
"""

import argparse
import os
import time
from pathlib import Path

from throwaway import POSTGRES, environment, fresh  # bench/ is on sys.path when a script runs

tmp = environment("bench_src", "source.sqlite3")
os.environ["XINFANG_SENDER"] = "xinfang.core.notify.MemorySender"  # the demo's SMS copies: not to stdout

import django  # noqa: E402

django.setup()

from django.core.files.base import ContentFile  # noqa: E402
from django.core.files.storage import FileSystemStorage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402

from xinfang.core import backup  # noqa: E402
from xinfang.finance.demo import load_finance_demo  # noqa: E402
from xinfang.petitions import demo  # noqa: E402


def _size(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1024 / 1024


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=demo.DEFAULT_COUNT)
    parser.add_argument("--no-history", action="store_true")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--kb", type=int, default=250)
    args = parser.parse_args()
    names = {alias: f"{connection.settings_dict['NAME'][: -len('_src')]}_{alias}" for alias in ("src", "dst")}
    with fresh(tmp, *names.values()):
        call_command("migrate", verbosity=0, skip_checks=True)
        began = time.perf_counter()
        demo.load_demo(count=args.count, history=not args.no_history)
        load_finance_demo()
        print(f"{'load demo':<34} {time.perf_counter() - began:7.1f} s")
        source = FileSystemStorage(location=tmp / "media")
        for i in range(args.files):
            source.save(
                f"attachments/2026/{i % 12 + 1:02d}/{i:05d}.jpg", ContentFile(os.urandom(args.kb * 1024))
            )

        began = time.perf_counter()
        manifest = backup.back_up(out=tmp / "backup", storage=source)
        print(
            f"{'xinfang backup':<34} {time.perf_counter() - began:7.1f} s   {backup.describe_backup(manifest)}"
        )
        print(f"{'backup directory':<34} {_size(tmp / 'backup'):7.1f} MB")

        target = {
            **connection.settings_dict,
            "NAME": names["dst"] if POSTGRES else str(tmp / "target.sqlite3"),
        }
        connections.settings["restore"] = target
        began = time.perf_counter()
        summary = backup.restore(
            source=tmp / "backup", using="restore", storage=FileSystemStorage(location=tmp / "restored")
        )
        restore_line = summary.describe().replace("\n", " ")
        print(f"{'xinfang restore (incl. checks)':<34} {time.perf_counter() - began:7.1f} s   {restore_line}")
        connections["restore"].close()


if __name__ == "__main__":
    main()
