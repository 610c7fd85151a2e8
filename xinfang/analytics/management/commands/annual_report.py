from pathlib import Path

from django.core.management.base import BaseCommand

from xinfang.analytics.reports import write_annual_report


class Command(BaseCommand):
    help = (
        "年度信访工作情况报告（《信访工作条例》第四十一条）：report.docx 与 tables.xlsx，数字均由业务记录生成"
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--out", required=True, help="输出目录")

    def handle(self, *args, year, out, **options):
        for path in write_annual_report(year, Path(out)):
            self.stdout.write(str(path))
