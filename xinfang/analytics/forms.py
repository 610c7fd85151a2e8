"""The dashboard's filter form: period, township, unit, content class. Parses input only."""

from datetime import date

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.analytics.dashboards import Filters
from xinfang.analytics.kpis import Period

BLANK = [("", _("全部"))]


class DashboardFilterForm(forms.Form):
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    township = forms.ChoiceField(label=_("乡镇（问题属地）"), required=False)
    unit = forms.ChoiceField(label=_("责任单位"), required=False)
    content_class = forms.ChoiceField(label=_("内容分类"), required=False)

    def __init__(self, *args, choices: dict, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["township"].choices = BLANK + choices["township"]
        self.fields["unit"].choices = ([] if len(choices["unit"]) == 1 else BLANK) + choices["unit"]
        self.fields["content_class"].choices = BLANK + [
            (c, ("\u3000" if len(c) > 2 else "") + n) for c, n in choices["content_class"]
        ]

    def clean(self):
        d = super().clean()
        if d.get("start") and d.get("end") and d["start"] > d["end"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return d

    def filters(self) -> Filters:
        """The filters asked for; an invalid form falls back to this year to date."""
        d = self.cleaned_data if self.is_valid() else {}
        start = d.get("start") or date(self.today.year, 1, 1)
        end = d.get("end") or (self.today if start.year == self.today.year else date(start.year, 12, 31))
        return Filters(Period(start, end), township=d.get("township") or "", unit=d.get("unit") or "",
                       content_class=d.get("content_class") or "")  # fmt: skip
