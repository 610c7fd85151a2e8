"""合并 on the staff pages (issue 16): 合并到… with the surviving matter's title shown before confirming, the banner
“已并入 XF…” with 撤销合并 on the merged matter, and an online submission joined to an open matter as a 重复件
from the candidates on its page. Audited; refusals said in Chinese."""

from tests import factories
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import workflow
from xinfang.petitions.models import Event, Matter, Registration

WAGES = "县城某建筑公司拖欠我们十二名农民工的工资共计八万元，包工头已经跑路，请求督促公司支付拖欠的工资。"


def page(client, matter) -> str:
    return client.get(f"/casework/matters/{matter.number}/").content.decode()


def act(client, matter, action, **data):
    matter.refresh_from_db()
    return client.post(
        f"/casework/matters/{matter.number}/act/{action}/", {"version": matter.version, **data}
    )


def test_merge_shows_the_title_before_confirming_then_the_banner_and_unmerge(login, in_state, case_officer):
    a = in_state(workflow.ACCEPTED, title="拖欠农民工工资（第一次登记）", content=WAGES)
    b = in_state(workflow.REGISTERED, content=WAGES)
    client = login(case_officer)
    html = page(client, b)
    assert "合并到…" in html and f'action="/casework/matters/{b.number}/act/merge/"' in html
    confirm = act(client, b, "merge", into=a.number, reason="同一来信重复登记")
    text = confirm.content.decode()
    assert confirm.status_code == 200 and "确认合并" in text and "拖欠农民工工资（第一次登记）" in text
    assert "novalidate" in text
    b.refresh_from_db()
    assert b.merged_into is None  # nothing changed before the confirmation
    done = act(client, b, "merge", into=a.number, reason="同一来信重复登记", confirm="1")
    assert done.status_code == 302
    b.refresh_from_db()
    assert b.merged_into == a
    assert AuditEntry.objects.filter(action="matter:merge", user=case_officer).count() == 1
    html = page(client, b)
    assert "已并入" in html and a.number in html and "撤销合并" in html and "办理操作" not in html
    a_html = page(client, a)
    assert f"由 {b.number} 并入" in a_html and "重复件（并入原事项）" in a_html
    worklist = client.get("/casework/?filtered=1").content.decode()
    assert a.number in worklist and b.number not in worklist
    undone = act(client, b, "unmerge", reason="并非同一事项")
    assert undone.status_code == 302
    b.refresh_from_db()
    assert b.merged_into is None and b.registrations.count() == 1
    assert AuditEntry.objects.filter(action="matter:unmerge", user=case_officer).count() == 1
    assert "已并入" not in page(client, b)


def test_merge_refusals_are_said_in_chinese(login, in_state, case_officer, clerk):
    a = in_state(workflow.REGISTERED)
    replied = in_state(workflow.REPLIED)
    client = login(case_officer)
    assert "合并到…" not in page(client, replied)  # no form where the rules refuse anyway
    unknown = act(client, a, "merge", into="XF0000", reason="重复")
    assert unknown.status_code == 302
    assert "未找到事项“XF0000”，或您无权查看。" in page(client, a)
    closed = in_state(workflow.NOT_ACCEPTED)
    refused = act(client, a, "merge", into=closed.number, reason="重复")
    assert (
        "保留的事项已办结，不能将其他事项并入。" in refused.content.decode()
    )  # said before the confirmation
    forced = act(client, a, "merge", into=closed.number, reason="重复", confirm="1")
    assert forced.status_code == 302 and "保留的事项已办结" in page(client, a)
    assert "合并到…" not in page(login(clerk), a)
    denied = act(login(clerk), a, "merge", into=replied.number, reason="重复", confirm="1")
    assert denied.status_code == 403 and "只有信访局办案人员可以合并事项" in denied.content.decode()
    a.refresh_from_db()
    assert a.merged_into is None and not Event.objects.filter(kind="matter:merged_into").exists()


def test_an_online_submission_joins_an_open_matter_from_its_candidates(login, in_state, clerk):
    a = in_state(workflow.ACCEPTED, content=WAGES)
    b = factories.online_submission(content=WAGES)
    client = login(clerk)
    html = page(client, b)
    assert f"作为重复件并入{a.number}" in html and "同一证件号" in html
    done = act(client, b, "join", into=a.number, reason="同一证件号，内容相同")
    assert done.status_code == 302
    reg = Registration.objects.get(merged_from=b)
    assert (
        reg.matter == a and reg.disposition == Registration.Disposition.REPEAT and reg.registered_by == clerk
    )
    assert AuditEntry.objects.filter(action="matter:join", user=clerk).count() == 1
    assert Matter.objects.get(pk=b.pk).merged_into == a
    # a finished original offers no join (不再受理 / 不予受理 are triage actions of the registered submission)
    person = [factories.petitioner_input(name="赵六", id_number="", mobile="13700001234")]
    closed = in_state(workflow.NOT_ACCEPTED, petitioners=person, title="道路问题")
    c = factories.online_submission(petitioners=person, title="道路问题")
    html = page(client, c)
    assert f'data-candidate="{closed.number}"' in html and f"作为重复件并入{closed.number}" not in html
