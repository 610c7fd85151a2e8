"""What encrypting ID and phone numbers at rest costs (issue 14), on a throw-away database:

* writing ROWS petitioners (bulk_create: each of id_number, mobile, landline encrypted) and reading them back
  (each decrypted), against the same with the three columns left blank (nothing to encrypt);
* migration 0014's encryption of ROWS plain rows (migrate to 0013, insert plain rows, migrate to 0014) and back;
* `xinfang rotate_pii_key` re-encrypting ROWS rows under a new key (batches of 1000).

    .venv/bin/python bench/pii.py [--rows 20000]
SQLite by default (a temporary file); with DATABASE_URL=postgres://user@host:port/NAME it creates and drops
NAME_bench_pii on that server.
"""

import argparse
import base64
import io
import os
import time

from throwaway import environment, fresh  # bench/ is on sys.path when a script runs

tmp = environment("bench_pii", "pii.sqlite3")
K1 = "k1:" + base64.b64encode(b"1" * 32).decode()
K2 = "k2:" + base64.b64encode(b"2" * 32).decode()
os.environ["XINFANG_PII_KEYS"] = K1

import django  # noqa: E402
import django.utils.timezone  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from xinfang.petitions.models import Petitioner  # noqa: E402


def _people(rows: int, *, blank: bool) -> list[Petitioner]:
    return [
        Petitioner(
            name=f"张{n}",
            id_number="" if blank else f"5132{n:014d}",
            mobile="" if blank else f"139{n:08d}",
            landline="" if blank else f"0837-{n % 10**7:07d}",
        )
        for n in range(rows)
    ]


def _insert_plain(rows: int) -> None:
    """Rows as they were before 0014 (plain values), past the model field that would encrypt them."""
    columns = (
        "kind, name, id_type, id_number, mobile, landline, address, created_at, id_number_hash, mobile_hash"
    )
    now = django.utils.timezone.now()
    values = [
        ("person", p.name, "resident_id", p.id_number, p.mobile, p.landline, "", now, "", "")
        for p in _people(rows, blank=False)
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO petitions_petitioner ({columns}) VALUES ({', '.join(['%s'] * 10)})", values
        )


def _check_raw(*, plain: bool) -> None:
    """The stored mobiles are the plain numbers (before 0014) or ciphertexts the model reads back as them."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT mobile FROM petitions_petitioner ORDER BY id")
        stored = [m for (m,) in cursor.fetchall()]
    expected = [p.mobile for p in _people(len(stored), blank=False)]
    if plain:
        assert stored == expected, "0013: plain values expected"
    else:
        assert all(m.startswith("k1$") and m not in expected for m in stored), "0014: ciphertext expected"
        assert list(Petitioner.objects.order_by("pk").values_list("mobile", flat=True)) == expected


def _timed(label: str, rows: int, action) -> None:
    began = time.perf_counter()
    action()
    took = time.perf_counter() - began
    print(f"{label:<46} {took:7.2f} s   {rows / took:9.0f} rows/s")


def _read() -> None:
    for p in Petitioner.objects.only("id_number", "mobile", "landline").iterator(chunk_size=2000):
        p.mobile  # noqa: B018 (decrypted when the row is read)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20000)
    rows = parser.parse_args().rows
    name = connection.settings_dict["NAME"]
    with fresh(tmp, name):
        print(f"{connection.vendor}, {rows} petitioners")
        call_command("migrate", verbosity=0, skip_checks=True)
        call_command("migrate", "petitions", "0013", verbosity=0)  # only 0014 unapplied: it alone is timed
        _insert_plain(rows)
        _timed(
            "migrate 0014 (encrypt plain rows)",
            rows,
            lambda: call_command("migrate", "petitions", "0014", verbosity=0),
        )
        _check_raw(plain=False)
        _timed(
            "migrate back to 0013 (decrypt)",
            rows,
            lambda: call_command("migrate", "petitions", "0013", verbosity=0),
        )
        _check_raw(plain=True)
        _timed("migrate 0014 again", rows, lambda: call_command("migrate", "petitions", "0014", verbosity=0))
        _check_raw(plain=False)
        call_command("migrate", verbosity=0)  # the model of today (later migrations add columns)
        for blank, what in ((True, "blank"), (False, "encrypted")):
            Petitioner.objects.all().delete()
            people = _people(rows, blank=blank)
            _timed(f"bulk_create, 3 columns {what}", rows, lambda p=people: Petitioner.objects.bulk_create(p))
            _timed(f"read back, {what}", rows, _read)
        settings.XINFANG_PII_KEYS = f"{K2},{K1}"
        _timed("rotate_pii_key k1 → k2", rows, lambda: call_command("rotate_pii_key", stdout=io.StringIO()))


if __name__ == "__main__":
    main()
