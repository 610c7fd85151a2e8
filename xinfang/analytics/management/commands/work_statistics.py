import json

from django.core.management.base import BaseCommand

from xinfang.analytics.work_statistics import summary_lines, work_statistics


class Command(BaseCommand):
    help = "年度工作统计（由信访业务记录计算，对应部门决算第一部分的数字）"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--json", action="store_true", help="以 JSON 输出")

    def handle(self, *args, year, **options):
        stats = work_statistics(year)
        if options["json"]:
            self.stdout.write(json.dumps(stats.as_dict(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{year}年工作统计（由业务记录计算）")
        for line in summary_lines(stats):
            self.stdout.write(f"  {line}")
