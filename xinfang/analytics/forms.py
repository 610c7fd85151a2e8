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
            self.add_error("end", _("截止日期不能早于起始日期，请重新选择统计期间。"))
        return d

    def filters(self) -> Filters:
        """The filters asked for (an empty form: this year to date, `Period.year_to_date`). The caller checks
        `is_valid()` first: invalid input is reported, never replaced by a default or swapped."""
        if self.is_bound and not self.is_valid():
            raise ValueError("invalid dashboard filters")
        d = self.cleaned_data if self.is_bound else {}
        start = d.get("start") or date((d.get("end") or self.today).year, 1, 1)
        end = d.get("end") or (
            Period.year_to_date(start.year, self.today).end
            if start <= self.today
            else date(start.year, 12, 31)
        )
        return Filters(Period(start, end), township=d.get("township") or "", unit=d.get("unit") or "",
                       content_class=d.get("content_class") or "")  # fmt: skip
