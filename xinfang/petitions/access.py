"""Who may see and act on what. One place, used by lists, detail pages, downloads, exports and the API."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from xinfang.accounts import roles as R
from xinfang.petitions import workflow
from xinfang.petitions.models import ExtensionRequest, Matter, Unit

# Roles that see every matter of the county (subject to the whistleblower rule below).
COUNTY_WIDE = (R.CLERK, R.CASE_OFFICER, R.SUPERVISOR, R.LEADER, R.AUDITOR)
# Roles that see the matters handled by their own unit: its officers and its 负责人.
UNIT_STAFF = (R.UNIT_OFFICER, R.UNIT_HEAD)
# Actions that the system (by=None) or the petitioner (through the portal) may take.
WITHOUT_STAFF = frozenset({"close", "request_review", "request_recheck"})


def _accused_filter(user) -> Q:
    """检举控告: the accused unit and the accused person never see the matter (条例第三十条第三款)."""
    q = Q(accused_user=user)
    if user.unit_id:
        q |= Q(accused_unit_id=user.unit_id)
    return Q(is_confidential=True) & q


def is_accused_unit(matter: Matter, unit) -> bool:
    """Whether `unit` (a Unit or its id) is the accused unit of a confidential matter: it may never receive
    the matter, an order about it or anything that names it."""
    unit_id = getattr(unit, "pk", unit)
    return bool(matter.is_confidential and unit_id is not None and matter.accused_unit_id == unit_id)


def visible_matters(user, queryset: QuerySet | None = None) -> QuerySet:
    qs = Matter.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.has_role(*COUNTY_WIDE):
        return qs.exclude(_accused_filter(user))
    if user.has_role(*UNIT_STAFF) and user.unit_id:
        return qs.filter(handling_unit_id=user.unit_id).exclude(_accused_filter(user))
    return qs.none()


def search_unit(user) -> int | None:
    """The unit whose matters are all that `user` may see (its staff), for the search to look words up within
    that unit on the index (search.filter_matters); None for everyone else. Narrows the lookup only:
    visible_matters still decides what is found."""
    if user is None or not user.is_authenticated or user.has_role(*COUNTY_WIDE):
        return None
    return user.unit_id if user.has_role(*UNIT_STAFF) else None


def can_view(user, matter: Matter) -> bool:
    return visible_matters(user).filter(pk=matter.pk).exists()


def hidden_matters(user) -> QuerySet:
    """Confidential matters that `visible_matters` hides from `user`. Records about something else that name a
    matter (orders, fund cases, registrations on a reception day) are left out for the user when they name
    one of these, for roles that read them without seeing matters (finance) as for everyone else."""
    return Matter.objects.filter(is_confidential=True).exclude(pk__in=visible_matters(user).values("pk"))


def viewers(users, matter: Matter) -> list:
    """Those of `users` who may see `matter`: the only recipients of its notifications and alerts."""
    return [u for u in users if can_view(u, matter)]


# How a confidential matter is named outside its own page (notifications, 通报, order documents): never by its
# title or content, which would tell whoever reads them what was reported (条例第三十条第三款).
CONFIDENTIAL_LABEL = "检举控告件（内容保密）"


def matter_label(matter: Matter) -> str:
    """The number and title of a matter, or the number and a neutral label when it is confidential."""
    if matter.is_confidential:
        return f"{matter.number} {CONFIDENTIAL_LABEL}"
    return f"{matter.number}“{matter.title}”"


def view_denial(user, matter: Matter) -> str | None:
    return None if can_view(user, matter) else "您无权查看该信访事项。"


def action_denial(user, matter: Matter, action: str, *, seen: bool = False) -> str | None:
    """Why `user` may not take `action` on `matter` now; None when allowed. Denials change nothing. `seen`: the
    caller has just checked, in the same transaction, that `user` may see `matter` (services.transition)."""
    t = workflow.transition_for(action)
    if user is not None and not seen and (reason := view_denial(user, matter)) is not None:
        return reason
    if matter.merged_into_id is not None:  # 合并 (issue 16): the surviving matter is handled, not this one
        return merged_denial(matter)
    if matter.state not in t.sources:
        return f"当前状态为“{workflow.STATES[matter.state]}”，不能执行“{t.label}”。"
    if user is None:
        return None if action in WITHOUT_STAFF else "此操作须由工作人员执行。"
    if not user.has_role(*t.roles):
        return f"您的角色无权执行“{t.label}”。"
    if (reason := _scope_denial(user, matter, t)) is not None:
        return reason
    if t.requested_by:
        pending = pending_request(matter)
        if pending is None:
            return f"没有待审批的申请，不能执行“{t.label}”。"
        if user.pk in (pending.requested_by_id, matter.handler_id):
            return f"“{t.label}”须由申请人和承办人以外的负责人审批。"
    return None


def merged_denial(matter: Matter) -> str:
    into = Matter.objects.filter(pk=matter.merged_into_id).values_list("number", flat=True).first()
    return f"该事项已并入{into}，请在{into}办理；如合并有误，请先撤销合并。"


def _scope_denial(user, matter: Matter, t: workflow.Transition) -> str | None:
    if t.actor_scope == "unit":
        if matter.handling_unit_id is None or user.unit_id != matter.handling_unit_id:
            return "只能办理本单位承办的信访事项。"
    if matter.recusals.filter(user=user).exists():
        return "您已回避该事项，不能办理。"
    return None


def pending_request(matter: Matter) -> ExtensionRequest | None:
    """The request awaiting a decision on the matter (at most one, by a database constraint)."""
    return matter.extension_requests.filter(state=ExtensionRequest.State.PENDING).first()


def request_denial(user, matter: Matter, action: str) -> str | None:
    """Why `user` may not request the requested `action` (延期) on `matter` now; None when allowed."""
    t = workflow.transition_for(action)
    if not t.requested_by:
        raise ValueError(f"“{t.label}”无须申请。")
    if user is None:
        return "此操作须由工作人员执行。"
    if (reason := view_denial(user, matter)) is not None:
        return reason
    if matter.state not in t.sources:
        return f"当前状态为“{workflow.STATES[matter.state]}”，不能申请“{t.label}”。"
    if not user.has_role(*t.requested_by):
        return f"您的角色无权申请“{t.label}”。"
    return _scope_denial(user, matter, t)


def check_request(user, matter: Matter, action: str) -> None:
    if (reason := request_denial(user, matter, action)) is not None:
        raise PermissionDenied(reason)


def check_action(user, matter: Matter, action: str, *, seen: bool = False) -> None:
    if (reason := action_denial(user, matter, action, seen=seen)) is not None:
        raise PermissionDenied(reason)


def available_actions(user, matter: Matter) -> list[workflow.Transition]:
    return [t for t in workflow.actions_from(matter.state) if action_denial(user, matter, t.action) is None]


# Units that register what they receive directly (条例第二十三条第一、二款): departments, townships, the county
# government.
DIRECT_INTAKE_UNIT_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.TOWNSHIP, Unit.Kind.COUNTY_GOV)


def registers_for_bureau(user) -> bool:
    """The bureau's reception and case staff register for the bureau (then the bureau triages)."""
    return bool(user and user.is_authenticated and user.has_role(*workflow.BUREAU_TRIAGE))


def can_register(user) -> bool:
    """Who may register incoming petitions (登记): the bureau's reception and case staff, and the officers of a
    unit or township for what their unit received directly."""
    if registers_for_bureau(user):
        return True
    return bool(
        user and user.is_authenticated and user.has_role(R.UNIT_OFFICER) and user.unit_id
        and user.unit.kind in DIRECT_INTAKE_UNIT_KINDS
    )  # fmt: skip


def can_view_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("petitions.view_full_personal_data"))


def can_read_audit_log(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(R.AUDITOR))


def can_manage_users(user) -> bool:
    return bool(user and user.is_authenticated and user.has_role(R.ADMIN))
