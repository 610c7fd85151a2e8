from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from xinfang.core.holiday_notices import NoticeError
from xinfang.core.services import import_holiday_file


class Command(BaseCommand):
    help = "导入国务院办公厅节假日安排通知（通知正文纯文本，或 cn_holidays.json 格式的 JSON）；同一年度已有的安排整体替换"

    def add_arguments(self, parser):
        parser.add_argument("file", help="通知正文（UTF-8 文本）或 JSON 文件")
        parser.add_argument(
            "--year", type=int, help="通知所安排的年度；省略时从标题《关于××年部分节假日安排的通知》识别"
        )
        parser.add_argument("--by", help="记为导入人的用户名")

    def handle(self, *args, file, year, by, **options):
        try:
            text = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise CommandError(f"无法读取文件 {file}：{e}") from e
        user = None
        if by:
            user = get_user_model().objects.filter(username=by).first()
            if user is None:
                raise CommandError(f"用户 {by} 不存在")
        try:
            notices = import_holiday_file(text, year=year, by=user)
        except NoticeError as e:
            raise CommandError("导入失败，未作任何更改：\n" + "\n".join(e.errors)) from e
        for n in notices:
            rest = n.days.filter(kind="rest").count()
            work = n.days.filter(kind="work").count()
            self.stdout.write(f"已导入{n.year}年节假日安排（{n.source}）：放假{rest}天，调休上班{work}天")
