"""The staff page of the legacy import (信访局办案人员): upload a historical register, map its columns (each field
to a header of the file, proposed from the headers' names), then check it (试导入) or import it as a
background task whose progress the page polls (`petitions.legacy`)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.casework.forms import Form
from xinfang.petitions import legacy

MAX_UPLOAD = 20 * 1024 * 1024
SKIP = ""


class UploadForm(Form):
    file = forms.FileField(label=_("历史信访登记表（.xlsx）"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过20MB，请分批导入或使用命令 xinfang import_legacy。"))
        return f


class MappingForm(Form):
    """One choice per field: which header of the file holds it (or none, for an optional field)."""

    dry_run = forms.BooleanField(label=_("试导入（只检查，不保存）"), required=False, initial=True)

    def __init__(self, *args, headers: list[str], proposed: dict[str, int], **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(SKIP, _("（无此列）"))] + [(h, h) for h in headers if h]
        for f in legacy.FIELDS:
            initial = headers[proposed[f.key]] if f.key in proposed else SKIP
            self.fields[f"col_{f.key}"] = forms.ChoiceField(
                label=f"{f.label}{'（必填）' if f.required else ''}", choices=choices, initial=initial,
                required=f.required,
            )  # fmt: skip
        self.order_fields([f"col_{f.key}" for f in legacy.FIELDS] + ["dry_run"])

    def mapping(self) -> dict[str, str]:
        """{field: header}, "" for a field the file does not have (so it is not looked for by name)."""
        return {f.key: self.cleaned_data[f"col_{f.key}"] for f in legacy.FIELDS}


def _denied(request):
    reason = _("只有信访局办案人员可以导入历史信访登记表。")
    return render(request, "casework/denied.html", {"reason": reason}, status=403)


def _mapping_form(job: str, data=None):
    headers, _rows = legacy.read_sheet(legacy.read_upload(job))
    proposed, _problems = legacy.resolve_mapping(headers)
    return MappingForm(data, headers=headers, proposed=proposed)


@login_required
@require_http_methods(["GET", "POST"])
def legacy_page(request):
    if not legacy.may_import(request.user):
        return _denied(request)
    form, mapping_form, job, filename, unreadable = UploadForm(), None, "", "", ""
    if request.method == "POST" and "job" in request.POST:  # the mapping chosen: check or import
        job, filename = request.POST["job"], request.POST.get("filename", "")
        before = legacy.read_status(job) if job.isalnum() else None
        if not job.isalnum() or (
            before and (before["user"] != request.user.pk or before["state"] == "running")
        ):
            raise Http404  # another's upload, or one already running
        mapping_form = _mapping_form(job, request.POST)
        if mapping_form.is_valid():
            legacy.start_job(job, by=request.user, filename=filename, mapping=mapping_form.mapping(),
                             dry_run=mapping_form.cleaned_data["dry_run"])  # fmt: skip
            context = {"job": job, "status": legacy.read_status(job)}
            return render(request, "casework/legacy.html", context)
    elif request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            content, filename = upload.read(), upload.name
            try:
                legacy.read_sheet(content)
            except ValidationError as e:
                unreadable = "；".join(e.messages)
            else:
                job = legacy.store_upload(content)
                mapping_form = _mapping_form(job)
    context = {"form": form, "mapping_form": mapping_form, "job": job, "filename": filename,
               "unreadable": unreadable}  # fmt: skip
    return render(request, "casework/legacy.html", context, status=400 if unreadable else 200)


@login_required
@require_GET
def legacy_status(request, job: str):
    if not legacy.may_import(request.user):
        return _denied(request)
    status = legacy.read_status(job) if job.isalnum() else None
    if status is None or status.get("user") != request.user.pk:
        raise Http404
    return render(request, "casework/_legacy_status.html", {"job": job, "status": status})
