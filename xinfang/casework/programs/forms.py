"""Forms of the programme pages (接访、包案、积案、矛盾纠纷、联席会议、专项资金、视频接访).

They parse and present input; the rules are checked by `petitions.programs`. The petitioner rows reuse the
casework intake's `PetitionerForm`; the compact petition form below is the part of the intake that a
reception table needs (the full intake stays at /casework/register/)."""

import re
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.accounts import roles as R
from xinfang.accounts.models import User
from xinfang.casework.forms import (
    BLANK,
    DATETIME_INPUT,
    DateInput,
    DateTimeLocalInput,
    Form,
    PetitionerForm,
    code_choices,
    collective_field,
    unit_choices,
)
from xinfang.petitions import access, programs, services
from xinfang.petitions.models import (
    CampaignMatter,
    Code,
    Dispute,
    JointMeetingMember,
    Registration,
    SupervisionOrder,
    Unit,
    VideoSession,
)


def leaders():
    return User.objects.filter(is_active=True, groups__name=R.LEADER).distinct().order_by("username")


class LeaderField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", _("（请选择）"))
        super().__init__(queryset=User.objects.none(), **kwargs)

    def label_from_instance(self, obj):
        return str(obj)


class UnitField(forms.ModelChoiceField):
    def __init__(self, *kinds, **kwargs):
        kwargs.setdefault("empty_label", _("（请选择）"))
        qs = Unit.objects.filter(is_active=True)
        super().__init__(queryset=qs.filter(kind__in=kinds) if kinds else qs, **kwargs)


class MatterNumberField(forms.CharField):
    """A matter number typed by the user, resolved among the matters the user may see (access.py)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("信访事项编号"))
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)
        self.user = None

    def clean(self, value):
        number = super().clean(value).strip()
        if not number:
            return None
        matter = access.visible_matters(self.user).filter(number=number).first()
        if matter is None:
            raise forms.ValidationError(_("信访事项“%(n)s”不存在或您无权查看。"), params={"n": number})
        return matter


class HtmlIdMixin:
    @property
    def html_id(self) -> str:
        """The id of the <form> element, the anchor of the error summary for non-field errors."""
        return f"form-{type(self).__name__.lower()}" + (f"-{self.prefix}" if self.prefix else "")


class UserForm(HtmlIdMixin, Form):
    """A form that knows the acting user (for matter numbers and choices)."""

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("auto_id", f"id_{type(self).__name__.lower()}_%s")  # several forms on one page
        super().__init__(*args, **kwargs)
        self.user = user
        for field in self.fields.values():
            if isinstance(field, MatterNumberField):
                field.user = user
            if isinstance(field, LeaderField):
                field.queryset = leaders()


# --- petitioners received (leader reception, video reception, dispute conversion) ----------------------


def petitioner_rows(data=None, *, rows: int = 3, initial=None):
    extra = max(rows - max(len(initial or []), 1), 0)  # Django shows max(initial, min_num) + extra rows
    fs = forms.formset_factory(PetitionerForm, extra=extra, min_num=1, max_num=50)
    return fs(data, prefix="p", initial=initial)


class PetitionForm(HtmlIdMixin, Form):
    """The compact intake: what a reception table records for each batch received."""

    received_at = forms.DateTimeField(
        label=_("接访时间"), input_formats=[DATETIME_INPUT], widget=DateTimeLocalInput()
    )
    title = forms.CharField(label=_("事项摘要"), max_length=200)
    purpose = forms.ChoiceField(label=_("信访目的"))
    content_class = forms.ChoiceField(label=_("内容分类"), required=False)
    township = forms.ChoiceField(label=_("问题属地（乡镇）"), required=False)
    content = forms.CharField(label=_("反映内容"), widget=forms.Textarea(attrs={"rows": 3}))
    request = forms.CharField(label=_("诉求"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    head_count = forms.IntegerField(label=_("人数（人次）"), min_value=1, required=False,
                                    help_text=_("留空时按登记的信访人数计。"))  # fmt: skip
    is_collective = collective_field()
    accused_unit = forms.ChoiceField(label=_("被检举单位（检举控告类）"), required=False)
    accused_person = forms.CharField(label=_("被检举人（检举控告类）"), max_length=100, required=False)

    channel = Registration.Channel.VISIT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = code_choices(Code.Table.PURPOSE)
        self.fields["content_class"].choices = code_choices(Code.Table.CONTENT)
        self.fields["township"].choices = unit_choices(Unit.Kind.TOWNSHIP)
        self.fields["accused_unit"].choices = unit_choices()

    def to_input(self, people: list[services.PetitionerInput]) -> services.PetitionInput:
        d = self.cleaned_data
        return services.PetitionInput(
            channel=d.get("channel") or self.channel, received_at=d["received_at"], title=d["title"],
            content=d["content"], purpose=d["purpose"], petitioners=people, content_class=d["content_class"],
            township=d["township"], request=d["request"], head_count=d["head_count"],
            is_collective=d["is_collective"], accused_unit=d["accused_unit"], accused_person=d["accused_person"],
        )  # fmt: skip

    def add_service_errors(self, error_dict: dict[str, list[str]]) -> list[str]:
        """The services' messages next to their fields; those about the petitioners are returned."""
        people: list[str] = []
        for key, messages in error_dict.items():
            for message in messages:
                if key == "petitioners":
                    people.append(message)
                else:
                    self.add_error(key if key in self.fields else None, message)
        return people


class ReceptionForm(PetitionForm):
    field_order = ["received_at", "outcome"]
    outcome = forms.ChoiceField(
        label=_("接访结果"), choices=BLANK + list(programs.RECEPTION_OUTCOMES.items())
    )


class ConvertForm(PetitionForm):
    channel = forms.ChoiceField(
        label=_("信访形式"),
        choices=[(c, Registration.Channel(c).label) for c in ("visit", "letter", "phone")],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_at"].label = _("来信来访时间")


def split_parties(text: str) -> list[str]:
    """The parties of a dispute as names for the petitioner rows (甲某、乙某 / 甲某与乙某)."""
    return [p.strip() for p in re.split(r"[、，,；;\n]|与|和", text) if p.strip()][:5]


# --- leader reception and ownership --------------------------------------------------------------------


class ReceptionDayForm(UserForm):
    leader = LeaderField(label=_("接访领导"))
    on = forms.DateField(label=_("接访日期"), widget=DateInput())
    place = forms.CharField(label=_("接访地点"), max_length=100, initial=_("群众接待中心"))
    topic = forms.CharField(label=_("接访主题"), max_length=200, required=False)
    publish = forms.BooleanField(label=_("在网上公布"), required=False, initial=True)


class OwnerForm(UserForm):
    leader = LeaderField(label=_("包案领导"))


class InstructionForm(UserForm):
    text = forms.CharField(label=_("批示内容"), widget=forms.Textarea(attrs={"rows": 3}))


# --- backlog campaigns ---------------------------------------------------------------------------------


class CampaignForm(UserForm):
    name = forms.CharField(label=_("活动名称"), max_length=100)
    start = forms.DateField(label=_("开始日期"), widget=DateInput())
    end = forms.DateField(label=_("结束日期"), widget=DateInput())
    description = forms.CharField(
        label=_("工作要求"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CampaignItemForm(UserForm):
    matter = MatterNumberField()
    unit = UnitField(Unit.Kind.DEPARTMENT, Unit.Kind.TOWNSHIP, Unit.Kind.LEGAL, Unit.Kind.BUREAU,
                     label=_("责任单位"))  # fmt: skip
    leader = LeaderField(label=_("责任领导"), required=False)


class ProgressForm(UserForm):
    status = forms.ChoiceField(label=_("进展"), choices=CampaignMatter.Status.choices)
    note = forms.CharField(label=_("化解情况"), required=False, max_length=500)


# --- dispute screening ---------------------------------------------------------------------------------


class DisputeFilterForm(Form):
    township = forms.ModelChoiceField(
        label=_("发生地"), required=False, empty_label=_("全部"),
        queryset=Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, is_active=True),
    )  # fmt: skip
    risk = forms.ChoiceField(
        label=_("风险等级"), required=False, choices=[("", _("全部"))] + Dispute.Risk.choices
    )
    result = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部"))] + Dispute.Result.choices
    )


class DisputeForm(UserForm):
    found_on = forms.DateField(label=_("排查日期"), widget=DateInput())
    township = UnitField(Unit.Kind.TOWNSHIP, label=_("发生地（乡镇）"), required=False)
    place = forms.CharField(label=_("具体地点"), max_length=100, required=False)
    parties = forms.CharField(label=_("当事人"), widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("多名当事人用顿号分隔。"))  # fmt: skip
    kind = forms.CharField(label=_("纠纷类型"), max_length=50)
    summary = forms.CharField(label=_("纠纷情况"), widget=forms.Textarea(attrs={"rows": 3}))
    risk = forms.ChoiceField(label=_("风险等级"), choices=Dispute.Risk.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["found_on"].initial = timezone.localdate()


class MediationForm(UserForm):
    mediator = forms.ChoiceField(label=_("调解方式"), choices=Dispute.Mediator.choices)
    result = forms.ChoiceField(
        label=_("调解结果"), choices=[c for c in Dispute.Result.choices if c[0] != Dispute.Result.PETITION]
    )
    agreement = forms.CharField(label=_("调解协议"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LinkForm(UserForm):
    matter = MatterNumberField(label=_("关联的信访事项编号"))


# --- joint meetings ------------------------------------------------------------------------------------


class MeetingForm(UserForm):
    on = forms.DateField(label=_("会议日期"), widget=DateInput())
    title = forms.CharField(label=_("会议名称"), max_length=100, initial=_("信访工作联席会议"))
    convener = LeaderField(label=_("召集人"))
    units = forms.ModelMultipleChoiceField(
        label=_("参会单位"), queryset=Unit.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    attendees = forms.CharField(label=_("参会人员"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    minutes = forms.CharField(label=_("会议纪要"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        members = JointMeetingMember.objects.filter(until__isnull=True).values_list("unit_id", flat=True)
        self.fields["units"].queryset = Unit.objects.filter(is_active=True).exclude(
            kind__in=[Unit.Kind.PROVINCE, Unit.Kind.PREFECTURE]
        )
        self.fields["units"].initial = list(members)
        self.fields["on"].initial = timezone.localdate()


class DeliberationForm(UserForm):
    matter = MatterNumberField()
    conclusion = forms.CharField(label=_("研判结论"), widget=forms.Textarea(attrs={"rows": 3}))
    order_level = forms.ChoiceField(
        label=_("督办（可选）"), required=False,
        choices=[("", _("不下达督办"))] + SupervisionOrder.Level.choices,
    )  # fmt: skip
    order_unit = UnitField(label=_("被督办单位（默认为事项的责任单位）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order_unit"].queryset = Unit.objects.filter(is_active=True).exclude(
            kind__in=[Unit.Kind.PROVINCE, Unit.Kind.PREFECTURE]
        )


# --- special assistance fund ---------------------------------------------------------------------------


class AssistanceForm(UserForm):
    persons = forms.IntegerField(label=_("救助人数"), min_value=1, initial=1)
    hardship = forms.CharField(label=_("困难情况"), widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.DecimalField(label=_("申请金额（元）"), min_value=0, max_digits=12, decimal_places=2)


class DecisionForm(UserForm):
    approve = forms.TypedChoiceField(
        label=_("审批结果"), coerce=lambda v: v == "1", widget=forms.RadioSelect,
        choices=[("1", _("批准")), ("0", _("不予批准"))],
    )  # fmt: skip
    amount = forms.DecimalField(label=_("批准金额（元）"), required=False, max_digits=12, decimal_places=2)
    note = forms.CharField(label=_("审批意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PaymentForm(UserForm):
    paid_on = forms.DateField(label=_("拨付日期"), widget=DateInput())
    amount = forms.DecimalField(label=_("拨付金额（元）"), max_digits=12, decimal_places=2)
    stopped_petitioning = forms.BooleanField(label=_("已息诉息访"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["paid_on"].initial = timezone.localdate()


# --- video reception -----------------------------------------------------------------------------------


class VideoSessionForm(UserForm):
    township = UnitField(Unit.Kind.TOWNSHIP, label=_("乡镇"))
    at = forms.DateTimeField(label=_("时间"), input_formats=[DATETIME_INPUT], widget=DateTimeLocalInput())
    kind = forms.ChoiceField(label=_("类型"), choices=VideoSession._meta.get_field("kind").choices)
    participants = forms.CharField(
        label=_("参加人员"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class VideoReceptionForm(PetitionForm):
    channel = Registration.Channel.VIDEO


class HoldForm(UserForm):
    outcome = forms.CharField(label=_("情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


def at_day(day, now: datetime | None = None) -> datetime:
    """The default time of a batch received on `day`: now if it is that day, else 09:00 that day."""
    now = timezone.localtime(now)
    if now.date() == day:
        return now.replace(second=0, microsecond=0)
    return timezone.make_aware(datetime(day.year, day.month, day.day, 9, 0))
