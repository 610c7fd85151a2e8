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


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input multiple>: cleaned to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(f, initial) for f in files if f] or [super().clean(None)]


CHECK_MAX_FILES = 30
CHECK_SUFFIXES = (".pdf", ".docx", ".xlsx", ".xls", ".txt")


class CheckFilesForm(FullWidthColon, forms.Form):
    files = MultipleFileField(
        label=_("公开文件（PDF、Word .docx、Excel .xlsx/.xls、文本；可多选）"),
        error_messages={"required": _("请选择要检查的公开文件。")},
    )

    def clean_files(self):
        files = self.cleaned_data["files"]
        if len(files) > CHECK_MAX_FILES:
            raise forms.ValidationError(_("一次最多检查 %(n)d 个文件。") % {"n": CHECK_MAX_FILES})
        wrong = [f.name for f in files if not f.name.lower().endswith(CHECK_SUFFIXES)]
        if wrong:
            raise forms.ValidationError(
                _("不支持的文件类型：%(names)s（支持 PDF、.docx、.xlsx、.xls、.txt）")
                % {"names": "、".join(wrong)}
            )
        return files


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
