"""Citizen forms. Labels and messages in Chinese; personal data checked with core.validators."""

from django import forms
from django.core.exceptions import ValidationError

from xinfang.core import validators
from xinfang.core.forms import MultipleFileField
from xinfang.petitions import citizens
from xinfang.petitions.models import Code, Evaluation, Unit

PURPOSE_HINT = {
    "suggestion": "建议意见类",
    "accusation": "检举控告类",
    "claim": "申诉求决类",
    "consult": "咨询",
}

# Units a citizen may name as accused: the county's own organs (the higher levels are not handled here).
ACCUSABLE_KINDS = (Unit.Kind.COUNTY_GOV, Unit.Kind.BUREAU, Unit.Kind.RECEPTION, Unit.Kind.DEPARTMENT,
                   Unit.Kind.TOWNSHIP, Unit.Kind.LEGAL, Unit.Kind.DISCIPLINE)  # fmt: skip

UNSATISFIED_REASONS = [
    ("", "请选择"),
    ("诉求未得到解决", "诉求未得到解决"),
    ("办理不及时", "办理不及时"),
    ("答复内容不清楚、不具体", "答复内容不清楚、不具体"),
    ("未调查核实、办理程序不规范", "未调查核实、办理程序不规范"),
    ("工作态度不好", "工作态度不好"),
    ("其他", "其他（请在下方说明）"),
]


def uploads_of(files) -> list[citizens.Upload]:
    return [citizens.Upload(f.name, f.read()) for f in files or []]


class HoneypotMixin(forms.Form):
    # Hidden from people (off-screen, aria-hidden, not focusable); bots that fill every field fill it.
    website = forms.CharField(
        label="网址（请勿填写）",
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


class SubmitForm(HoneypotMixin):
    purpose = forms.ChoiceField(label="信访目的")
    content_class = forms.ChoiceField(label="内容分类")
    township = forms.ChoiceField(label="问题属地（乡镇）")
    title = forms.CharField(label="标题", max_length=100, help_text="用一句话概括您反映的问题。")
    facts = forms.CharField(
        label="事实和理由", max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text="请写明时间、地点、经过和涉及的单位；请客观真实，不得捏造、歪曲事实。",
    )  # fmt: skip
    request = forms.CharField(
        label="诉求", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="您希望有关机关怎样处理。",
    )  # fmt: skip
    attachments = MultipleFileField(
        label="附件", required=False, max_files=citizens.MAX_FILES, max_bytes=citizens.MAX_FILE_BYTES,
        help_text="可选。仅限 JPG、PNG 图片或 PDF 文件，每个不超过10MB，最多5个。",
    )  # fmt: skip
    accused_unit = forms.ChoiceField(
        label="被检举单位", required=False,
        help_text="检举控告类请选择被检举、揭发的单位（如有）。检举材料不会转给被检举单位。",
    )  # fmt: skip
    accused_person = forms.CharField(
        label="被检举人",
        max_length=100,
        required=False,
        help_text="检举控告类请填写被检举人姓名、职务（如知道）。",
    )
    name = forms.CharField(label="姓名（名称）", max_length=50, required=False)
    id_number = forms.CharField(label="居民身份证号码", max_length=18, required=False)
    mobile = forms.CharField(label="手机号码", max_length=20, required=False)
    address = forms.CharField(label="住址", max_length=200, required=False)
    form_token = forms.CharField(required=False, widget=forms.HiddenInput)  # one-time: portal/tokens.py

    field_order = ["purpose", "content_class", "township", "title", "facts", "request", "attachments",
                   "accused_unit", "accused_person", "name", "id_number", "mobile", "address", "website"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        purposes = Code.objects.filter(table=Code.Table.PURPOSE, is_active=True)
        self.fields["purpose"].choices = [("", "请选择")] + [
            (c.code, f"{c.name}（{PURPOSE_HINT[c.category]}）" if c.category != "consult" else c.name)
            for c in purposes
        ]
        classes = Code.objects.filter(table=Code.Table.CONTENT, is_active=True, parent__isnull=True)
        self.fields["content_class"].choices = [("", "请选择")] + [(c.code, c.name) for c in classes]
        towns = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, is_active=True).order_by("code")
        self.fields["township"].choices = [("", "请选择")] + [(u.code, u.name) for u in towns]
        accusable = Unit.objects.filter(is_active=True, kind__in=ACCUSABLE_KINDS).order_by("kind", "code")
        self.fields["accused_unit"].choices = [("", "不涉及或不清楚")] + [(u.code, u.name) for u in accusable]
        self.fields["name"].help_text = "申诉求决类必填；建议意见、检举控告类可不填（匿名）。"
        self.fields["id_number"].help_text = "18位，申诉求决类必填。"
        self.fields["mobile"].help_text = "11位手机号码，申诉求决类必填。"

    def clean_id_number(self):
        value = self.cleaned_data["id_number"].strip()
        if value:
            try:
                value = validators.normalize_id_number(value)
            except ValidationError as e:
                raise ValidationError("身份证号码不正确：" + "；".join(e.messages)) from None
        return value

    def clean_mobile(self):
        value = self.cleaned_data["mobile"].strip()
        if value:
            try:
                value = validators.normalize_mobile(value)
            except ValidationError as e:
                raise ValidationError("手机号码不正确：" + "；".join(e.messages)) from None
        return value

    def clean(self):
        d = super().clean()
        purpose = Code.objects.filter(
            table=Code.Table.PURPOSE, code=d.get("purpose", ""), is_active=True
        ).first()
        if purpose is not None and purpose.category != "accusation":
            d["accused_unit"], d["accused_person"] = "", ""  # only an accusation names the accused
        if purpose is not None and purpose.category == "claim":
            for name, label in (("name", "姓名"), ("id_number", "身份证号码"), ("mobile", "手机号码")):
                if name in d and not d[name]:
                    self.add_error(name, f"申诉求决类信访须填写{label}。")
        return d


class TrackForm(forms.Form):
    number = forms.CharField(label="登记编号", max_length=30, help_text="例如 DJ2024000123")
    code = forms.CharField(label="查询码", max_length=20, help_text="12位字母和数字，不区分大小写")


class EvaluationForm(forms.Form):
    value = forms.ChoiceField(label="评价", choices=Evaluation.Value.choices, widget=forms.RadioSelect)
    reason = forms.ChoiceField(label="不满意原因", choices=UNSATISFIED_REASONS, required=False)
    text = forms.CharField(
        label="评价内容", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealForm(forms.Form):
    kind = forms.ChoiceField(choices=[("review", "复查"), ("recheck", "复核")], widget=forms.HiddenInput)
    reason = forms.CharField(
        label="请求理由", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class InformationForm(forms.Form):
    text = forms.CharField(
        label="补充内容", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachments = MultipleFileField(
        label="补充附件",
        required=False,
        max_files=citizens.MAX_FILES,
        max_bytes=citizens.MAX_FILE_BYTES,
        help_text="仅限 JPG、PNG 图片或 PDF 文件，每个不超过10MB，最多5个。",
    )
