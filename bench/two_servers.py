"""One application server against two on the same PostgreSQL database (issue 13, docs/deploy.md "Beyond one
machine"): requests per second and p95 latency of the API worklist (reads), /readyz and POST
/api/registrations (writes that allocate numbers) with C loopback clients spread round-robin over the servers.
A throw-away database (xf_bench_servers on DATABASE_URL's server, dropped and created again), migrated, with the
demo's units, users and this year's work (load_demo --without-history); kept for the next run's --reuse.

    .venv/bin/python bench/two_servers.py [--workers 2] [--threads 2] [--clients 8] [--requests 300] [--reuse]
"""

import argparse
import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import free_port, measure, wait_for  # noqa: E402 - bench/server.py

ROOT = Path(__file__).resolve().parent.parent
DB = "xf_bench_servers"


def registration() -> bytes:
    received = (datetime.now().astimezone() - timedelta(hours=1)).isoformat(timespec="seconds")
    return json.dumps({
        "channel": "letter", "received_at": received, "title": "拖欠工资问题", "content": "某公司拖欠工资三个月。",
        "purpose": "04", "content_class": "03", "township": "513223100", "request": "请求支付拖欠的工资。",
        "facts": "2019年6月至8月未发工资。",
        "petitioners": [{"name": "张三", "id_number": "11010519491231002X", "mobile": "13912345678",
                         "address": "茂县凤仪镇"}],
    }).encode()  # fmt: skip


def hammer(bases: list[str], path: str, token: str, clients: int, requests: int, body: bytes | None):
    """(requests per second, p95 latency in ms); request i goes to bases[i % len(bases)]."""

    def one(i):
        request = urllib.request.Request(bases[i % len(bases)] + path, data=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            assert response.status in (200, 201), response.status

    return measure(one, clients, requests)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="2", help="gunicorn workers per server")
    parser.add_argument("--threads", default="2")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--reuse", action="store_true", help="the database of the last run, as it is")
    args = parser.parse_args()
    server_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres").rsplit("/", 1)[
        0
    ]
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-two-"))
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "GUNICORN_", "DATABASE_URL"))
        },
        "DATABASE_URL": f"{server_url}/{DB}",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "XINFANG_PII_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "XINFANG_STORAGE": "local",
        "XINFANG_VAR_DIR": str(tmp),
        "WEB_CONCURRENCY": args.workers,
        "GUNICORN_THREADS": args.threads,
        "XINFANG_SENDER": "xinfang.core.notify.MemorySender",  # no SMS lines in the log
    }
    psql = ["psql", f"{server_url}/postgres", "-q", "-c"]
    xinfang = [sys.executable, "-m", "xinfang.cli"]
    t = time.perf_counter()
    if not args.reuse:
        subprocess.run([*psql, f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)'], check=True)
        subprocess.run([*psql, f'CREATE DATABASE "{DB}"'], check=True)
        subprocess.run([*xinfang, "migrate", "-v0"], cwd=ROOT, env=env, check=True)
        demo = [*xinfang, "load_demo", "--without-history", "--i-know-this-is-a-demo", "-v0"]
        subprocess.run(demo, cwd=ROOT, env=env, check=True)
    token = (
        subprocess.run(
            [
                *xinfang,
                "shell",
                "-c",
                "from xinfang.accounts.models import User; "
                "from xinfang.accounts.services import create_api_token as t; "
                "print(t(User.objects.get(username='jiedai'), name='bench'))",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )  # fmt: skip (the shell's first line names its automatic imports)
    print(f"database {DB}: {'reused' if args.reuse else 'migrated, demo loaded'} in {time.perf_counter() - t:.0f} s; "
          f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}; per server {args.workers} workers × "
          f"{args.threads} threads; {args.clients} clients, {args.requests} requests per line")  # fmt: skip
    for count in (1, 2):
        servers, bases = [], []
        for n in range(count):
            port = free_port()
            log = (tmp / f"gunicorn-{count}-{n}.log").open("w")
            servers.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--config", "python:xinfang.gunicorn_conf"], cwd=ROOT,
                env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, stdout=log, stderr=subprocess.STDOUT,
            ))  # fmt: skip
            bases.append(f"http://127.0.0.1:{port}")
        try:
            for server, base in zip(servers, bases, strict=True):
                wait_for(int(base.rsplit(":", 1)[1]), server)
            hammer(bases, "/api/worklist?limit=20", token, args.clients, 4 * count, None)  # warm-up
            for label, path, body in (
                ("GET  /api/worklist?limit=20", "/api/worklist?limit=20", None),
                ("GET  /readyz", "/readyz", None),
                ("POST /api/registrations", "/api/registrations", registration()),
            ):
                rate, p95 = hammer(bases, path, token, args.clients, args.requests, body)
                print(
                    f"{count} server{'s' if count > 1 else ' '}  {label:30s} {rate:7.1f} req/s   p95 {p95:7.1f} ms"
                )
        finally:
            for server in servers:
                server.terminate()
            for server in servers:
                server.wait(timeout=60)


if __name__ == "__main__":
    main()
