import json

from django.core.management.base import BaseCommand, CommandError

from xinfang.finance.checker import check_path
from xinfang.finance.checker.findings import ERROR


class Command(BaseCommand):
    help = "检查部门决算公开文本（.txt/.docx）或数据库中的决算数据"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="公开文本（.txt 或 .docx）")
        parser.add_argument("--year", type=int)
        parser.add_argument("--unit", help="预算单位编码（默认唯一的预算单位）")
        parser.add_argument("--json", action="store_true", help="以 JSON 数组输出")

    def handle(self, *args, path=None, year=None, unit=None, **options):
        if path:
            findings = check_path(path, year=year)
        elif year:
            from xinfang.finance.queries import accounts_for
            from xinfang.finance.review import check_accounts

            findings = check_accounts(accounts_for(year=year, unit_code=unit))
        else:
            raise CommandError("请给出公开文本路径，或 --year 检查数据库中的决算数据")
        if options["json"]:
            self.stdout.write(dumps([f.as_dict() for f in findings]))
            return
        for f in findings:
            self.stdout.write(f"[{f.severity}] {f.rule} {f.section}：{f.message}\n    …{f.excerpt}…")
        errors = sum(f.severity == ERROR for f in findings)
        self.stdout.write(f"共 {len(findings)} 条（错误 {errors} 条）")


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)
