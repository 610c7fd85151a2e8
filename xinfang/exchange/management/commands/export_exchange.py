from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from xinfang.exchange import exporter


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期“{value}”无效，应为 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = "导出上级交办件的办理结果交换包（受理告知、处理意见书、复查/复核意见、评价、办理进展），只含上次导出后的变化"

    def add_arguments(self, parser):
        parser.add_argument("--since", help="只看该日期（含）以来有变化的事项，YYYY-MM-DD")
        parser.add_argument(
            "--matter", action="append", default=[], help="事项编号（可重复；缺省为全部上级交办件）"
        )
        parser.add_argument("--out", required=True, help="输出文件：.json，或 .zip（附件为单独文件）")

    def handle(self, *args, since, matter, out, **options):
        try:
            with transaction.atomic():  # the log row only if the file was written
                log, content = exporter.export(out=out, since=_date(since) if since else None, numbers=matter)
                Path(out).write_bytes(content)
        except ValueError as e:
            raise CommandError(str(e)) from None
        except OSError as e:
            raise CommandError(f"无法写入“{out}”：{e.strerror}") from None
        self.stdout.write(f"已导出{log.items}件：{out}（导出记录 #{log.pk}，SHA-256 {log.sha256[:16]}…）")
