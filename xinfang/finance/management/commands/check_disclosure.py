import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.finance.checker import check_path
from xinfang.finance.checker.findings import ERROR, WARNING


class Command(BaseCommand):
    help = (
        "检查部门决算公开文件（PDF、Word .docx、Excel .xlsx/.xls、文本）或整个文件夹中的每一份，"
        "或数据库中的决算数据（--year）"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="公开文件，或存放多份公开文件的文件夹")
        parser.add_argument("--year", type=int)
        parser.add_argument("--unit", help="预算单位编码（默认唯一的预算单位）")
        parser.add_argument("--json", action="store_true", help="以 JSON 数组输出（单个文件）")
        parser.add_argument("--out", help="文件夹检查结果的存放位置（默认即该文件夹）")

    def handle(self, *args, path=None, year=None, unit=None, **options):
        if path and Path(path).is_dir():
            return self.check_folder(Path(path), Path(options["out"] or path), year=year)
        if path:
            if not Path(path).exists():
                raise CommandError(f"找不到文件：{path}")
            findings = check_path(path, year=year)
        elif year:
            from xinfang.finance.queries import accounts_for
            from xinfang.finance.review import check_accounts

            findings = check_accounts(accounts_for(year=year, unit_code=unit))
        else:
            raise CommandError("请给出公开文件或文件夹路径，或 --year 检查数据库中的决算数据")
        if options["json"]:
            self.stdout.write(dumps([f.as_dict() for f in findings]))
            return
        for f in findings:
            self.stdout.write(f"[{f.severity}] {f.rule} {f.section}：{f.message}\n    …{f.excerpt}…")
        errors = sum(f.severity == ERROR for f in findings)
        self.stdout.write(f"共 {len(findings)} 条（错误 {errors} 条）")

    def check_folder(self, folder: Path, out: Path, *, year: int | None) -> None:
        """Every disclosure in the folder: progress on stderr, <name>.findings.json and 检查汇总.xlsx in `out`."""
        from xinfang.finance.checker.batch import (
            FINDINGS_SUFFIX,
            SUMMARY_NAME,
            check_documents,
            documents,
            findings_json,
            write_summary,
        )

        groups = documents(folder)
        if not groups:
            raise CommandError(f"文件夹中没有可检查的文件（PDF、.docx、.xlsx、.xls、.txt）：{folder}")
        out.mkdir(parents=True, exist_ok=True)

        def progress(i, n, checked):
            bar = "█" * (20 * i // n) + "░" * (20 - 20 * i // n)
            self.stderr.write(
                f"\r{bar} {i}/{n} {'、'.join(checked.files)}：错误 {checked.count(ERROR)}，警告 {checked.count(WARNING)}",
                ending="\n",
            )
            checked.json_name = f"{checked.name}{FINDINGS_SUFFIX}"
            (out / checked.json_name).write_text(dumps(findings_json(checked)), encoding="utf-8")

        results = check_documents(groups, year=year, progress=progress)
        summary = write_summary(results, out / SUMMARY_NAME)
        errors = sum(r.count(ERROR) for r in results)
        self.stdout.write(
            f"共检查 {len(results)} 份公开文件，错误 {errors} 条，"
            f"有错误的 {sum(bool(r.count(ERROR)) for r in results)} 份；汇总表：{summary}"
        )


def dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1)
