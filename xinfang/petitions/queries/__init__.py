"""Readers for screens, the API and statistics. Permission filtering always goes through access.py."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from xinfang.accounts import roles as R
from xinfang.core import validators
from xinfang.petitions import access, deadlines, pii, search, workflow
from xinfang.petitions.models import Event, ExtensionRequest, Matter, Registration, RegistrationPetitioner

# The queue each role works from by default (the states that wait for that role's action).
ROLE_QUEUES = {
    R.CLERK: (workflow.RECEIVED, workflow.REGISTERED, workflow.REPORTED, workflow.DELIVERED,
              workflow.REVIEW_DECIDED),
    R.CASE_OFFICER: (workflow.REGISTERED, workflow.REPORTED, workflow.OBJECTED, workflow.UNDER_REVIEW,
                     workflow.UNDER_RECHECK),
    R.UNIT_OFFICER: (workflow.FORWARDED, workflow.ASSIGNED, workflow.RECEIVED_BY_UNIT, workflow.ACCEPTED,
                     workflow.INVESTIGATING, workflow.EXTENDED, workflow.REPLIED),
}  # fmt: skip


@dataclass
class WorklistFilter:
    queue: bool = True  # only the states waiting for the user's roles
    state: str = ""
    channel: str = ""
    township: str = ""  # Unit.code
    handling_unit: str = ""  # Unit.code
    clock: str = ""  # "overdue" | "due_soon"
    q: str = ""  # the one search box: numbers, ID number, mobile, a petitioner's name, words (search.py)
    sort: str = ""  # a key of WORKLIST_SORTS, "-" in front for descending; "" = the most urgent first


# The columns a worklist may be sorted by (nothing else reaches order_by); the last field breaks ties.
WORKLIST_SORTS = {
    "number": ("number",),
    "registered": ("registered_at", "id"),
    "due": ("clock_due", "-registered_at"),
    "state": ("state", "clock_due"),
    "township": ("township__code", "clock_due"),
    "unit": ("handling_unit__name", "clock_due"),
}
# Search results come newest first unless the user sorts them: by the registration time (Matter.registered_at:
# for an imported old register its own date, not the day of the import), the primary key breaking ties. Both
# descend, so a page is read off the index (registered_at, id) (a unit's: (handling_unit, registered_at, id)),
# where an order the index does not hold sorts every match first (a common word matches tens of thousands).
SEARCH_SORT = "-registered"


def open_slice(qs: QuerySet, offset: int, limit: int) -> tuple[list, bool]:
    """`limit` rows from `offset` and whether more follow, without counting: one row more is read."""
    rows = list(qs[offset : offset + limit + 1])
    return rows[:limit], len(rows) > limit


@dataclass(frozen=True)
class OpenPage:
    """A page of a list that is not counted (a search: counting a common word's matches costs as much as sorting
    them): `per_page` + 1 rows are read to know whether a next page exists. `total` is known only on the last
    page. Offers what the worklist template reads of a Django Page."""

    object_list: list
    number: int
    per_page: int
    has_next: bool

    @classmethod
    def read(cls, qs: QuerySet, number, per_page: int) -> "OpenPage":
        number = int(number) if str(number or "").isdigit() and int(number) > 0 else 1
        rows, has_next = open_slice(qs, (number - 1) * per_page, per_page)
        if not rows and number > 1:  # past the end (a stale link): the first page
            return cls.read(qs, 1, per_page)
        return cls(rows, number, per_page, has_next)

    @property
    def total(self) -> int | None:
        return None if self.has_next else (self.number - 1) * self.per_page + len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def worklist_order(sort: str) -> tuple[str, ...]:
    """The order_by fields of a whitelisted sort key (unknown keys: the default, most urgent first)."""
    key = sort.removeprefix("-")
    if key not in WORKLIST_SORTS:
        return WORKLIST_SORTS["due"]
    first, *rest = WORKLIST_SORTS[key]
    if not sort.startswith("-"):
        return (first, *rest)
    # descending: the primary key as tie-breaker descends too, so that the order is one index read backwards
    return (f"-{first}", *(f"-{r}" if r == "id" else r for r in rest))


def queue_states(user) -> set[str]:
    states: set[str] = set()
    for role, queue in ROLE_QUEUES.items():
        if user.has_role(role):
            states.update(queue)
    return states or set(workflow.OPEN_STATES)


def worklist(user, f: WorklistFilter | None = None, *, today: date | None = None) -> QuerySet:
    f = f or WorklistFilter()
    today = today or timezone.localdate()
    qs = access.visible_matters(user).select_related("handling_unit", "township", "content_class", "purpose")
    qs = qs.filter(merged_into__isnull=True)  # 合并 (issue 16): handled as the matter it was merged into
    if f.state:
        qs = qs.filter(state=f.state)
    elif f.queue:
        qs = qs.filter(state__in=queue_states(user))
    if f.channel:
        qs = qs.filter(registrations__channel=f.channel).distinct()
    if f.township:
        qs = qs.filter(township__code=f.township)
    if f.handling_unit:
        qs = qs.filter(handling_unit__code=f.handling_unit)
    if f.clock == "overdue":
        qs = qs.filter(clock_due__lt=today)
    elif f.clock == "due_soon":
        soon = today + timedelta(days=deadlines._setting("XINFANG_DUE_SOON_DAYS", 3))
        qs = qs.filter(clock_due__gte=today, clock_due__lte=soon)
    if f.q:
        # within what the user may see: a hidden matter is never found
        qs = search.filter_matters(qs, f.q, unit=access.search_unit(user), ordered=f.sort == SEARCH_SORT)
    return qs.order_by(*worklist_order(f.sort))


def pending_requests(user) -> list[ExtensionRequest]:
    """待审批延期: the pending 延期申请 that `user` may decide now (access.action_denial decides), oldest first."""
    roles = {r for t in workflow.requested_actions() for r in t.roles}
    if user is None or not user.is_authenticated or not user.has_role(*roles):
        return []
    pending = ExtensionRequest.objects.filter(
        state=ExtensionRequest.State.PENDING, matter__in=access.visible_matters(user)
    ).select_related("matter", "matter__handling_unit", "matter__handler", "requested_by")
    return [
        r for r in pending.order_by("requested_at", "id")
        if all(access.action_denial(user, r.matter, t.action) is None for t in workflow.requested_actions())
    ]  # fmt: skip


@dataclass(frozen=True)
class ClockBadge:
    code: str
    label: str
    due: date
    status: str  # ok | due_soon | overdue
    days_left: int

    @property
    def text(self) -> str:
        if self.status == "overdue":
            return f"{self.label}：已超期{-self.days_left}天"
        if self.days_left == 0:
            return f"{self.label}：今日到期"
        return f"{self.label}：剩{self.days_left}天"


CLOCK_SHORT = {
    "TRIAGE": "转送交办",
    "NOTIFY": "受理告知",
    "HANDLE": "办理",
    "SIMPLE": "简易办理",
    "REVIEW_REQUEST": "复查申请期",
    "REVIEW": "复查",
    "RECHECK_REQUEST": "复核申请期",
    "RECHECK": "复核",
    "TRIAGE_COUNTY_SLICE": "县级转送交办",
    "NOTIFY_DIRECT": "直接受理告知",
    "EXTERNAL_REPORT": "上级交办期限",
}
# States after the reply: the result that the level above asked for exists, its deadline no longer runs.
REPLIED_STATES = frozenset({workflow.REPLIED, workflow.DELIVERED, workflow.UNDER_REVIEW, workflow.REVIEW_DECIDED,
                            workflow.UNDER_RECHECK}) | workflow.FINAL_STATES  # fmt: skip


def external_due(matter: Matter) -> date | None:
    """The deadline the level above set for an item it assigned (上级交办期限): the earliest of the matter's
    registrations; None once the result exists (replied or finished)."""
    if matter.state in REPLIED_STATES:
        return None
    dues = [r.external_due for r in matter.registrations.all() if r.external_due is not None]
    return min(dues) if dues else None


def clock_badge(matter: Matter, *, today: date | None = None) -> ClockBadge | None:
    """The running clock of a matter, as the worklists and the matter page show it."""
    if not matter.clock or matter.clock_due is None:
        return None
    today = today or timezone.localdate()
    return ClockBadge(
        code=matter.clock,
        label=CLOCK_SHORT.get(matter.clock, deadlines.CLOCKS[matter.clock].label),
        due=matter.clock_due,
        status=deadlines.clock_status(matter.clock_due, today=today),
        days_left=deadlines.days_left(matter.clock_due, today),
    )


def external_badge(matter: Matter, *, today: date | None = None) -> ClockBadge | None:
    """The 上级交办期限 as a second clock badge beside the statutory one."""
    due = external_due(matter)
    if due is None:
        return None
    today = today or timezone.localdate()
    return ClockBadge(code="EXTERNAL_REPORT", label=CLOCK_SHORT["EXTERNAL_REPORT"], due=due,
                      status=deadlines.clock_status(due, today=today), days_left=deadlines.days_left(due, today))  # fmt: skip


def timeline(matter: Matter, *, public_only: bool = False) -> QuerySet:
    qs = Event.objects.filter(matter=matter).select_related("actor", "unit", "document")
    return qs.filter(is_public=True) if public_only else qs


def registrations(matter: Matter) -> QuerySet:
    people = RegistrationPetitioner.objects.select_related("petitioner")
    return (
        Registration.objects.filter(matter=matter)
        .select_related("source_unit", "registered_by")
        .prefetch_related(Prefetch("registrationpetitioner_set", queryset=people))
        .order_by("registered_at")
    )


@dataclass(frozen=True)
class PetitionerView:
    id: int
    name: str
    id_number: str
    mobile: str
    landline: str
    address: str
    is_representative: bool
    masked: bool


def petitioner_view(link: RegistrationPetitioner, *, full: bool) -> PetitionerView:
    p = link.petitioner
    if full:
        return PetitionerView(p.pk, p.name, p.id_number, p.mobile, p.landline, p.address, link.is_representative,
                              False)  # fmt: skip
    return PetitionerView(
        p.pk, p.name, validators.mask_id_number(p.id_number) if p.id_number else "",
        validators.mask_phone(p.mobile) if p.mobile else "",
        validators.mask_phone(p.landline) if p.landline else "", p.address, link.is_representative, True,
    )  # fmt: skip


def similar_matters(user, *, id_numbers: list[str]) -> QuerySet:
    """Earlier matters of the same petitioner (同人), for the clerk to decide whether it is 同事."""
    return (
        access.visible_matters(user)
        .filter(
            registrations__petitioners__id_number_hash__in=[pii.id_number_hash(n) for n in id_numbers if n]
        )
        .distinct()
        .order_by("-registered_at")
    )


def published_reception_days(*, today: date | None = None, limit: int = 20) -> QuerySet:
    """Upcoming leader reception days published for the public (条例第十八条: 领导定期接待群众来访)."""
    from xinfang.petitions.models import ReceptionDay

    today = today or timezone.localdate()
    return ReceptionDay.objects.filter(is_published=True, date__gte=today).select_related("leader")[:limit]
