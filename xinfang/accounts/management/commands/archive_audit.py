"""xinfang archive_audit --before DATE --out DIR — move the audit log rows dated before DATE (outside the
retention period) to a checksummed file, then delete them; the archive itself is audited. See
xinfang/accounts/archive.py and docs/operations.md."""

import argparse
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.accounts.archive import ArchiveFailed, ArchiveRefused, archive_audit_log


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{value}") from exc


class Command(BaseCommand):
    help = (
        "把某日之前（须在保存期以外）的审计日志写入带 SHA-256 校验的归档文件，校验无误后从数据库删除；"
        "归档本身记入审计日志。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--before", type=_date, required=True, help="归档此日（YYYY-MM-DD，本地时间）之前的记录"
        )
        parser.add_argument("--out", type=Path, required=True, help="归档文件的目录")

    def handle(self, *args, before, out, **options):
        try:
            archive = archive_audit_log(before=before, out_dir=out)
        except (ArchiveRefused, ArchiveFailed) as exc:
            raise CommandError(str(exc)) from exc
        if not archive.count:
            self.stdout.write(f"{before} 之前没有审计日志，无需归档。")
            return
        self.stdout.write(
            f"已归档并删除 {archive.count} 条 {before} 之前的审计日志：{archive.path}\n"
            f"SHA-256：{archive.sha256}（校验清单 {archive.manifest.name}，可用 sha256sum -c 核对）"
        )
