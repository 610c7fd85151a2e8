from django.db import models
from django.utils.translation import gettext_lazy as _


class Export(models.Model):
    """导出记录: one package sent up (xinfang export_exchange or the staff page): when, by whom, what file."""

    at = models.DateTimeField(_("导出时间"), db_index=True)
    by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("导出人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    since = models.DateField(_("起始日期"), null=True, blank=True)
    file_name = models.CharField(_("文件"), max_length=300)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    items = models.PositiveIntegerField(_("件数"), default=0)

    class Meta:
        verbose_name = _("交换包导出记录")
        verbose_name_plural = _("交换包导出记录")
        ordering = ["-at", "-id"]


class Sent(models.Model):
    """What an export sent of a matter, entry by entry (its core data, each document, milestone, evaluation, its
    state) with the digest sent: the next export sends only the entries whose digest is new."""

    export = models.ForeignKey(Export, on_delete=models.PROTECT, related_name="sent")
    matter = models.ForeignKey("petitions.Matter", on_delete=models.PROTECT, related_name="+")
    external_number = models.CharField(_("上级交办编号"), max_length=50)
    key = models.CharField(max_length=80)
    digest = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("已报送内容")
        verbose_name_plural = _("已报送内容")
        indexes = [models.Index(fields=["matter", "key"], name="exchange_sent_matter_key")]
