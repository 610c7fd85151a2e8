from time import monotonic

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from xinfang.core.env import env_bool
from xinfang.finance.demo import load_finance_demo
from xinfang.petitions import demo
from xinfang.petitions.demo_history import grouped

# ~50 accounts with the published password Xinfang@2019 must never reach a production database by mistake.
REFUSAL = (
    "拒绝载入演示数据：演示数据含约50个共用公开口令的账号，不能进入生产数据库。"
    "这是演示或测试环境时，请加 --i-know-this-is-a-demo（或设环境变量 XINFANG_DEMO=1，或打开 DEBUG）。"
)


class Command(BaseCommand):
    help = (
        "载入演示数据：单位、各角色演示账号、2018—2019年业务记录（统计数字与2019年部门决算一致）、"
        "2020年以来约300件信访事项（经真实业务流程按历史日期生成）、本年度领导接访日、包案、积案化解、视频接访和督办，"
        "以及部门决算演示数据；每完成一个阶段输出一行进度（-v0 不输出）。演示账号共用公开的口令：只在 DEBUG 打开、"
        "或给出 --i-know-this-is-a-demo（或环境变量 XINFANG_DEMO=1）时载入，且库中不能已有非演示的账号或信访事项"
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=demo.DEFAULT_COUNT, help="信访事项件数（默认300）")
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help="随机种子（相同种子生成相同数据）"
        )
        parser.add_argument(
            "--without-history", action="store_true", help="不载入2018—2019年业务记录（测试用，载入更快）"
        )
        parser.add_argument(
            "--i-know-this-is-a-demo",
            action="store_true",
            dest="confirmed",
            help="确认这是演示或测试环境（DEBUG 关闭时必须给出，或设环境变量 XINFANG_DEMO=1）",
        )

    def handle(self, *args, count, seed, without_history=False, confirmed=False, verbosity=1, **options):
        """A line per phase with its counts and a summary; nothing at all with -v0."""
        if not (settings.DEBUG or confirmed or env_bool("XINFANG_DEMO", False)):
            raise CommandError(REFUSAL)
        say = self.stdout.write if verbosity > 0 else (lambda *a, **k: None)
        history = not without_history
        progress = demo.Progress(demo.phases(history=history) + 1, say)
        try:
            result = demo.load_demo(count=count, seed=seed, history=history, progress=progress)
        except RuntimeError as e:
            raise CommandError(str(e)) from e
        if not result.created:
            say("演示数据已存在，未作任何更改。")
            progress.done = progress.total - 1  # only the final accounts are checked
        accounts = load_finance_demo()
        progress("部门决算演示数据", f"{accounts.year}年决算")
        if result.created:
            say(
                f"已载入演示数据：信访事项 {grouped(result.matters)} 件、信访件 {grouped(result.registrations)} 件，"
                f"总用时 {monotonic() - progress.began:.1f} 秒。"
            )
        say("")
        say(self.logins_table())

    @staticmethod
    def logins_table() -> str:
        rows = [("用户名", "角色", "密码"), *demo.DEMO_USERS]
        width = max(len(u) for u, _, _ in rows) + 2
        role_width = max(len(r) for _, r, _ in rows) + 1
        # Chinese characters are two columns wide: pad the role column with full-width spaces.
        lines = [f"{u:<{width}}{r:\u3000<{role_width}}{p}" for u, r, p in rows]
        lines.append(f"其他单位经办人：用户名为单位拼音（如 zhujian、weimen），密码同为 {demo.DEMO_PASSWORD}")
        lines.append(
            "admin、shenji、anquan（系统管理员、审计管理员、安全管理员）须使用动态验证码：首次登录后先用手机验证器"
            "（TOTP，手动输入页面上的密钥）完成绑定，之后每次登录同时输入验证码。"
        )
        return "\n".join(lines)
