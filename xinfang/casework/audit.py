"""The audit log page and its .xlsx export, for the 审计管理员 only. Every read and every export is itself
audited, with its filters. Labels come from accounts.audit_labels; the xlsx renderer takes plain rows."""

import io
from datetime import datetime, time, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from xinfang.accounts import audit_labels as L
from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import AuditEntry
from xinfang.casework.forms import DateInput, Form
from xinfang.petitions import access

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AuditFilterForm(Form):
    username = forms.CharField(label=gettext_lazy("用户名"), required=False)
    action = forms.ChoiceField(label=gettext_lazy("操作"), required=False)
    result = forms.ChoiceField(label=gettext_lazy("结果"), required=False)
    date_from = forms.DateField(label=gettext_lazy("起始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=gettext_lazy("截止日期"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", _("全部"))] + sorted(
            ((code, str(label)) for code, label in L.ACTION_LABELS.items()), key=lambda c: c[1]
        )
        self.fields["result"].choices = [("", _("全部"))] + [(k, str(v)) for k, v in L.RESULT_LABELS.items()]

    def clean(self):
        d = super().clean()
        if d.get("date_from") and d.get("date_to") and d["date_from"] > d["date_to"]:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"))
        return d


def audit_entries(d: dict):
    """The audit rows that match the cleaned filters, newest first."""
    qs = AuditEntry.objects.all()
    if d.get("username"):
        qs = qs.filter(username__icontains=d["username"].strip())
    if d.get("action"):
        qs = qs.filter(action=d["action"])
    if d.get("result"):
        qs = qs.filter(result=d["result"])
    tz = timezone.get_current_timezone()
    if d.get("date_from"):
        qs = qs.filter(at__gte=datetime.combine(d["date_from"], time.min, tzinfo=tz))
    if d.get("date_to"):
        qs = qs.filter(at__lt=datetime.combine(d["date_to"] + timedelta(days=1), time.min, tzinfo=tz))
    return qs.order_by("-at", "-id")


def _filters(request) -> dict:
    return {k: v for k, v in request.GET.items() if v and k != "page"}


def _refused(request, action: str):
    log_audit(action=action, request=request, result="denied")
    return render(
        request, "casework/denied.html", {"reason": _("只有审计管理员可以查看审计日志。")}, status=403
    )


@login_required
@require_GET
def audit_log(request):
    if not access.can_read_audit_log(request.user):
        return _refused(request, "audit:read")
    # The read itself is logged first, so that the page and its count agree.
    log_audit(action="audit:read", request=request, filters=_filters(request))
    form = AuditFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    page = Paginator(audit_entries(d), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [L.present(e) for e in page.object_list],
        "query": query.urlencode(),
        "filters_text": L.filters_text(_filters(request)),
    }
    return render(request, "casework/audit.html", context)


@login_required
@require_GET
def audit_export(request):
    if not access.can_read_audit_log(request.user):
        return _refused(request, "audit:export")
    form = AuditFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    filters = _filters(request)
    log_audit(action="audit:export", request=request, filters=filters)
    rows = [L.present(e) for e in audit_entries(d)[:EXPORT_LIMIT]]
    stated = L.filters_text(filters) if form.is_valid() else _("筛选条件有误，已导出全部记录")
    content = render_xlsx(rows, filters=stated, exported_at=timezone.localtime(), by=request.user.username)
    response = HttpResponse(content, content_type=XLSX)
    name = _("审计日志_%(date)s.xlsx") % {"date": timezone.localdate().strftime("%Y%m%d")}
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


COLUMNS = (
    gettext_lazy("时间"),
    gettext_lazy("用户"),
    gettext_lazy("角色"),
    "IP",
    gettext_lazy("操作"),
    gettext_lazy("对象"),
    gettext_lazy("结果"),
    gettext_lazy("详情"),
)


def render_xlsx(rows: list[L.AuditRow], *, filters: str, exported_at: datetime, by: str) -> bytes:
    """The rows as a workbook whose first lines state what was exported, when and by whom."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("审计日志")
    ws.append([_("审计日志")])
    ws["A1"].font = Font(bold=True)
    ws.append([_("筛选条件：%(f)s") % {"f": filters}])
    ws.append([_("导出时间：%(t)s；导出人：%(u)s；共 %(n)d 条") % {
        "t": exported_at.strftime("%Y-%m-%d %H:%M:%S"), "u": by, "n": len(rows)}])  # fmt: skip
    ws.append([])
    ws.append([str(c) for c in COLUMNS])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.at.strftime("%Y-%m-%d %H:%M:%S"), r.username, r.roles, r.ip, r.action, r.object, r.result,
                   "\n".join(r.detail)])  # fmt: skip
    for col, width in zip("ABCDEFGH", (20, 14, 20, 16, 22, 22, 8, 60), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
