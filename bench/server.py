"""The application server as `make run` starts it (gunicorn, xinfang/gunicorn_conf.py): time to listen, and
requests per second for /healthz, /readyz (a database query, the storage, the queue) and a static file served
by whitenoise, with C concurrent clients. A throw-away var directory and SQLite database (migrated first).

    .venv/bin/python bench/server.py [--workers 2] [--threads 2] [--clients 8] [--requests 400]
"""

import argparse
import base64
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port: int, server: subprocess.Popen) -> None:
    for _ in range(600):
        if server.poll() is not None:
            sys.exit("gunicorn exited: see its log")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not listen")


def hammer(url: str, clients: int, requests: int) -> tuple[float, float]:
    """(requests per second, p95 latency in ms)."""

    def one(_):
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            assert response.status == 200, response.status

    return measure(one, clients, requests)


def measure(one, clients: int, requests: int) -> tuple[float, float]:
    """Call one(i) for i in range(requests) from `clients` threads: (calls per second, p95 latency in ms)."""

    def timed(i):
        t = time.perf_counter()
        one(i)
        return time.perf_counter() - t

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        latencies = sorted(pool.map(timed, range(requests)))
    elapsed = time.perf_counter() - start
    return requests / elapsed, latencies[int(len(latencies) * 0.95) - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", default="2")
    parser.add_argument("--threads", default="2")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="xinfang-bench-server-"))
    port = free_port()
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "GUNICORN_", "DATABASE_URL"))
        },
        "XINFANG_VAR_DIR": str(tmp),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "XINFANG_PII_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),  # issue 14 (E004)
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": args.workers,
        "GUNICORN_THREADS": args.threads,
    }
    xinfang = [sys.executable, "-m", "xinfang.cli"]
    subprocess.run([*xinfang, "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    started = time.perf_counter()
    log = (tmp / "gunicorn.log").open("w")  # the access log: a pipe nobody reads would fill and block
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:xinfang.gunicorn_conf"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        wait_for(port, server)
        print(f"gunicorn listening after {time.perf_counter() - started:.1f} s "
              f"({args.workers} workers × {args.threads} threads, {os.cpu_count()} CPUs)")  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        hammer(f"{base}/healthz", 2, 20)  # warm-up: each worker imports the views
        for path in ("/healthz", "/readyz", "/static/css/app.css", "/static/vendor/echarts.min.js"):
            rate, p95 = hammer(base + path, args.clients, args.requests)
            print(f"{path:32s} {rate:8.0f} req/s   p95 {p95:7.1f} ms   ({args.clients} clients)")
    finally:
        server.terminate()
        server.wait(timeout=60)


if __name__ == "__main__":
    main()
