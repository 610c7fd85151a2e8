"""`make run`'s server: gunicorn with the project's configuration (xinfang/gunicorn_conf.py) serves the health
endpoints and a static file (whitenoise), logs JSON lines with the request id, puts the embedded SQLite
database in WAL mode, and refuses to start without a real SECRET_KEY. The server runs as a subprocess on a free
port, on a copy of the test database."""

import base64
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from django.core.management.base import SystemCheckError
from django.db import connection

from xinfang import gunicorn_conf

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def database_url(transactional_db, tmp_path) -> str:
    """The migrated test database for another process: on SQLite a file copy of it, on PostgreSQL itself.

    Outside a test transaction: SQLite's transactions begin IMMEDIATE (settings), and a copy by the backup API
    from a connection holding the write lock of the shared in-memory database waits for it forever."""
    if connection.vendor == "sqlite":
        path = tmp_path / "xinfang.sqlite3"
        connection.ensure_connection()
        with sqlite3.connect(path) as copy:
            connection.connection.backup(copy)
        return f"sqlite:///{path}"
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


PII_KEYS = "k1:" + base64.b64encode(b"gunicorn-test-pii-key-0123456789").decode()  # the same on every server


def server_environment(tmp_path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XINFANG_", "GUNICORN_", "DJANGO_"))}
    env.pop("SECRET_KEY", None)
    env.pop("DEBUG", None)
    env["XINFANG_PII_KEYS"] = PII_KEYS  # pii (issue 14): without a key the checks refuse to start (E004)
    env.update(XINFANG_VAR_DIR=str(tmp_path / "var"), WEB_CONCURRENCY="1", GUNICORN_THREADS="2", **extra)
    return env


def start(env) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "python:xinfang.gunicorn_conf"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def wait_for_port(server: subprocess.Popen, port: int) -> None:
    """Until the port accepts a connection (bounded: at most 300 tries of 0.2 s each); fails with the server's
    output if it exits first."""
    for _ in range(300):
        try:
            server.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
        else:
            pytest.fail(f"gunicorn 未启动：\n{server.stdout.read()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            continue
    pytest.fail("gunicorn 未在限定次数内开始监听")


def test_gunicorn_serves_health_and_static_files(database_url, tmp_path):
    port = free_port()
    env = server_environment(
        tmp_path,
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(64),
        GUNICORN_BIND=f"127.0.0.1:{port}",
        LOG_FORMAT="json",
    )
    server = start(env)
    try:
        wait_for_port(server, port)
        base = f"http://127.0.0.1:{port}"
        with urllib.request.urlopen(f"{base}/healthz", timeout=30) as health:
            assert health.status == 200 and health.read() == b'{"status": "ok"}'
            request_id = health.headers["X-Request-ID"]
        with urllib.request.urlopen(f"{base}/readyz", timeout=30) as ready:
            assert ready.status == 200 and b'"database": "ok"' in ready.read()
        with urllib.request.urlopen(f"{base}/static/css/app.css", timeout=30) as css:
            assert css.status == 200 and css.headers["Content-Type"].startswith("text/css")
            assert css.read() == (ROOT / "xinfang" / "static" / "css" / "app.css").read_bytes()
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]
    assert server.returncode == 0, output
    assert "development server" not in output
    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # LOG_FORMAT=json: every line
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in lines)
    access = [line for line in lines if line["logger"] == "gunicorn.access" and line["path"] == "/healthz"]
    assert [(line["status"], line["request_id"]) for line in access] == [(200, request_id)]
    if database_url.startswith("sqlite"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_gunicorn_refuses_to_start_without_a_real_secret_key(settings):
    """The master's on_starting hook runs the system checks: an error stops it before any worker starts."""
    settings.DEBUG, settings.SECRET_KEY = False, settings.DEV_SECRET_KEY
    with pytest.raises(SystemCheckError, match="xinfang.E001"):
        gunicorn_conf.on_starting(server=None)
    settings.SECRET_KEY = secrets.token_urlsafe(64)
    settings.XINFANG_PII_KEYS = PII_KEYS  # and a real key for personal data (issue 14)
    gunicorn_conf.on_starting(server=None)  # a real key: no error


def test_each_worker_loads_the_search_dictionary_before_it_takes_requests(monkeypatch):
    """jieba's dictionary is loaded by gunicorn's post_worker_init hook, not by the first request (issue 14)."""
    loaded = []
    monkeypatch.setattr("xinfang.petitions.search._jieba", lambda: loaded.append(True))
    gunicorn_conf.post_worker_init(worker=None)
    assert loaded == [True]
