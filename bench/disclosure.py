"""Time to build and to check the 2019 disclosure (goal: build < 3 s, check < 1 s).

Runs against a throw-away SQLite database loaded with the demo facts:
    .venv/bin/python bench/disclosure.py
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{tmp / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfang.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402

from xinfang.finance.build import write_disclosure  # noqa: E402
from xinfang.finance.checker import check_path  # noqa: E402
from xinfang.finance.demo import load_finance_demo  # noqa: E402
from xinfang.finance.queries import disclosure_data  # noqa: E402
from xinfang.finance.review import check_accounts  # noqa: E402


def timed(label, fn, repeat=3):
    best = min(_once(fn) for _ in range(repeat))
    print(f"{label:<42} {best:6.3f} s")
    return best


def _once(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def main():
    call_command("migrate", verbosity=0, skip_checks=True)
    accounts = load_finance_demo()
    out = tmp / "out"
    seed = Path(__file__).resolve().parent.parent / "tests" / "finance" / "fixtures" / "seed_2019.txt"
    timed(
        "build 2019 disclosure (docx/html/xlsx/charts)",
        lambda: write_disclosure(disclosure_data(accounts), out_dir=out),
    )
    timed("check built report.docx", lambda: check_path(out / "report.docx"))
    timed("check published seed (text)", lambda: check_path(seed))
    timed("check --year 2019 (facts in the database)", lambda: check_accounts(accounts))


if __name__ == "__main__":
    main()
