from django.core.management.base import BaseCommand

from xinfang.petitions.supervision import sweep_deadlines


class Command(BaseCommand):
    help = "定时任务：标记临期/超期时限，生成督办建议，发送提醒，办结申请期届满的事项（可重复运行）"

    def handle(self, *args, **options):
        r = sweep_deadlines()
        self.stdout.write(
            f"时限标记 {r.alerts} 条，督办建议 {r.proposals} 条，站内提醒 {r.notifications} 条，"
            f"外发 {r.sent} 条，期满办结 {r.closed} 件。" + ("" if r.changed() else "（无变化）")
        )
