from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from xinfang.core import fieldcrypt


class Command(BaseCommand):
    help = (
        "用 XINFANG_PII_KEYS 的第一个密钥重新加密证件号码和电话（分批，每批一个事务；可中断后重跑）。"
        "轮换：把新密钥放在列表最前，运行本命令，全部完成后再从列表中删去旧密钥。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000, help="每批行数（默认 1000）")
        parser.add_argument(
            "--check", action="store_true", help="只统计仍由旧密钥加密的行，不改写（有则退出码 1）"
        )

    def handle(self, *args, batch_size, check, **options):
        if batch_size < 1:
            raise CommandError("--batch-size 至少为 1。")
        try:
            current = fieldcrypt.current_key_id()
        except ValueError as exc:
            raise CommandError(f"XINFANG_PII_KEYS 无效：{exc}") from exc
        stale = 0
        for model, columns in fieldcrypt.encrypted_columns():
            label = f"{model._meta.verbose_name}（{model._meta.db_table}）"
            try:
                count = fieldcrypt.rewrite_rows(
                    connection,
                    model._meta.db_table,
                    model._meta.pk.column,
                    columns,
                    fieldcrypt.reencrypt,
                    batch_size=batch_size,
                    write=not check,
                )
            except fieldcrypt.DecryptionError as exc:
                raise CommandError(f"{label}：{exc}已改写的批次保留，补上旧密钥后重跑即可。") from exc
            stale += count
            verb = "仍由旧密钥加密" if check else "已用密钥“" + current + "”重新加密"
            self.stdout.write(f"{label}：{verb} {count} 行。")
        if check and stale:
            raise CommandError(f"共 {stale} 行仍由旧密钥加密：运行 xinfang rotate_pii_key。", returncode=1)
