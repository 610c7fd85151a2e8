from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


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
