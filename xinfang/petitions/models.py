from django.db import models
from django.utils.translation import gettext_lazy as _


class Unit(models.Model):
    """单位: an organisation in the tree (county committee/government, bureau, departments, townships,
    and the higher levels that assign matters down)."""

    class Kind(models.TextChoices):
        PROVINCE = "province", _("省级")
        PREFECTURE = "prefecture", _("州（市）级")
        COUNTY_GOV = "county_gov", _("县委县政府")
        BUREAU = "bureau", _("县信访局")
        RECEPTION = "reception", _("群众接待中心")
        DEPARTMENT = "department", _("县直部门")
        TOWNSHIP = "township", _("乡镇")
        LEGAL = "legal", _("政法部门")
        DISCIPLINE = "discipline", _("纪检监察机关")

    code = models.CharField(_("单位代码"), max_length=32, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位类别"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    division_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        ordering = ["code"]

    def __str__(self):
        return self.name
