"""CPU and statements of one registration (issue 14), independent of the neighbours' load: N registrations through
Django's test client in one process — POST /api/registrations (a clerk's API token) and the clerk's form POST
/casework/register/letter/ (a session) — with the CPU time of that process (`time.process_time`) and of its
PostgreSQL backend (/proc/<pid>/stat), and the statements of one request. `--before DIR` measures another
checkout (e.g. `git archive <commit>` unpacked) in the same run, alternating with this one, on the same database.

    .venv/bin/python bench/intake_cpu.py [-n 200] [--rounds 2] [--before DIR] [--profile] [--sql]

A throw-away PostgreSQL database `xf_bench_intakecpu` on $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
migrated, with the test factories' units and one clerk; dropped at the end. `--profile`: cProfile (CPU clock) of
the API registrations of each checkout (first round), the project's functions by inclusive time (cProfile's own overhead
inflates the ORM's many small calls: read the shares, not the milliseconds). `--sql`: the statements of one API
registration. Prints figures, asserts nothing.
"""

import argparse
import base64
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from intake import PG, psql  # noqa: E402  (bench/intake.py)

ROOT = Path(__file__).resolve().parent.parent
DB = "xf_bench_intakecpu"

SETUP = """
import django
django.setup()
from tests import factories
units = factories.make_units()
factories.make_user("benchclerk", "clerk", unit=units["bureau"], full_name="接待员")
"""

MEASURE = r"""
import contextlib, cProfile, io, json, os, sys, time, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.api.test_intake import body
from xinfang.accounts.models import User
from xinfang.accounts.services import create_api_token
from xinfang.petitions.models import Petitioner
sys.path.insert(0, os.environ["BENCH_DIR"])
from intake import id_number

n, profile, show_sql = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3] == "1"
clerk = User.objects.get(username="benchclerk")
api, web = Client(), Client()
web.force_login(clerk)
headers = {"HTTP_AUTHORIZATION": "Bearer " + create_api_token(clerk, name="cpu")}
with connection.cursor() as c:
    c.execute("SELECT pg_backend_pid()")
    stat = f"/proc/{c.fetchone()[0]}/stat"
start = Petitioner.objects.count() + 100_000  # a new person each time, in every round


def backend_cpu():
    try:
        fields = open(stat).read().rsplit(")", 1)[1].split()
    except OSError:  # the database on another host
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def api_post(i):
    data = body()
    data["petitioners"][0]["id_number"] = id_number(start + i)
    with contextlib.redirect_stdout(io.StringIO()):  # the console SMS sender
        r = api.post("/api/registrations", json.dumps(data), content_type="application/json", **headers)
    assert r.status_code == 201, r.content


def web_post(i):
    data = {"received_at": (body()["received_at"])[:16], "title": "拖欠工资问题", "purpose": "04",
            "content_class": "0303", "township": "513223100", "content": "某公司拖欠工资三个月。",
            "request": "请求支付拖欠的工资。", "facts": "2019年6月至8月未发工资。",
            "p-TOTAL_FORMS": "1", "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "1", "p-MAX_NUM_FORMS": "50",
            "p-0-name": "张三", "p-0-id_number": id_number(start + i), "p-0-mobile": "13912345678"}
    with contextlib.redirect_stdout(io.StringIO()):
        r = web.post("/casework/register/letter/", data)
    assert r.status_code == 302, r.content.decode()[:2000]


out, i, wrapping = {}, 0, ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK")
for name, post in (("api", api_post), ("clerk form", web_post)):
    for _ in range(10):  # warm-up: imports, jieba's dictionary, the year's sequence rows
        post(i := i + 1)
    with CaptureQueriesContext(connection) as queries:
        post(i := i + 1)
    sql = [q["sql"] for q in queries.captured_queries]
    if show_sql:
        print("\n".join(s[:200] for s in sql), file=sys.stderr)
    statements = sum(not s.startswith(wrapping) for s in sql)
    rows = sum(int(s.split(" times: ")[0]) if " times: " in s[:12] else 1
               for s in sql if not s.startswith(wrapping))  # executemany: "18 times: INSERT …"
    prof = cProfile.Profile(time.process_time) if profile and name == "api" else None
    t, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
    if prof:
        prof.enable()
    for _ in range(n):
        post(i := i + 1)
    if prof:
        prof.disable()
    out[name] = [(time.perf_counter() - t) / n * 1000, (time.process_time() - cpu) / n * 1000,
                 (backend_cpu() - db) / n * 1000, statements, rows, len(sql)]
    if prof:
        import pstats
        s = io.StringIO()
        pstats.Stats(prof, stream=s).sort_stats("cumulative").print_stats("xinfang/", 45)
        print(s.getvalue(), file=sys.stderr)
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=200, help="registrations of each kind per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--before", type=Path, help="another checkout, measured alternately with this one")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sql", action="store_true")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-intakecpu-"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "DATABASE_URL"))},
        "DATABASE_URL": f"{PG}/{DB}",
        "DJANGO_SETTINGS_MODULE": "xinfang.settings",
        "XINFANG_VAR_DIR": str(tmp),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "XINFANG_PII_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "BENCH_DIR": str(ROOT / "bench"),
    }
    roots = ([("before", args.before.resolve())] if args.before else []) + [("this", ROOT)]
    psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    psql(f"CREATE DATABASE {DB}")
    try:
        python = [sys.executable]
        run = {"env": {**env, "PYTHONPATH": str(ROOT)}, "cwd": ROOT, "check": True}
        subprocess.run([*python, "-m", "xinfang.cli", "migrate", "-v0"], **run)
        subprocess.run([*python, "-c", SETUP], **run, capture_output=True)
        print(f"{args.n} registrations of each kind per round, {args.rounds} rounds, load average "
              f"{os.getloadavg()[0]:.1f} at start (CPU per registration; wall = one client, no concurrency)")  # fmt: skip
        print(f"{'checkout':<8} {'request':<11} {'stmts':>5} {'rows':>4} {'trips':>5} {'app CPU':>8} "
              f"{'PG CPU':>7} {'total':>7} {'wall':>7}")  # fmt: skip
        for rnd in range(args.rounds):
            for label, root in roots:
                profile = args.profile and rnd == 0
                measured = subprocess.run(
                    [*python, "-c", MEASURE, str(args.n), str(int(profile)), str(int(args.sql and rnd == 0))],
                    env={**env, "PYTHONPATH": str(root)}, cwd=root, check=True, capture_output=True, text=True,
                )  # fmt: skip
                if measured.stderr.strip():
                    print(f"--- {label} ({root})\n{measured.stderr}", file=sys.stderr)
                out = json.loads(measured.stdout.strip().splitlines()[-1])
                for name, (wall, app, db, statements, rows, trips) in out.items():
                    print(f"{label:<8} {name:<11} {statements:>5} {rows:>4} {trips:>5} {app:6.1f}ms "
                          f"{db:5.1f}ms {app + db:5.1f}ms {wall:5.1f}ms")  # fmt: skip
        print(f"load average at the end {os.getloadavg()[0]:.1f}; stmts = statements in the request without "
              "BEGIN/COMMIT/savepoints (an executemany counts once), rows = with each executemany row, "
              "trips = every statement sent")  # fmt: skip
    finally:
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
