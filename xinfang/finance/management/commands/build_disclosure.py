from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from xinfang.finance.build import write_disclosure
from xinfang.finance.queries import NoBudgetUnit, accounts_for, disclosure_data


class Command(BaseCommand):
    help = "由决算数据生成部门决算公开文件（report.docx、report.html、tables.xlsx、charts/*.png）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--unit", help="预算单位编码（默认唯一的预算单位）")
        parser.add_argument("--out", required=True, help="输出目录")

    def handle(self, *args, year, unit=None, out, **options):
        try:
            accounts = accounts_for(year=year, unit_code=unit)
        except (NoBudgetUnit, Http404) as exc:
            raise CommandError(str(exc) or f"没有 {year} 年的决算数据") from exc
        built = write_disclosure(disclosure_data(accounts), out_dir=Path(out))
        for path in built.files:
            self.stdout.write(str(path))
