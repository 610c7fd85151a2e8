"""Forms of the staff UI. They parse and present input; the rules are checked by the services."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.accounts import roles as R
from xinfang.accounts.models import User
from xinfang.core import validators
from xinfang.core.forms import MultipleFileField, MultipleFileInput
from xinfang.petitions import access, citizens, services, workflow
from xinfang.petitions.models import Code, ExtensionRequest, FollowUpCall, Matter, Registration, Unit

DATETIME_INPUT = "%Y-%m-%dT%H:%M"
BLANK = [("", _("（请选择）"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=DATETIME_INPUT)


def unit_choices(*kinds: str, blank: bool = True) -> list[tuple[str, str]]:
    units = Unit.objects.filter(is_active=True)
    if kinds:
        units = units.filter(kind__in=kinds)
    return (BLANK if blank else []) + [(u.code, u.name) for u in units]


def code_choices(table: str) -> list[tuple[str, str]]:
    """Active codes of a table; children are labelled with their parent (劳动社保 / 工资福利)."""
    rows = Code.objects.filter(table=table, is_active=True).select_related("parent")
    choices = []
    for c in sorted(
        rows, key=lambda c: (c.parent.sort if c.parent else c.sort, c.parent_id is not None, c.sort)
    ):
        choices.append((c.code, f"{c.parent.name} / {c.name}" if c.parent else c.name))
    return BLANK + choices


class Form(forms.Form):
    """Labels without Django's ASCII colon suffix; the templates lay out label and input."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


# --- intake -------------------------------------------------------------------------------------------

# Fields each channel shows beyond the common ones.
CHANNEL_FIELDS = {
    Registration.Channel.VISIT: ("head_count", "is_collective", "place", "is_leapfrog"),
    Registration.Channel.VIDEO: ("head_count", "place"),
    Registration.Channel.ASSIGNED: ("source_unit", "external_number", "external_due"),
}
OPTIONAL_CHANNEL_FIELDS = ("head_count", "is_collective", "place", "is_leapfrog", "source_unit",
                           "external_number", "external_due")  # fmt: skip
# Keys of the services' ValidationError dict that are not field names.
# Service error keys are the input's field names; these have no field of their own on the form.
SERVICE_ERROR_FIELDS = {"channel": None, "site": None}


def collective_field() -> forms.TypedChoiceField:
    """集体访: by head count unless the clerk says yes or no (services.is_collective)."""
    return forms.TypedChoiceField(
        label=_("集体访"), required=False, empty_value=None,
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        choices=[("", _("按人数判断（%(n)s人及以上为集体访）") % {"n": settings.XINFANG_COLLECTIVE_MIN_PERSONS}),
                 ("yes", _("是")), ("no", _("否"))],
    )  # fmt: skip


class IntakeForm(Form):
    received_at = forms.DateTimeField(
        label=_("来信来访时间"), input_formats=[DATETIME_INPUT], widget=DateTimeLocalInput()
    )
    title = forms.CharField(label=_("事项摘要"), max_length=200)
    purpose = forms.ChoiceField(label=_("信访目的"))
    content_class = forms.ChoiceField(label=_("内容分类"), required=False)
    township = forms.ChoiceField(label=_("问题属地（乡镇）"), required=False)
    content = forms.CharField(label=_("反映内容"), widget=forms.Textarea(attrs={"rows": 4}))
    request = forms.CharField(label=_("诉求"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    facts = forms.CharField(label=_("事实和理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    head_count = forms.IntegerField(label=_("来访人数"), min_value=1, required=False)
    is_collective = collective_field()
    place = forms.CharField(label=_("接待地点"), max_length=100, required=False)
    is_leapfrog = forms.BooleanField(label=_("越级走访"), required=False)
    source_unit = forms.ChoiceField(label=_("交办机关"), required=False)
    external_number = forms.CharField(label=_("上级交办编号"), max_length=50, required=False)
    external_due = forms.DateField(label=_("上级交办期限"), required=False, widget=DateInput())
    accused_unit = forms.ChoiceField(label=_("被检举单位"), required=False)
    accused_person = forms.CharField(label=_("被检举人"), max_length=100, required=False)
    is_major_urgent = forms.BooleanField(label=_("重大紧急"), required=False)
    is_legal = forms.BooleanField(label=_("涉法涉诉"), required=False)
    repeat_of = forms.CharField(
        label=_("重复件：原事项编号"), max_length=30, required=False,
        help_text=_("同一信访人反映同一事项的，填写原事项编号，本件将并入原事项。"),
    )  # fmt: skip
    disposition = forms.ChoiceField(
        label=_("处理方式"), required=False, widget=forms.RadioSelect,
        choices=[("", _("按原事项状态（已复核终结的不再受理，否则并入）"))] + [
            (value, label) for value, label in Registration.Disposition.choices
            if value != Registration.Disposition.NEW
        ],
        help_text=_("系统列出的疑似重复事项只是建议，由登记人员决定并写明理由。"),
    )  # fmt: skip
    repeat_reason = forms.CharField(
        label=_("理由"), max_length=500, required=False,
        help_text=_("如：同一证件号，反映内容相同。记入事项记录。"),
    )  # fmt: skip

    def __init__(self, *args, channel: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.channel = channel
        self.fields["purpose"].choices = code_choices(Code.Table.PURPOSE)
        self.fields["content_class"].choices = code_choices(Code.Table.CONTENT)
        self.fields["township"].choices = unit_choices(Unit.Kind.TOWNSHIP)
        self.fields["source_unit"].choices = unit_choices(Unit.Kind.PREFECTURE, Unit.Kind.PROVINCE)
        self.fields["accused_unit"].choices = unit_choices()
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        keep = CHANNEL_FIELDS.get(channel, ())
        for name in OPTIONAL_CHANNEL_FIELDS:
            if name not in keep:
                del self.fields[name]
        if channel == Registration.Channel.ASSIGNED:
            for name in ("source_unit", "external_due"):
                self.fields[name].required = True

    def to_input(self, people: list[services.PetitionerInput]) -> services.PetitionInput:
        d = self.cleaned_data
        return services.PetitionInput(
            channel=self.channel, received_at=d["received_at"], title=d["title"], content=d["content"],
            purpose=d["purpose"], petitioners=people, content_class=d["content_class"], township=d["township"],
            request=d["request"], facts=d["facts"], head_count=d.get("head_count"),
            is_collective=d.get("is_collective"), is_leapfrog=d.get("is_leapfrog", False),
            is_major_urgent=d["is_major_urgent"], is_legal=d["is_legal"], place=d.get("place", ""),
            source_unit=d.get("source_unit", ""), external_number=d.get("external_number", ""),
            external_due=d.get("external_due"), accused_unit=d["accused_unit"],
            accused_person=d["accused_person"], repeat_of=d["repeat_of"].strip(),
            disposition=d["disposition"] if d["repeat_of"].strip() else "", repeat_reason=d["repeat_reason"],
        )  # fmt: skip

    def add_service_errors(self, error_dict: dict[str, list[str]]) -> list[str]:
        """Put the services' Chinese messages next to their fields; return those about the petitioners."""
        people_errors: list[str] = []
        for key, messages in error_dict.items():
            if key == "petitioners":
                people_errors.extend(messages)
                continue
            field = SERVICE_ERROR_FIELDS.get(key, key)
            for message in messages:
                self.add_error(field if field in self.fields else None, message)
        return people_errors


class PetitionerForm(Form):
    name = forms.CharField(label=_("姓名（名称）"), max_length=100, required=False)
    id_number = forms.CharField(label=_("身份证号码"), max_length=40, required=False)
    mobile = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    landline = forms.CharField(label=_("固定电话"), max_length=20, required=False)
    address = forms.CharField(label=_("住址"), max_length=200, required=False)
    is_representative = forms.BooleanField(label=_("代表"), required=False)

    # The same normalisers the services use, so that each message stands next to its input.
    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip()
        return validators.normalize_id_number(value) if value else ""

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        return validators.normalize_mobile(value) if value else ""

    def clean_landline(self):
        value = self.cleaned_data["landline"].strip()
        return validators.normalize_landline(value) if value else ""

    def clean(self):
        data = super().clean()
        filled = any(data.get(k) for k in ("id_number", "mobile", "landline", "address"))
        if filled and not (data.get("name") or "").strip():
            self.add_error("name", _("请填写信访人姓名（名称）。"))
        return data

    def to_input(self) -> services.PetitionerInput | None:
        d = self.cleaned_data
        if not (d.get("name") or "").strip():
            return None
        return services.PetitionerInput(
            name=d["name"].strip(), id_number=d["id_number"], mobile=d["mobile"], landline=d["landline"],
            address=d["address"], is_representative=d["is_representative"],
        )  # fmt: skip


def petitioner_formset(channel: str, data=None) -> forms.BaseFormSet:
    rows = 3 if channel in (Registration.Channel.VISIT, Registration.Channel.VIDEO) else 1
    fs = forms.formset_factory(PetitionerForm, extra=rows - 1, min_num=1, max_num=50)
    return fs(data, prefix="p")


class ScansForm(Form):
    """The clerk's scans of a letter or the materials handed over at a visit, registered with it. Checked again
    by content in the service (citizens.check_uploads), like the portal's uploads."""

    attachments = MultipleFileField(
        label=_("扫描件和材料"), required=False, max_files=citizens.MAX_FILES, max_bytes=citizens.MAX_FILE_BYTES,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
        help_text=_("可选。来信原件扫描件、来访人提交的材料：仅限 JPG、PNG 图片或 PDF 文件，每个不超过10MB，最多5个。"),
    )  # fmt: skip

    def uploads(self) -> list[citizens.Upload]:
        return [citizens.Upload(f.name, f.read()) for f in self.cleaned_data["attachments"]]


# --- worklist and audit filters -----------------------------------------------------------------------


class WorklistFilterForm(Form):
    q = forms.CharField(
        label=_("搜索"), required=False,
        help_text=_("事项编号、登记编号、文号、信访人姓名（可只输部分）、身份证号码、手机号码或内容中的词语；多个词用空格分开。"),
    )  # fmt: skip
    queue = forms.BooleanField(label=_("只看我的待办"), required=False)
    state = forms.ChoiceField(label=_("状态"), required=False)
    channel = forms.ChoiceField(label=_("信访形式"), required=False)
    township = forms.ChoiceField(label=_("问题属地"), required=False)
    handling_unit = forms.ChoiceField(label=_("责任单位"), required=False)
    clock = forms.ChoiceField(
        label=_("时限"), required=False,
        choices=[("", _("全部")), ("overdue", _("已超期")), ("due_soon", _("即将到期"))],
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("全部"))]
        self.fields["state"].choices = everything + list(workflow.STATES.items())
        self.fields["channel"].choices = everything + list(Registration.Channel.choices)
        self.fields["township"].choices = everything + unit_choices(Unit.Kind.TOWNSHIP, blank=False)
        self.fields["handling_unit"].choices = everything + unit_choices(
            *services.HANDLING_KINDS, Unit.Kind.LEGAL, Unit.Kind.DISCIPLINE, blank=False
        )


# --- matter actions -----------------------------------------------------------------------------------


class ActionForm(Form):
    """Base of the small forms on the matter page; `matter` is there for choices that depend on it.

    The view calls the action's service (workflow.Transition.service) as
    `service(form.subject(), by=user, expected_version=v, **transition.arguments, **form.arguments())`."""

    def __init__(self, *args, matter: Matter, user, action: str, **kwargs):
        kwargs.setdefault("auto_id", f"id_{action}_%s")  # several action forms share one page
        super().__init__(*args, **kwargs)
        self.matter = matter
        self.user = user

    def subject(self):
        """What the service acts on: the matter."""
        return self.matter

    def arguments(self) -> dict:
        """The service's keyword arguments from the cleaned input (by default the fields, as named)."""
        return dict(self.cleaned_data)


def _outcome_field(label):
    return forms.ChoiceField(label=label, choices=BLANK + list(Matter.Outcome.choices))


class NoteForm(ActionForm):
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EmptyForm(ActionForm):
    pass


class ForwardForm(ActionForm):
    unit = forms.ChoiceField(label=_("转送至"))
    note = forms.CharField(label=_("转送说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    kinds: tuple = tuple(services.HANDLING_KINDS)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = unit_choices(*self.kinds)

    def clean_unit(self) -> Unit:
        return Unit.objects.get(code=self.cleaned_data["unit"])


class AssignForm(ForwardForm):
    due = forms.DateField(label=_("交办办结期限"), widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].label = _("交办至")
        self.fields["note"].label = _("交办要求")


class RedirectLegalForm(ForwardForm):
    kinds = (Unit.Kind.LEGAL,)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].label = _("转至")
        self.fields["note"].label = _("说明")

    def arguments(self) -> dict:
        return {"unit": self.cleaned_data["unit"], "reason": self.cleaned_data["note"]}


class RedirectDisciplineForm(RedirectLegalForm):
    kinds = (Unit.Kind.DISCIPLINE,)


class RedirectOtherForm(ActionForm):
    reason = forms.CharField(label=_("应向哪个有权机关提出"), max_length=200)


class DeclineForm(ActionForm):
    reason = forms.ChoiceField(label=_("不予受理理由"))
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].choices = BLANK + list(services.DECLINE_REASONS.items())


class RefuseRepeatForm(ActionForm):
    original = forms.CharField(label=_("已终结的原事项编号"), max_length=30)

    def clean_original(self):
        number = self.cleaned_data["original"].strip()
        original = Matter.objects.filter(number=number).first()
        if original is None:
            raise forms.ValidationError(_("原事项编号“%(n)s”不存在。"), params={"n": number})
        return original


class ReportMajorForm(ActionForm):
    note = forms.CharField(label=_("报请决定的情况"), widget=forms.Textarea(attrs={"rows": 2}))


class ObjectForm(ActionForm):
    reason = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 2}))


class AcceptForm(ActionForm):
    simple = forms.BooleanField(label=_("适用简易办理"), required=False)
    note = forms.CharField(label=_("说明"), required=False)


class ChannelForm(ActionForm):
    procedure = forms.ChoiceField(label=_("导入的法定程序"))
    note = forms.CharField(label=_("说明"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["procedure"].choices = BLANK + list(services.CHANNELS.items())


class ExtensionRequestForm(ActionForm):
    """延期申请 by an officer of the handling unit, decided by a 负责人 of the unit."""

    days = forms.IntegerField(label=_("申请延长天数（不超过30日）"), min_value=1, max_value=30)
    reason = forms.CharField(label=_("延期理由（将告知信访人）"), widget=forms.Textarea(attrs={"rows": 2}))


class ExtensionDecisionForm(ActionForm):
    """A 负责人 approves or refuses the pending 延期申请 (shown with it); a refusal needs a reason."""

    request = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("审批意见"), widget=forms.RadioSelect,
        choices=[("approve", _("批准延期")), ("refuse", _("不予批准"))],
    )  # fmt: skip
    reason = forms.CharField(
        label=_("不予批准的理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("不予批准的，须写明理由（申请人可见）。"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.pending = self.matter.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()
        if self.pending is not None:
            self.initial.setdefault("request", self.pending.pk)

    def clean_request(self):
        pk = self.cleaned_data["request"]
        if self.pending is None or self.pending.pk != pk:
            raise forms.ValidationError(_("该延期申请已审批或已撤回，请刷新后重试。"))
        return self.pending

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("不予批准延期的，请写明理由。"))
        return data

    def subject(self):
        return self.cleaned_data["request"]

    def arguments(self) -> dict:
        return {"approve": self.cleaned_data["decision"] == "approve", "reason": self.cleaned_data["reason"]}


class ReplyForm(ActionForm):
    outcome = _outcome_field(_("处理结论"))
    opinion = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}))
    basis = forms.CharField(label=_("依据"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class DecideReviewForm(ActionForm):
    outcome = _outcome_field(_("复查结论"))
    opinion = forms.CharField(label=_("复查意见"), widget=forms.Textarea(attrs={"rows": 3}))


class RecordRecheckForm(ActionForm):
    outcome = _outcome_field(_("复核结论"))
    opinion = forms.CharField(label=_("复核意见"), widget=forms.Textarea(attrs={"rows": 3}))
    decided_on = forms.DateField(label=_("复核意见日期"), required=False, widget=DateInput())


class DeliverForm(ActionForm):
    method = forms.ChoiceField(label=_("送达方式"))
    delivered_on = forms.DateField(label=_("送达日期"), widget=DateInput())
    signed = forms.BooleanField(label=_("信访人已签收"), required=False, initial=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["method"].choices = BLANK + list(Matter.DeliveryMethod.choices)
        self.fields["delivered_on"].initial = timezone.localdate()


class RequestForm(ActionForm):
    requested_on = forms.DateField(label=_("申请日期"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("申请理由"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_on"].initial = timezone.localdate()


class HearingForm(ActionForm):
    """听证 during the 复核: its days are not counted in the recheck period (条例第三十六条)."""

    held_from = forms.DateField(label=_("听证开始日期"), widget=DateInput)
    held_to = forms.DateField(label=_("听证结束日期"), widget=DateInput)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class AccusedForm(ActionForm):
    accused_unit = forms.ModelChoiceField(
        label=_("被检举单位"), queryset=Unit.objects.filter(is_active=True), required=False,
        empty_label=_("（无或不清楚）"), to_field_name="code",
    )  # fmt: skip
    accused_person = forms.CharField(label=_("被检举人"), max_length=100, required=False)
    reason = forms.CharField(label=_("填写或更正的理由"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("accused_unit", self.matter.accused_unit)
            self.initial.setdefault("accused_person", self.matter.accused_person)


def unit_staff(unit_id):
    return User.objects.filter(unit_id=unit_id, is_active=True, groups__name=R.UNIT_OFFICER).order_by(
        "username"
    )


class HandlerForm(ActionForm):
    handler = forms.ModelChoiceField(
        label=_("承办人"), queryset=User.objects.none(), empty_label=_("（请选择）")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = unit_staff(self.matter.handling_unit_id)


class RecusalForm(ActionForm):
    person = forms.ModelChoiceField(
        label=_("回避人员"), queryset=User.objects.none(), empty_label=_("（请选择）")
    )
    reason = forms.CharField(label=_("回避理由"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = unit_staff(self.matter.handling_unit_id) | User.objects.filter(pk=self.user.pk)
        self.fields["person"].queryset = people.distinct().order_by("username")


class FollowUpForm(ActionForm):
    """回访: the bureau's call to the petitioner after the reply (services.record_follow_up)."""

    called_at = forms.DateTimeField(
        label=_("回访时间"), input_formats=[DATETIME_INPUT], widget=DateTimeLocalInput()
    )
    callee = forms.CharField(label=_("回访对象"), max_length=100)
    outcome = forms.ChoiceField(label=_("回访结果（信访人在电话中的表态）"))
    notes = forms.CharField(
        label=_("回访情况"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = BLANK + FollowUpCall.Outcome.choices
        self.fields["called_at"].initial = timezone.localtime().replace(second=0, microsecond=0)


class CorrectionForm(ActionForm):
    """更正登记内容: the summary, 内容分类 and 属地 as registered (services.correct_registration)."""

    title = forms.CharField(label=_("事项摘要"), max_length=200)
    content_class = forms.ChoiceField(label=_("内容分类"), required=False)
    township = forms.ChoiceField(label=_("问题属地（乡镇）"), required=False)
    reason = forms.CharField(label=_("更正理由"), max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["content_class"].choices = code_choices(Code.Table.CONTENT)
        self.fields["township"].choices = unit_choices(Unit.Kind.TOWNSHIP)
        if not self.is_bound:
            m = self.matter
            self.initial.setdefault("title", m.title)
            self.initial.setdefault("content_class", m.content_class.code if m.content_class else "")
            self.initial.setdefault("township", m.township.code if m.township else "")

    def clean_content_class(self) -> Code | None:
        code = self.cleaned_data["content_class"]
        active = Code.objects.filter(table=Code.Table.CONTENT, is_active=True)
        return active.filter(code=code).first() if code else None

    def clean_township(self) -> Unit | None:
        code = self.cleaned_data["township"]
        active = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, is_active=True)
        return active.filter(code=code).first() if code else None


def _visible_matter(user, number: str) -> Matter:
    """A matter named by its number that `user` may see; the same answer for one that does not exist."""
    found = access.visible_matters(user).filter(number=number.strip()).first() if number.strip() else None
    if found is None:
        raise forms.ValidationError(_("未找到事项“%(n)s”，或您无权查看。"), params={"n": number.strip()})
    return found


class MergeForm(ActionForm):
    """合并到… (issue 16): the surviving matter by its number; the page shows its title before `confirm`."""

    into = forms.CharField(
        label=_("保留的事项编号"), max_length=30, help_text=_("本事项的信访件将并入该事项")
    )
    reason = forms.CharField(label=_("合并理由"), max_length=200)
    confirm = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_into(self) -> Matter:
        return _visible_matter(self.user, self.cleaned_data["into"])

    def arguments(self) -> dict:
        return {"into": self.cleaned_data["into"], "reason": self.cleaned_data["reason"]}


class JoinForm(ActionForm):
    """An online submission joins an open matter as a 重复件 (services.join_received)."""

    into = forms.CharField(widget=forms.HiddenInput, max_length=30)
    reason = forms.CharField(label=_("理由"), max_length=200)

    def clean_into(self) -> Matter:
        return _visible_matter(self.user, self.cleaned_data["into"])


class UnmergeForm(ActionForm):
    reason = forms.CharField(label=_("撤销合并的理由"), max_length=200)
