"""States and the allowed-transition table of a 信访事项. Plain data: services, docs and tests import it.

`docs/workflow.md` lists the same table; tests/workflow/test_workflow_doc.py fails when they disagree.
"""

from dataclasses import dataclass

from xinfang.accounts import roles as R

# --- states -------------------------------------------------------------------------------------------
RECEIVED = "received"
REGISTERED = "registered"
REPORTED = "reported"
FORWARDED = "forwarded"
ASSIGNED = "assigned"
REDIRECTED_LEGAL = "redirected_legal"
REDIRECTED_DISCIPLINE = "redirected_discipline"
REDIRECTED_OTHER = "redirected_other"
NOT_ACCEPTED = "not_accepted"
NO_LONGER_ACCEPTED = "no_longer_accepted"
RECEIVED_BY_UNIT = "received_by_unit"
OBJECTED = "objected"
ACCEPTED = "accepted"
CHANNELED = "channeled"
INVESTIGATING = "investigating"
EXTENDED = "extended"
REPLIED = "replied"
DELIVERED = "delivered"
UNDER_REVIEW = "under_review"
REVIEW_DECIDED = "review_decided"
UNDER_RECHECK = "under_recheck"
TERMINATED = "terminated"
CLOSED = "closed"
ARCHIVED = "archived"

STATES: dict[str, str] = {
    RECEIVED: "已收到待登记",
    REGISTERED: "已登记待分流",
    REPORTED: "重大紧急已报请决定",
    FORWARDED: "已转送",
    ASSIGNED: "已交办",
    REDIRECTED_LEGAL: "已转政法部门",
    REDIRECTED_DISCIPLINE: "已转纪检监察机关",
    REDIRECTED_OTHER: "已告知向有权机关提出",
    NOT_ACCEPTED: "不予受理",
    NO_LONGER_ACCEPTED: "不再受理",
    RECEIVED_BY_UNIT: "责任单位已签收",
    OBJECTED: "责任单位提出异议",
    ACCEPTED: "已受理",
    CHANNELED: "已导入法定程序",
    INVESTIGATING: "调查核实中",
    EXTENDED: "已延期",
    REPLIED: "已出具意见待送达",
    DELIVERED: "已答复送达",
    UNDER_REVIEW: "复查中",
    REVIEW_DECIDED: "已作出复查意见",
    UNDER_RECHECK: "复核中",
    TERMINATED: "已终结",
    CLOSED: "已办结",
    ARCHIVED: "已归档",
}

# States in which the matter is finished (no statutory clock runs).
FINAL_STATES = frozenset(
    {
        REDIRECTED_LEGAL,
        REDIRECTED_DISCIPLINE,
        REDIRECTED_OTHER,
        NOT_ACCEPTED,
        NO_LONGER_ACCEPTED,
        CHANNELED,
        TERMINATED,
        CLOSED,
        ARCHIVED,
    }
)
OPEN_STATES = frozenset(STATES) - FINAL_STATES
# 合并 (issue 16): the states in which a matter registered twice by mistake may be merged into another — open and
# before the 处理意见书 (a written reply already issued is never folded into another matter).
MERGEABLE_STATES = frozenset(
    {
        RECEIVED,
        REGISTERED,
        REPORTED,
        FORWARDED,
        ASSIGNED,
        RECEIVED_BY_UNIT,
        OBJECTED,
        ACCEPTED,
        INVESTIGATING,
        EXTENDED,
    }
)

# --- documents ----------------------------------------------------------------------------------------
# kind: (title, character used in the 文号, addressed to the petitioner?)
DOCUMENTS: dict[str, tuple[str, str, bool]] = {
    "transfer_slip": ("转送单", "转", False),
    "assignment_slip": ("交办单", "交", False),
    "acceptance_notice": ("受理告知书", "受", True),
    "non_acceptance_notice": ("不予受理告知书", "不受", True),
    "no_longer_notice": ("不再受理告知书", "不再", True),
    "extension_notice": ("延期告知书", "延", True),
    "handling_opinion": ("信访事项处理意见书", "处", True),
    "review_opinion": ("信访事项复查意见书", "复查", True),
    "recheck_opinion": ("信访事项复核意见书", "复核", True),
}
# Numbered records that are not notices to the petitioner (same 文号 scheme).
OTHER_NUMBERED = {"supervision": "督"}

# Who acts: "bureau" = staff of the bureau / reception centre; "unit" = officers of the handling unit.
BUREAU_TRIAGE = (R.CLERK, R.CASE_OFFICER)
BUREAU_OFFICE = (R.CASE_OFFICER,)
UNIT = (R.UNIT_OFFICER,)
UNIT_HEAD = (R.UNIT_HEAD,)


@dataclass(frozen=True)
class Transition:
    """One allowed action: everything its callers need (access, services, staff UI, API, docs, tests)."""

    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]  # who takes the action (for a requested action: who decides the request)
    actor_scope: str  # "bureau" | "unit" (officers of the handling unit only) | "system" (also by=None)
    basis: str
    document: str | None = None
    clock: str = ""  # the clock that runs in the target state (deadlines.CLOCKS code), "" if none
    public: bool = True  # a milestone the petitioner sees
    triage: bool = False  # the bureau's own decision on a registered matter: the first sets Matter.triaged_on
    # The service in services.py that takes the action: service(subject, *, by, expected_version, **input,
    # **arguments), where the subject is the matter (for a requested action: the pending request).
    service: str = ""
    arguments: tuple[tuple[str, object], ...] = ()  # fixed keyword arguments of the service for this action
    route: str = ""  # the API route, under /api/matters/{number}/
    # A requested action (延期): `requested_by` roles of the same actor scope ask for it with request_service,
    # through request_route; one of `roles` then approves (takes the action) or refuses, never the requester
    # nor the handler.
    requested_by: tuple[str, ...] = ()
    request_service: str = ""
    request_route: str = ""


TRANSITIONS: tuple[Transition, ...] = (
    Transition("register", "登记", (RECEIVED,), REGISTERED, BUREAU_TRIAGE, "bureau",
               "《信访工作条例》第二十二条", clock="TRIAGE",
               service="register_received", route="register"),
    Transition("report_major", "报请决定（重大紧急）", (REGISTERED,), REPORTED, BUREAU_TRIAGE, "bureau",
               "第二十二条第一项、第二十五条", clock="TRIAGE", public=False,
               service="report_major", route="report-major"),
    Transition("forward", "转送", (REGISTERED, REPORTED), FORWARDED, BUREAU_TRIAGE, "bureau",
               "第二十二条第一项、第二项", document="transfer_slip", clock="NOTIFY", triage=True,
               service="forward_matter", route="forward"),
    Transition("assign", "交办", (REGISTERED, REPORTED), ASSIGNED, BUREAU_TRIAGE, "bureau",
               "第二十二条第三项", document="assignment_slip", clock="NOTIFY", triage=True,
               service="assign_matter", route="assign"),
    Transition("redirect_legal", "转政法部门（涉法涉诉）", (REGISTERED,), REDIRECTED_LEGAL, BUREAU_TRIAGE,
               "bureau", "第二十条第二款、第二十二条第二款", document="transfer_slip", triage=True,
               service="redirect_matter", arguments=(("to", "legal"),), route="redirect"),
    Transition("redirect_discipline", "转纪检监察机关（检举控告）", (REGISTERED,), REDIRECTED_DISCIPLINE,
               BUREAU_TRIAGE, "bureau", "第二十二条第二款、第三十条", document="transfer_slip", triage=True,
               service="redirect_matter", arguments=(("to", "discipline"),), route="redirect"),
    Transition("redirect_other", "告知向有权机关提出", (REGISTERED,), REDIRECTED_OTHER, BUREAU_TRIAGE, "bureau",
               "第二十三条第一款", document="non_acceptance_notice", triage=True,
               service="redirect_matter", arguments=(("to", "other"),), route="redirect"),
    Transition("decline", "不予受理", (REGISTERED,), NOT_ACCEPTED, BUREAU_TRIAGE, "bureau",
               "第十九条第三款；逐级走访办法", document="non_acceptance_notice", triage=True,
               service="decline_matter", route="decline"),
    Transition("refuse_repeat", "不再受理（已终结事项）", (REGISTERED,), NO_LONGER_ACCEPTED, BUREAU_TRIAGE,
               "bureau", "第三十六条第三款", document="no_longer_notice", triage=True,
               service="refuse_repeat", route="refuse-repeat"),
    Transition("acknowledge", "签收", (FORWARDED, ASSIGNED), RECEIVED_BY_UNIT, UNIT, "unit",
               "第二十三条第三款", clock="NOTIFY", public=False,
               service="acknowledge_matter", route="acknowledge"),
    Transition("object", "提出异议（不属本单位职权）", (RECEIVED_BY_UNIT,), OBJECTED, UNIT, "unit",
               "第二十三条第三款（5个工作日内）", public=False,
               service="object_matter", route="object"),
    Transition("uphold_objection", "同意异议，重新分流", (OBJECTED,), REGISTERED, BUREAU_OFFICE, "bureau",
               "第二十三条第三款", clock="TRIAGE", public=False,
               service="decide_objection", arguments=(("uphold", True),), route="objection-decision"),
    Transition("reject_objection", "不同意异议，退回责任单位", (OBJECTED,), RECEIVED_BY_UNIT, BUREAU_OFFICE,
               "bureau", "第二十三条第三款", clock="NOTIFY", public=False,
               service="decide_objection", arguments=(("uphold", False),), route="objection-decision"),
    Transition("accept", "受理并书面告知", (RECEIVED_BY_UNIT,), ACCEPTED, UNIT, "unit",
               "第二十三条第三款、第三十四条", document="acceptance_notice", clock="HANDLE",
               service="accept_matter", route="accept"),
    Transition("channel", "导入法定程序", (ACCEPTED,), CHANNELED, UNIT, "unit",
               "第三十一条第一至五项",
               service="channel_matter", route="channel"),
    Transition("investigate", "开始调查核实", (ACCEPTED,), INVESTIGATING, UNIT, "unit",
               "第三十一条第六项", clock="HANDLE", public=False,
               service="start_investigation", route="investigate"),
    Transition("extend", "批准延期并告知", (ACCEPTED, INVESTIGATING), EXTENDED, UNIT_HEAD, "unit",
               "第三十四条（延长不超过30日）", document="extension_notice", clock="HANDLE",
               service="decide_extension", route="extension-requests/{request_id}/decision",
               requested_by=UNIT, request_service="request_extension", request_route="extension-requests"),
    Transition("reply", "出具处理意见书", (ACCEPTED, INVESTIGATING, EXTENDED), REPLIED, UNIT, "unit",
               "第三十二条、第三十四条", document="handling_opinion", clock="HANDLE",
               service="reply_matter", route="reply"),
    Transition("deliver", "送达", (REPLIED,), DELIVERED, UNIT, "unit",
               "第三十二条", clock="REVIEW_REQUEST",
               service="deliver_reply", route="deliver"),
    Transition("request_review", "申请复查", (DELIVERED,), UNDER_REVIEW, BUREAU_TRIAGE, "bureau",
               "第三十五条（收到答复30日内）", clock="REVIEW",
               service="request_review", route="review-request"),
    Transition("decide_review", "作出复查意见", (UNDER_REVIEW,), REVIEW_DECIDED, BUREAU_OFFICE, "bureau",
               "第三十五条（30日内书面答复）", document="review_opinion", clock="RECHECK_REQUEST",
               service="decide_review", route="review-decision"),
    Transition("request_recheck", "申请复核（报送上一级）", (REVIEW_DECIDED,), UNDER_RECHECK, BUREAU_TRIAGE,
               "bureau", "第三十六条（收到复查意见30日内）", clock="RECHECK",
               service="request_recheck", route="recheck-request"),
    Transition("record_recheck", "登记复核意见并终结", (UNDER_RECHECK,), TERMINATED, BUREAU_OFFICE, "bureau",
               "第三十六条第一款、第三款", document="recheck_opinion",
               service="record_recheck", route="recheck-record"),
    Transition("close", "办结（申请期限届满）", (DELIVERED, REVIEW_DECIDED), CLOSED, BUREAU_OFFICE, "system",
               "第三十五条、第三十六条（期满未申请）",
               service="close_matter", route="close"),
    Transition("archive", "归档", tuple(sorted(FINAL_STATES - {ARCHIVED})), ARCHIVED, BUREAU_OFFICE, "bureau",
               "档案管理", public=False,
               service="archive_matter", route="archive"),
)  # fmt: skip

BY_ACTION: dict[str, Transition] = {t.action: t for t in TRANSITIONS}


def transition_for(action: str) -> Transition:
    try:
        return BY_ACTION[action]
    except KeyError:
        raise ValueError(f"未知操作：{action}") from None


def is_allowed(action: str, state: str) -> bool:
    return state in transition_for(action).sources


def actions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if state in t.sources]


def requested_actions() -> list[Transition]:
    """The actions that are requested first and then approved (延期)."""
    return [t for t in TRANSITIONS if t.requested_by]
