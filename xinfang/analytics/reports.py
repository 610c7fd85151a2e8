"""Statutory reports (issue 17): the monthly / quarterly statistical tables a county bureau sends up, and the
annual report of 《信访工作条例》第四十一条 (domain-rules §1.7) as an A4 公文 (.docx, GB/T 9704 through
`core.officialdoc`) with its tables (.xlsx).

Every figure comes from the records through the existing readers — `work_statistics` (the year's work
figures, so the annual report equals `xinfang work_statistics --year Y`), the dashboards' `intake_by` /
`overview` / `league` / `kpi_table` and `kpis.evaluation_stats` — and is laid out by `tables.Table`, so the
.xlsx has the numbers of the page. The few counts that no reader had (分流 decisions, 督办, 建议意见类 and
their adoption) are counted here, grouped in the database."""

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db.models import Count, Q
from django.utils import timezone

from xinfang.accounts import roles as R
from xinfang.analytics import dashboards as D
from xinfang.analytics import kpis, xlsx
from xinfang.analytics import tables as T
from xinfang.analytics.kpis import Period
from xinfang.analytics.work_statistics import WorkStatistics, summary_lines, work_statistics
from xinfang.core import officialdoc
from xinfang.petitions import workflow
from xinfang.petitions.models import Evaluation, Event, Matter, SupervisionOrder, Unit

# Who may produce and download the statutory reports: the bureau's case officers, supervisors and leaders.
REPORT_ROLES = (R.CASE_OFFICER, R.SUPERVISOR, R.LEADER)

PERIOD_FORMATS = "2019（全年）、2019Q1（季度）或 2019-03（月份）"


def parse_period(text: str) -> Period:
    """'2019-03' → March 2019, '2019Q1' → the first quarter, '2019' → the year; ValueError in Chinese."""
    text = (text or "").strip().upper()
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
        year, month = int(m[1]), int(m[2])
        if 1 <= month <= 12:
            return Period.month(year, month)
    elif m := re.fullmatch(r"(\d{4})Q([1-4])", text):
        year, q = int(m[1]), int(m[2])
        return Period(Period.month(year, 3 * q - 2).start, Period.month(year, 3 * q).end)
    elif re.fullmatch(r"\d{4}", text):
        return Period.year(int(text))
    raise ValueError(f"统计期间“{text}”格式不正确，应为{PERIOD_FORMATS}。")


def period_label(period: Period) -> str:
    s, e = period.start, period.end
    if s.month == 1 and s.day == 1 and e.month == 12 and e.day == 31 and s.year == e.year:
        return f"{s.year}年"
    if s.day == 1 and Period.month(s.year, s.month) == period:
        return f"{s.year}年{s.month}月"
    if s.day == 1 and s.month % 3 == 1 and Period(s, Period.month(s.year, s.month + 2).end) == period:
        return f"{s.year}年第{'一二三四'[s.month // 3]}季度"
    return f"{s:%Y-%m-%d}至{e:%Y-%m-%d}"


# --- counts no existing reader gives -------------------------------------------------------------------


TRIAGE_ACTIONS = [t for t in workflow.TRANSITIONS if t.triage]


def triage_counts(period: Period) -> list[tuple[str, int]]:
    """信访部门分流: (decision, matters) for every triage decision (转送/交办/转政法/转纪检监察/告知/不予受理/
    不再受理) the bureau took in P, counted on the date of its event."""
    start, end = period.datetimes()
    rows = dict(
        Event.objects.filter(
            kind__in=[f"matter:{t.action}" for t in TRIAGE_ACTIONS], at__gte=start, at__lt=end
        )
        .values_list("action")
        .annotate(n=Count("pk"))
        .values_list("action", "n")
    )
    return [(t.label, rows.get(t.action, 0)) for t in TRIAGE_ACTIONS]


@dataclass(frozen=True)
class SupervisionCounts:
    issued: int  # orders issued in P
    by_level: list[tuple[str, int]]  # 催办 / 督办 / 挂牌督办 issued in P
    answered: int  # written feedback (采纳情况) received in P
    closed: int  # closed in P
    dismissed_or_pending: int  # proposed in P and not issued (yet)


def supervision_counts(period: Period) -> SupervisionCounts:
    start, end = period.datetimes()
    orders = SupervisionOrder.objects
    in_p = {"issued_at__gte": start, "issued_at__lt": end}
    levels = dict(
        orders.filter(**in_p).values_list("level").annotate(n=Count("pk")).values_list("level", "n")
    )
    return SupervisionCounts(
        issued=sum(levels.values()),
        by_level=[(str(label), levels.get(code, 0)) for code, label in SupervisionOrder.Level.choices],
        answered=orders.filter(feedback_at__gte=start, feedback_at__lt=end).count(),
        closed=orders.filter(closed_at__gte=start, closed_at__lt=end).count(),
        dismissed_or_pending=orders.filter(
            proposed_at__gte=start, proposed_at__lt=end, issued_at=None
        ).count(),
    )


@dataclass(frozen=True)
class SuggestionCounts:
    received: int  # 建议意见类 matters registered in P (条例第二十九条)
    replied: int  # of those replied (any date up to now)
    adopted: int  # replied 予以支持 (采纳或部分采纳)
    feedback: int  # 督办建议 answered in writing in P (书面反馈采纳情况, 条例第四十条)


def suggestion_counts(period: Period) -> SuggestionCounts:
    suggestions = Matter.objects.filter(
        category=Matter.Category.SUGGESTION, registered_on__range=(period.start, period.end)
    ).aggregate(
        received=Count("pk"),
        replied=Count("pk", filter=Q(replied_on__isnull=False)),
        adopted=Count("pk", filter=Q(replied_on__isnull=False, outcome=Matter.Outcome.SUPPORT)),
    )
    return SuggestionCounts(**suggestions, feedback=supervision_counts(period).answered)


# --- the tables -------------------------------------------------------------------------------------------


def _pairs_table(key: str, title: str, label: str, rows: list[tuple[str, int]], unit: str = "件") -> T.Table:
    t = T.Table(key, title, [(label, "text"), (unit, "int")])
    t.rows = [[T.Cell(name), T.Cell(n)] for name, n in rows]
    return t


def _channel_table(f: D.Filters) -> T.Table:
    t = T.Table(
        "channels",
        "信访形式（件次/批次、人次）",
        [("信访形式", "text"), ("件次（批次）", "int"), ("人次", "int")],
    )
    for r in D.intake_by(f, by="channel"):
        t.rows.append([T.Cell(r.label), T.Cell(r.registrations), T.Cell(r.persons)])
    return t


def _evaluation_table(period: Period, today: date) -> T.Table:
    t = T.Table("evaluation", "群众评价", [("评价对象", "text"), ("满意", "int"), ("基本满意", "int"),
                ("不满意", "int"), ("超期未评价", "int"), ("参评率", "rate"), ("满意率", "rate")])  # fmt: skip
    for target, label in Evaluation.Target.choices:
        s = kpis.evaluation_stats(period, target=target, today=today)
        t.rows.append([T.Cell(str(label)), T.Cell(s.satisfied), T.Cell(s.basically), T.Cell(s.unsatisfied),
                       T.Cell(s.expired), T.Cell(s.participation_rate), T.Cell(s.satisfaction_rate)])  # fmt: skip
    return t


def _supervision_table(s: SupervisionCounts) -> T.Table:
    rows = [("下达督办单", s.issued)] + [(f"其中{label}", n) for label, n in s.by_level]
    rows += [("收到书面反馈", s.answered), ("督办办结", s.closed), ("系统建议未下达", s.dismissed_or_pending)]
    return _pairs_table("supervision", "督查督办", "项目", rows)


def periodic_tables(period: Period, *, today: date | None = None) -> list[T.Table]:
    """The statistical tables of a month, quarter or any period: intake by 形式 (批次/人次), the overview
    (初件/重复件/集体访/越级访, 同比/环比), by content class, township and handling unit, 分流, timeliness
    (及时受理率/按期办结率 with 同比/环比), 督办 and evaluation."""
    today = today or timezone.localdate()
    f = D.Filters(period)
    return [
        _channel_table(f),
        T.overview_table(
            D.overview(f),
            D.overview(f.shifted_to(D.year_ago(period))),
            D.overview(f.shifted_to(D.previous(period))),
            f,
        ),  # fmt: skip
        T.count_table(
            "classes",
            "内容分类（件次、人次）",
            "内容分类",
            D.intake_by(f, by="content_class"),
            f,
            "content_class",
        ),  # fmt: skip
        T.count_table(
            "townships_intake", "乡镇信访量（问题属地）", "乡镇", D.intake_by(f, by="township"), f, "township"
        ),  # fmt: skip
        T.league_table(D.league(f, by="unit", today=today), f, by="unit"),
        _pairs_table("triage", "信访部门分流（转送、交办等）", "分流方式", triage_counts(period)),
        T.kpi_table(D.kpi_table(f, today=today), f),
        _supervision_table(supervision_counts(period)),
        _evaluation_table(period, today),
    ]


def _heading(period: Period) -> list[tuple[str, str]]:
    return D.describe(D.Filters(period))[:1] + [("报表", f"{period_label(period)}信访工作统计报表")]


def periodic_xlsx(period: Period, *, today: date | None = None) -> bytes:
    return xlsx.render(periodic_tables(period, today=today), filters=_heading(period))


def _docx_rows(t: T.Table) -> list[list[str]]:
    return [[c[0] for c in t.columns]] + [["" if v is None else str(v) for v in row] for row in t.values()]


def _bureau_name() -> str:
    return Unit.objects.filter(kind=Unit.Kind.BUREAU).values_list("name", flat=True).first() or "县信访局"


def periodic_docx(period: Period, *, today: date | None = None) -> bytes:
    """The same tables as periodic_xlsx as an official document to print and send up (A4, GB/T 9704)."""
    today = today or timezone.localdate()
    issuer = _bureau_name()
    doc = officialdoc.new_document(title=f"{issuer}{period_label(period)}信访工作统计报表")
    officialdoc.add_body_paragraph(doc, "本报表各项数字均由信访信息系统的业务记录生成。")
    for i, t in enumerate(periodic_tables(period, today=today), 1):
        officialdoc.add_heading(doc, f"表{i}　{t.title}")
        officialdoc.add_table(doc, _docx_rows(t), header=True)
        if t.note:
            officialdoc.add_body_paragraph(doc, t.note)
    officialdoc.add_signature(doc, issuer=issuer, on=today)
    return officialdoc.to_bytes(doc)


# --- the annual report (条例第四十一条) ----------------------------------------------------------------

WORK_FIGURES = [
    ("online_petitions", "办理网上信访（件次）"), ("bureau_visits", "受理来访（批、人次）"),
    ("assigned_from_above", "省州交办件（件）"), ("centre_visits", "群众接待中心接待群众来访（批、人次）"),
    ("leader_receptions", "县级领导接访群众（批、人次）"), ("leader_resolved", "协调解决群众诉求（件）"),
    ("assigned_resolved", "化解省州交办（件）"), ("assigned_stopped", "其中息诉息访（件）"),
    ("backlog_resolved", "县级梳理排查化解信访积案（件）"), ("reviews", "复查信访案件（件）"),
    ("disputes", "排查化解矛盾纠纷（件次）"), ("joint_meetings", "召开协调会议（次）"),
    ("deliberated", "协商研判重要信访案件（件）"), ("video_meetings", "召开视频会议（次）"),
    ("video_persons", "远程接访群众（人次）"), ("fund_cases", "专项资金解决（件、人次）"),
    ("duty_station", "驻外值班接访劝返（批、人次）"), ("total", "信访总量（件次、人次）"),
    ("collective_visits", "集体访（批、人次）"), ("leapfrog_visits", "越级访（批、人次）"),
    ("previous_total", "上年信访总量（件次、人次）"), ("previous_collective", "上年集体访（批、人次）"),
    ("previous_leapfrog", "上年越级访（批、人次）"),
]  # fmt: skip


def work_table(s: WorkStatistics) -> T.Table:
    """The year's work figures, one row each: 件次/批次 and 人次 (blank where the figure has no 人次)."""
    t = T.Table("work", "年度工作统计", [("项目", "text"), ("件（批、次）", "int"), ("人次", "int")])
    for name, label in WORK_FIGURES:
        v = getattr(s, name)
        t.rows.append([T.Cell(label)] + ([T.Cell(v.batches), T.Cell(v.persons)] if hasattr(v, "batches")
                                         else [T.Cell(v), T.Cell(None)]))  # fmt: skip
    return t


MOST_COMPLAINED = 5  # units named in 被投诉较多的机关、单位


@dataclass(frozen=True)
class AnnualReport:
    year: int
    issuer: str
    addressee: str
    work: WorkStatistics
    tables: list[T.Table]
    classes: list[D.CountRow]
    units: list[D.LeagueRow]  # the most complained-about units, most matters first
    triage: list[tuple[str, int]]
    supervision: SupervisionCounts
    suggestions: SuggestionCounts
    evaluation: T.Table

    @property
    def title(self) -> str:
        return f"{self.issuer}关于{self.year}年度信访工作情况的报告"


def annual_report(year: int, *, today: date | None = None) -> AnnualReport:
    today = today or timezone.localdate()
    period = Period.year(year)
    f = D.Filters(period)
    work = work_statistics(year)
    tables = [work_table(work), *periodic_tables(period, today=today)]
    by_key = {t.key: t for t in tables}
    units = sorted(D.league(f, by="unit", today=today), key=lambda r: (-r.registered, r.key))
    issuer = _bureau_name()
    gov = (
        Unit.objects.filter(kind=Unit.Kind.COUNTY_GOV).values_list("name", flat=True).first() or "县委县政府"
    )
    above = Unit.objects.filter(kind=Unit.Kind.PREFECTURE).values_list("name", flat=True).first()
    return AnnualReport(
        year=year, issuer=issuer, addressee="，".join(n for n in (gov, above) if n), work=work, tables=tables,
        classes=D.intake_by(f, by="content_class"), units=[u for u in units if u.registered][:MOST_COMPLAINED],
        triage=triage_counts(period), supervision=supervision_counts(period),
        suggestions=suggestion_counts(period), evaluation=by_key["evaluation"],
    )  # fmt: skip


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def report_docx(r: AnnualReport, *, on: date | None = None) -> bytes:
    doc = officialdoc.new_document(title=r.title, addressee=r.addressee)
    officialdoc.add_body_paragraph(
        doc,
        f"根据《信访工作条例》第四十一条，现将{r.year}年度信访工作情况报告如下（数据均由信访信息系统业务记录生成）。",
    )
    officialdoc.add_heading(doc, "一、信访事项的数据统计")
    for line in summary_lines(r.work):
        officialdoc.add_body_paragraph(doc, line)
    officialdoc.add_table(doc, _docx_rows(r.tables[0]), header=True)
    officialdoc.add_heading(doc, "二、涉及领域以及被投诉较多的机关、单位")
    total = sum(c.registrations for c in r.classes)
    fields = "，".join(
        f"{c.label}{c.registrations}件次（{c.registrations / total:.1%}）" for c in r.classes[:5]
    )
    officialdoc.add_body_paragraph(doc, officialdoc.sentence(f"按内容分类，反映较多的领域依次为：{fields}")
                                   if total else "本年度无登记的信访事项。")  # fmt: skip
    if r.units:
        officialdoc.add_body_paragraph(doc, "信访事项较多的责任单位：")
        rows = [["责任单位", "登记事项", "按期办结率", "满意率", "当前超期"]]
        rows += [[u.label, str(u.registered), _percent(u.completion_rate), _percent(u.satisfaction_rate),
                  str(u.overdue_now)] for u in r.units]  # fmt: skip
        officialdoc.add_table(doc, rows, header=True)
    officialdoc.add_heading(doc, "三、转送、交办、督办情况")
    triage = "，".join(f"{label}{n}件" for label, n in r.triage if n) or "无"
    officialdoc.add_body_paragraph(doc, officialdoc.sentence(f"信访部门分流信访事项：{triage}"))
    s = r.supervision
    levels = "、".join(f"{label}{n}件" for label, n in s.by_level if n)
    officialdoc.add_body_paragraph(doc, officialdoc.join_clauses(
        f"下达督办单{s.issued}件" + (f"（{levels}）" if levels else ""),
        f"收到被督办单位书面反馈{s.answered}件", f"督办办结{s.closed}件"))  # fmt: skip
    officialdoc.add_heading(doc, "四、改进工作、完善政策、追究责任的建议及采纳情况")
    g = r.suggestions
    officialdoc.add_body_paragraph(doc, officialdoc.join_clauses(
        f"登记建议意见类信访事项{g.received}件", f"已答复{g.replied}件",
        f"其中予以采纳（支持）{g.adopted}件",
        f"向有关单位提出督办及改进工作建议后收到书面反馈采纳情况{g.feedback}件"))  # fmt: skip
    officialdoc.add_heading(doc, "五、其他")
    evals = "；".join(f"对{row[0].value}的满意率{_percent(row[6].value)}、参评率{_percent(row[5].value)}"
                     for row in r.evaluation.rows)  # fmt: skip
    officialdoc.add_body_paragraph(doc, officialdoc.sentence(f"群众评价：{evals}"))
    officialdoc.add_body_paragraph(doc, "各项统计表见附件《信访工作统计表》（tables.xlsx）。")
    officialdoc.add_signature(doc, issuer=r.issuer, on=on or timezone.localdate())
    return officialdoc.to_bytes(doc)


def tables_xlsx(r: AnnualReport) -> bytes:
    return xlsx.render(r.tables, filters=_heading(Period.year(r.year)))


def write_annual_report(year: int, out: Path, *, today: date | None = None) -> list[Path]:
    """report.docx and tables.xlsx of the year in `out`."""
    r = annual_report(year, today=today)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in (("report.docx", report_docx(r, on=today)), ("tables.xlsx", tables_xlsx(r))):
        (out / name).write_bytes(content)
        written.append(out / name)
    return written
