"""Who may take which action: every persona × every action, on a matter in a source state of the action.

Allowed: the service succeeds. Denied: PermissionDenied with a Chinese reason, and nothing changes.
The expected matrix is written out by hand below (it is the specification); a separate test checks that
it agrees with the roles in workflow.TRANSITIONS, so a change to either is noticed.
Also: what admin, auditor, the accused unit/person and a recused officer may see and do.
"""

import re

import pytest
from django.core.exceptions import PermissionDenied

from tests import factories
from tests.workflow.conftest import act, noon_after, snapshot
from xinfang.accounts import roles as R
from xinfang.petitions import access, services, workflow
from xinfang.petitions.models import Matter

PERSONAS = (
    "clerk",
    "case_officer",
    "unit_officer",  # of the handling unit (and the handler of the matters that reached the unit)
    "unit_head",  # 负责人 and officer of the handling unit
    "other_unit_officer",
    "supervisor",
    "leader",
    "auditor",
    "admin",
    "finance",
    "no_role",
)

# Rows: actions; columns: PERSONAS in order. Y = allowed, . = denied.
#                      clerk officer unit head other super leader audit admin finance none
ALLOWED_GRID = """
register               Y     Y       .    .    .     .     .      .     .     .       .
report_major           Y     Y       .    .    .     .     .      .     .     .       .
forward                Y     Y       .    .    .     .     .      .     .     .       .
assign                 Y     Y       .    .    .     .     .      .     .     .       .
redirect_legal         Y     Y       .    .    .     .     .      .     .     .       .
redirect_discipline    Y     Y       .    .    .     .     .      .     .     .       .
redirect_other         Y     Y       .    .    .     .     .      .     .     .       .
decline                Y     Y       .    .    .     .     .      .     .     .       .
refuse_repeat          Y     Y       .    .    .     .     .      .     .     .       .
acknowledge            .     .       Y    Y    .     .     .      .     .     .       .
object                 .     .       Y    Y    .     .     .      .     .     .       .
uphold_objection       .     Y       .    .    .     .     .      .     .     .       .
reject_objection       .     Y       .    .    .     .     .      .     .     .       .
accept                 .     .       Y    Y    .     .     .      .     .     .       .
channel                .     .       Y    Y    .     .     .      .     .     .       .
investigate            .     .       Y    Y    .     .     .      .     .     .       .
extend                 .     .       .    Y    .     .     .      .     .     .       .
reply                  .     .       Y    Y    .     .     .      .     .     .       .
deliver                .     .       Y    Y    .     .     .      .     .     .       .
request_review         Y     Y       .    .    .     .     .      .     .     .       .
decide_review          .     Y       .    .    .     .     .      .     .     .       .
request_recheck        Y     Y       .    .    .     .     .      .     .     .       .
record_recheck         .     Y       .    .    .     .     .      .     .     .       .
close                  .     Y       .    .    .     .     .      .     .     .       .
archive                .     Y       .    .    .     .     .      .     .     .       .
"""


def _grid() -> dict[tuple[str, str], bool]:
    allowed = {}
    for line in ALLOWED_GRID.strip().splitlines():
        action, *cells = line.split()
        assert len(cells) == len(PERSONAS), line
        for persona, cell in zip(PERSONAS, cells, strict=True):
            allowed[(persona, action)] = cell == "Y"
    return allowed


ALLOWED = _grid()

# The source state each action is tried from.
SOURCE = {
    "register": workflow.RECEIVED,
    "acknowledge": workflow.FORWARDED,
    "object": workflow.RECEIVED_BY_UNIT,
    "accept": workflow.RECEIVED_BY_UNIT,
    "uphold_objection": workflow.OBJECTED,
    "reject_objection": workflow.OBJECTED,
    "channel": workflow.ACCEPTED,
    "investigate": workflow.ACCEPTED,
    "extend": workflow.INVESTIGATING,
    "reply": workflow.INVESTIGATING,
    "deliver": workflow.REPLIED,
    "request_review": workflow.DELIVERED,
    "decide_review": workflow.UNDER_REVIEW,
    "request_recheck": workflow.REVIEW_DECIDED,
    "record_recheck": workflow.UNDER_RECHECK,
    "close": workflow.DELIVERED,
    "archive": workflow.CLOSED,
}
for _action in ("report_major", "forward", "assign", "redirect_legal", "redirect_discipline", "redirect_other",
                "decline", "refuse_repeat"):  # fmt: skip
    SOURCE[_action] = workflow.REGISTERED

# Who sees a matter handled by the `dept` unit (and one not yet routed to any unit).
COUNTY_WIDE = {"clerk", "case_officer", "supervisor", "leader", "auditor"}

CJK = re.compile(r"[\u4e00-\u9fff]")
VIEW_DENIED = "您无权查看该信访事项。"


def test_grid_covers_every_action_and_persona():
    assert {a for _, a in ALLOWED} == {t.action for t in workflow.TRANSITIONS} == set(SOURCE)
    assert {p for p, _ in ALLOWED} == set(PERSONAS)
    for action, state in SOURCE.items():
        assert state in workflow.BY_ACTION[action].sources, action


def test_grid_agrees_with_the_roles_of_the_table(world):
    """The hand-written grid is what the table's roles and actor scope say for these personas."""
    for (persona, action), allowed in ALLOWED.items():
        t = workflow.BY_ACTION[action]
        user = world.people[persona]
        by_role = user.has_role(*t.roles)
        in_scope = t.actor_scope != "unit" or persona in ("unit_officer", "unit_head")
        assert allowed == (by_role and in_scope), (persona, action)


def _prepare(world, action: str, request) -> Matter:
    matter = world.matter(SOURCE[action])
    if workflow.BY_ACTION[action].requested_by:
        # 延期 is decided on a pending request: the handler (unit_officer) asks, so that the 负责人 under test
        # is neither the requester nor the handler (条例第三十四条)
        assert matter.handler == world.people["unit_officer"]
        services.request_extension(matter, by=world.people["unit_officer"], days=10, reason="情况复杂")
        matter.refresh_from_db()
    if action == "close":
        due = matter.review_request_due
        request.getfixturevalue("time_machine").move_to(noon_after(due), tick=False)
    return matter


@pytest.mark.parametrize("action", [t.action for t in workflow.TRANSITIONS])
@pytest.mark.parametrize("persona", PERSONAS)
def test_persona_action(db, world, persona, action, request):
    t = workflow.BY_ACTION[action]
    user = world.people[persona]
    matter = _prepare(world, action, request)
    before = snapshot(matter.pk)

    if ALLOWED[(persona, action)]:
        assert access.action_denial(user, matter, action) is None
        act(action, matter, world=world, by=user)
        matter.refresh_from_db()
        assert matter.state == t.target
        assert matter.events.order_by("-id").first().actor == user
        return

    reason = access.action_denial(user, matter, action)
    assert reason and CJK.search(reason), reason
    with pytest.raises(PermissionDenied) as denied:
        act(action, matter, world=world, by=user)
    assert str(denied.value) == reason
    sees = persona in COUNTY_WIDE or (
        persona in ("unit_officer", "unit_head") and matter.handling_unit_id == world.units["dept"].pk
    )
    if sees:
        assert reason == f"您的角色无权执行“{t.label}”。" or reason == "只能办理本单位承办的信访事项。"
    else:
        assert reason == VIEW_DENIED
    assert snapshot(matter.pk) == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_available_actions_are_exactly_the_allowed_ones(db, world, persona):
    user = world.people[persona]
    for state in workflow.STATES:
        matter = world.matter(state)
        offered = {t.action for t in access.available_actions(user, matter)}
        # the grid holds in every source state (`close` is offered before the window lapses too: the
        # service, not access, checks the date)
        # a requested action (延期) only once a request is pending: none is in the world's matters
        expected = {
            t.action
            for t in workflow.actions_from(state)
            if ALLOWED[(persona, t.action)] and not t.requested_by
        }
        assert offered == expected, (persona, state)


def test_without_a_user_only_the_system_and_petitioner_actions(db, world):
    for action, state in SOURCE.items():
        reason = access.action_denial(None, world.matter(state), action)
        assert (reason is None) == (action in {"close", "request_review", "request_recheck"}), action


# --- seeing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["admin", "finance", "no_role"])
def test_admin_finance_and_no_role_see_no_matter(db, world, persona):
    user = world.people[persona]
    assert Matter.objects.count() >= len(workflow.STATES)
    assert not access.visible_matters(user).exists()
    assert all(access.available_actions(user, m) == [] for m in Matter.objects.all())


def test_auditor_sees_every_matter_but_can_take_no_action(db, world):
    auditor = world.people["auditor"]
    assert access.visible_matters(auditor).count() == Matter.objects.count()
    for matter in Matter.objects.all():
        assert access.available_actions(auditor, matter) == []
        for t in workflow.actions_from(matter.state):
            assert access.action_denial(auditor, matter, t.action) == f"您的角色无权执行“{t.label}”。"


def test_unit_officer_sees_only_own_units_matters(db, world):
    dept = world.units["dept"]
    mine = access.visible_matters(world.people["unit_officer"])
    assert mine.exists() and set(mine.values_list("handling_unit", flat=True)) == {dept.pk}
    assert set(mine) == set(Matter.objects.filter(handling_unit=dept))
    assert not access.visible_matters(world.people["other_unit_officer"]).exists()


# --- 检举控告 (条例第三十条第三款) -----------------------------------------------------------------------


def _accusation(world, *, accused_unit) -> Matter:
    return factories.register(
        world.people["clerk"], purpose="02", accused_unit=accused_unit.code, accused_person="王某"
    )


def test_accused_units_officer_does_not_see_an_accusation_and_it_cannot_go_there(db, world):
    dept, township = world.units["dept"], world.units["township"]
    matter = _accusation(world, accused_unit=dept)
    assert matter.is_confidential and matter.accused_unit == dept
    clerk, accused_officer = world.people["clerk"], world.people["unit_officer"]
    before = snapshot(matter.pk)
    with pytest.raises(services.WorkflowError, match="被检举"):
        services.forward_matter(matter, by=clerk, unit=dept)
    with pytest.raises(services.WorkflowError, match="被检举"):
        services.assign_matter(
            matter, by=clerk, unit=dept, due=services.today() + factories.timedelta(days=10)
        )
    assert snapshot(matter.pk) == before
    # to another unit it may go; the accused unit still does not see it, the other unit does
    services.forward_matter(matter, by=clerk, unit=township)
    assert not access.can_view(accused_officer, matter)
    assert access.can_view(world.people["other_unit_officer"], matter)
    assert access.action_denial(accused_officer, matter, "acknowledge") == VIEW_DENIED


def test_accused_unit_hides_the_matter_from_county_wide_staff_of_that_unit(db, world):
    """A leader working for the accused county government does not see the accusation either."""
    matter = _accusation(world, accused_unit=world.units["county_gov"])
    leader = world.people["leader"]
    assert not access.can_view(leader, matter)
    assert access.can_view(world.people["clerk"], matter)
    assert access.can_view(world.people["auditor"], matter)


def test_accused_person_cannot_see_or_be_assigned_handler(db, world):
    unit_officer, unit_head = world.people["unit_officer"], world.people["unit_head"]
    matter = _accusation(world, accused_unit=world.units["township"])
    services.forward_matter(matter, by=world.people["clerk"], unit=world.units["dept"])
    # No service records the accused person as a user yet (accused_person is free text): set it here.
    Matter.objects.filter(pk=matter.pk).update(accused_user=unit_head)
    matter.refresh_from_db()
    assert not access.can_view(unit_head, matter) and access.can_view(unit_officer, matter)
    before = snapshot(matter.pk)
    with pytest.raises(services.WorkflowError, match="被检举人"):
        services.assign_handler(matter, by=unit_officer, handler=unit_head)
    with pytest.raises(PermissionDenied):
        services.acknowledge_matter(matter, by=unit_head)
    assert snapshot(matter.pk) == before


# --- 回避 (条例第二十八条第三款) ------------------------------------------------------------------------


def test_recused_officer_cannot_act_nor_be_assigned(db, world):
    unit_officer, unit_head = world.people["unit_officer"], world.people["unit_head"]
    matter = world.matter(workflow.RECEIVED_BY_UNIT)
    assert matter.handler is None
    services.declare_recusal(matter, by=unit_head, user=unit_officer, reason="与信访人系近亲属")
    matter.refresh_from_db()
    before = snapshot(matter.pk)
    for action in ("accept", "object"):
        assert access.action_denial(unit_officer, matter, action) == "您已回避该事项，不能办理。"
    with pytest.raises(PermissionDenied, match="回避"):
        services.accept_matter(matter, by=unit_officer)
    with pytest.raises(services.WorkflowError, match="回避"):
        services.assign_handler(matter, by=unit_head, handler=unit_officer)
    assert snapshot(matter.pk) == before
    assert access.available_actions(unit_officer, matter) == []
    # the colleague takes it and becomes the handler
    matter = services.accept_matter(matter, by=unit_head)
    assert matter.handler == unit_head


def test_recusal_of_the_handler_removes_the_handler(db, world):
    unit_officer, unit_head = world.people["unit_officer"], world.people["unit_head"]
    matter = world.matter(workflow.INVESTIGATING)
    assert matter.handler == unit_officer
    services.declare_recusal(matter, by=unit_head, user=unit_officer, reason="利害关系")
    matter.refresh_from_db()
    assert matter.handler is None
    with pytest.raises(PermissionDenied, match="回避"):
        services.reply_matter(matter, by=unit_officer, outcome="support", opinion="支持。")


def test_extension_is_decided_by_a_head_who_is_neither_requester_nor_handler(db, world):
    """条例第三十四条: the 负责人 approves; not the requester, not the handler, not another officer."""
    matter = world.matter(workflow.INVESTIGATING)
    officer, head, leader = world.people["unit_officer"], world.people["unit_head"], world.people["leader"]
    assert matter.handler == officer
    request = services.request_extension(matter, by=head, days=10, reason="情况复杂")  # a head may ask too
    matter.refresh_from_db()
    before = snapshot(matter.pk)
    assert (
        access.action_denial(head, matter, "extend") == "“批准延期并告知”须由申请人和承办人以外的负责人审批。"
    )
    assert access.action_denial(officer, matter, "extend") == "您的角色无权执行“批准延期并告知”。"
    assert access.action_denial(leader, matter, "extend") == "您的角色无权执行“批准延期并告知”。"
    for user in (head, officer, leader):
        with pytest.raises(PermissionDenied):
            services.decide_extension(request, by=user, approve=True)
    assert snapshot(matter.pk) == before
    # a 负责人 who handles the matter may not approve it either (here: their own request as well)
    services.assign_handler(matter, by=officer, handler=head)
    matter.refresh_from_db()
    assert (
        access.action_denial(head, matter, "extend") == "“批准延期并告知”须由申请人和承办人以外的负责人审批。"
    )


def test_roles_of_the_personas(world):
    """The personas hold exactly the role their name says (the grid depends on it)."""
    expected = {
        "clerk": {R.CLERK}, "case_officer": {R.CASE_OFFICER}, "unit_officer": {R.UNIT_OFFICER},
        "unit_head": {R.UNIT_OFFICER, R.UNIT_HEAD},
        "other_unit_officer": {R.UNIT_OFFICER}, "supervisor": {R.SUPERVISOR}, "leader": {R.LEADER},
        "auditor": {R.AUDITOR}, "admin": {R.ADMIN}, "finance": {R.FINANCE}, "no_role": set(),
    }  # fmt: skip
    assert {p: set(world.people[p].role_codes) for p in PERSONAS} == expected
