"""Load and faults (issue 14): the production stack on loopback — gunicorn (several workers), a throw-away
PostgreSQL cluster, SeaweedFS (XINFANG_STORAGE=s3) and `xinfang worker`, all started here and torn down at
the end — under a realistic mix of requests; first a ramp to the highest rate with p95 < 500 ms and no server
error, then one phase per fault (PostgreSQL restarted, a gunicorn worker and the task worker killed, the
object store stopped for 30 s) and, after every phase, the accounting. Prints figures; bench only, never
part of `make test`.

    .venv/bin/python bench/load/run.py [--minutes 10] [--quick] [--workers 4] [--threads 2] [--keep]

--quick: about 2 minutes of load (ramp 3 steps, short fault phases). No new dependency: a threaded HTTP load
generator (http.client, one keep-alive connection per virtual user). Clients retry an API registration with
the same Idempotency-Key, and a portal submission with the same one-time form token, after a 503, a 409
"processing" or a broken connection — as a careful client would.
"""

import argparse
import base64
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))

from bench.server import free_port, wait_for  # noqa: E402
from tests.storage import seaweed  # noqa: E402

PG_BIN = Path("/usr/lib/postgresql/15/bin")
P95_LIMIT_MS = 500
RETRY_SECONDS = 150  # a client gives up after this long: > STALE_CLAIM (2 min) of a key or form token whose
# request died with its worker or its database connection
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)

SETUP = r"""
import json, sys
import django
django.setup()
from django.test import Client
from tests import factories
from tests.api.test_intake import body
from xinfang.accounts.services import create_api_token
from xinfang.petitions.models import Code, Unit

units = factories.make_units()
users = {
    "clerk": factories.make_user("loadclerk", "clerk", unit=units["bureau"], full_name="接待员"),
    "officer": factories.make_user("loadofficer", "case_officer", unit=units["bureau"], full_name="办案员"),
    "unit": factories.make_user("loadunit", "unit_officer", unit=units["dept"], full_name="经办人"),
    "supervisor": factories.make_user("loadsuper", "supervisor", unit=units["bureau"], full_name="督查员"),
}
sessions = {}
for name in ("officer", "unit", "supervisor"):
    client = Client()
    client.force_login(users[name])
    sessions[name] = client.cookies["sessionid"].value
print(json.dumps({
    "token": create_api_token(users["clerk"], name="load"),
    "unit_token": create_api_token(users["unit"], name="load"),
    "unit_code": units["dept"].code,
    "sessions": sessions,
    "body": body(),
    "purpose": Code.objects.filter(table=Code.Table.PURPOSE, is_active=True).order_by("code").first().code,
    "content_class": Code.objects.filter(table=Code.Table.CONTENT, is_active=True, parent__isnull=True)
        .order_by("code").first().code,
    "township": Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).order_by("code").first().code,
}, default=str))
"""

ACCOUNTING = r"""
import json, sys
from collections import Counter
import django
django.setup()
from django.core.files.storage import default_storage
from django.db.models import Count, Max
from django_tasks_db.models import DBTaskResult
from xinfang.petitions.models import Attachment, Document, Matter, Registration

accepted = json.load(open(sys.argv[1]))
numbers = Counter(Registration.objects.filter(number__in=accepted).values_list("number", flat=True))
out = {
    "accepted": len(accepted),
    "missing": sorted(set(accepted) - set(numbers))[:20],
    "twice": sorted(n for n, c in numbers.items() if c != 1)[:20],
    "registrations": Registration.objects.count(),
    "dup_registration_numbers": Registration.objects.values("number").annotate(n=Count("id")).filter(n__gt=1)
        .count(),
    "dup_matter_numbers": Matter.objects.values("number").annotate(n=Count("id")).filter(n__gt=1).count(),
}
gaps = []
for row in Document.objects.values("issuer", "year", "kind").annotate(n=Count("id"), top=Max("seq")):
    seqs = sorted(Document.objects.filter(issuer=row["issuer"], year=row["year"], kind=row["kind"])
                  .values_list("seq", flat=True))
    if seqs != list(range(1, len(seqs) + 1)):
        gaps.append(row)
out["docno_series"] = Document.objects.values("issuer", "year", "kind").distinct().count()
out["docno_gaps"] = [f"{g['kind']} {g['year']}: {g['n']} of {g['top']}" for g in gaps][:20]
out["dup_doc_numbers"] = Document.objects.values("number").annotate(n=Count("id")).filter(n__gt=1).count()
out["documents"] = dict(Counter(Document.objects.values_list("kind", flat=True)))

def walk(path=""):
    dirs, files = default_storage.listdir(path)
    for f in files:
        yield f"{path}{f}"
    for d in dirs:
        yield from walk(f"{path}{d}/")

stored = set(walk())
referenced = set(Attachment.objects.values_list("file", flat=True))
out["attachments"] = len(referenced)
out["stored_objects"] = len(stored)
out["orphan_objects"] = sorted(stored - referenced)[:20]
out["missing_objects"] = sorted(referenced - stored)[:20]
out["tasks"] = dict(Counter(DBTaskResult.objects.values_list("status", flat=True)))
print(json.dumps(out, default=str))
"""


def id_number(n: int) -> str:
    """A valid 18-digit 居民身份证号码 (GB 11643 check digit), distinct per n < 1000 per day of birth."""
    base = f"510{n // 1000 % 1000:03d}19800101{n % 1000:03d}"[:17]
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return base + "10X98765432"[sum(int(d) * w for d, w in zip(base, weights, strict=True)) % 11]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


# ---------------------------------------------------------------- the stack


class Stack:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="xinfang-load-"))
        self.tmp.chmod(0o755)  # the postgres user must reach its cluster inside
        self.procs: list[subprocess.Popen] = []
        self.weed = self.server = self.worker = None
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    # PostgreSQL: a cluster of its own in a temporary directory, on a free port
    def pg(self, *args: str, check=True) -> subprocess.CompletedProcess:
        cmd = [
            *self.as_postgres,
            str(PG_BIN / "pg_ctl"),
            "-D",
            str(self.pgdata),
            "-l",
            str(self.pglog),
            *args,
        ]
        return subprocess.run(cmd, check=check, capture_output=True, text=True, timeout=120)

    def start_postgres(self) -> str:
        self.pgdata, self.pglog = self.tmp / "pg", self.tmp / "pg.log"
        self.pgdata.mkdir()
        self.pglog.touch()
        if self.as_postgres:
            shutil.chown(self.pgdata, "postgres")
            shutil.chown(self.pglog, "postgres")
        subprocess.run([*self.as_postgres, str(PG_BIN / "initdb"), "-D", str(self.pgdata), "-U", "postgres",
                        "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True, timeout=300)  # fmt: skip
        self.pgport = free_port()
        options = f"-p {self.pgport} -k {self.pgdata} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self.pg("-o", options, "-w", "start")
        subprocess.run([*self.as_postgres, str(PG_BIN / "createdb"), "-h", "127.0.0.1", "-p", str(self.pgport),
                        "-U", "postgres", "xinfang_load"], check=True, timeout=60)  # fmt: skip
        return f"postgres://postgres@127.0.0.1:{self.pgport}/xinfang_load"

    def start_weed(self) -> None:
        binary = seaweed.weed_binary()
        if binary is None:
            sys.exit("SeaweedFS (weed) 未安装")
        self.weed = seaweed.start(binary, self.tmp / "weed")

    def restart_weed(self) -> float:
        """The same command (same ports, same data directory); seconds until the bucket answers again."""
        old = self.weed
        started = time.perf_counter()
        proc = subprocess.Popen(old.proc.args, stdout=old.log.open("ab"), stderr=subprocess.STDOUT,
                                cwd=self.tmp / "weed")  # fmt: skip
        self.weed = seaweed.Server(proc, old.endpoint, old.log, old.ports, old.bucket)
        client = self.weed.client()
        for _ in range(1200):
            try:
                client.head_bucket(Bucket=old.bucket)
                return time.perf_counter() - started
            except Exception:  # noqa: BLE001 - not up yet; bounded by the loop
                time.sleep(0.05)
        sys.exit(f"SeaweedFS 重启后未就绪：\n{self.weed.log_tail()}")

    def env(self, database_url: str) -> dict:
        self.port = free_port()
        keep = {k: v for k, v in os.environ.items()
                if not k.startswith(("XINFANG_", "GUNICORN_", "DATABASE_", "AWS_", "PORTAL_", "DB_"))}  # fmt: skip
        return {
            **keep, **self.weed.env(prefix="load/"),
            "DJANGO_SETTINGS_MODULE": "xinfang.settings",
            "XINFANG_VAR_DIR": str(self.tmp / "var"), "DATABASE_URL": database_url, "DB_CONN_MAX_AGE": "60",
            "SECRET_KEY": secrets.token_urlsafe(64),
            "XINFANG_PII_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
            "GUNICORN_BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": str(self.args.workers),
            "GUNICORN_THREADS": str(self.args.threads),
            # one loopback address stands for all citizens: the per-address portal limits would stop the load
            "PORTAL_SUBMIT_MAX": "100000000", "PORTAL_TRACK_FAILURES_MAX": "100000000",
        }  # fmt: skip

    def run_django(self, code: str, *args: str) -> dict:
        out = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=self.environ,
                             capture_output=True, text=True, timeout=600)  # fmt: skip
        if out.returncode:
            sys.exit(f"子进程失败：\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start(self) -> dict:
        t0 = time.perf_counter()
        url = self.start_postgres()
        self.start_weed()
        self.environ = self.env(url)
        (self.tmp / "var").mkdir()
        subprocess.run([sys.executable, "-m", "xinfang.cli", "migrate", "-v0"], cwd=ROOT, env=self.environ,
                       check=True, timeout=900)  # fmt: skip
        data = self.run_django(SETUP)
        self.start_server()
        self.start_worker()
        print(f"stack up in {time.perf_counter() - t0:.0f} s: PostgreSQL 15 :{self.pgport}, SeaweedFS "
              f"{self.weed.endpoint}, gunicorn :{self.port} ({self.args.workers} workers × "
              f"{self.args.threads} threads), xinfang worker; {os.cpu_count()} CPUs")  # fmt: skip
        return data

    def start_server(self) -> None:
        log = (self.tmp / "gunicorn.log").open("a")
        self.server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:xinfang.gunicorn_conf"],
            cwd=ROOT, env=self.environ, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        wait_for(self.port, self.server)

    def start_worker(self) -> None:
        log = (self.tmp / "worker.log").open("a")
        self.worker = subprocess.Popen([sys.executable, "-m", "xinfang.cli", "worker"], cwd=ROOT,
                                       env=self.environ, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip

    def web_workers(self) -> list[int]:
        children = Path(f"/proc/{self.server.pid}/task/{self.server.pid}/children").read_text().split()
        return [int(pid) for pid in children]

    def stop(self) -> None:
        for proc in (self.server, self.worker):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if self.weed is not None:
            self.weed.stop()
        if getattr(self, "pgdata", None) is not None:
            self.pg("-m", "immediate", "stop", check=False)
        if self.args.keep:
            print(f"kept: {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------- the clients


class Results:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.accepted: dict[str, str] = {}  # Idempotency-Key / form token → registration number
        self.conflicts: list[str] = []  # one key or token answered with two numbers
        self.known: list[tuple[str, str, str]] = []  # (registration number, query code, matter number)
        self.to_forward: list[str] = []  # API-registered matters not yet taken by the 转送 → 受理 flow
        self.gave_up = 0
        self.events: list[tuple[float, str]] = []  # (time, "ok"/"503"/"500"/"conn") for recovery times

    def record(self, kind: str, status: int | str, ms: float) -> None:
        label = "ok" if isinstance(status, int) and status < 400 else str(status)
        with self.lock:
            self.samples[kind].append(ms)
            self.statuses[kind][str(status)] += 1
            self.events.append((time.monotonic(), "ok" if label == "ok" else label))

    def accept(self, key: str, number: str) -> None:
        with self.lock:
            if self.accepted.setdefault(key, number) != number:
                self.conflicts.append(key)


class Client:
    """One virtual user: one keep-alive connection, its cookies."""

    def __init__(self, port: int, results: Results, data: dict, n: int):
        self.port, self.results, self.data, self.n = port, results, data, n
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.rng = random.Random(n)

    def request(self, kind: str, method: str, path: str, body: bytes | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        t0 = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            content = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            self.results.record(kind, "conn", (time.perf_counter() - t0) * 1000)
            return None, b"", {}
        self.results.record(kind, response.status, (time.perf_counter() - t0) * 1000)
        for cookie in response.msg.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
            self.conn = None
        return response.status, content, dict(response.getheaders())

    def retrying(self, kind: str, send, done) -> bool:
        """send() until done(status, content, headers) or a final refusal; retries 503, 409 and broken
        connections (same key/token) for at most RETRY_SECONDS."""
        deadline = time.monotonic() + RETRY_SECONDS
        delay = 0.2
        while time.monotonic() < deadline:
            status, content, headers = send()
            if status is not None and status not in (409, 503) and status < 500:
                return done(status, content, headers)
            time.sleep(delay)
            delay = min(delay * 2, 2.0)
        with self.results.lock:
            self.results.gave_up += 1
        return False

    # ---- the mix
    def api_register(self) -> None:
        key = str(uuid.uuid4())
        payload = dict(self.data["body"])
        payload["title"] = f"负载测试登记 {key[:8]}"
        payload["petitioners"] = [
            {**payload["petitioners"][0], "id_number": id_number(self.rng.randrange(10**6))}
        ]
        body = json.dumps(payload).encode()
        headers = {"Authorization": f"Bearer {self.data['token']}", "Idempotency-Key": key,
                   "Content-Type": "application/json"}  # fmt: skip

        def done(status, content, _):
            if status == 201:
                out = json.loads(content)
                self.results.accept("api:" + key, out["registration_number"])
                with self.results.lock:
                    self.results.known.append(
                        (out["registration_number"], out["query_code"], out["matter_number"])
                    )
                    self.results.to_forward.append(out["matter_number"])
            return status == 201

        self.retrying("api_register", lambda: self.request("api_register", "POST", "/api/registrations", body,
                                                           headers), done)  # fmt: skip

    def form(self, kind: str, path: str) -> dict[str, str] | None:
        status, content, _ = self.request(kind, "GET", path)
        if status != 200:
            return None
        html = content.decode()
        fields = dict(re.findall(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"', html))
        return fields if "csrfmiddlewaretoken" in fields else None

    def portal_submit(self) -> None:
        self.cookies.clear()
        fields = self.form("portal_form", "/portal/submit/")
        if fields is None:
            return
        token = fields.get("form_token", "")
        values = {**fields, "purpose": self.data["purpose"], "content_class": self.data["content_class"],
                  "township": self.data["township"], "title": f"网上信访负载测试 {self.n}",
                  "facts": "村道路面损坏多年未修，雨天积水，出行困难。" * 3, "request": "请尽快维修道路。",
                  "name": "李四", "id_number": id_number(self.rng.randrange(10**6)), "mobile": "13912345678",
                  "address": "茂县凤仪镇"}  # fmt: skip
        boundary = secrets.token_hex(12)
        parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
                 for k, v in values.items()]  # fmt: skip
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="现场.png"\r\n'
                     "Content-Type: image/png\r\n\r\n".encode() + PNG + b"\r\n")  # fmt: skip
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}

        def done(status, _, headers):
            if status != 302 or "receipt" not in headers.get("Location", ""):
                return False
            for _ in range(60):  # the citizen reloads the receipt page while the site answers 503
                status, content, _ = self.request("portal_receipt", "GET", "/portal/submit/receipt/")
                if status not in (None, 503):
                    break
                time.sleep(1)
            found = re.search(r'id="reg-number">([^<]+)<', content.decode()) if status == 200 else None
            if found:
                self.results.accept("portal:" + token, found.group(1).strip())
            return bool(found)

        self.retrying("portal_submit", lambda: self.request("portal_submit", "POST", "/portal/submit/", body,
                                                            headers), done)  # fmt: skip

    def portal_track(self) -> None:
        with self.results.lock:
            known = self.rng.choice(self.results.known) if self.results.known else None
        if known is None:
            return self.api_register()
        self.cookies.clear()
        fields = self.form("portal_track_form", "/portal/track/")
        if fields is None:
            return
        body = urlencode({**fields, "number": known[0], "code": known[1]}).encode()
        status, _, _ = self.request("portal_track", "POST", "/portal/track/", body,
                                    {"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        if status == 302:
            self.request("portal_case", "GET", "/portal/track/case/")

    def staff(self, who: str) -> None:
        self.cookies = {"sessionid": self.data["sessions"][who]}
        if who == "supervisor":
            self.request("dashboard", "GET", "/analytics/")
            return
        self.request("worklist", "GET", "/casework/")
        with self.results.lock:
            known = self.rng.choice(self.results.known) if self.results.known else None
        if who == "officer" and known is not None:
            self.request("matter", "GET", f"/casework/matters/{known[2]}/")

    def forward_and_accept(self) -> None:
        """A registered matter through the API: the clerk opens it and forwards it (转送单, the bureau's 文号), the
        unit officer signs for it (签收) and accepts it (受理告知书, the unit's 文号). No retry: an action carries
        the matter's version, and a failed one is counted, not repeated."""
        with self.results.lock:
            number = self.results.to_forward.pop(0) if self.results.to_forward else None
        if number is None:
            return self.api_register()
        clerk = {"Authorization": f"Bearer {self.data['token']}", "Content-Type": "application/json"}
        unit = {**clerk, "Authorization": f"Bearer {self.data['unit_token']}"}
        self.cookies.clear()
        status, content, _ = self.request("doc_matter", "GET", f"/api/matters/{number}", headers=clerk)
        steps = [("doc_forward", "forward", clerk, {"unit": self.data["unit_code"]}),
                 ("doc_acknowledge", "acknowledge", unit, {}), ("doc_accept", "accept", unit, {})]  # fmt: skip
        for kind, route, headers, fields in steps:
            if status != 200:
                return
            body = json.dumps({"version": json.loads(content)["version"], **fields}).encode()
            status, content, _ = self.request(kind, "POST", f"/api/matters/{number}/{route}", body, headers)

    def one(self) -> None:
        roll = self.rng.random()
        if roll < 0.30:
            self.api_register()
        elif roll < 0.45:
            self.portal_submit()
        elif roll < 0.60:
            self.portal_track()
        elif roll < 0.70:
            self.staff("officer")
        elif roll < 0.80:
            self.forward_and_accept()
        elif roll < 0.90:
            self.staff("unit")
        else:
            self.staff("supervisor")


def drive(port: int, data: dict, results: Results, users: int, seconds: float, seed: int) -> float:
    """`users` virtual users, each doing one action after another (no think time) for `seconds`; returns the
    elapsed wall time (a user finishes its current action, with its retries)."""
    stop = time.monotonic() + seconds

    def user(n):
        client = Client(port, results, data, seed * 1000 + n)
        while time.monotonic() < stop:
            client.one()

    threads = [threading.Thread(target=user, args=(n,), daemon=True) for n in range(users)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0


def summary(results: Results, elapsed: float) -> tuple[float, float, int, int]:
    """(requests per second, overall p95 ms, server errors other than 503, 503s + broken connections)."""
    every = [ms for values in results.samples.values() for ms in values]
    errors = sum(c for s in results.statuses.values() for k, c in s.items() if k.isdigit() and int(k) >= 500
                 and k != "503")  # fmt: skip
    unavailable = sum(s.get("503", 0) + s.get("conn", 0) for s in results.statuses.values())
    return len(every) / elapsed, pct(every, 95), errors, unavailable


def table(results: Results, elapsed: float) -> None:
    print(f"  {'kind':<18}{'n':>6}{'req/s':>8}{'p50':>8}{'p95':>8}{'p99':>8}  statuses")
    for kind in sorted(results.samples):
        ms = results.samples[kind]
        statuses = " ".join(f"{k}:{v}" for k, v in sorted(results.statuses[kind].items()))
        print(f"  {kind:<18}{len(ms):>6}{len(ms) / elapsed:>8.1f}{statistics.median(ms):>8.0f}"
              f"{pct(ms, 95):>8.0f}{pct(ms, 99):>8.0f}  {statuses}")  # fmt: skip


def accounting(stack: Stack, everything: Results) -> bool:
    numbers = sorted(set(everything.accepted.values()))
    path = stack.tmp / "accepted.json"
    path.write_text(json.dumps(numbers))
    out = stack.run_django(ACCOUNTING, str(path))
    ok = not (out["missing"] or out["twice"] or out["dup_registration_numbers"] or out["dup_matter_numbers"]
              or out["docno_gaps"] or out["dup_doc_numbers"] or out["orphan_objects"] or out["missing_objects"] or everything.conflicts)  # fmt: skip
    # a registration no client heard of: its client gave up, or it was registered twice (a key run again)
    ok &= out["registrations"] - out["accepted"] <= everything.gave_up
    print(f"  accounting: {out['accepted']} accepted numbers ({len(everything.accepted)} keys/tokens), "
          f"missing {len(out['missing'])}, twice {len(out['twice'])}, one key → two numbers "
          f"{len(everything.conflicts)}; {out['registrations']} registrations in the database "
          f"({out['registrations'] - out['accepted']} not acknowledged to a client); duplicate registration/"
          f"matter numbers {out['dup_registration_numbers']}/{out['dup_matter_numbers']}; 文号 "
          f"{out['documents']} in {out['docno_series']} series, gaps {out['docno_gaps'] or 'none'}, duplicate "
          f"{out['dup_doc_numbers']}; "
          f"objects {out['stored_objects']} stored / {out['attachments']} attachments, orphans "
          f"{out['orphan_objects'] or 'none'}, missing {out['missing_objects'] or 'none'}; tasks {out['tasks']}; "
          f"clients gave up {everything.gave_up} → {'OK' if ok else 'FAILED'}")  # fmt: skip
    return ok


def merge(into: Results, phase: Results) -> None:
    into.accepted.update(phase.accepted)
    into.conflicts += phase.conflicts
    into.gave_up += phase.gave_up


def recovery(results: Results, fault_at: float) -> str:
    """Seconds from the fault to the last failed request, and what the failures were."""
    bad = [(t, k) for t, k in results.events if k != "ok" and t >= fault_at]
    if not bad:
        return "no failed request"
    kinds = defaultdict(int)
    for _, k in bad:
        kinds[k] += 1
    return f"failures until +{bad[-1][0] - fault_at:.1f} s after the fault: {dict(kinds)}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--quick", action="store_true", help="about 2 minutes of load")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs)")
    args = parser.parse_args()
    minutes = 2 if args.quick else args.minutes
    steps = [1, 2, 4] if args.quick else [1, 2, 4, 6, 8, 12, 16, 24]
    step_seconds = minutes * 60 * 0.4 / len(steps)  # 40 % ramp (and sustained), 60 % three fault phases
    phase_seconds = max(45.0, minutes * 60 * 0.6 / 3)
    print(f"load and faults, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{'--quick' if args.quick else f'--minutes {minutes:g}'}; load average "
          f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
    stack = Stack(args)
    everything = Results()
    healthy = True
    try:
        data = stack.start()
        warm = Results()
        drive(stack.port, data, warm, 2, 5, seed=999)  # warm-up: every worker imports its views
        merge(everything, warm)
        print(f"\n== ramp: virtual users without think time, {step_seconds:.0f} s per step ==")
        best, previous = (0.0, 0), 0.0
        ramp_ends = time.monotonic() + minutes * 60 * 0.4
        for seed, users in enumerate(steps):
            results = Results()
            elapsed = drive(stack.port, data, results, users, step_seconds, seed)
            rate, p95, errors, unavailable = summary(results, elapsed)
            holds = p95 < P95_LIMIT_MS and errors == 0 and unavailable == 0
            print(f"\n{users:>3} users: {rate:6.1f} req/s, p95 {p95:6.0f} ms, server errors {errors}, "
                  f"503/broken {unavailable} → {'holds' if holds else 'does not hold'}")  # fmt: skip
            table(results, elapsed)
            merge(everything, results)
            if holds and rate > best[0]:
                best = (rate, users)
            healthy &= errors == 0
            if not holds and rate <= 1.1 * previous:  # saturated: more users only wait longer
                break
            previous = max(previous, rate)
        print(f"\nhighest rate held (p95 < {P95_LIMIT_MS} ms, 0 server errors): {best[0]:.1f} req/s "
              f"with {best[1]} users")  # fmt: skip
        rest = ramp_ends - time.monotonic()
        if rest >= 30:  # the ramp stopped at saturation: the rest of its time at the best step held
            users = max(1, best[1])
            print(f"\n== sustained: {users} users for the rest of the ramp's time, {rest:.0f} s ==")
            results = Results()
            elapsed = drive(stack.port, data, results, users, rest, seed=50)
            rate, p95, errors, unavailable = summary(results, elapsed)
            print(f"  {rate:.1f} req/s, p95 {p95:.0f} ms, server errors {errors}, 503/broken {unavailable}")
            table(results, elapsed)
            merge(everything, results)
            healthy &= errors == 0
        healthy &= accounting(stack, everything)
        users = max(2, best[1] // 2)

        def phase(title: str, fault, at: float = 5.0) -> None:
            nonlocal healthy
            print(f"\n== fault: {title} ({users} users, {phase_seconds:.0f} s) ==")
            results = Results()
            fault_at = {}

            def inject():
                time.sleep(at)
                fault_at["t"] = time.monotonic()
                print(f"  {fault()}")

            injector = threading.Thread(target=inject)
            injector.start()
            elapsed = drive(stack.port, data, results, users, phase_seconds, seed=100 + len(title))
            injector.join()
            rate, p95, errors, unavailable = summary(results, elapsed)
            print(f"  {rate:.1f} req/s, p95 {p95:.0f} ms, server errors (not 503) {errors}, "
                  f"503/broken connections {unavailable}; {recovery(results, fault_at['t'])}")  # fmt: skip
            table(results, elapsed)
            merge(everything, results)
            healthy &= errors == 0 and results.gave_up == 0
            if stack.worker.poll() is not None:  # systemd restarts it (deploy/xinfang-worker.service)
                print(
                    f"  the xinfang worker had exited ({stack.worker.returncode}): restarted, as systemd would"
                )
                stack.start_worker()
            healthy &= accounting(stack, everything)

        def restart_postgres():
            t0 = time.perf_counter()
            stack.pg("-m", "fast", "-w", "restart")
            return f"PostgreSQL restarted (pg_ctl restart -m fast) in {time.perf_counter() - t0:.1f} s"

        def kill_workers():
            victim = random.choice(stack.web_workers())
            os.kill(victim, signal.SIGKILL)
            stack.worker.kill()
            stack.worker.wait()
            stack.start_worker()
            for _ in range(600):
                if len(stack.web_workers()) >= args.workers:
                    break
                time.sleep(0.05)
            return (f"SIGKILL gunicorn worker {victim} (now {len(stack.web_workers())} workers) and the "
                    f"xinfang worker (restarted as {stack.worker.pid})")  # fmt: skip

        def store_down():
            stack.weed.proc.kill()
            stack.weed.proc.wait()
            time.sleep(30)
            return f"SeaweedFS stopped for 30 s, back after {stack.restart_weed():.1f} s"

        phase("PostgreSQL restart", restart_postgres)
        phase("a gunicorn worker and the task worker killed", kill_workers)
        phase("object store stopped for 30 s", store_down)
    finally:
        stack.stop()
    print(f"\n{'ALL GOOD' if healthy else 'PROBLEMS FOUND'}: {len(everything.accepted)} submissions accepted "
          f"over the run")  # fmt: skip
    sys.exit(0 if healthy else 1)


if __name__ == "__main__":
    main()
