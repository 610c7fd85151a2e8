"""The task queue (issue 13): retries with backoff on the clock, the failure on the admin's pages, the worker
command, and the sweep's copies sent by a task. Database backend, worker loop run in-process (`task_queue`)."""

import os
import signal
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from tests import factories
from xinfang.core.notify import MemorySender
from xinfang.core.tasks import backoff_seconds, retrying_task
from xinfang.petitions import supervision, workflow
from xinfang.petitions.models import Notification


class FlakyGateway:
    """An SMS gateway that refuses the first `failures` messages (class-level: the task builds its own)."""

    failures = 0

    def send(self, *, to, text):
        if FlakyGateway.failures:
            FlakyGateway.failures -= 1
            raise ConnectionError("短信网关无响应")
        MemorySender.outbox.append((to, text))


@task()
def stops_the_worker() -> str:
    os.kill(os.getpid(), signal.SIGTERM)  # as `systemctl stop` would, while this task runs
    return "finished"


@retrying_task(label="测试任务", max_attempts=2)
def noop() -> None:
    return None


@pytest.fixture
def gateway(settings):
    settings.XINFANG_SENDER = "tests.core.test_tasks.FlakyGateway"
    MemorySender.outbox = []
    FlakyGateway.failures = 0
    return FlakyGateway


@pytest.fixture
def overdue_notifications(people, units, time_machine):
    """An accepted matter whose handling clock is overdue: the sweep writes notifications for it."""
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    time_machine.move_to(matter.handle_due + timedelta(days=1))
    return matter


def queued(**filters):
    return DBTaskResult.objects.filter(task_path__endswith="send_notification_copies", **filters)


def test_backoff_doubles_up_to_the_cap():
    assert [backoff_seconds(n, base=60, cap=600) for n in range(1, 6)] == [60, 120, 240, 480, 600]


def test_sweep_queues_the_copies_and_the_worker_sends_them(overdue_notifications, gateway, task_queue):
    result = supervision.sweep_deadlines()
    assert result.notifications >= 1 and result.queued == result.notifications and result.sent == 0
    assert MemorySender.outbox == [] and queued(status="READY").count() == 1
    assert task_queue() == 1
    assert len(MemorySender.outbox) == result.notifications
    assert not Notification.objects.filter(sent_at=None).exists()
    again = supervision.sweep_deadlines()  # idempotent: nothing new, nothing queued, nothing sent twice
    assert not again.changed() and again.queued == 0 and queued().count() == 1
    assert task_queue() == 0 and len(MemorySender.outbox) == result.notifications


def test_a_failed_send_is_retried_after_the_backoff(overdue_notifications, gateway, task_queue, time_machine):
    gateway.failures = 1
    supervision.sweep_deadlines()
    assert task_queue() == 1  # attempt 1 fails: its claim is released, attempt 2 waits 60 s
    first = queued().get(status="FAILED")
    assert "短信网关无响应" in first.traceback
    retry = queued().get(status="READY")
    assert retry.args_kwargs["kwargs"] == {"_attempt": 2}
    assert timedelta(seconds=58) < retry.run_after - first.finished_at <= timedelta(seconds=60)
    assert MemorySender.outbox == [] and not Notification.objects.exclude(sent_at=None).exists()
    assert task_queue() == 0  # not due yet
    time_machine.move_to(retry.run_after + timedelta(seconds=1))
    assert task_queue() == 1
    assert queued(status="SUCCESSFUL").count() == 1
    assert len(MemorySender.outbox) == Notification.objects.count()


def test_after_the_last_attempt_the_failure_is_on_the_admin_pages(
    overdue_notifications, gateway, task_queue, time_machine, client, admin_user, auditor
):
    gateway.failures = 10**6
    supervision.sweep_deadlines()
    waits = []
    for attempt in range(1, 6):
        assert task_queue() == 1, attempt
        pending = queued(status="READY").first()
        if pending is None:
            break
        waits.append(round((pending.run_after - timezone.now()).total_seconds() / 60))
        time_machine.move_to(pending.run_after + timedelta(seconds=1))
    assert waits == [1, 2, 4, 8]  # minutes between the 5 attempts
    assert queued(status="FAILED").count() == 5 and not queued(status="READY").exists()
    assert (
        task_queue() == 0
        and Notification.objects.filter(sent_at=None).count() == Notification.objects.count()
    )

    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    failed = client.get("/admin/django_tasks_database/dbtaskresult/failed/")
    page = failed.content.decode()
    assert failed.status_code == 200
    assert page.count("外发站内提醒的短信/邮件副本") == 5 and "已放弃（不再重试）" in page
    assert "ConnectionError: 短信网关无响应" in page and "Traceback" in page
    assert page.count("已安排第") == 4
    listing = client.get("/admin/django_tasks_database/dbtaskresult/?status=FAILED").content.decode()
    assert "后台任务记录" in listing and "5/5" in listing and "失败任务及错误信息" in listing
    detail = client.get(f"/admin/django_tasks_database/dbtaskresult/{queued().first().pk}/change/")
    assert detail.status_code == 200 and "错误追踪" in detail.content.decode()
    assert "后台任务" in client.get("/admin/").content.decode()

    auditor.is_staff = True  # staff of another role: neither the list nor the failures
    auditor.save()
    client.force_login(auditor)
    assert client.get("/admin/django_tasks_database/dbtaskresult/").status_code == 403
    assert client.get("/admin/django_tasks_database/dbtaskresult/failed/").status_code == 403
    assert "后台任务" not in client.get("/admin/").content.decode()


def test_worker_command_runs_what_is_queued(task_queue, capsys):
    first, second = noop.enqueue(), noop.enqueue()
    later = noop.using(run_after=timezone.now() + timedelta(hours=1)).enqueue()
    call_command("worker", "--once")
    assert "本次执行任务 2 个" in capsys.readouterr().out
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert [statuses[r.db_result.pk] for r in (first, second, later)] == ["SUCCESSFUL", "SUCCESSFUL", "READY"]


def test_sigterm_lets_the_running_task_finish_then_stops(task_queue, capsys):
    stopping = stops_the_worker.enqueue()
    waiting = noop.using(priority=-1).enqueue()  # after the first (lower priority)
    call_command("worker", "--interval", "0", "--max-tasks", "2")  # without the signal: both run
    assert "本次执行任务 1 个" in capsys.readouterr().out
    stopping.refresh()
    waiting.refresh()
    assert stopping.status == "SUCCESSFUL" and stopping.return_value == "finished"
    assert waiting.status == "READY"
    assert signal.getsignal(signal.SIGTERM) is not None  # the test process's own handler is back


def test_worker_refuses_the_immediate_backend(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="XINFANG_TASKS=immediate"):
        call_command("worker", "--once")


def test_commands_enqueue_the_sweep_and_the_tally_rebuild(overdue_notifications, gateway, task_queue, capsys):
    call_command("sweep_deadlines", "--enqueue")
    call_command("rebuild_tallies", "--enqueue")
    assert capsys.readouterr().out.count("已加入任务队列") == 2 and not Notification.objects.exists()
    assert task_queue() == 3  # the sweep, the rebuild, and the copies the sweep queued
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 3
    assert Notification.objects.exists() and len(MemorySender.outbox) == Notification.objects.count()
    rebuilt = DBTaskResult.objects.get(task_path__endswith="rebuild_in_background")
    assert rebuilt.return_value["matters"] >= 1
    call_command("rebuild_tallies", "--check")  # what the worker rebuilt agrees with the records


def test_sweep_now_sends_in_the_command(overdue_notifications, gateway, task_queue, capsys):
    call_command("sweep_deadlines", "--now")
    sent = len(MemorySender.outbox)
    assert sent >= 1 and f"外发 {sent} 条" in capsys.readouterr().out and not DBTaskResult.objects.exists()
