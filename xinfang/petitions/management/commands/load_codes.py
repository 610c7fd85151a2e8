from pathlib import Path

from django.core.management.base import BaseCommand

from xinfang.petitions.codes import DEFAULT_FILE, load_codes


class Command(BaseCommand):
    help = "载入信访目的、内容分类代码表（JSON 文件，带版本号）"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_FILE))

    def handle(self, *args, path, **options):
        count = load_codes(Path(path))
        self.stdout.write(f"已载入代码 {count} 条：{path}")
