"""The worker loop of the database task queue (`xinfang worker`; docs/operations.md)."""

import logging
import time

from django.db import InterfaceError, OperationalError, connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger(__name__)

KEEP_CONNECTION_SECONDS = 60


class QueueWorker(Worker):
    """django_tasks_db's worker (its signal handling: SIGTERM/SIGINT finish the running task, then stop),
    with a loop that can also run inside a transaction (tests): connections are only recycled outside one.
    Each task runs in autocommit like a request; a task that needs a transaction opens its own."""

    def __init__(self, *, once: bool = False, interval: float = 1.0, max_tasks: int | None = None,
                 worker_id: str, backend_name: str = "default"):  # fmt: skip
        super().__init__(
            queue_names=["*"], interval=interval, batch=once, backend_name=backend_name,
            startup_delay=False, max_tasks=max_tasks, worker_id=worker_id, excluded_queue_names=[],
        )  # fmt: skip

    _connected_at: float | None = None

    @property
    def done(self) -> int:
        return self._run_tasks

    def _recycle_connections(self) -> None:
        """Keep the connection between tasks (settings.CONN_MAX_AGE = 0 would reconnect for every task: on
        SQLite each close checkpoints the WAL, ~20 ms) but drop one that failed or is older than a minute."""
        if connection.in_atomic_block or connection.connection is None:
            self._connected_at = None
            return
        if self._connected_at is None:
            self._connected_at = time.monotonic()
        if time.monotonic() - self._connected_at > KEEP_CONNECTION_SECONDS or (
            connection.errors_occurred and not connection.is_usable()
        ):
            connection.close()
            self._connected_at = None

    def claim(self) -> tuple[DBTaskResult | None, bool]:
        """The next ready task, claimed for this worker; (None, False) when the database was locked."""
        ready = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        with exclusive_transaction(ready.db):
            try:
                result = ready.get_locked()
                if result is not None:
                    result.claim(self.worker_id)
            except OperationalError as e:
                if is_locked_database_exception(e):
                    return None, False
                raise
        return result, True

    def run(self) -> None:
        logger.info("后台任务执行进程 %s 已启动。", self.worker_id)
        while self.running:
            self._recycle_connections()
            try:
                result, looked = self.claim()
            except (OperationalError, InterfaceError) as e:  # the database restarts (bench/load): wait for it
                if connection.in_atomic_block:
                    raise
                logger.warning("后台任务执行进程无法连接数据库，稍后重试：%s", e)
                connection.close()
                self._connected_at = None
                result, looked = None, False
            if result is not None:
                self.run_task(result)
            elif self.batch and looked:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            self._recycle_connections()
            if self.running and result is None:
                time.sleep(self.interval)
