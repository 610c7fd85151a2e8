"""Several machines (issue 13): the application runs as stateless app servers on one PostgreSQL, one object store
and one queue. Two gunicorn processes (A and B, one worker each, their own XINFANG_VAR_DIR, nothing shared but
the environment) serve the test database, and the same S3 bucket (the session's SeaweedFS, tests/storage); the
test talks to them over HTTP like a load balancer that sends each request wherever it likes.

The servers must see what the test wrote, so every test here commits (transactional_db; the tables are
emptied afterwards). They run on the test's clock (tests/deploy/pinned_clock.py). PostgreSQL only: SQLite is
one file on one machine, so "several machines" does not apply to it (make test's PostgreSQL pass runs this)."""

import base64
import re
import secrets
import signal
import subprocess
import sys
import threading
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine as tm
from django.conf import settings as django_settings
from django.contrib.sessions.models import Session
from django.db import connection, connections, transaction
from django.utils import timezone

from tests import factories
from tests.deploy.test_gunicorn import ROOT, free_port, server_environment
from tests.storage import seaweed
from xinfang.accounts.roles import CLERK, FINANCE
from xinfang.accounts.services import create_api_token
from xinfang.petitions import citizens, services, supervision, workflow
from xinfang.petitions.models import (
    Attachment,
    ClockAlert,
    Event,
    Matter,
    Notification,
    Registration,
    SupervisionOrder,
)

pytestmark = [
    pytest.mark.skipif(
        "postgresql" not in django_settings.DATABASES["default"]["ENGINE"],
        reason="多台应用服务器共用一个 PostgreSQL 数据库；SQLite 只在一台机器上（make test 的 PostgreSQL 轮次运行此测试）",
    ),
    pytest.mark.django_db(transaction=True),
]

requests = pytest.importorskip("requests")
POLLS = 600  # bounded waits: at most this many polls of 0.2 s (120 s)
PAGE_TIMEOUT = 60  # seconds for one HTTP answer on a loaded 2-core machine
PASSWORD = "Xinfang#2019"


def pinned_clock_env() -> str:
    """The test's "now" and the real time now, for tests/deploy/pinned_clock.py."""
    return f"{timezone.now().isoformat()} {tm.escape_hatch.time.time()}"


def launch(program: str, *args: str, env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.deploy.pinned_clock", program, *args],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def database_url() -> str:
    s = connection.settings_dict
    password = f":{s['PASSWORD']}" if s["PASSWORD"] else ""
    return f"postgres://{s['USER']}{password}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@dataclass
class Cluster:
    a: str  # base URLs
    b: str
    env: dict  # the environment both share (without the per-server bind and var dir)
    logs: Path
    prefix: str  # the servers' folder in the bucket
    server: seaweed.Server

    def run(self, program: str, *args: str, name: str) -> subprocess.Popen:
        """Another process of the installation (a command, a worker) with the shared environment."""
        return launch(program, *args, env=self.env, log=self.logs / f"{name}.log")

    def output(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def wait_until_listening(proc: subprocess.Popen, url: str, log: Path) -> None:
    for _ in range(POLLS):
        if proc.poll() is not None:
            pytest.fail(f"gunicorn 未启动：\n{log.read_text(errors='replace')[-3000:]}")
        try:
            if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        try:
            proc.wait(timeout=0.2)
        except subprocess.TimeoutExpired:
            pass
    pytest.fail("gunicorn 未在限定次数内开始监听")


@pytest.fixture(scope="module")
def cluster(django_db_setup, s3_server, tmp_path_factory):
    """Servers A and B on the test database and one bucket folder, started at once; stopped at the end."""
    base = tmp_path_factory.mktemp("two-servers")
    prefix = f"two-servers-{uuid.uuid4().hex[:8]}"
    shared = server_environment(
        base,
        DATABASE_URL=database_url(),
        SECRET_KEY=secrets.token_urlsafe(64),  # the same on every server: sessions, 查询码, throttle keys
        XINFANG_PII_KEYS=f"k1:{base64.b64encode(secrets.token_bytes(32)).decode()}",  # …and the data keys
        PORTAL_TRACK_FAILURES_MAX="2",
        TEST_PINNED_CLOCK=pinned_clock_env(),
        PYTHONPATH=str(ROOT),
        **s3_server.env(prefix),
    )
    procs, urls = [], []
    for name in ("a", "b"):
        port = free_port()
        env = {**shared, "GUNICORN_BIND": f"127.0.0.1:{port}", "XINFANG_VAR_DIR": str(base / f"var-{name}")}
        procs.append(launch("gunicorn", "--config", "python:xinfang.gunicorn_conf", env=env,
                            log=base / f"server-{name}.log"))  # fmt: skip
        urls.append(f"http://127.0.0.1:{port}")
    try:
        for proc, url, name in zip(procs, urls, "ab", strict=True):
            wait_until_listening(proc, url, base / f"server-{name}.log")
        yield Cluster(urls[0], urls[1], shared, base, prefix, s3_server)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=60)
    for name in "ab":  # nothing of the application's files on either machine's disk
        media = base / f"var-{name}" / "media"
        assert not media.exists() or not any(p.is_file() for p in media.rglob("*")), name


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def log_in(browser, base: str, username: str) -> None:
    page = browser.get(f"{base}/accounts/login/", timeout=PAGE_TIMEOUT)
    response = browser.post(
        f"{base}/accounts/login/",
        {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": csrf_token(page.text)},
        allow_redirects=False, timeout=PAGE_TIMEOUT,
    )  # fmt: skip
    assert response.status_code == 302, response.text[-2000:]


@pytest.fixture
def staff(units, settings):
    """A clerk who is also the finance officer, with a password the servers can check (the suite's MD5 hasher
    is not in their settings)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    return factories.make_user("staff", CLERK, FINANCE, unit=units["bureau"], full_name="接待员甲")


def test_a_session_from_a_is_valid_on_b_and_an_upload_through_a_downloads_through_b(cluster, staff):
    browser = requests.Session()  # cookies go to both (a cookie is per host, not per port): one load balancer
    log_in(browser, cluster.a, "staff")
    page = browser.get(f"{cluster.b}/casework/", allow_redirects=False, timeout=PAGE_TIMEOUT)
    assert page.status_code == 200 and str(staff) in page.text and "退出" in page.text
    assert Session.objects.count() == 1

    from tests.casework.test_attachments_and_receipts import PDF
    from tests.casework.test_intake import intake

    form = browser.get(f"{cluster.a}/casework/register/letter/", timeout=PAGE_TIMEOUT).text
    done = browser.post(
        f"{cluster.a}/casework/register/letter/",
        data={**intake(), "csrfmiddlewaretoken": csrf_token(form)},
        files=[("attachments", ("来信扫描件.pdf", PDF, "application/pdf"))],
        allow_redirects=False, timeout=PAGE_TIMEOUT,
    )  # fmt: skip
    assert done.status_code == 302 and done.headers["Location"] == "/casework/register/done/", done.text[
        -2000:
    ]
    attachment = Attachment.objects.get()
    assert (
        cluster.server.client()
        .get_object(Bucket=cluster.server.bucket, Key=f"{cluster.prefix}/{attachment.file.name}")["Body"]
        .read()
        == PDF
    )  # in the bucket (and on neither server's disk: the fixture checks at the end)
    url = f"{cluster.b}/casework/matters/{attachment.matter.number}/attachments/{attachment.pk}/download/"
    download = browser.get(url, timeout=PAGE_TIMEOUT)
    assert download.status_code == 200 and download.content == PDF

    logout_form = browser.get(f"{cluster.b}/casework/", timeout=PAGE_TIMEOUT).text
    browser.post(f"{cluster.b}/accounts/logout/", {"csrfmiddlewaretoken": csrf_token(logout_form)},
                 allow_redirects=False, timeout=PAGE_TIMEOUT)  # fmt: skip
    after = browser.get(f"{cluster.a}/casework/", allow_redirects=False, timeout=PAGE_TIMEOUT)
    assert after.status_code == 302 and after.headers["Location"].startswith("/accounts/login/")


def test_a_portal_limit_counted_on_a_applies_on_b(cluster, units):
    """PORTAL_TRACK_FAILURES_MAX=2 failed lookups per address: two on A, the third on B is refused."""
    citizen = requests.Session()

    def look_up(base: str) -> requests.Response:
        form = citizen.get(f"{base}/portal/track/", timeout=PAGE_TIMEOUT).text
        return citizen.post(
            f"{base}/portal/track/",
            {"number": "DJ2026999999", "code": "ABCDEFGH2345", "csrfmiddlewaretoken": csrf_token(form)},
            timeout=PAGE_TIMEOUT,
        )

    first, second = look_up(cluster.a), look_up(cluster.a)
    assert [first.status_code, second.status_code] == [200, 200] and "查询码不正确" in second.text
    assert look_up(cluster.b).status_code == 429
    assert look_up(cluster.a).status_code == 429


def test_numbers_allocated_on_both_servers_are_gapless_and_unique(cluster, staff):
    """Twelve registrations at once through the API, half on A, half on B: 登记编号 and 事项编号 1…12."""
    from tests.api.test_intake import body

    key = create_api_token(staff, name="两台服务器")
    burst, start, answers = 12, threading.Barrier(12), []

    def register(base: str) -> None:
        start.wait()
        answers.append(
            requests.post(
                f"{base}/api/registrations",
                json=body(),
                headers={"Authorization": f"Bearer {key}"},
                timeout=PAGE_TIMEOUT,
            )  # fmt: skip
        )

    threads = [
        threading.Thread(target=register, args=(cluster.a if i % 2 else cluster.b,)) for i in range(burst)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [a.status_code for a in answers] == [201] * burst, [a.text[:300] for a in answers]
    year = timezone.localdate().year
    registrations = sorted(a.json()["registration_number"] for a in answers)
    assert registrations == [f"DJ{year}{n:06d}" for n in range(1, burst + 1)]
    assert sorted(Registration.objects.values_list("number", flat=True)) == registrations
    matters = sorted(Matter.objects.values_list("number", flat=True))
    assert matters == [f"XF{year}{n:06d}" for n in range(1, len(matters) + 1)]


def test_a_task_enqueued_through_a_is_run_by_a_worker_and_its_result_shows_on_b(cluster, staff):
    """A disclosure build: queued by A, built by `xinfang worker` (a third process), shown and served by B."""
    from django_tasks_db.models import DBTaskResult

    from xinfang.finance.demo import load_finance_demo

    accounts = load_finance_demo()
    browser = requests.Session()
    log_in(browser, cluster.a, "staff")
    detail = browser.get(f"{cluster.a}/finance/{accounts.pk}/", timeout=PAGE_TIMEOUT).text
    queued = browser.post(f"{cluster.a}/finance/{accounts.pk}/build/",
                          {"csrfmiddlewaretoken": csrf_token(detail)}, timeout=PAGE_TIMEOUT)  # fmt: skip
    assert queued.status_code == 200 and "排队中" in queued.text
    job = queued.text.split("/finance/builds/")[1].split("/")[0]
    assert DBTaskResult.objects.get().status == "READY"

    worker = cluster.run("xinfang", "worker", "--interval", "0.2", name="worker")
    try:
        for _ in range(POLLS):
            page = browser.get(f"{cluster.b}/finance/builds/{job}/", timeout=PAGE_TIMEOUT).text
            if "hx-trigger" not in page or worker.poll() is not None:
                break
            try:
                worker.wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
    finally:
        worker.send_signal(signal.SIGTERM)  # finishes the running task, then stops
        worker.wait(timeout=60)
    assert worker.returncode == 0, cluster.output("worker")[-3000:]
    assert f"{accounts.budget_unit.name}_{accounts.year}年部门决算.docx" in page, page[-2000:]
    report = browser.get(f"{cluster.b}/finance/builds/{job}/files/report.docx", timeout=PAGE_TIMEOUT)
    assert report.status_code == 200 and report.content[:2] == b"PK"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def sweep_outcome() -> dict:
    """What the daily sweep writes, without ids and times that differ between runs."""
    return {
        "alerts": sorted(ClockAlert.objects.values_list("matter_id", "clock", "due", "level")),
        "orders": sorted(
            (
                o.dedupe_key,
                o.trigger,
                o.target_unit_id,
                o.status,
                tuple(sorted(o.matters.values_list("pk", flat=True))),
            )
            for o in SupervisionOrder.objects.all()
        ),
        "notifications": sorted(Notification.objects.values_list("dedupe_key", "user_id", "text")),
        "matters": sorted(Matter.objects.values_list("pk", "state", "version")),
        "events": sorted(Event.objects.values_list("matter_id", "kind")),
    }


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_the_daily_sweep_started_on_both_at_once_changes_things_once(
    cluster, people, units, supervisor, settings
):
    """Two `xinfang sweep_deadlines` at the same moment (a timer on each machine) write what one run writes:
    the same alerts, proposals, notifications, closings and events. One run is computed first in the test and
    rolled back. The two are made to overlap: the test holds the matter table until both wait for it."""
    with tm.travel(timezone.now() - timedelta(days=90), tick=False):
        for _ in range(2):  # handling clock (60 days) overdue: alert, proposal, notifications
            factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
        delivered = factories.matter_in_state(workflow.DELIVERED, people=people, units=units)  # closes
        citizens.evaluate(delivered, target="unit", value="unsatisfied", reason="未解决实际问题")
    with tm.travel(timezone.now() - timedelta(days=58), tick=False):  # due in two days: due soon
        investigating = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    services.register_petition(factories.petition_input(repeat_of=investigating.number), by=people["clerk"])
    before = sweep_outcome()

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}  # as on the servers
    with transaction.atomic():
        supervision.sweep_deadlines()
        one_run = sweep_outcome()
        transaction.set_rollback(True)
    assert sweep_outcome() == before and one_run != before
    assert len(one_run["alerts"]) == 3 and {m[1] for m in one_run["matters"]} >= {workflow.CLOSED}

    holder = connections.create_connection("default")  # the matter table, held until both sweeps wait for it
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {Matter._meta.db_table} IN EXCLUSIVE MODE")
        sweeps = [cluster.run("xinfang", "sweep_deadlines", name=f"sweep-{n}") for n in (1, 2)]
        for _ in range(POLLS):
            if waiting_on_locks() >= 2 or any(s.poll() is not None for s in sweeps):
                break
            try:
                sweeps[0].wait(timeout=0.2)
            except subprocess.TimeoutExpired:
                pass
        both_waited = waiting_on_locks() >= 2
        holder.commit()
    finally:
        holder.close()
    for n, sweep in enumerate(sweeps, 1):
        assert sweep.wait(timeout=120) == 0, cluster.output(f"sweep-{n}")[-3000:]
    assert both_waited, "两个巡查进程未同时等待（未形成并发）"
    assert sweep_outcome() == one_run
    reports = [cluster.output(f"sweep-{n}") for n in (1, 2)]
    assert sum("（无变化）" in r for r in reports) == 1, reports  # one did the work, the other found it done
