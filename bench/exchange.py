"""Exchange with the level above (issue 17): how long `import_exchange` takes for a package of --items 交办件 (a dry
run, the import, the idempotent re-import of the same file), and `export_exchange` of their results (the first
export, a re-export with nothing changed). Prints figures; nothing here asserts a time.

    .venv/bin/python bench/exchange.py [--items 500]

A throw-away database (bench/throwaway.py): SQLite by default (a temporary file); with
DATABASE_URL=postgres://user@host:port/NAME it creates and drops NAME_bench_exchange on that server."""

import argparse
import io
import json
import os
import time
from datetime import timedelta

from throwaway import POSTGRES, environment, fresh  # bench/ is on sys.path when a script runs


def _id(n: int) -> str:
    from xinfang.core import validators

    first17 = f"51322319800101{n % 1000:03d}"
    return first17 + validators.id_check_digit(first17)


def _package(items: int) -> bytes:
    from django.utils import timezone

    now = timezone.localtime()
    body = [
        {
            "external_number": f"ABZ-{n:06d}",
            "source_unit": "513200",
            "received_at": (now - timedelta(hours=2)).isoformat(),
            "deadline": (now.date() + timedelta(days=30)).isoformat(),
            "title": f"征地补偿款未发放{n}",
            "content": f"凤仪镇某村第{n}组征地补偿款至今未发放。",
            "purpose": "04",
            "content_class": "03",
            "township": "513223100",
            "request": "请求发放补偿款。",
            "petitioners": [{"name": f"李{n}", "id_number": _id(n), "mobile": f"139{n:08d}"}],
        }  # fmt: skip
        for n in range(items)
    ]
    return json.dumps(
        {"format": "xinfang-exchange", "version": "1.0", "items": body}, ensure_ascii=False
    ).encode()


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--items", type=int, default=500)
    args = p.parse_args()
    tmp = environment("bench_exchange", "exchange.sqlite3")
    os.environ.setdefault("XINFANG_TASKS", "immediate")
    os.environ.setdefault("XINFANG_SENDER", "xinfang.core.notify.MemorySender")  # SMS receipts: not to stdout
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    with fresh(tmp, connections["default"].settings_dict["NAME"]):
        call_command("migrate", verbosity=0, skip_checks=True)
        run(args.items, tmp)


def run(items: int, tmp) -> None:
    from django.core.management import call_command

    from tests import factories
    from xinfang.exchange import importer, reader
    from xinfang.petitions.models import Registration

    units = factories.make_units()
    clerk = factories.make_user("clerk1", "clerk", unit=units["bureau"])
    content = _package(items)
    db = "PostgreSQL" if POSTGRES else "SQLite"
    print(f"{db}, a package of {items} items ({len(content) / 1e6:.1f} MB)")

    def timed(label, action):
        began = time.perf_counter()
        result = action()
        took = time.perf_counter() - began
        print(f"  {label:<38} {took:7.2f} s  {items / took:7.1f} items/s")
        return result

    report = timed(
        "import, dry run",
        lambda: importer.import_package(reader.read("p.json", content), by=clerk, dry_run=True),
    )
    assert report.ok and not Registration.objects.exists()
    report = timed("import", lambda: importer.import_package(reader.read("p.json", content), by=clerk))
    assert len(report.created) == items
    report = timed(
        "import again (nothing changes)",
        lambda: importer.import_package(reader.read("p.json", content), by=clerk),
    )
    assert len(report.unchanged) == items
    out = tmp / "up.json"
    timed(
        "export_exchange (first)",
        lambda: call_command("export_exchange", "--out", str(out), stdout=io.StringIO()),
    )
    assert len(json.loads(out.read_text())["items"]) == items
    timed(
        "export_exchange (nothing changed)",
        lambda: call_command("export_exchange", "--out", str(out), stdout=io.StringIO()),
    )
    assert json.loads(out.read_text())["items"] == []


if __name__ == "__main__":
    main()
