"""The bureau's year of work in figures (Part 1 of the 部门决算 disclosure, and the three project tables),
computed from casework records. Definitions are in docs/statistics.md §"年度工作统计"."""

from dataclasses import asdict, dataclass
from datetime import date, datetime, time

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from xinfang.petitions.models import (
    AssistanceCase,
    CampaignMatter,
    Deliberation,
    Dispute,
    JointMeeting,
    Matter,
    Registration,
    Unit,
    VideoSession,
)

ABOVE = (Unit.Kind.PREFECTURE, Unit.Kind.PROVINCE)


@dataclass(frozen=True)
class Count2:
    """批次 (or 件次) and 人次."""

    batches: int
    persons: int


@dataclass(frozen=True)
class WorkStatistics:
    year: int
    online_petitions: int  # 办理网上信访（件次）
    bureau_visits: Count2  # 受理来访（批、人次）
    assigned_from_above: int  # 省州交办件
    centre_visits: Count2  # 群众接待中心接待群众来访（批、人次）
    leader_receptions: Count2  # 县级领导接访群众（批、人次）
    leader_resolved: int  # 协调解决群众诉求（件）
    assigned_resolved: int  # 化解省州交办（件）
    assigned_stopped: int  # 其中息诉息访（件）
    backlog_resolved: int  # 县级梳理排查化解信访积案（件）
    reviews: int  # 复查信访案件（件）
    disputes: int  # 排查化解矛盾纠纷（件次）
    joint_meetings: int  # 召开协调会议（次）
    deliberated: int  # 协商研判重要信访案件（件）
    video_meetings: int  # 召开视频会议（次）
    video_persons: int  # 远程接访群众（人次）
    fund_cases: Count2  # 特殊疑难信访问题专项资金：解决（件、人次）
    duty_station: Count2  # 驻外值班接访劝返（批、人次）
    total: Count2  # 信访总量（件次、人次）
    collective_visits: Count2  # 集体访（批、人次）
    leapfrog_visits: Count2  # 越级访（批、人次）
    previous_total: Count2
    previous_collective: Count2
    previous_leapfrog: Count2

    @property
    def three_down(self) -> dict[str, bool]:
        """ "三下降": 信访总量、集体访、越级访 each lower than the previous year (in 件次/批次)."""
        return {
            "信访总量": self.total.batches < self.previous_total.batches,
            "集体访": self.collective_visits.batches < self.previous_collective.batches,
            "越级访": self.leapfrog_visits.batches < self.previous_leapfrog.batches,
        }

    @property
    def improving(self) -> bool:
        """ "一好转": the overall situation improves — all three indicators went down."""
        return all(self.three_down.values())

    def as_dict(self) -> dict:
        data = asdict(self)
        data["three_down"] = self.three_down
        data["improving"] = self.improving
        return data


def _year_range(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        datetime.combine(date(year, 1, 1), time.min, tz),
        datetime.combine(date(year + 1, 1, 1), time.min, tz),
    )


def _registrations(year: int) -> QuerySet:
    start, end = _year_range(year)
    return Registration.objects.filter(received_at__gte=start, received_at__lt=end)


def _count2(qs: QuerySet) -> Count2:
    agg = qs.aggregate(b=Count("id"), p=Sum("head_count"))
    return Count2(agg["b"] or 0, agg["p"] or 0)


def _visits(year: int) -> QuerySet:
    return _registrations(year).filter(channel=Registration.Channel.VISIT)


def work_statistics(year: int) -> WorkStatistics:
    regs = _registrations(year)
    visits = _visits(year)
    start, end = date(year, 1, 1), date(year, 12, 31)
    from_above = Q(matter__registrations__channel=Registration.Channel.ASSIGNED)
    resolved_items = CampaignMatter.objects.filter(resolved_on__range=(start, end)).exclude(status="pending")
    above_items = resolved_items.filter(from_above).distinct()
    paid = AssistanceCase.objects.filter(status=AssistanceCase.Status.PAID, paid_on__range=(start, end))
    start_dt, end_dt = _year_range(year)
    return WorkStatistics(
        year=year,
        online_petitions=regs.filter(channel=Registration.Channel.ONLINE).count(),
        bureau_visits=_count2(visits.filter(site=Registration.Site.BUREAU)),
        assigned_from_above=regs.filter(
            channel=Registration.Channel.ASSIGNED, source_unit__kind__in=ABOVE
        ).count(),
        centre_visits=_count2(visits.filter(site=Registration.Site.CENTRE)),
        leader_receptions=_count2(regs.exclude(leader=None)),
        leader_resolved=regs.exclude(leader=None).filter(outcome="resolved").count(),
        assigned_resolved=above_items.count(),
        assigned_stopped=above_items.filter(status=CampaignMatter.Status.STOPPED).count(),
        backlog_resolved=resolved_items.exclude(pk__in=above_items.values("pk")).count(),
        reviews=Matter.objects.filter(review_decided_on__range=(start, end)).count(),
        disputes=Dispute.objects.filter(found_on__range=(start, end)).count(),
        joint_meetings=JointMeeting.objects.filter(date__range=(start, end)).count(),
        deliberated=Deliberation.objects.filter(meeting__date__range=(start, end))
        .values("matter")
        .distinct()
        .count(),
        video_meetings=VideoSession.objects.filter(
            kind="meeting", held=True, scheduled_at__gte=start_dt, scheduled_at__lt=end_dt
        ).count(),
        video_persons=regs.filter(channel=Registration.Channel.VIDEO).aggregate(n=Sum("head_count"))["n"]
        or 0,
        fund_cases=Count2(paid.count(), paid.aggregate(n=Sum("persons"))["n"] or 0),
        duty_station=_count2(visits.filter(site=Registration.Site.DUTY_STATION)),
        total=_count2(regs),
        collective_visits=_count2(visits.filter(is_collective=True)),
        leapfrog_visits=_count2(visits.filter(is_leapfrog=True)),
        previous_total=_count2(_registrations(year - 1)),
        previous_collective=_count2(_visits(year - 1).filter(is_collective=True)),
        previous_leapfrog=_count2(_visits(year - 1).filter(is_leapfrog=True)),
    )


def summary_lines(s: WorkStatistics) -> list[str]:
    """The figures in the words of the disclosure's Part 1."""
    down = "、".join(f"{k}{'下降' if v else '未下降'}" for k, v in s.three_down.items())
    return [
        f"办理网上信访{s.online_petitions}件次，受理来访{s.bureau_visits.batches}批、{s.bureau_visits.persons}人次，"
        f"省州交办件{s.assigned_from_above}件。",
        f"群众接待中心接待群众来访{s.centre_visits.batches}批、{s.centre_visits.persons}人次。",
        f"县级领导接访群众{s.leader_receptions.batches}批、{s.leader_receptions.persons}人次，"
        f"协调解决群众诉求{s.leader_resolved}件。",
        f"化解省州交办{s.assigned_resolved}件，息诉息访{s.assigned_stopped}件。",
        f"县级梳理排查化解信访积案{s.backlog_resolved}件，复查信访案件{s.reviews}件。",
        f"排查化解矛盾纠纷{s.disputes}件次。",
        f"召开协调会议{s.joint_meetings}次，协商研判重要信访案件{s.deliberated}件。",
        f"召开视频会议{s.video_meetings}次，远程接访群众{s.video_persons}人次。",
        f"特殊疑难信访问题专项资金解决{s.fund_cases.batches}件{s.fund_cases.persons}人次。",
        f"驻外值班接访劝返{s.duty_station.batches}批{s.duty_station.persons}人次。",
        f"信访总量{s.total.batches}件次（上年{s.previous_total.batches}），集体访{s.collective_visits.batches}批"
        f"（上年{s.previous_collective.batches}），越级访{s.leapfrog_visits.batches}批"
        f"（上年{s.previous_leapfrog.batches}）：{down}；"
        + ("形势持续向好（三下降一好转）。" if s.improving else "未达到“三下降一好转”。"),
    ]
