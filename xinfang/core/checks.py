"""System checks for a safe production start (issue 13). `xinfang check --deploy` with the documented
production environment (deploy/xinfang.env.example) reports nothing; gunicorn runs the checks before it
serves (xinfang/gunicorn_conf.py), so an error stops the start."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from xinfang.core import keyring, net

MIN_SECRET_KEY_LENGTH = 50  # as Django's security.W009


def secret_key_problem(key: str) -> str | None:
    if not key:
        return "未设置"
    if key == settings.DEV_SECRET_KEY or key.startswith("django-insecure-"):
        return "仍是开发用密钥"
    if len(key) < MIN_SECRET_KEY_LENGTH or len(set(key)) < 5:
        return f"过短或过于简单（至少 {MIN_SECRET_KEY_LENGTH} 个字符）"
    return None


@register(Tags.security)
def check_secret_key(app_configs, **kwargs):
    problem = None if settings.DEBUG else secret_key_problem(settings.SECRET_KEY)
    if problem is None:
        return []
    return [
        Error(
            f"SECRET_KEY {problem}：生产环境（DEBUG 关闭）拒绝启动。",
            hint="设置环境变量 SECRET_KEY 或 SECRET_KEY_FILE（至少 50 个随机字符），或运行 make run 生成 var/secret_key。",
            id="xinfang.E001",
        )
    ]


@register(Tags.security)
def check_query_code_keys(app_configs, **kwargs):
    try:
        ring = keyring.query_code_keys()
    except ValueError as exc:
        return [Error(f"XINFANG_QUERY_CODE_KEYS 无效：{exc}", id="xinfang.E002")]
    short = [kid for kid, secret in ring.keys if len(secret) < keyring.MIN_SECRET_LENGTH]
    if short:
        return [
            Error(
                f"XINFANG_QUERY_CODE_KEYS 中密钥 {', '.join(short)} 过短（至少 {keyring.MIN_SECRET_LENGTH} 个字符）。",
                id="xinfang.E002",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_query_code_keys_set(app_configs, **kwargs):
    if settings.XINFANG_QUERY_CODE_KEYS.strip():
        return []
    return [
        Warning(
            "未设置 XINFANG_QUERY_CODE_KEYS：查询码摘要以 SECRET_KEY 计算，更换 SECRET_KEY 会使已发出的查询码失效。",
            hint='设置 XINFANG_QUERY_CODE_KEYS="k1:<至少32个随机字符>"（见 docs/deploy.md）。',
            id="xinfang.W001",
        )
    ]


@register(Tags.security)
def check_trusted_proxies(app_configs, **kwargs):
    try:
        net.parse_networks(settings.XINFANG_TRUSTED_PROXIES)
    except ValueError as exc:
        return [
            Error(
                f"XINFANG_TRUSTED_PROXIES 无效：{exc}",
                hint="逗号分隔的 IP 地址或网段（CIDR）。",
                id="xinfang.E003",
            )
        ]
    return []


# --- pii (issue 14): the keys that encrypt ID and phone numbers at rest (core/fieldcrypt.py) ---
@register(Tags.security)
def check_pii_keys(app_configs, **kwargs):
    from xinfang.core import fieldcrypt

    hint = 'XINFANG_PII_KEYS="k1:<32 字节随机数的 Base64>"，或 XINFANG_PII_KEYS_FILE（见 docs/deploy.md）；make run 生成 var/pii_keys。'
    try:
        fieldcrypt.keys()
    except ValueError as exc:
        return [Error(f"XINFANG_PII_KEYS 无效：{exc}", hint=hint, id="xinfang.E004")]
    if settings.DEBUG or settings.XINFANG_PII_KEYS.strip():
        return []
    return [
        Error(
            "未设置 XINFANG_PII_KEYS：证件号码和电话的加密密钥不能由 SECRET_KEY 派生，生产环境（DEBUG 关闭）拒绝启动。",
            hint=hint,
            id="xinfang.E004",
        )
    ]
