"""Dashboards (统计分析): one page whose figures depend on the role (county-wide for the bureau's staff and
leaders, own unit for a unit officer), the charts' JSON, the drill-down list and the .xlsx exports.
Thin views: parse the filters, call dashboards.py, hand plain tables to the templates / renderers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from xinfang.analytics import dashboards as D
from xinfang.analytics import reports, xlsx
from xinfang.analytics import tables as T
from xinfang.analytics.forms import ClusterCampaignForm, ClusterMeetingForm, DashboardFilterForm
from xinfang.analytics.kpis import Period
from xinfang.casework.programs.views import attempt
from xinfang.core.calendars import missing_schedule_warnings
from xinfang.petitions import access, clusters, queries, supervision, workflow
from xinfang.petitions.models import Registration

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PAGE_SIZE = 50


def denied(request, reason: str):
    return render(request, "casework/denied.html", {"reason": reason}, status=403)


class InvalidFilters(Exception):
    def __init__(self, form):
        super().__init__("; ".join(str(e) for errors in form.errors.values() for e in errors))
        self.form = form


def _filters(request):
    """(form, filters as the user may apply them); PermissionDenied for roles without dashboards,
    InvalidFilters for input the form rejects (an end date before the start, an unknown unit …)."""
    user = request.user
    today = timezone.localdate()
    choices = D.filter_choices(user) if D.is_county_wide(user) or user.unit_id else {}
    data = request.GET.copy()
    if not D.is_county_wide(user):
        data.pop("unit", None)  # a unit officer's figures are their own unit's, whatever unit is asked for
    form = DashboardFilterForm(data or None, choices=choices or {"township": [], "unit": [],
                                                                  "content_class": []}, today=today)  # fmt: skip
    D.dashboard_filters(user, D.Filters(Period(today, today)))  # no dashboards for the role: 403 first
    if form.is_bound and not form.is_valid():
        raise InvalidFilters(form)
    return form, D.dashboard_filters(user, form.filters()), today


def invalid(request, e: InvalidFilters):
    """The filter form with its errors and no figures (a figure for other filters than those asked for
    would be misread). An htmx refresh gets the body with the errors (htmx swaps only 2xx responses)."""
    context = {"form": e.form, "invalid": True, "errors": e.form.errors, "county": D.is_county_wide(request.user),
               "unit_name": getattr(request.user.unit, "name", "") if request.user.unit_id else ""}  # fmt: skip
    if request.htmx:
        return render(request, "analytics/_body.html", context)
    return render(request, "analytics/dashboard.html", context, status=400)


def _tables(user, f: D.Filters, today, names=None) -> dict[str, T.Table]:
    want = set(
        names or ("kpis", "overview", "trend", "classes", "townships_intake", "clocks", "units", "townships")
    )
    out: dict[str, T.Table] = {}
    if "kpis" in want:
        out["kpis"] = T.kpi_table(D.kpi_table(f, today=today), f)
    if "overview" in want:
        out["overview"] = T.overview_table(D.overview(f), D.overview(f.shifted_to(D.year_ago(f.period))),
                                           D.overview(f.shifted_to(D.previous(f.period))), f)  # fmt: skip
    if "trend" in want:
        out["trend"] = T.trend_table(D.intake_trend(f), f)
    if "classes" in want:
        out["classes"] = T.count_table("classes", "内容分类（件次、人次）", "内容分类",
                                       D.intake_by(f, by="content_class"), f, "content_class")  # fmt: skip
    if "townships_intake" in want:
        out["townships_intake"] = T.count_table("townships_intake", "乡镇信访量（问题属地）", "乡镇",
                                                D.intake_by(f, by="township"), f, "township")  # fmt: skip
    if "clocks" in want:
        out["clocks"] = T.clock_table(D.clock_status(f, today=today), f)
    if "units" in want and D.is_county_wide(user):  # a unit officer sees no other unit's figures
        out["units"] = T.league_table(D.league(f, by="unit", today=today), f, by="unit")
    if "townships" in want:
        out["townships"] = T.league_table(D.league(f, by="township", today=today), f, by="township")
    return out


@login_required
@require_GET
def dashboard(request):
    try:
        form, f, today = _filters(request)
    except PermissionDenied as e:
        return denied(request, str(e))
    except InvalidFilters as e:
        return invalid(request, e)
    county = D.is_county_wide(request.user)
    context = {
        "form": form, "filters": f, "county": county, "tables": _tables(request.user, f, today),
        "query": T.filter_query(f), "qs": request.GET.urlencode(),
        "unit_name": "" if county else request.user.unit.name,
        "calendar_warnings": missing_schedule_warnings(today=today), "may_report": _may_report(request.user),
    }  # fmt: skip
    if request.htmx:  # the filters refresh the figures only; the 苗头性问题 panel is always the last 30 days
        return render(request, "analytics/_body.html", context)
    context["clusters"] = clusters.clusters(request.user, today=today)
    context["cluster_days"] = clusters.DAYS
    return render(request, "analytics/dashboard.html", context)


CHARTS = {
    "trend": lambda user, f, today: T.trend_chart(D.intake_trend(f), f),
    "classes": lambda user, f, today: T.count_chart(_tables(user, f, today, ["classes"])["classes"]),
    "townships": lambda user, f, today: T.count_chart(
        _tables(user, f, today, ["townships_intake"])["townships_intake"]),
    "clocks": lambda user, f, today: T.clock_chart(_tables(user, f, today, ["clocks"])["clocks"]),
}  # fmt: skip


@login_required
@require_GET
def chart_data(request, name: str):
    if name not in CHARTS:
        raise Http404
    try:
        _form, f, today = _filters(request)
    except PermissionDenied as e:
        return JsonResponse({"error": str(e)}, status=403)
    except InvalidFilters as e:
        return JsonResponse({"error": str(e)}, status=400, json_dumps_params={"ensure_ascii": False})
    return JsonResponse(CHARTS[name](request.user, f, today), json_dumps_params={"ensure_ascii": False})


@login_required
@require_GET
def export(request, name: str):
    try:
        _form, f, today = _filters(request)
    except PermissionDenied as e:
        return denied(request, str(e))
    except InvalidFilters as e:
        return invalid(request, e)
    if name == "matters":
        tables = [_matters_table(request, f, today)]
    else:
        tables = list(_tables(request.user, f, today, None if name == "all" else [name]).values())
        if not tables:
            raise Http404
    response = HttpResponse(xlsx.render(tables, filters=D.describe(f)), content_type=XLSX)
    filename = f"统计分析_{name}_{f.period.start:%Y%m%d}-{f.period.end:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# --- drill-down ---------------------------------------------------------------------------------------


def _drill(request, f, today):
    g = request.GET
    figure = g.get("figure", "")
    if figure not in D.DRILL_FIGURES:
        raise Http404
    kw = {k: g.get(k, "") for k in ("channel", "month", "clock", "status")}
    if kw["month"] and not (
        len(kw["month"]) == 7 and kw["month"][4] == "-" and kw["month"].replace("-", "").isdigit()
    ):
        raise Http404
    qs = D.drill_down(request.user, f, figure=figure, today=today, **kw)
    qs = qs.select_related("handling_unit", "township").order_by("clock_due", "-registered_at")
    title = D.DRILL_FIGURES[figure]
    if kw["clock"]:
        title += f"：{queries.CLOCK_SHORT.get(kw['clock'], kw['clock'])}"
    if kw["status"]:
        title += (
            f"（{ {'ok': '正常', 'due_soon': '临期', 'overdue': '超期'}.get(kw['status'], kw['status']) }）"
        )
    if kw["channel"]:
        title += f"：{dict(Registration.Channel.choices).get(kw['channel'], kw['channel'])}"
    if kw["month"]:
        title += f"（{kw['month']}）"
    return title, qs


def _matters_table(request, f, today) -> T.Table:
    title, qs = _drill(request, f, today)
    t = T.Table("matters", title, [("事项编号", "text"), ("摘要", "text"), ("属地", "text"), ("责任单位", "text"),
                                   ("状态", "text"), ("时限", "text"), ("登记日期", "text")])  # fmt: skip
    for m in qs[:5000]:
        badge = queries.clock_badge(m, today=today)
        t.rows.append([T.Cell(v) for v in (m.number, m.title, str(m.township or ""), str(m.handling_unit or ""),
                                            str(workflow.STATES[m.state]), badge.text if badge else "",
                                            m.registered_on.isoformat())])  # fmt: skip
    return t


@login_required
@require_GET
def drill_down(request):
    try:
        form, f, today = _filters(request)
    except PermissionDenied as e:
        return denied(request, str(e))
    except InvalidFilters as e:
        return invalid(request, e)
    title, qs = _drill(request, f, today)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [{"matter": m, "state": workflow.STATES[m.state], "badge": queries.clock_badge(m, today=today)}
            for m in page.object_list]  # fmt: skip
    query = request.GET.copy()
    query.pop("page", None)
    context = {"title": title, "page": page, "rows": rows, "filters": f, "query": query.urlencode(),
               "can_direct": request.user.has_role(*supervision.SUPERVISORS)}  # fmt: skip
    return render(request, "analytics/matters.html", context)


# --- 苗头性问题: a cluster of similar matters, and handing it over ----------------------------------------


@login_required
def cluster_page(request, number: str):
    """The matters of the cluster holding matter `number` (as the user sees the clusters: 404 when the user may
    not see that matter, or it is in none), and the forms that hand the cluster to a campaign or a meeting."""
    try:
        D.dashboard_filters(request.user, D.Filters(Period(timezone.localdate(), timezone.localdate())))
    except PermissionDenied as e:
        return denied(request, str(e))
    today = timezone.localdate()
    cluster = clusters.find(request.user, number, today=today)
    if cluster is None:
        raise Http404
    may_hand = request.user.has_role(*clusters.HANDLERS)
    do = request.POST.get("do") if request.method == "POST" else None
    if do is not None and not may_hand:
        return denied(request, "您的角色无权交办苗头性问题。")
    campaign_form = ClusterCampaignForm(
        request.POST if do == "campaign" else None, user=request.user, today=today
    )
    meeting_form = ClusterMeetingForm(
        request.POST if do == "meeting" else None, user=request.user, today=today
    )
    if do == "campaign" and campaign_form.is_valid():
        d = campaign_form.cleaned_data
        try:
            items = attempt(campaign_form, lambda: clusters.hand_to_campaign(
                cluster, by=request.user, campaign=d["campaign"], leader=d["leader"]))  # fmt: skip
        except PermissionDenied as e:
            return denied(request, str(e))
        if items is not None:
            messages.success(request, f"已将{len(items)}件事项列入“{d['campaign'].name}”化解清单。")
            return redirect("programs:campaign", pk=d["campaign"].pk)
    if do == "meeting" and meeting_form.is_valid():
        d = meeting_form.cleaned_data
        try:
            items = attempt(meeting_form, lambda: clusters.hand_to_meeting(
                cluster, by=request.user, meeting=d["meeting"], conclusion=d["conclusion"]))  # fmt: skip
        except PermissionDenied as e:
            return denied(request, str(e))
        if items is not None:
            messages.success(request, f"已将{len(items)}件事项提请“{d['meeting'].title}”研判。")
            return redirect("programs:meeting", pk=d["meeting"].pk)
    rows = [{"matter": m, "title": access.CONFIDENTIAL_LABEL if m.is_confidential else m.title,
             "state": workflow.STATES[m.state]} for m in cluster.matters]  # fmt: skip
    start, end = clusters.window(today)
    context = {"cluster": cluster, "rows": rows, "start": start, "end": end, "may_hand": may_hand,
               "campaign_form": campaign_form, "meeting_form": meeting_form}  # fmt: skip
    return render(request, "analytics/cluster.html", context)


# --- statutory reports (月报、季报、年度报告) ------------------------------------------------------------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _may_report(user) -> bool:
    return user.has_role(*reports.REPORT_ROLES)


@login_required
@require_GET
def statutory_reports(request):
    """The page of the statutory reports: a period (2019-03, 2019Q1, 2019) for the tables, a year for the
    annual report of 条例第四十一条; the files are downloaded from the links it shows."""
    if not _may_report(request.user):
        return denied(request, "只有信访局办案人员、督查督办人员和领导可以生成统计报表。")
    today = timezone.localdate()
    period_text = request.GET.get("period", "").strip()
    error = ""
    if period_text:
        try:
            reports.parse_period(period_text)
        except ValueError as e:
            error = str(e)
    context = {"period": period_text, "error": error, "years": range(today.year, today.year - 8, -1),
               "formats": reports.PERIOD_FORMATS}  # fmt: skip
    return render(request, "analytics/reports.html", context, status=400 if error else 200)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_GET
def periodic_report(request, period: str, fmt: str = "xlsx"):
    if not _may_report(request.user):
        return denied(request, "只有信访局办案人员、督查督办人员和领导可以生成统计报表。")
    try:
        p = reports.parse_period(period)
    except ValueError:
        raise Http404 from None
    name = f"信访工作统计报表_{reports.period_label(p)}.{fmt}"
    if fmt == "docx":
        return _download(reports.periodic_docx(p), DOCX, name)
    return _download(reports.periodic_xlsx(p), XLSX, name)


@login_required
@require_GET
def annual_report(request, year: int, name: str):
    if not _may_report(request.user):
        return denied(request, "只有信访局办案人员、督查督办人员和领导可以生成年度报告。")
    if name not in ("report.docx", "tables.xlsx") or not 2000 <= year <= 2100:
        raise Http404
    r = reports.annual_report(year)
    if name == "report.docx":
        return _download(reports.report_docx(r), DOCX, f"{r.issuer}_{year}年度信访工作情况报告.docx")
    return _download(reports.tables_xlsx(r), XLSX, f"{r.issuer}_{year}年度信访工作统计表.xlsx")
