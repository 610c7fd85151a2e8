from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from xinfang.accounts import roles as R
from xinfang.accounts.models import User
from xinfang.exchange import importer, reader


class Command(BaseCommand):
    help = "导入上级交办件交换包（JSON、含附件的 zip 或 .xlsx；docs/exchange.md）：全部成功才提交，按上级交办编号幂等"

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--user", help="登记人用户名（信访局接待登记员或办案人员；缺省为第一位启用的接待登记员）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只检查，不保存")

    def handle(self, *args, path, user, dry_run, **options):
        by = self._user(user)
        try:
            source = reader.read(Path(path).name, Path(path).read_bytes())
        except OSError as e:
            raise CommandError(f"无法读取文件“{path}”：{e.strerror}") from None
        except reader.Unreadable as e:
            raise CommandError(str(e)) from None
        report = importer.import_package(source, by=by, dry_run=dry_run)
        for problem in report.problems:
            self.stderr.write(str(problem))
        if not report.ok:
            raise CommandError(f"发现{len(report.problems)}处错误，未导入任何数据。")
        verb = "可导入" if dry_run else "已导入"
        self.stdout.write(
            f"{'（试导入，未保存）' if dry_run else ''}{verb}新交办件{len(report.created)}件，"
            f"补充办理结果{len(report.updated)}件，已存在未变{len(report.unchanged)}件。"
        )
        for external, number in report.created:
            self.stdout.write(f"  {external} → {number}")

    def _user(self, username: str | None) -> User:
        users = User.objects.filter(is_active=True)
        found = users.filter(username=username).first() if username else users.filter(
            groups__name=R.CLERK, unit__kind="bureau").order_by("id").first()  # fmt: skip
        if found is None:
            raise CommandError(
                f"用户“{username}”不存在或已停用。"
                if username
                else "没有启用的接待登记员，请用 --user 指定。"
            )
        return found
