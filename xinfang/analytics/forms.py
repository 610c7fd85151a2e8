"""The dashboard's filter form (period, township, unit, content class) and the forms that hand a 苗头性问题 over.
Parse input only."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from xinfang.analytics.dashboards import Filters
from xinfang.analytics.kpis import Period
from xinfang.casework.programs.forms import LeaderField, UserForm
from xinfang.petitions.models import Campaign, JointMeeting

BLANK = [("", _("全部"))]
MEETINGS_BACK = 90  # a cluster may be put before a meeting of the last this many days (or a coming one)


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


# --- 苗头性问题: handing a cluster over (petitions.clusters) ----------------------------------------------


class ClusterCampaignForm(UserForm):
    campaign = forms.ModelChoiceField(label=_("积案化解活动"), queryset=Campaign.objects.none(),
                                      empty_label=_("（请选择）"))  # fmt: skip
    leader = LeaderField(label=_("责任领导"), required=False)

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = Campaign.objects.filter(end__gte=today)  # those still running

        def name(c):
            return f"{c.name}（{c.start:%Y-%m-%d}至{c.end:%Y-%m-%d}）"

        self.fields["campaign"].label_from_instance = name


class ClusterMeetingForm(UserForm):
    meeting = forms.ModelChoiceField(label=_("联席会议"), queryset=JointMeeting.objects.none(),
                                     empty_label=_("（请选择）"))  # fmt: skip
    conclusion = forms.CharField(label=_("提请研判的事由或研判结论"), max_length=1000,
                                 widget=forms.Textarea(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        recent = today - timedelta(days=MEETINGS_BACK)
        self.fields["meeting"].queryset = JointMeeting.objects.filter(date__gte=recent).order_by(
            "-date", "-pk"
        )

        def name(m):
            return f"{m.title}（{m.date:%Y-%m-%d}）"

        self.fields["meeting"].label_from_instance = name
