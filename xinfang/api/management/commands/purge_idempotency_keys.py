from django.core.management.base import BaseCommand

from xinfang.api import idempotency


class Command(BaseCommand):
    help = (
        "删除已过期（超过24小时）的 API 幂等请求键（Idempotency-Key）；可重复运行，建议每日随时限巡检运行。"
    )

    def handle(self, *args, **options):
        count = idempotency.purge_expired()
        self.stdout.write(f"已删除过期的幂等请求键 {count} 条。")
