"""Background tasks on Django's Tasks API (the django-tasks backport; ADR 0010, docs/operations.md).

- `retrying_task(label=…, max_attempts=…, backoff=…)` declares a task that, when an attempt raises, enqueues
  the next attempt to run `backoff × 2^(n-1)` seconds later (capped at `max_backoff`), and after the last attempt
  gives up. Each attempt is one row of the queue (django_tasks_db's DBTaskResult) whose keyword argument
  `_attempt` says which attempt it is; a failed attempt's row keeps its error and traceback, which the
  administrator reads in the admin (后台任务 → 失败任务).
- `xinfang.core.worker.QueueWorker` runs the queue (`xinfang worker`).
"""

import functools
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

logger = logging.getLogger(__name__)

ATTEMPT = "_attempt"  # the keyword argument that carries the attempt number (1 for the first)


def backoff_seconds(attempt: int, *, base: float, cap: float) -> float:
    """The wait before attempt `attempt + 1`: base, 2·base, 4·base … at most `cap`."""
    return min(base * 2 ** (attempt - 1), cap)


def retrying_task(
    *, label: str, max_attempts: int = 5, backoff: float = 60, max_backoff: float = 3600, **options
):
    """A task (django_tasks.task) retried with exponential backoff; `label` names it in Chinese for the admin.

    On a backend that cannot defer (XINFANG_TASKS=immediate) a failure is not retried: it is logged and raised
    where the task was enqueued."""

    def decorate(func):
        @functools.wraps(func)
        def attempt(*args, **kwargs):
            number = kwargs.pop(ATTEMPT, 1)
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                backend = the_task.get_backend()
                if number < max_attempts and backend.supports_defer:
                    wait = backoff_seconds(number, base=backoff, cap=max_backoff)
                    the_task.using(run_after=timezone.now() + timedelta(seconds=wait)).enqueue(
                        *args, **kwargs, **{ATTEMPT: number + 1}
                    )
                    logger.warning("任务“%s”第%d次执行失败（%s），%d秒后重试。", label, number, exc, wait)
                else:
                    logger.error("任务“%s”第%d次执行失败（%s），不再重试。", label, number, exc)
                raise

        attempt.label = label
        attempt.max_attempts = max_attempts
        the_task = task(**options)(attempt)
        return the_task

    return decorate


# --- reading the queue (admin) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FailedTask:
    """A failed attempt as the administrator reads it."""

    id: str
    label: str
    attempt: int
    max_attempts: int
    finished_at: datetime | None
    retry_pending: bool  # a later attempt is (or was) queued
    error: str  # the exception's last line, e.g. "ConnectionError: SMS gateway down"
    traceback: str

    @property
    def outcome(self) -> str:
        if self.retry_pending:
            return f"已安排第{self.attempt + 1}次重试"
        return "已放弃（不再重试）" if self.max_attempts > 1 else "失败（此任务不重试）"


def task_label(result) -> str:
    try:
        func = import_string(result.task_path).func
    except (ImportError, AttributeError):
        return result.task_path
    return getattr(func, "label", result.task_path.rsplit(".", 1)[-1])


def attempt_of(result) -> tuple[int, int]:
    """(this attempt, the task's maximum) for a queued row."""
    try:
        max_attempts = getattr(import_string(result.task_path).func, "max_attempts", 1)
    except (ImportError, AttributeError):
        max_attempts = 1
    return (result.args_kwargs.get("kwargs") or {}).get(ATTEMPT, 1), max_attempts


def error_line(traceback: str) -> str:
    lines = [line for line in traceback.strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def failed_tasks(*, limit: int = 200) -> list[FailedTask]:
    """The failed attempts, newest first, each with its error and whether it is retried."""
    from django_tasks_db.models import DBTaskResult

    rows = []
    for result in DBTaskResult.objects.failed().order_by("-finished_at")[:limit]:
        number, max_attempts = attempt_of(result)
        rows.append(
            FailedTask(
                id=str(result.pk), label=task_label(result), attempt=number, max_attempts=max_attempts,
                finished_at=result.finished_at, retry_pending=number < max_attempts,
                error=error_line(result.traceback), traceback=result.traceback,
            )
        )  # fmt: skip
    return rows


@task()
def ping() -> str:
    """Does nothing: measures the queue itself (bench/tasks.py) and shows that a worker runs."""
    return "pong"
