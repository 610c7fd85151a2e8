from django.conf import settings
from django.db import models


class IdempotencyKey(models.Model):
    """One `Idempotency-Key` a user sent with a state-changing API call (api/idempotency.py): claimed by inserting
    this row before the call runs (the unique (user, key) makes a second claim fail), then holding the answer to
    replay for 24 hours. The key itself is kept only as a SHA-256 digest, the answer only encrypted with a key
    derived from it: the table alone discloses no response (a 201 may carry a 查询码)."""

    class Status(models.TextChoices):
        PROCESSING = "processing", "处理中"
        COMPLETED = "completed", "已完成"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField("请求键（SHA-256）", max_length=64)
    fingerprint = models.CharField("请求指纹（SHA-256：方法、路径、请求体）", max_length=64)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PROCESSING)
    response_status = models.PositiveSmallIntegerField("响应状态码", null=True, blank=True)
    response = models.TextField("响应（加密）", blank=True)
    created_at = models.DateTimeField("创建时间")
    expires_at = models.DateTimeField("过期时间", db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "幂等请求键"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_user_key")]

    def __str__(self):
        return f"{self.user_id}:{self.key[:12]}"
