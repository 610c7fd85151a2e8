"""Exports of the staff UI: the worklist as .xlsx, with the same filters and sort as the page and only the
matters the user may see (queries.worklist reads access.visible_matters). A query yields plain rows; the
renderer turns them into a workbook and never touches the ORM."""

import io
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from openpyxl import Workbook
from openpyxl.styles import Font

from xinfang.accounts import audit_labels
from xinfang.accounts.audit import log_audit
from xinfang.casework import views
from xinfang.petitions import queries, workflow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_LIMIT = 20_000


@dataclass(frozen=True)
class WorklistRow:
    number: str
    title: str
    channel: str
    registered_at: datetime
    township: str
    handling_unit: str
    state: str
    due: str
    clock: str


def worklist_rows(user, f: queries.WorklistFilter) -> list[WorklistRow]:
    qs = queries.worklist(user, f).prefetch_related(views._first_channels())[:EXPORT_LIMIT]
    rows = []
    for m in qs:
        r = views._row(m)
        badge = r["badge"]
        rows.append(WorklistRow(
            number=m.number, title=m.title, channel=str(r["channel"]), registered_at=timezone.localtime(m.registered_at),
            township=str(m.township or ""), handling_unit=str(m.handling_unit or ""),
            state=str(workflow.STATES[m.state]), due=badge.due.isoformat() if badge else "",
            clock=badge.text if badge else "",
        ))  # fmt: skip
    return rows


COLUMNS = (gettext_lazy("事项编号"), gettext_lazy("摘要"), gettext_lazy("信访形式"), gettext_lazy("登记时间"),
           gettext_lazy("属地"), gettext_lazy("责任单位"), gettext_lazy("状态"), gettext_lazy("期限"),
           gettext_lazy("时限"))  # fmt: skip


def render_worklist_xlsx(
    rows: list[WorklistRow], *, title: str, filters: str, exported_at: datetime
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([title])
    ws["A1"].font = Font(bold=True)
    ws.append([_("筛选条件：%(f)s") % {"f": filters}])
    ws.append(
        [_("导出时间：%(t)s；共 %(n)d 件") % {"t": exported_at.strftime("%Y-%m-%d %H:%M"), "n": len(rows)}]
    )
    ws.append([])
    ws.append([str(c) for c in COLUMNS])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for r in rows:
        ws.append([r.number, r.title, r.channel, r.registered_at.strftime("%Y-%m-%d %H:%M"), r.township,
                   r.handling_unit, r.state, r.due, r.clock])  # fmt: skip
    for col, width in zip("ABCDEFGHI", (18, 40, 10, 18, 14, 28, 16, 12, 22), strict=True):
        ws.column_dimensions[col].width = width
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


@login_required
@require_GET
def worklist_export(request):
    form, f = views.worklist_filter(request)
    filters = {k: v for k, v in request.GET.items() if v and k not in ("page", "filtered")}
    if f.queue:
        filters["queue"] = True
    rows = worklist_rows(request.user, f)
    log_audit(action="worklist:export", request=request, filters=filters, count=len(rows))
    title = _("待办工作") if f.queue else _("信访事项查询")
    content = render_worklist_xlsx(rows, title=title, filters=audit_labels.filters_text(_readable(form, filters)),
                                   exported_at=timezone.localtime())  # fmt: skip
    response = HttpResponse(content, content_type=XLSX)
    name = f"{title}_{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def _readable(form, filters: dict) -> dict:
    """Filter values as their choice labels (状态 “已登记待分流”, not `registered`)."""
    out = {}
    for k, v in filters.items():
        field = form.fields.get(k)
        choices = dict(getattr(field, "choices", []) or []) if field is not None else {}
        if k == "sort":
            v = dict(views.SORT_COLUMNS).get(v.removeprefix("-"), v)
            v = f"{v}（{_('降序') if filters['sort'].startswith('-') else _('升序')}）"
        out[k] = str(choices.get(v, v)) if isinstance(v, str) else v
    return out
