"""xinfang worker [--once] — run the background tasks queued in the database (docs/operations.md)."""

import logging
import os
import signal
import socket

from django.core.management.base import BaseCommand, CommandError
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend

from xinfang.core.worker import QueueWorker


class Command(BaseCommand):
    help = "后台任务执行进程：执行队列中的任务（生成决算公开文件、外发提醒、每日时限巡查、重算统计汇总表）；收到 SIGTERM 时执行完当前任务后退出。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--once", "--burst", action="store_true", dest="once", help="执行完队列中已到期的任务后退出"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="队列为空时每隔多少秒查看一次（默认 1）"
        )
        parser.add_argument("--max-tasks", type=int, default=None, help="执行这么多个任务后退出")

    def handle(self, *args, once=False, interval=1.0, max_tasks=None, verbosity=1, **options):
        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            raise CommandError(
                "当前未使用数据库任务队列（XINFANG_TASKS=immediate）：任务在提交处直接执行，无需启动 worker。"
            )
        if interval < 0 or (max_tasks is not None and max_tasks < 1):
            raise CommandError("--interval 不能为负数，--max-tasks 至少为 1。")
        if verbosity > 1:
            logging.getLogger("django_tasks").setLevel(logging.INFO)
        worker = QueueWorker(
            once=once,
            interval=interval,
            max_tasks=max_tasks,
            worker_id=f"{socket.gethostname()}-{os.getpid()}",
        )
        previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
        worker.configure_signals()
        try:
            worker.run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write(f"后台任务执行进程已退出，本次执行任务 {worker.done} 个。")
