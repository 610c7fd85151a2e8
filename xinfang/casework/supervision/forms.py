"""Forms of the supervision pages. They parse input; the rules are in petitions.supervision."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.analytics import kpis
from xinfang.petitions.models import SupervisionFollowUp, SupervisionOrder, Unit

Order = SupervisionOrder
BLANK = [("", _("全部"))]


def _units():
    return [
        (u.code, u.name)
        for u in Unit.objects.filter(kind__in=kpis.HANDLING_UNIT_KINDS).order_by("kind", "code")
    ]


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("状态"), required=False, choices=BLANK + Order.Status.choices)
    level = forms.ChoiceField(label=_("督办级别"), required=False, choices=BLANK + Order.Level.choices)
    trigger = forms.ChoiceField(label=_("来源"), required=False, choices=BLANK + Order.Trigger.choices)
    unit = forms.ChoiceField(label=_("被督办单位"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = BLANK + _units()


class IssueForm(forms.Form):
    """Confirm a proposal (下达)."""

    level = forms.ChoiceField(label=_("督办级别"), choices=Order.Level.choices)
    deadline = forms.DateField(label=_("反馈期限"), required=False, help_text=_("不填则为30日后"),
                               widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    reason = forms.CharField(label=_("督办事由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class NewOrderForm(IssueForm):
    matters = forms.CharField(label=_("信访事项编号"), help_text=_("一个或多个，以空格、逗号或换行分隔"),
                              widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
    unit = forms.ChoiceField(label=_("被督办单位"), required=False, help_text=_("不选则为事项的责任单位"))
    field_order = ["matters", "unit", "level", "deadline", "reason"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("（事项的责任单位）"))] + _units()
        self.fields["reason"].required = True

    def numbers(self) -> list[str]:
        return [n for n in re.split(r"[\s,，、;；]+", self.cleaned_data["matters"]) if n]


class DismissForm(forms.Form):
    reason = forms.CharField(label=_("不予督办理由"), widget=forms.Textarea(attrs={"rows": 2}))


class FollowUpForm(forms.Form):
    kind = forms.ChoiceField(label=_("跟进方式"), choices=SupervisionFollowUp.Kind.choices)
    note = forms.CharField(label=_("情况"), widget=forms.Textarea(attrs={"rows": 2}))


class AnswerForm(forms.Form):
    feedback = forms.CharField(label=_("书面反馈"), widget=forms.Textarea(attrs={"rows": 4}))


class CloseForm(forms.Form):
    result = forms.CharField(label=_("督办结果"), widget=forms.Textarea(attrs={"rows": 2}))
