from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from xinfang.core.fieldcrypt import EncryptedCharField


class User(AbstractUser):
    """A staff user. Roles are groups (see roles.py); `unit` is the organisation the user works for."""

    full_name = models.CharField(_("姓名"), max_length=50, blank=True)
    unit = models.ForeignKey(
        "petitions.Unit",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self):
        return self.full_name or self.username

    @property
    def role_codes(self) -> frozenset[str]:
        cached = getattr(self, "_role_codes", None)
        if cached is None:
            cached = frozenset(self.groups.values_list("name", flat=True)) if self.pk else frozenset()
            self._role_codes = cached
        return cached

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_codes.intersection(roles))


class AuditEntry(models.Model):
    """Append-only security audit row (等保: time, user, role, IP, action, object, result).

    Append-only is enforced in the database, not only here: triggers (migration
    0003_audit_append_only_triggers) refuse every UPDATE, DELETE and TRUNCATE, whether it comes from
    save()/delete() below, a queryset's update()/delete()/bulk_update() or raw SQL. The one exception is
    the `archive_audit` command, which removes rows older than XINFANG_AUDIT_RETENTION_DAYS after writing
    them to a checksummed file, while it holds an AuditArchivePermit in the same transaction; even then the
    database keeps every row younger than 180 days by its own clock (docs/operations.md)."""

    class Result(models.TextChoices):
        SUCCESS = "success", _("成功")
        FAILURE = "failure", _("失败")
        DENIED = "denied", _("拒绝")

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    roles = models.CharField(_("角色"), max_length=200, blank=True)
    ip = models.GenericIPAddressField(_("IP"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=60, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=60, blank=True)
    object_id = models.CharField(_("对象"), max_length=60, blank=True)
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志只能追加，不能删除")


class AuditArchivePermit(models.Model):
    """While this (single) row exists, the audit triggers let rows of AuditEntry older than `before` be
    deleted — and only those that are also older than 180 days by the database's clock. Only the
    `archive_audit` command writes it, and it removes it again in the same transaction."""

    before = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="audit_archive_permit_one_row")]


class ApiToken(models.Model):
    """A token for system-to-system API access. Only a hash of the key is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("用途"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")


class RoleGrantRequest(models.Model):
    """三权分立: a guarded role (审计管理员, 安全管理员, a role that sees personal data in full) is granted in two steps —
    a 系统管理员 asks, a different person holding 安全管理员 approves or refuses (services.request_grant,
    services.decide_grant). Never for oneself."""

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("已驳回")

    user = models.ForeignKey(User, verbose_name=_("授予对象"), on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("申请授予的角色"), max_length=30)
    reason = models.CharField(_("申请理由"), max_length=200)
    requested_by = models.ForeignKey(
        User, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+", null=True
    )
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    decided_by = models.ForeignKey(
        User, verbose_name=_("审批人"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("角色授予申请")
        verbose_name_plural = _("角色授予申请")
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=models.Q(state="pending"),
                name="one_pending_grant_per_role",
            )
        ]

    def __str__(self):
        from xinfang.accounts.roles import ROLE_LABELS

        return f"{self.user}：{ROLE_LABELS.get(self.role, self.role)}"


class TotpDevice(models.Model):
    """The second factor of a staff account (等保 8.1.4.1 d): a TOTP secret (RFC 6238, accounts/totp.py), encrypted
    at rest under the personal-data keys (core.fieldcrypt). Unconfirmed until the user has entered one code from
    it; `last_step` is the time step of the last code accepted, so no code is accepted twice."""

    user = models.OneToOneField(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="totp")
    secret = EncryptedCharField(_("密钥"), max_length=64)
    confirmed_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    last_step = models.BigIntegerField(_("最近一次验证码的时间步"), default=0)

    class Meta:
        verbose_name = _("动态验证码")
        verbose_name_plural = _("动态验证码")
