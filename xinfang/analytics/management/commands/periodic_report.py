from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.analytics.reports import PERIOD_FORMATS, parse_period, periodic_docx, periodic_xlsx


class Command(BaseCommand):
    help = f"信访工作统计报表（月报、季报或任意年份）.xlsx 或 A4 公文 .docx（按 --out 的扩展名）；--period 为{PERIOD_FORMATS}"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help=PERIOD_FORMATS)
        parser.add_argument("--out", required=True, help="输出文件（.xlsx 或 .docx）")

    def handle(self, *args, period, out, **options):
        try:
            p = parse_period(period)
        except ValueError as e:
            raise CommandError(str(e)) from None
        path = Path(out)
        if path.suffix.lower() not in (".xlsx", ".docx"):
            raise CommandError("输出文件的扩展名应为 .xlsx 或 .docx。")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(periodic_docx(p) if path.suffix.lower() == ".docx" else periodic_xlsx(p))
        self.stdout.write(str(path))
