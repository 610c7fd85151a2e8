"""苗头性问题 (issue 16, “across the county”): clusters of similar matters registered within a window, across
townships and units, for the supervisor's dashboard — and handing a cluster to the joint meeting (联席会议) or
a backlog campaign (积案化解).

How a cluster is found (ADR 0015, “Clusters”), bounded by the window and the band index:

1. the matters registered in the window (`registered_on` in the last `days` days, ending `today`) that the user
   may see (access.visible_matters: the supervisor county-wide, a unit's staff their unit; a confidential
   matter never reaches whoever it is hidden from);
2. their LSH band rows (`SimilarityBand`, similar.py): two matters sharing a band key are a candidate pair;
3. each candidate pair is compared exactly (Ochiai over the same words as the intake suggestions) and kept
   when it reaches `THRESHOLD`;
4. the kept pairs are joined by single linkage (connected components, union-find);
5. a component is a cluster when it has ≥ `MIN_SIZE` matters and spans ≥ 2 townships or ≥ 2 handling units,
   or has ≥ `MIN_SIZE_ALONE` matters whatever it spans.

Nothing is stored: the clusters are computed from the rows when asked (a county's month is a few thousand
matters at most). A cluster is named in URLs by one of its matters (`find`); a confidential matter is listed
under access.CONFIDENTIAL_LABEL, never by its title, and never gives a cluster its title.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction

from xinfang.accounts import roles as R
from xinfang.petitions import access, programs, services, similar, workflow
from xinfang.petitions.models import (
    Campaign,
    CampaignMatter,
    Deliberation,
    JointMeeting,
    Matter,
    SimilarityBand,
)

DAYS = 30  # the default window
THRESHOLD = 0.5  # exact word overlap (Ochiai) for two matters to be linked
MIN_SIZE = 3  # a cluster spanning ≥ 2 townships or ≥ 2 units
MIN_SIZE_ALONE = 5  # a cluster within one township and one unit
MAX_BUCKET = 400  # matters of the window sharing one band key: more are compared with the first ones only
# What a cluster's matters are read with (the panel, the drill-down, the access checks of the hand-over).
COLUMNS = ("number", "title", "state", "registered_at", "registered_on", "is_confidential", "accused_unit_id",
           "accused_user_id", "township__code", "township__name", "handling_unit__code", "handling_unit__name",
           "content_class__name")  # fmt: skip
# Who may hand a cluster over (the roles of programs.add_to_campaign and programs.deliberate).
HANDLERS = (R.CASE_OFFICER, R.SUPERVISOR, R.LEADER)


@dataclass
class Cluster:
    matters: list[Matter]  # newest first
    title: str  # a representative title: that of the matter that made most of the cluster's links
    townships: list[str]  # names, most matters first
    units: list[str]  # handling units' names, most matters first
    content_class: str  # the most frequent content class's name
    first_half: int  # matters registered in the first half of the window
    second_half: int  # … and in the second half
    weeks: list[int] = field(
        default_factory=list
    )  # matters per 7 days, back from the window's last day; oldest first
    key: str = ""  # the number of its earliest matter: how URLs name the cluster

    @property
    def size(self) -> int:
        return len(self.matters)

    @property
    def trend(self) -> str:
        if self.second_half > self.first_half:
            return "上升"
        if self.second_half < self.first_half:
            return "下降"
        return "持平"


def window(today: date, days: int = DAYS) -> tuple[date, date]:
    """The first and last day of the window of `days` days ending `today`."""
    return today - timedelta(days=days - 1), today


class _Links:
    """Union-find over matter ids."""

    def __init__(self):
        self.parent: dict[int, int] = {}

    def root(self, x: int) -> int:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def join(self, a: int, b: int) -> None:
        ra, rb = self.root(a), self.root(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _buckets(matters) -> list[list[int]]:
    """The window's matters grouped by band key (one query over the band rows of the matters of `matters`, a
    queryset); only the keys that two or more of them share, each with at most MAX_BUCKET matters."""
    buckets: dict[int, list[int]] = {}
    rows = SimilarityBand.objects.filter(matter__in=matters.values("pk")).values_list("key", "matter_id")
    for key, matter_id in rows.iterator(chunk_size=5000):
        buckets.setdefault(key, []).append(matter_id)
    return [sorted(set(ids))[:MAX_BUCKET] for ids in buckets.values() if len(ids) > 1]


def _link(words: dict[int, set[str]], buckets: list[list[int]], threshold: float) -> tuple[_Links, Counter]:
    """Single linkage over the candidate pairs (two matters of a bucket): a pair is compared exactly only when
    its matters are not linked yet, and once. Returns the links and each matter's number of links made."""
    links, degree, below = _Links(), Counter(), set()
    for members in buckets:
        if len({links.root(m) for m in members}) == 1:
            continue  # linked already (most buckets of a large cluster): nothing to compare
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                if (a, b) in below or links.root(a) == links.root(b):
                    continue
                if similar.ochiai(words[a], words[b]) >= threshold:
                    links.join(a, b)
                    degree[a] += 1
                    degree[b] += 1
                else:
                    below.add((a, b))
    return links, degree


def _most_first(units) -> list[str]:
    """The units' names, the most frequent first (ties by code)."""
    counts = Counter((u.code, u.name) for u in units)
    return [name for (_code, name), _n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))]


def clusters(
    user, *, today: date | None = None, days: int = DAYS, threshold: float = THRESHOLD
) -> list[Cluster]:
    """The clusters of similar matters registered in the window that `user` may see, largest first."""
    today = today or services.today()
    start, end = window(today, days)
    visible = access.visible_matters(user).filter(
        registered_on__gte=start, registered_on__lte=end, merged_into__isnull=True
    )  # a matter merged into another (合并) counts as that one
    words = {pk: similar.shingles(w or "") for pk, w in visible.values_list("pk", "search__words")}
    if len(words) < MIN_SIZE:
        return []
    links, degree = _link(words, _buckets(visible), threshold)
    groups: dict[int, list[int]] = {}
    for pk in degree:
        groups.setdefault(links.root(pk), []).append(pk)
    groups = {root: pks for root, pks in groups.items() if len(pks) >= MIN_SIZE}
    if not groups:
        return []
    matters = (
        Matter.objects.select_related("township", "handling_unit", "content_class")
        .only(*COLUMNS)
        .in_bulk([pk for pks in groups.values() for pk in pks])
    )
    half = start + timedelta(days=days // 2)
    out = []
    for pks in groups.values():
        ms = sorted((matters[pk] for pk in pks), key=lambda m: (m.registered_at, m.pk), reverse=True)
        townships = _most_first(m.township for m in ms if m.township_id)
        units = _most_first(m.handling_unit for m in ms if m.handling_unit_id)
        if len(ms) < MIN_SIZE_ALONE and len(townships) < 2 and len(units) < 2:
            continue
        classes = Counter(m.content_class.name for m in ms if m.content_class_id)
        open_titles = [m for m in ms if not m.is_confidential]
        best = (
            max(open_titles, key=lambda m: (degree[m.pk], m.registered_at)) if open_titles else None
        )  # a hub
        weeks = [0] * ((days + 6) // 7)  # counted back from `today`: the oldest week may be short
        for m in ms:
            weeks[-1 - (end - m.registered_on).days // 7] += 1
        out.append(Cluster(
            matters=ms, title=best.title if best else access.CONFIDENTIAL_LABEL,
            townships=townships, units=units,
            content_class=classes.most_common(1)[0][0] if classes else "",
            first_half=sum(1 for m in ms if m.registered_on < half),
            second_half=sum(1 for m in ms if m.registered_on >= half), weeks=weeks, key=ms[-1].number,
        ))  # fmt: skip
    out.sort(key=lambda c: (-c.size, -len(c.townships), c.key))
    return out


def find(user, number: str, *, today: date | None = None, days: int = DAYS) -> Cluster | None:
    """The cluster (as `user` sees it) holding the matter `number`; None when that matter is in none, or the
    user may not see it."""
    return next((c for c in clusters(user, today=today, days=days) if any(m.number == number for m in c.matters)),
                None)  # fmt: skip


def label(cluster: Cluster) -> str:
    """How the cluster is named in a campaign's or a meeting's records."""
    return f"苗头性问题“{cluster.title}”（{cluster.size}件，涉及{'、'.join(cluster.townships) or '—'}）"


def _require(by) -> None:
    if by is None or not by.has_role(*HANDLERS):
        raise PermissionDenied("您的角色无权交办苗头性问题。")


@transaction.atomic
def hand_to_campaign(cluster: Cluster, *, by, campaign: Campaign, leader=None) -> list[CampaignMatter]:
    """List the cluster's matters not yet in `campaign` on its 化解清单, each with its handling unit (the bureau
    for a matter not yet passed to a unit) as 责任单位; an Event on each matter names the cluster. All or
    nothing (one transaction). Only open matters are listed: a finished one needs no 化解. Returns the new
    items."""
    _require(by)
    if campaign.end < services.today():
        raise services.WorkflowError("该积案化解活动已结束，请选择正在进行的活动。")
    listed = set(campaign.items.values_list("matter_id", flat=True))
    bureau = services.bureau()
    items = []
    for m in cluster.matters:
        if m.pk in listed or m.state not in workflow.OPEN_STATES:
            continue
        items.append(programs.add_to_campaign(campaign, by=by, matter=m, unit=m.handling_unit or bureau,
                                              leader=leader))  # fmt: skip
        programs._event(m, "cluster:handed_over", by=by, note=f"{label(cluster)}列入{campaign.name}",
                        data={"campaign": campaign.pk, "cluster": cluster.key})  # fmt: skip
    if not items:
        raise services.WorkflowError("该苗头性问题没有尚未列入本次活动化解清单的在办事项。")
    return items


@transaction.atomic
def hand_to_meeting(cluster: Cluster, *, by, meeting: JointMeeting, conclusion: str) -> list[Deliberation]:
    """Put the cluster's matters not yet deliberated at `meeting` before it (研判, with `conclusion`); an Event
    on each matter names the cluster. All or nothing. Returns the new deliberations."""
    _require(by)
    if not conclusion.strip():
        raise services.WorkflowError("请填写提请研判的事由或研判结论。")
    done = set(meeting.deliberations.values_list("matter_id", flat=True))
    items = []
    for m in cluster.matters:
        if m.pk in done:
            continue
        items.append(
            programs.deliberate(
                meeting, by=by, matter=m, conclusion=f"{label(cluster)}：{conclusion.strip()}"
            )
        )
        programs._event(m, "cluster:handed_over", by=by, note=f"{label(cluster)}提请{meeting.title}（{meeting.date}）研判",
                        data={"meeting": meeting.pk, "cluster": cluster.key})  # fmt: skip
    if not items:
        raise services.WorkflowError("该苗头性问题的事项均已在本次会议研判。")
    return items
