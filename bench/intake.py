"""Intake under concurrent clients (issue 14): POST /api/registrations against a bare insert endpoint on the same
stack (bench/intake_server.py: same middleware, token check and request schema, one INSERT), side by side from
1, 10 and 50 keep-alive clients for N seconds each; prints throughput, p50/p95/p99, the ratio intake/bare and
what PostgreSQL's sessions waited on (pg_stat_activity sampled during the intake runs), then checks that the
事项编号 and 登记编号 are unique and gapless, every 文号 sequence gapless and the summary tables equal to the
records. Asserts nothing but the checks; prints figures.

    .venv/bin/python bench/intake.py [--seconds 10] [--clients 1,10,50] [--workers 4] [--threads 2]
                                     [--conn-max-age 60] [--root DIR] [--cpu N]

gunicorn as `make run` starts it (xinfang/gunicorn_conf.py) with DJANGO_SETTINGS_MODULE=bench.intake_server,
on a throw-away PostgreSQL database `xf_bench_intake` on $BENCH_PG (default postgres://postgres@127.0.0.1:5432),
migrated, with the test factories' units and one clerk with an API token; dropped at the end. `--root` runs
the server from another checkout of the project (e.g. `git archive <commit>` unpacked) for a before/after
comparison under the same conditions; bench/intake_server.py is copied there when missing.

`--cpu N` first measures what one request costs in CPU, which the neighbours' load does not change much (the
rates do): N requests of each endpoint through Django's test client in one process, its CPU time and that of
its PostgreSQL backend (/proc/<pid>/stat: the database on this host), and the statements per request. On a
CPU-bound machine the intake/bare ratio cannot exceed the bare/intake ratio of these CPU figures.
"""

import argparse
import base64
import http.client
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import free_port, wait_for  # noqa: E402  (bench/server.py)

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = "xf_bench_intake"

SETUP = """
import json, django
django.setup()
from tests import factories
from tests.api.test_intake import body
from xinfang.accounts.services import create_api_token
units = factories.make_units()
clerk = factories.make_user("benchclerk", "clerk", unit=units["bureau"], full_name="接待员")
print(json.dumps({"token": create_api_token(clerk, name="bench"), "body": body()}, default=str))
"""

CHECK = """
import json, re, django
django.setup()
from collections import defaultdict
from xinfang.analytics import tallies
from xinfang.petitions.models import Document, Matter, Registration

def gapless(numbers):
    seqs = defaultdict(list)
    for n in numbers:
        prefix, seq = re.fullmatch(r"(\\D+\\d{4})(\\d{6})", n).groups()
        seqs[prefix].append(int(seq))
    return all(sorted(s) == list(range(1, len(s) + 1)) for s in seqs.values())

out = {}
for model in (Matter, Registration):
    numbers = list(model.objects.values_list("number", flat=True))
    out[model.__name__] = [len(numbers), len(set(numbers)) == len(numbers), gapless(numbers)]
docs = defaultdict(list)
for issuer, year, kind, seq in Document.objects.values_list("issuer_id", "year", "kind", "seq"):
    docs[(issuer, year, kind)].append(seq)
out["Document"] = [sum(map(len, docs.values())),
                   all(sorted(s) == list(range(1, len(s) + 1)) for s in docs.values())]
out["tallies_differences"] = len(tallies.check())
print(json.dumps(out))
"""


CPU = """
import json, os, sys, time, django
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.api.test_intake import body
from xinfang.accounts.models import User
from xinfang.accounts.services import create_api_token
sys.path.insert(0, "bench")
from intake import id_number
n, client = int(sys.argv[1]), Client()
headers = {"HTTP_AUTHORIZATION": "Bearer " + create_api_token(User.objects.get(username="benchclerk"), name="cpu")}
with connection.cursor() as c:
    c.execute("SELECT pg_backend_pid()")
    stat = f"/proc/{c.fetchone()[0]}/stat"

def backend_cpu():
    try:
        fields = open(stat).read().rsplit(")", 1)[1].split()
    except OSError:  # the database on another host
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

def post(path, i):
    data = body()
    data["petitioners"][0]["id_number"] = id_number(40000 + i)
    response = client.post(path, json.dumps(data), content_type="application/json", **headers)
    assert response.status_code == 201, response.content

out, i = {}, 0
for path in ("/api/registrations", "/bench/bare"):
    for _ in range(10):  # warm-up: imports, jieba's dictionary, the year's sequence rows
        post(path, i := i + 1)
    with CaptureQueriesContext(connection) as queries:
        post(path, i := i + 1)
    wrapping = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")
    statements = sum(not q["sql"].startswith(wrapping) for q in queries.captured_queries)
    t, cpu, db = time.perf_counter(), time.process_time(), backend_cpu()
    for _ in range(n):
        post(path, i := i + 1)
    out[path] = [(time.perf_counter() - t) / n * 1000, (time.process_time() - cpu) / n * 1000,
                 (backend_cpu() - db) / n * 1000, statements]
print(json.dumps(out))
"""


def id_number(i: int) -> str:
    """A valid 18-digit resident ID (GB 11643 check digit), a different person for each i."""
    birth = f"19{50 + i // 1000 % 50:02d}0101"
    body = f"110105{birth}{i % 1000:03d}"
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, weights, strict=True)) % 11]


class Load:
    """Keep-alive clients posting for `seconds`; latencies in ms of the 201 answers, other answers counted."""

    counter = iter(range(10**9))
    lock = threading.Lock()

    def __init__(self, port: int, token: str, body: dict):
        self.port, self.token, self.body = port, token, body

    def payload(self, path: str) -> bytes:
        with self.lock:
            i = next(self.counter)
        body = json.loads(json.dumps(self.body))
        for p in body["petitioners"]:  # a new person each time, as at a real reception desk
            if p.get("id_number"):
                p["id_number"] = id_number(i)
        return json.dumps(body).encode()

    def run(self, path: str, clients: int, seconds: float) -> dict:
        latencies, failures, start = [], Counter(), threading.Barrier(clients + 1)
        deadline = [0.0]

        def client():
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
            mine = []
            start.wait()
            while time.perf_counter() < deadline[0]:
                data = self.payload(path)
                t = time.perf_counter()
                conn.request("POST", path, data, headers)
                response = conn.getresponse()
                response.read()
                if response.status == 201:
                    mine.append((time.perf_counter() - t) * 1000)
                else:
                    failures[response.status] += 1
            conn.close()
            with self.lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        began = time.perf_counter()
        deadline[0] = began + seconds
        start.wait()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - began
        ms = sorted(latencies) or [0.0]

        def pct(p):
            return ms[min(len(ms) - 1, round(p * (len(ms) - 1)))]

        return {"rate": len(latencies) / elapsed, "p50": statistics.median(ms), "p95": pct(0.95),
                "p99": pct(0.99), "failures": dict(failures)}  # fmt: skip


class Sampler(threading.Thread):
    """What the application's sessions were doing: pg_stat_activity every 50 ms."""

    def __init__(self, url: str):
        super().__init__(daemon=True)
        self.url, self.seen, self.samples, self.stop = url, Counter(), 0, threading.Event()

    def run(self):
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.wait(0.05):
                rows = conn.execute(
                    "SELECT CASE WHEN state = 'active' THEN coalesce(wait_event_type || ':' || wait_event, "
                    "'running') ELSE state END, count(*) FROM pg_stat_activity "
                    "WHERE datname = %s AND state <> 'idle' AND pid <> pg_backend_pid() "
                    "GROUP BY 1",
                    [DB],
                ).fetchall()
                self.samples += 1
                for what, n in rows:
                    self.seen[what] += n

    def summary(self) -> str:
        self.stop.set()
        self.join()
        top = ", ".join(f"{w} {n / self.samples:.1f}" for w, n in self.seen.most_common(4))
        return f"sessions on average: {top or 'none'}"


def psql(sql: str) -> None:
    subprocess.run(["psql", f"{PG}/postgres", "-q", "-c", sql], check=True, capture_output=True)


def cpu_per_request(python: list[str], root: Path, env: dict, n: int) -> None:
    measured = subprocess.run([*python, "-c", CPU, str(n)], cwd=root, env=env, check=True, capture_output=True,
                              text=True)  # fmt: skip
    out = json.loads(measured.stdout.strip().splitlines()[-1])
    print(f"CPU per request, {n} requests each in one process (Django's test client; load average "
          f"{os.getloadavg()[0]:.1f}):")  # fmt: skip
    for path, (wall, app, db, statements) in out.items():
        print(f"  {path:<20} {statements:>3} statements, wall {wall:6.1f} ms, application {app:5.1f} ms + "
              f"PostgreSQL backend {db:5.1f} ms = {app + db:5.1f} ms CPU")  # fmt: skip
    (_, a_app, a_db, _), (_, b_app, b_db, _) = out["/api/registrations"], out["/bench/bare"]
    print(
        f"  bare/intake CPU: {(b_app + b_db) / (a_app + a_db):.2f} (the ratio's ceiling on a CPU-bound host)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", default="1,10,50")
    parser.add_argument("--workers", default="4")
    parser.add_argument("--threads", default="2")
    parser.add_argument(
        "--conn-max-age", default="60", help="DB_CONN_MAX_AGE of the server (0 = per request)"
    )
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout the server runs from")
    parser.add_argument("--cpu", type=int, default=0, help="first: CPU per request over N requests of each")
    args = parser.parse_args()
    root = args.root.resolve()
    if not (root / "bench" / "intake_server.py").exists():
        shutil.copy(ROOT / "bench" / "intake_server.py", root / "bench" / "intake_server.py")
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-intake-"))
    port = free_port()
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "GUNICORN_", "DATABASE_URL"))
        },
        "DATABASE_URL": f"{PG}/{DB}",
        "DB_CONN_MAX_AGE": args.conn_max_age,
        "DJANGO_SETTINGS_MODULE": "bench.intake_server",
        "XINFANG_VAR_DIR": str(tmp),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "XINFANG_PII_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": args.workers,
        "GUNICORN_THREADS": args.threads,
        "GUNICORN_MAX_REQUESTS": "1000000",  # no worker restart in the middle of a run
        "PYTHONPATH": str(root),
    }
    python = [sys.executable]
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    server = None
    try:
        subprocess.run([*python, "-m", "xinfang.cli", "migrate", "-v0"], cwd=root, env=env, check=True)
        subprocess.run(["psql", f"{PG}/{DB}", "-q", "-c", "CREATE TABLE bench_intake_bare "
                        "(id bigserial PRIMARY KEY, title text NOT NULL, at timestamptz DEFAULT now())"],
                       check=True)  # fmt: skip
        made = subprocess.run(
            [*python, "-c", SETUP], cwd=root, env=env, check=True, capture_output=True, text=True
        )
        ref = json.loads(made.stdout.strip().splitlines()[-1])
        if args.cpu:
            cpu_per_request(python, root, env, args.cpu)
        log = (tmp / "gunicorn.log").open("w")
        server = subprocess.Popen(
            [*python, "-m", "gunicorn", "--config", "python:xinfang.gunicorn_conf"],
            cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(port, server)
        load = Load(port, ref["token"], ref["body"])
        for path in ("/api/registrations", "/bench/bare"):  # warm-up: every worker imports its views and
            load.run(path, 16, 8)  # loads jieba's dictionary (a keep-alive client stays on one worker)
        load_avg = os.getloadavg()[0]
        print(f"server from {root}: gunicorn {args.workers} workers × {args.threads} threads, "
              f"DB_CONN_MAX_AGE={args.conn_max_age}, PostgreSQL {DB}; {os.cpu_count()} CPUs, "
              f"load average {load_avg:.1f} at start; {args.seconds:g} s per run")  # fmt: skip
        print(f"{'clients':>7} | {'intake/s':>8} {'p50':>7} {'p95':>7} {'p99':>7} | "
              f"{'bare/s':>7} {'p50':>6} {'p95':>6} {'p99':>6} | ratio")  # fmt: skip
        waits = []
        for clients in (int(c) for c in args.clients.split(",")):
            sampler = Sampler(f"{PG}/{DB}")
            sampler.start()
            intake = load.run("/api/registrations", clients, args.seconds)
            waits.append(f"{clients:>3} clients, intake: {sampler.summary()}")
            bare = load.run("/bench/bare", clients, args.seconds)
            print(f"{clients:>7} | {intake['rate']:8.1f} {intake['p50']:6.0f}ms {intake['p95']:6.0f}ms "
                  f"{intake['p99']:6.0f}ms | {bare['rate']:7.1f} {bare['p50']:4.0f}ms {bare['p95']:4.0f}ms "
                  f"{bare['p99']:4.0f}ms | {intake['rate'] / bare['rate']:.2f}"
                  + (f"  failures {intake['failures']} {bare['failures']}" if intake["failures"] or
                     bare["failures"] else ""))  # fmt: skip
        print("\n".join(waits))
        print(f"load average at the end {os.getloadavg()[0]:.1f}")
        server.terminate()
        server.wait(timeout=60)
        server = None
        checked = subprocess.run([*python, "-c", CHECK], cwd=root, env=env, check=True, capture_output=True,
                                 text=True)  # fmt: skip
        out = json.loads(checked.stdout.strip().splitlines()[-1])
        for name in ("Matter", "Registration"):
            n, unique, gapless = out[name]
            print(f"{name}: {n} numbers, unique {unique}, gapless {gapless}")
        print(f"文号: {out['Document'][0]} documents, gapless {out['Document'][1]}; "
              f"summary tables differing from the records: {out['tallies_differences']}")  # fmt: skip
        ok = all(out[n][1] and out[n][2] for n in ("Matter", "Registration")) and out["Document"][1]
        if not ok or out["tallies_differences"]:
            sys.exit("CHECK FAILED")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=60)
        psql(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
