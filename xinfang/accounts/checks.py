"""System checks for the accounts app."""

from django.conf import settings
from django.core.checks import Error, Tags, register

from xinfang.accounts.archive import RETENTION_FLOOR_DAYS


@register(Tags.security)
def check_audit_retention(app_configs, **kwargs):
    days = settings.XINFANG_AUDIT_RETENTION_DAYS
    if days < RETENTION_FLOOR_DAYS:
        return [
            Error(
                f"XINFANG_AUDIT_RETENTION_DAYS = {days}：审计日志至少保存 {RETENTION_FLOOR_DAYS} 天"
                "（等保 2.0 安全审计，《网络安全法》第二十一条：不少于六个月）。",
                hint=f"把 XINFANG_AUDIT_RETENTION_DAYS 设为不小于 {RETENTION_FLOOR_DAYS} 的天数（默认 365）。",
                id="accounts.E001",
            )
        ]
    return []
