from django.core.management.base import BaseCommand, CommandError

from xinfang.finance.demo import load_finance_demo
from xinfang.petitions import demo


class Command(BaseCommand):
    help = (
        "载入演示数据：单位、各角色演示账号、2018—2019年业务记录（统计数字与2019年部门决算一致）、"
        "2020年以来约300件信访事项（经真实业务流程按历史日期生成）和部门决算演示数据"
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=demo.DEFAULT_COUNT, help="信访事项件数（默认300）")
        parser.add_argument(
            "--seed", type=int, default=demo.DEFAULT_SEED, help="随机种子（相同种子生成相同数据）"
        )

    def handle(self, *args, count, seed, **options):
        try:
            result = demo.load_demo(count=count, seed=seed)
        except RuntimeError as e:
            raise CommandError(str(e)) from e
        if result.created:
            self.stdout.write(
                f"已载入演示数据：信访事项 {result.matters} 件、信访件 {result.registrations} 件，"
                f"用时 {result.seconds:.1f} 秒。"
            )
        else:
            self.stdout.write("演示数据已存在，未作任何更改。")
        load_finance_demo()
        self.stdout.write("部门决算演示数据已就绪。")
        self.stdout.write("")
        self.stdout.write(self.logins_table())

    @staticmethod
    def logins_table() -> str:
        rows = [("用户名", "角色", "密码"), *demo.DEMO_USERS]
        width = max(len(u) for u, _, _ in rows) + 2
        role_width = max(len(r) for _, r, _ in rows) + 1
        # Chinese characters are two columns wide: pad the role column with full-width spaces.
        lines = [f"{u:<{width}}{r:\u3000<{role_width}}{p}" for u, r, p in rows]
        lines.append(f"其他单位经办人：用户名为单位拼音（如 zhujian、weimen），密码同为 {demo.DEMO_PASSWORD}")
        return "\n".join(lines)
