from django.core.management.base import BaseCommand

from xinfang.core.notify import get_sender
from xinfang.petitions.supervision import run_daily_sweep, sweep_deadlines


class Command(BaseCommand):
    help = (
        "定时任务：标记临期/超期时限，生成督办建议，发送提醒，办结申请期届满的事项（可重复运行）。"
        "提醒的短信/邮件副本交后台任务队列发送（失败自动重试）；--now 在本进程直接发送；--enqueue 把整个巡查交给 worker。"
    )

    def add_arguments(self, parser):
        how = parser.add_mutually_exclusive_group()
        how.add_argument("--now", action="store_true", help="在本进程直接发送副本（不经任务队列）")
        how.add_argument(
            "--enqueue", action="store_true", help="只把巡查加入任务队列，由 xinfang worker 执行"
        )

    def handle(self, *args, now=False, enqueue=False, **options):
        if enqueue:
            result = run_daily_sweep.enqueue()
            self.stdout.write(f"已加入任务队列（{result.id}），由 xinfang worker 执行。")
            return
        r = sweep_deadlines(sender=get_sender() if now else None)
        copies = f"外发 {r.sent} 条" if now else f"外发排队 {r.queued} 条"
        self.stdout.write(
            f"时限标记 {r.alerts} 条，督办建议 {r.proposals} 条，站内提醒 {r.notifications} 条，"
            f"{copies}，期满办结 {r.closed} 件。" + ("" if r.changed() else "（无变化）")
        )
