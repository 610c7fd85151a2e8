"""The official holiday schedule (节假日安排), kept by administrators.

One ``HolidayNotice`` per year: the 国务院办公厅 notice 《关于Y年部分节假日安排的通知》 (and any amendments),
and one ``CalendarDay`` per date it names: a day off (放假, weekend days inside a block included) or a
make-up working day (调休上班). A notice for Y may name dates at the end of December Y-1.

Written only by ``xinfang.core.services.import_holiday_notices`` (and the admin, which calls it or edits
single days); read by ``xinfang.core.calendars``, which caches the schedule per process.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class HolidayNotice(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"), unique=True, help_text=_("通知所安排的年度"))
    source = models.CharField(_("文号"), max_length=60, help_text=_("如：国办发明电〔2025〕7号"))
    title = models.CharField(_("标题"), max_length=200, blank=True)
    published = models.DateField(_("发布日期"), null=True, blank=True)
    amendments = models.JSONField(
        _("调整通知"),
        default=list,
        blank=True,
        help_text=_("后续调整该年安排的通知（文号、标题、日期、调整内容）"),
    )
    complete = models.BooleanField(
        _("已完整录入"), default=False, help_text=_("未勾选的年度按仅周六周日休息计算期限")
    )
    imported_at = models.DateTimeField(_("导入时间"), null=True, blank=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日安排通知")
        verbose_name_plural = _("节假日安排通知")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年（{self.source}）"


class CalendarDay(models.Model):
    class Kind(models.TextChoices):
        REST = "rest", _("放假")
        WORK = "work", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类别"), max_length=4, choices=Kind.choices)
    holiday = models.CharField(
        _("节日"), max_length=20, help_text=_("如：春节；通知合并安排的写作“国庆节、中秋节”")
    )
    notice = models.ForeignKey(
        HolidayNotice, verbose_name=_("放假通知"), on_delete=models.CASCADE, related_name="days"
    )
    updated = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("节假日安排日期")
        verbose_name_plural = _("节假日安排日期")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%Y-%m-%d} {self.holiday}{self.get_kind_display()}"

    def clean(self):
        if self.kind == self.Kind.WORK and self.date and self.date.weekday() < 5:
            raise ValidationError({"date": _("调休上班日应为周六或周日。")})
