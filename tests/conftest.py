import os
from datetime import datetime

import pytest
import time_machine
from django.db import connections
from django.utils import timezone

from tests import factories

# Playwright's sync API runs an event loop in the test thread; the ORM calls made by tests
# alongside it are still synchronous, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# "Today" for the whole run: every test, session fixture and live server thread sees this clock (ticking
# from 10:00 in Asia/Shanghai), never the wall clock. `XINFANG_TEST_TODAY=YYYY-MM-DD` runs the suite on
# another day (CI runs the clock-sensitive tests on several: see `make test-dates`). Tests that need
# another moment move the clock with the `time_machine` fixture, which nests inside this travel.
DEFAULT_TEST_TODAY = "2026-12-01"
_pinned_clock = None


def pinned_today() -> str:
    return os.environ.get("XINFANG_TEST_TODAY") or DEFAULT_TEST_TODAY


def pytest_configure(config):
    global _pinned_clock
    from zoneinfo import ZoneInfo

    day = datetime.fromisoformat(pinned_today())
    _pinned_clock = time_machine.travel(day.replace(hour=10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)
    _pinned_clock.start()


def pytest_unconfigure(config):
    if _pinned_clock is not None:
        _pinned_clock.stop()


def pytest_report_header(config):
    return f"xinfang: today is pinned to {pinned_today()} (XINFANG_TEST_TODAY)"


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- background tasks (issue 13) ---
# A task runs where it is enqueued (ImmediateBackend), so a test sees its effect at once. Tests of the queue
# itself take `task_queue`: the database backend, and `task_queue()` runs the worker loop once in-process
# (every task that is due by the test's clock), returning how many tasks it ran.
@pytest.fixture(autouse=True)
def _tasks_run_where_enqueued(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def task_queue(settings, db):
    from xinfang.core.worker import QueueWorker

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    def run_due_tasks() -> int:
        worker = QueueWorker(once=True, worker_id="test-worker")
        worker.run()
        return worker.done

    return run_due_tasks


@pytest.fixture(autouse=True)
def _audit_log_emptied_before_flush(request):
    """A transactional test (live server, browser) ends with Django's flush, a DELETE or TRUNCATE of every
    table, which the audit log's triggers refuse (migration accounts 0003). For those tests only, empty the
    audit table first with its triggers lifted: the one place the suite goes around them."""
    marker = request.node.get_closest_marker("django_db")
    if not (
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction", False))
    ):
        yield
        return
    request.getfixturevalue("transactional_db")  # set up before this fixture, so flushed after its teardown
    yield
    _delete_audit_rows_around_triggers()


def _delete_audit_rows_around_triggers():
    from django.db import connection, transaction

    from xinfang.accounts.models import AuditEntry

    table = AuditEntry._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if not AuditEntry.objects.exists():
            return
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            cursor.execute(f"DELETE FROM {table}")
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
            )
            triggers = cursor.fetchall()
            for name, _ in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            cursor.execute(f"DELETE FROM {table}")
            for _, sql in triggers:
                cursor.execute(sql)


@pytest.fixture
def units(db):
    return factories.make_units()


@pytest.fixture
def clerk(units):
    return factories.make_user("clerk1", "clerk", unit=units["bureau"], full_name="接待员甲")


@pytest.fixture
def case_officer(units):
    return factories.make_user("officer1", "case_officer", unit=units["bureau"], full_name="办案员乙")


@pytest.fixture
def unit_officer(units):
    return factories.make_user("unit1", "unit_officer", unit=units["dept"], full_name="经办人丙")


@pytest.fixture
def unit_head(units):
    """The unit's 负责人, also an officer of it: approves extensions (条例第三十四条)."""
    return factories.make_user(
        "unithead", "unit_officer", "unit_head", unit=units["dept"], full_name="负责人丁"
    )


@pytest.fixture
def other_unit_officer(units):
    return factories.make_user("unit2", "unit_officer", unit=units["township"], full_name="乡镇经办人")


@pytest.fixture
def supervisor(units):
    return factories.make_user("super1", "supervisor", unit=units["bureau"], full_name="督查员")


@pytest.fixture
def leader(units):
    return factories.make_user("leader1", "leader", unit=units["county_gov"], full_name="县领导")


@pytest.fixture
def auditor(units):
    return factories.make_user("audit1", "auditor", unit=units["bureau"], full_name="审计员")


@pytest.fixture
def admin_user(units):
    return factories.make_user("admin1", "admin", unit=units["bureau"], full_name="管理员")


@pytest.fixture
def security_admin(units):
    """安全管理员 (issue 14): approves the grants of guarded roles in the admin."""
    user = factories.make_user("security1", "security_admin", unit=units["bureau"], full_name="安全员")
    type(user).objects.filter(pk=user.pk).update(is_staff=True)
    user.refresh_from_db()
    return user


@pytest.fixture
def people(clerk, case_officer, unit_officer, unit_head):
    """The natural actors of the workflow, as factories.do / matter_in_state expect them."""
    return {
        "clerk": clerk,
        "case_officer": case_officer,
        "unit_officer": unit_officer,
        "unit_head": unit_head,
    }


@pytest.fixture
def in_state(people, units):
    """A matter in `state`, built through the services as the natural actors would."""

    def build(state, **overrides):
        return factories.matter_in_state(state, people=people, units=units, **overrides)

    return build


@pytest.fixture
def login(client):
    """`login(user)` → the test client logged in as `user` (and nobody else)."""

    def as_user(user):
        client.logout()
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def browser_page(tmp_path, live_server):
    """A Chromium page on the live server (relative URLs work; see tests/browser.py); modules using it carry
    `pytestmark = BROWSER`."""
    from tests.browser import ARGS, CHROMIUM, IN_CI, fontconfig_env

    if IN_CI:
        assert CHROMIUM.exists(), f"CI 必须运行浏览器测试：缺少 {CHROMIUM}（make browser 以 root 安装）"
        from playwright import sync_api
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=fontconfig_env(tmp_path))
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        # The Content-Security-Policy must not break a page: Chromium reports each refusal on the console.
        refused = []
        page.on(
            "console",
            lambda m: "Content Security Policy" in m.text and refused.append(f"{m.text} @ {m.location}"),
        )
        yield page
        context.close()
        browser.close()
        # The test's own database work ran in Playwright's contextvars context, where Django keeps a
        # connection of its own: close it here, or PostgreSQL cannot drop the test database at the end.
        connections.close_all()
    assert refused == [], f"CSP 拦截了页面内容：{refused}"


@pytest.fixture
def citizen():
    """The petitioner, as input to the intake services."""
    return factories.petitioner_input()


@pytest.fixture
def at_2019():
    return timezone.make_aware(datetime(2019, 9, 20, 10, 0))


@pytest.fixture(params=["tallies", "records"])
def both_paths(request, settings, db):
    """Run the figures from the summary tables and from the records; afterwards the tallies, kept in step
    by the signals while the test built its data, must equal a fresh computation."""
    settings.XINFANG_TALLIES = request.param == "tallies"
    yield request.param
    from xinfang.analytics import tallies

    assert tallies.check() == []


@pytest.fixture(scope="module")
def demo_history(django_db_setup, django_db_blocker):
    """The demo installation (茂县: units, users, the 2018–2019 history whose statistics equal the seed, this
    year's programme work), loaded once per test module and rolled back after it. Tests that use it also take
    `db`."""
    from django.db import transaction

    with django_db_blocker.unblock():
        with transaction.atomic():
            units, users = factories.load_demo_history()
            yield units, users
            transaction.set_rollback(True)


# --- the session's S3 server (SeaweedFS), shared by tests/storage and tests/deploy/test_two_servers.py ---
from tests.storage.s3_fixture import s3_server  # noqa: E402, F401
