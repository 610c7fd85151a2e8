"""xinfang rebuild_tallies [--check | --enqueue] — recompute the statistics summary tables from the records, or only
compare them (exit status 1 and the differing rows when they differ)."""

from django.core.management.base import BaseCommand, CommandError

from xinfang.analytics import tallies


class Command(BaseCommand):
    help = "重算统计汇总表（按日计数）；--check 只核对汇总表与业务记录是否一致，不写入。"

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="只核对，不重算；不一致时退出码为 1")
        parser.add_argument(
            "--enqueue", action="store_true", help="不在本进程重算：加入后台任务队列，由 xinfang worker 执行"
        )

    def handle(self, *args, check=False, enqueue=False, **options):
        if enqueue and not check:
            result = tallies.rebuild_in_background.enqueue()
            self.stdout.write(f"已加入任务队列（{result.id}），由 xinfang worker 执行。")
            return
        if check:
            diffs = tallies.check()
            for line in diffs[:50]:
                self.stdout.write(line)
            if diffs:
                raise CommandError(
                    f"汇总表与业务记录有 {len(diffs)} 处不一致，请运行 xinfang rebuild_tallies 重算。"
                )
            self.stdout.write("汇总表与业务记录一致。")
            return
        r = tallies.rebuild()
        self.stdout.write(
            f"已重算：{r['matters']} 件信访事项，按日计数 {r['day_rows']} 行，时限计数 {r['clock_rows']} 行。"
        )
