"""合并 / 撤销合并 (issue 16): a matter registered twice by mistake merged into the surviving one, undone exactly;
an online submission joined to an open matter as a 重复件; statistics count the merged matter once."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db.models import Sum
from django.forms.models import model_to_dict

from tests import factories
from xinfang.analytics import dashboards as D
from xinfang.analytics import kpis, tallies
from xinfang.analytics.dashboards.filters import matters_of
from xinfang.analytics.models import DayTally
from xinfang.petitions import access, queries, services, similar, workflow
from xinfang.petitions.models import Event, Matter, Registration

WAGES = "县城某建筑公司拖欠我们十二名农民工的工资共计八万元，包工头已经跑路，请求督促公司支付拖欠的工资。"


def snapshot(matter: Matter) -> tuple[dict, list[dict]]:
    """Everything of a matter but its version and merge mark, and its registrations' rows."""
    matter.refresh_from_db()
    fields = {k: v for k, v in model_to_dict(matter).items() if k not in ("version", "merged_into")}
    regs = [model_to_dict(r) for r in Registration.objects.filter(matter=matter).order_by("pk")]
    return fields, regs


def worklist(user) -> list[Matter]:
    return list(queries.worklist(user, queries.WorklistFilter(queue=False)))


def overview():
    return D.overview(D.Filters(kpis.Period.year(services.today().year)))


def test_merge_moves_the_registrations_and_hides_the_merged_matter(
    in_state, case_officer, clerk, unit_officer
):
    a = in_state(workflow.ACCEPTED, content=WAGES)
    b = in_state(workflow.FORWARDED, content=WAGES)
    b_regs = list(b.registrations.values_list("number", flat=True))
    services.merge_matter(b, into=a, by=case_officer, reason="同一来信重复登记", expected_version=b.version)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.merged_into == a and b.state == workflow.FORWARDED and b.clock == "" and b.clock_due is None
    moved = Registration.objects.filter(number__in=b_regs)
    assert {(r.matter_id, r.merged_from_id, r.disposition) for r in moved} == {
        (a.pk, b.pk, Registration.Disposition.REPEAT)
    }
    assert Event.objects.get(matter=b, kind="matter:merged_into").note == "同一来信重复登记"
    assert Event.objects.get(matter=a, kind="matter:merged").data["from"] == b.number
    # no worklist, no candidate, no action
    assert b not in worklist(case_officer) and a in worklist(case_officer)
    found = similar.candidates(clerk, similar.Draft(content=WAGES))
    assert [c.matter for c in found] == [a]
    assert access.available_actions(case_officer, b) == []
    with pytest.raises(services.WorkflowError, match=f"该事项已并入{a.number}"):
        services.acknowledge_matter(b, by=unit_officer)


def test_unmerge_restores_the_matter_exactly(in_state, case_officer):
    a = in_state(workflow.REGISTERED, content=WAGES)
    b = in_state(workflow.INVESTIGATING, content=WAGES)
    before_b, before_a = snapshot(b), snapshot(a)
    services.merge_matter(b, into=a, by=case_officer, reason="重复登记")
    b.refresh_from_db()
    assert b.registrations.count() == 0
    services.unmerge_matter(b, by=case_officer, reason="并非同一事项", expected_version=b.version)
    assert snapshot(b) == before_b and snapshot(a) == before_a
    b.refresh_from_db()
    assert b.merged_into is None and b.clock == "HANDLE" and b.clock_due is not None
    assert Event.objects.get(matter=b, kind="matter:unmerged").note == "并非同一事项"
    assert Event.objects.filter(matter=a, kind="matter:merge_undone").count() == 1
    assert b in worklist(case_officer)
    assert [t.action for t in access.available_actions(b.handler, b)]  # it is handled again


@pytest.mark.parametrize(
    ("b_state", "message"),
    [
        (workflow.REPLIED, services.MERGE_NOT_ALLOWED_STATE),
        (workflow.DELIVERED, services.MERGE_NOT_ALLOWED_STATE),
        (workflow.NOT_ACCEPTED, services.MERGE_NOT_ALLOWED_STATE),
    ],
)
def test_a_matter_with_a_written_reply_or_finished_is_not_merged(in_state, case_officer, b_state, message):
    a = in_state(workflow.REGISTERED)
    b = in_state(b_state)
    with pytest.raises(services.WorkflowError, match=message):
        services.merge_matter(b, into=a, by=case_officer, reason="重复登记")
    b.refresh_from_db()
    assert b.merged_into is None and b.registrations.count() == 1


def test_refusals_in_chinese(in_state, case_officer, clerk, unit_officer):
    a = in_state(workflow.REGISTERED)
    b = in_state(workflow.REGISTERED)
    closed = in_state(workflow.NOT_ACCEPTED)
    with pytest.raises(PermissionDenied, match="只有信访局办案人员可以合并事项"):
        services.merge_matter(b, into=a, by=clerk, reason="重复")
    with pytest.raises(PermissionDenied, match="您无权查看该信访事项"):
        services.merge_matter(b, into=a, by=unit_officer, reason="重复")
    with pytest.raises(services.WorkflowError, match="请写明合并的理由"):
        services.merge_matter(b, into=a, by=case_officer, reason=" ")
    with pytest.raises(services.WorkflowError, match="不能将事项并入其自身"):
        services.merge_matter(b, into=b, by=case_officer, reason="重复")
    with pytest.raises(services.WorkflowError, match="保留的事项已办结"):
        services.merge_matter(b, into=closed, by=case_officer, reason="重复")
    with pytest.raises(services.WorkflowError, match="请填写保留的事项编号"):
        services.merge_matter(b, into=None, by=case_officer, reason="重复")
    with pytest.raises(services.WorkflowError, match="该事项未被合并"):
        services.unmerge_matter(b, by=case_officer, reason="撤销")
    services.merge_matter(b, into=a, by=case_officer, reason="重复")
    b.refresh_from_db()
    c = in_state(workflow.REGISTERED)
    with pytest.raises(services.WorkflowError, match=f"该事项已并入{a.number}"):
        services.merge_matter(b, into=c, by=case_officer, reason="重复")
    with pytest.raises(services.WorkflowError, match=f"请选择{a.number}"):
        services.merge_matter(c, into=b, by=case_officer, reason="重复")
    with pytest.raises(services.WorkflowError, match="已有其他事项并入该事项"):
        services.merge_matter(a, into=c, by=case_officer, reason="重复")
    with pytest.raises(PermissionDenied, match="只有信访局办案人员可以撤销合并"):
        services.unmerge_matter(b, by=clerk, reason="撤销")
    with pytest.raises(services.StaleMatter):
        services.merge_matter(c, into=a, by=case_officer, reason="重复", expected_version=c.version - 1)


def test_confidential_matters_merge_only_with_the_same_accusers(in_state, case_officer, units):
    accuser = factories.petitioner_input(name="李检举", id_number="513223198001010011", mobile="13800009999")
    other = factories.petitioner_input(name="王某", id_number="", mobile="13800008888")
    accuse = dict(purpose="02", accused_unit=units["dept"].code)  # 检举控告: confidential
    a = in_state(workflow.REGISTERED, petitioners=[accuser], **accuse)
    b = in_state(workflow.REGISTERED, petitioners=[other], **accuse)
    plain = in_state(workflow.REGISTERED)
    assert a.is_confidential and b.is_confidential and not plain.is_confidential
    rule = "检举控告事项只能与同一检举人的检举控告事项合并"
    for x, y in ((b, a), (a, plain), (plain, a)):
        with pytest.raises(services.WorkflowError, match=rule):
            services.merge_matter(x, into=y, by=case_officer, reason="重复")
    same = in_state(workflow.REGISTERED, petitioners=[accuser], **accuse)
    services.merge_matter(same, into=a, by=case_officer, reason="同一检举人重复来信")
    same.refresh_from_db()
    assert same.merged_into == a


def test_statistics_count_a_merged_matter_once_and_again_after_unmerge(both_paths, in_state, case_officer):
    a = in_state(workflow.ACCEPTED, content=WAGES)
    b = in_state(workflow.ACCEPTED, content=WAGES)
    year = D.Filters(kpis.Period.year(services.today().year))

    def counted():
        o = overview()
        if both_paths == "tallies":
            matters = DayTally.objects.filter(dim="", grain="d").aggregate(n=Sum("matters"))["n"]
        else:
            matters = matters_of(year).count()
        return o.registrations, o.first, o.repeat, matters

    assert counted() == (2, 2, 0, 2)
    services.merge_matter(b, into=a, by=case_officer, reason="重复登记")
    assert counted() == (2, 1, 1, 1)  # one matter, its second registration a 重复件
    assert tallies.check() == []
    call_command("rebuild_tallies", "--check")
    b.refresh_from_db()
    services.unmerge_matter(b, by=case_officer, reason="并非同一事项")
    assert counted() == (2, 2, 0, 2)
    call_command("rebuild_tallies", "--check")


# --- an online submission joins an open matter --------------------------------------------------------


def test_an_online_submission_joins_an_open_matter_as_a_repeat(in_state, clerk, case_officer):
    a = in_state(workflow.ACCEPTED, content=WAGES)
    b = factories.online_submission(content=WAGES)
    reg = b.registrations.get()
    assert reg.registered_by is None
    before_b = snapshot(b)
    found = similar.candidates(clerk, similar.draft_of_registration(reg))
    assert found[0].matter == a and Registration.Disposition.REPEAT in found[0].choices
    services.join_received(b, into=a, by=clerk, reason="同一证件号，内容相同", expected_version=b.version)
    reg.refresh_from_db()
    assert (reg.matter, reg.disposition, reg.registered_by, reg.merged_from) == (
        a, Registration.Disposition.REPEAT, clerk, b,
    )  # fmt: skip
    event = Event.objects.get(matter=a, kind="registration:joined")
    assert event.is_public and event.note == "同一证件号，内容相同"
    assert overview().repeat == 1 and overview().first == 1
    call_command("rebuild_tallies", "--check")
    # undone like a merge: the submission waits for registration again
    b.refresh_from_db()
    services.unmerge_matter(b, by=case_officer, reason="误并")
    assert snapshot(b) == before_b
    assert b.registrations.get().registered_by is None
    call_command("rebuild_tallies", "--check")


def test_join_refusals(in_state, clerk, unit_officer):
    a = in_state(workflow.ACCEPTED)
    b = factories.online_submission()
    registered = in_state(workflow.REGISTERED)
    closed = in_state(workflow.NOT_ACCEPTED)
    with pytest.raises(services.WorkflowError, match="只有待登记的网上信访件"):
        services.join_received(registered, into=a, by=clerk, reason="重复")
    with pytest.raises(services.WorkflowError, match="原事项已办结，不能作为重复件并入"):
        services.join_received(b, into=closed, by=clerk, reason="重复")
    with pytest.raises(services.WorkflowError, match="请写明作为重复件并入的理由"):
        services.join_received(b, into=a, by=clerk, reason="")
    with pytest.raises(PermissionDenied):
        services.join_received(b, into=a, by=unit_officer, reason="重复")
    b.refresh_from_db()
    assert b.merged_into is None and b.state == workflow.RECEIVED
