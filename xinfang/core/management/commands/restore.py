"""xinfang restore DIR — a backup into an empty database and an empty file storage, checked against its
manifest before and after (xinfang/core/backup.py, docs/operations.md "Backup and restore")."""

from datetime import datetime
from pathlib import Path
from time import monotonic

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from xinfang.core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "从 xinfang backup 的备份目录恢复：只写入空数据库和空文件存储；先按清单校验备份，"
        "恢复后逐表核对行数、逐个核对文件的 SHA-256，有任何不符即以非零状态退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("source", type=Path, help="备份目录（含 manifest.json）")
        parser.add_argument("--database", default="default", help="目标数据库别名（默认 default）")

    def handle(self, *args, source, database, **options):
        began = monotonic()
        try:
            summary = restore(source=source, using=database)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已从 {source} 恢复（备份于 {_local(summary.created_at)}，用时 {monotonic() - began:.1f} 秒）：\n"
            + summary.describe()
        )


def _local(iso: str) -> str:
    try:
        return timezone.localtime(datetime.fromisoformat(iso)).strftime("%Y-%m-%d %H:%M:%S")
    except (TypeError, ValueError):
        return "（时间不明）"
