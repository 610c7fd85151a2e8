from django.core.management.base import BaseCommand

from xinfang.finance.demo import load_finance_demo


class Command(BaseCommand):
    help = "载入茂县信访局2019年部门决算演示数据（可重复执行）"

    def handle(self, *args, **options):
        accounts = load_finance_demo()
        self.stdout.write(f"已载入：{accounts}")
