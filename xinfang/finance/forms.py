from django import forms
from django.forms import inlineformset_factory
from django.utils.translation import gettext_lazy as _

from xinfang.finance.models import (
    EconomicItem,
    Expenditure,
    FinalAccounts,
    Income,
    Indicator,
    Project,
    SubordinateUnit,
    ThreePublic,
    Vehicle,
)


class FullWidthColon:
    """Labels end in the full-width colon “：” (Django's default suffix is the ASCII “:”)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "：")
        super().__init__(*args, **kwargs)


class AccountsForm(FullWidthColon, forms.ModelForm):
    class Meta:
        model = FinalAccounts
        fields = [f.name for f in FinalAccounts._meta.fields if f.name not in ("id", "budget_unit", "year")]


class ImportForm(FullWidthColon, forms.Form):
    file = forms.FileField(label=_("标准表格工作簿（.xlsx）"))


DETAILS = {
    "incomes": (_("收入"), Income, ["source", "amount"]),
    "expenditures": (_("支出（功能分类×基本/项目）"), Expenditure, ["code", "budget", "basic", "project"]),
    "economic": (_("基本支出经济分类"), EconomicItem, ["code", "name", "amount"]),
    "three_public": (_("“三公”经费"), ThreePublic, ["item", "budget", "actual", "prior_actual"]),
    "vehicles": (_("车辆"), Vehicle, ["kind", "count"]),
    "subunits": (_("下属单位"), SubordinateUnit, ["name", "kind"]),
    "projects": (
        _("项目"),
        Project,
        [
            "order",
            "name",
            "code",
            "budget",
            "executed",
            "fiscal_budget",
            "fiscal_executed",
            "casework",
            "goal",
            "achieved",
            "effect",
            "problems",
            "improvements",
        ],
    ),
}


def detail_formset(kind: str):
    _label, model, fields = DETAILS[kind]
    return inlineformset_factory(FinalAccounts, model, fields=fields, extra=2, can_delete=True)


IndicatorFormSet = inlineformset_factory(
    Project,
    Indicator,
    fields=["order", "level1", "level2", "name", "target_text", "actual_text"],
    extra=2,
    can_delete=True,
)
