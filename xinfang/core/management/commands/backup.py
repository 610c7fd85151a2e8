"""xinfang backup --out DIR — the database and every stored file, with a checksummed manifest
(xinfang/core/backup.py, docs/operations.md "Backup and restore")."""

from pathlib import Path
from time import monotonic

from django.core.management.base import BaseCommand, CommandError

from xinfang.core.backup import BackupError, back_up, describe_backup


class Command(BaseCommand):
    help = (
        "备份数据库（PostgreSQL 用 pg_dump -Fc，SQLite 用在线备份）和文件存储中的全部文件到新目录，"
        "并写入带各表行数和 SHA-256 校验值的清单 manifest.json。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", type=Path, required=True, help="备份目录（须不存在或为空）")
        parser.add_argument("--database", default="default", help="数据库别名（默认 default）")

    def handle(self, *args, out, database, **options):
        began = monotonic()
        try:
            manifest = back_up(out=out, using=database)
        except BackupError as exc:
            raise CommandError(f"备份失败，未留下不完整的备份：{exc}") from exc
        self.stdout.write(
            f"备份已写入 {out}（用时 {monotonic() - began:.1f} 秒）：{describe_backup(manifest)}"
        )
