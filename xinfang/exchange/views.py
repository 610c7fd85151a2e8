"""The staff page of the exchange with the level above (bureau clerks and case officers): upload a package with
a dry run first, then import it; export the results since a date; the export log."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from xinfang.accounts.audit import log_audit
from xinfang.casework.forms import DateInput, Form
from xinfang.exchange import exporter, importer, reader
from xinfang.exchange.models import Export
from xinfang.petitions import access

MAX_UPLOAD = 50 * 1024 * 1024


class ImportForm(Form):
    file = forms.FileField(label=_("交换包（.json、.zip 或 .xlsx）"))
    dry_run = forms.BooleanField(label=_("试导入（只检查，不保存）"), required=False, initial=True)

    def clean_file(self):
        f = self.cleaned_data["file"]
        if f.size > MAX_UPLOAD:
            raise forms.ValidationError(_("文件超过50MB，请使用命令 xinfang import_exchange 导入。"))
        return f


class ExportForm(Form):
    since = forms.DateField(label=_("起始日期（含）"), required=False, widget=DateInput())
    zipped = forms.BooleanField(label=_("附件作为单独文件（.zip）"), required=False)


def _denied(request):
    log_audit(action="exchange:page", request=request, result="denied")
    reason = _("只有信访部门登记、办案人员可以导入上级交办件和报送办理结果。")
    return render(request, "casework/denied.html", {"reason": reason}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def exchange_page(request):
    if not access.registers_for_bureau(request.user):
        return _denied(request)
    import_form, export_form, report, unreadable = ImportForm(), ExportForm(), None, ""
    if request.method == "POST" and "export" in request.POST:
        export_form = ExportForm(request.POST)
        if export_form.is_valid():
            return _export(request, export_form.cleaned_data)
    elif request.method == "POST":
        import_form = ImportForm(request.POST, request.FILES)
        if import_form.is_valid():
            upload = import_form.cleaned_data["file"]
            try:
                source = reader.read(upload.name, upload.read())
            except reader.Unreadable as e:
                unreadable = str(e)
            else:
                report = importer.import_package(
                    source, by=request.user, dry_run=import_form.cleaned_data["dry_run"]
                )
                if report.committed:
                    log_audit(action="exchange:import", request=request, created=len(report.created),
                              updated=len(report.updated), file=upload.name)  # fmt: skip
    context = {
        "import_form": import_form, "export_form": export_form, "report": report, "unreadable": unreadable,
        "exports": Export.objects.select_related("by")[:20],
    }  # fmt: skip
    return render(request, "exchange/exchange.html", context)


def _export(request, d: dict) -> HttpResponse:
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    name = f"办理结果-{stamp}.{'zip' if d['zipped'] else 'json'}"
    with transaction.atomic():
        _log, content = exporter.export(out=name, by=request.user, since=d["since"])
    response = HttpResponse(content, content_type="application/zip" if d["zipped"] else "application/json")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response
