"""Worklist filters and badges, the audit log page, the role-aware navigation."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests import factories
from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import workflow


def at(*args):
    return timezone.make_aware(datetime(*args, 9, 0))


def test_worklist_lists_queue_with_clock_badges(login, clerk, in_state):
    registered = factories.register(clerk, title="拖欠工资问题")
    forwarded = in_state(workflow.FORWARDED, title="道路维修问题")
    response = login(clerk).get("/casework/")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html
    assert registered.number in html and "转送交办：剩" in html
    assert "来信" in html and "凤仪镇" in html and "已登记待分流" in html
    assert forwarded.number not in html  # waits for the unit, not in the clerk's queue
    # "信访事项查询": the same page without the queue shows everything the clerk may see
    html = login(clerk).get("/casework/", {"filtered": "1"}).content.decode()
    assert forwarded.number in html and "茂县人力资源和社会保障局" in html


def test_worklist_htmx_request_returns_the_table_only(login, clerk):
    matter = factories.register(clerk)
    response = login(clerk).get("/casework/", {"filtered": "1", "q": matter.number}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and "<table" in html
    assert matter.number in html


def test_worklist_filters(login, clerk, in_state, units):
    letter = factories.register(clerk, title="拖欠工资问题")
    call = factories.register(clerk, title="噪声扰民", channel="phone", township="")
    forwarded = in_state(workflow.FORWARDED, title="道路维修问题")
    client = login(clerk)

    def numbers(**params):
        html = client.get("/casework/", {"filtered": "1", **params}).content.decode()
        return {m.number for m in (letter, call, forwarded) if m.number in html}

    assert numbers() == {letter.number, call.number, forwarded.number}
    assert numbers(queue="on") == {letter.number, call.number}
    assert numbers(channel="phone") == {call.number}
    assert numbers(state=workflow.FORWARDED) == {forwarded.number}
    assert numbers(township="513223100") == {letter.number, forwarded.number}
    assert numbers(handling_unit=units["dept"].code) == {forwarded.number}
    assert numbers(q="噪声") == {call.number}
    assert numbers(q=forwarded.number) == {forwarded.number}


def test_worklist_overdue_and_due_soon_filters_follow_the_clock(login, clerk, time_machine):
    time_machine.move_to(at(2025, 3, 3))  # a Monday, no holiday near
    late = factories.register(clerk, title="早登记的事项")  # triage due 2025-03-18
    time_machine.move_to(at(2025, 3, 20))
    fresh = factories.register(clerk, title="新登记的事项")  # triage due 2025-04-07 (清明 roll-over)
    time_machine.move_to(at(2025, 3, 25))
    client = login(clerk)
    html = client.get("/casework/", {"filtered": "1", "clock": "overdue"}).content.decode()
    assert late.number in html and fresh.number not in html
    assert "转送交办：已超期7天" in html and 'class="badge overdue"' in html
    html = client.get("/casework/").content.decode()  # overdue visible in the ordinary list too
    assert "转送交办：已超期7天" in html and "row-overdue" in html
    time_machine.move_to(at(2025, 4, 4))
    client = login(clerk)
    html = client.get("/casework/", {"filtered": "1", "clock": "due_soon"}).content.decode()
    assert fresh.number in html and late.number not in html
    assert "转送交办：剩3天" in html and 'class="badge due-soon"' in html


def test_worklist_paginates_by_fifty(login, clerk):
    for i in range(51):
        factories.register(clerk, title=f"事项{i}", petitioners=[factories.petitioner_input(id_number="")])
    client = login(clerk)
    html = client.get("/casework/").content.decode()
    assert "共 51 件" in html and "第 1 / 2 页" in html and html.count('href="/casework/matters/') == 50
    html = client.get("/casework/", {"page": "2"}).content.decode()
    assert html.count('href="/casework/matters/') == 1


def test_unit_officer_worklist_shows_only_own_unit(login, in_state, unit_officer, other_unit_officer):
    matter = in_state(workflow.FORWARDED)
    assert matter.number in login(unit_officer).get("/casework/").content.decode()
    assert matter.number not in login(other_unit_officer).get("/casework/?filtered=1").content.decode()


# --- audit log ------------------------------------------------------------------------------------------


def test_auditor_reads_and_filters_the_audit_log(login, auditor, clerk):
    log_audit(action="matter:view", user=clerk)
    log_audit(action="login", user=auditor)
    client = login(auditor)
    html = client.get("/casework/audit/").content.decode()
    assert "查看信访事项" in html and "clerk1" in html and ">matter:view<" not in html
    html = client.get("/casework/audit/", {"action": "matter:view"}).content.decode()
    assert "clerk1" in html and "<td>登录</td>" not in html
    html = client.get("/casework/audit/", {"username": "audit1"}).content.decode()
    assert "clerk1" not in html
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    html = client.get("/casework/audit/", {"date_from": tomorrow}).content.decode()
    assert "没有符合条件的记录" in html
    assert AuditEntry.objects.filter(action="audit:read", user=auditor, result="success").exists()


def test_audit_log_is_read_only(login, auditor):
    assert login(auditor).post("/casework/audit/", {"action": "x"}).status_code == 405


@pytest.mark.parametrize("who", ["admin_user", "clerk"])
def test_audit_log_refused_to_others(request, login, who):
    user = request.getfixturevalue(who)
    before = AuditEntry.objects.exclude(action="audit:read").count()
    response = login(user).get("/casework/audit/")
    assert response.status_code == 403 and "只有审计管理员可以查看审计日志" in response.content.decode()
    assert AuditEntry.objects.exclude(action="audit:read").count() == before


# --- navigation -----------------------------------------------------------------------------------------


def test_navigation_is_role_aware(login, clerk, unit_officer, auditor, units):
    finance = factories.make_user("fin1", "finance", unit=units["bureau"])
    html = login(clerk).get("/casework/").content.decode()
    assert "待办工作" in html and 'href="/casework/register/"' in html and "信访事项查询" in html
    assert 'href="/finance/"' not in html and 'href="/casework/audit/"' not in html
    html = login(unit_officer).get("/casework/").content.decode()
    assert 'href="/casework/register/"' in html  # a unit registers what it receives directly (第二十三条)
    assert 'href="/casework/register/"' not in login(auditor).get("/casework/").content.decode()
    assert 'href="/casework/audit/"' in login(auditor).get("/casework/").content.decode()
    assert 'href="/finance/"' in login(finance).get("/casework/").content.decode()
