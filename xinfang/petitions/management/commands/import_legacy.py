import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from xinfang.accounts import roles as R
from xinfang.accounts.models import User
from xinfang.petitions import legacy


class Command(BaseCommand):
    help = (
        "导入历史信访登记表（.xlsx）：先 --dry-run 检查并列出每一行的问题；无问题时一次性全部导入（全部成功或全部不导入）。"
        "列名按同义词自动识别，或用 --mapping 指定。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--user",
            default="",
            help="执行导入的信访局办案人员用户名（记入审计日志；默认为第一位启用的信访局办案人员）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")
        parser.add_argument(
            "--mapping",
            default="",
            help='列映射 JSON（字段名 → 表头），如 {"登记号": "编号"}，或 JSON 文件路径',
        )

    def progress(self, phase: str, done: int, total: int) -> None:
        if self.verbosity < 1:
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stderr.write(f"\r{phase} [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        if done == total:
            self.stderr.write("")
        self.stderr.flush()

    def _user(self, username: str) -> User:
        users = User.objects.filter(is_active=True)
        if username:
            if found := users.filter(username=username).first():
                return found
            raise CommandError(f"用户“{username}”不存在或已停用。")
        found = users.filter(groups__name=R.CASE_OFFICER, unit__kind="bureau").order_by("id").first()
        if found is None:
            raise CommandError("没有启用的信访局办案人员，请用 --user 指定执行导入的用户。")
        self.stderr.write(f"以信访局办案人员“{found.username}”的名义导入（记入审计日志）。")
        return found

    def handle(self, *args, file, user, dry_run, mapping, **options):
        self.verbosity = options["verbosity"]
        by = self._user(user)
        try:
            explicit = json.loads(
                Path(mapping).read_text("utf-8") if mapping.endswith(".json") else mapping or "{}"
            )
        except (OSError, ValueError) as e:
            raise CommandError(f"列映射不是有效的 JSON：{e}") from None
        try:
            content = Path(file).read_bytes()
        except OSError as e:
            raise CommandError(f"无法读取文件：{e}") from None
        try:
            checked = legacy.run(content, by=by, filename=Path(file).name, mapping=explicit, dry_run=dry_run,
                                 progress=self.progress)  # fmt: skip
        except PermissionDenied as e:
            raise CommandError(str(e)) from None
        except ValidationError as e:
            raise CommandError("；".join(e.messages)) from None
        except legacy.NotImported as e:
            self.report(e.checked)
            raise CommandError(str(e)) from None
        self.report(checked)
        if dry_run:
            verdict = (
                "检查通过，可以导入。" if checked.ok else f"共{len(checked.problems)}处问题，修正后才能导入。"
            )
            self.stdout.write(f"试导入（未写入）：{checked.total}行，{verdict}")
        else:
            self.stdout.write(f"已导入{len(checked.rows)}条历史信访登记（均为已办结事项）。")

    def report(self, checked) -> None:
        labels = {f.key: f.label for f in legacy.FIELDS}
        found = "，".join(f"{labels[k]}←“{checked.headers[i]}”" for k, i in checked.mapping.items())
        self.stdout.write(f"列映射：{found}")
        for p in checked.problems:
            self.stdout.write(str(p))
