from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from xinfang.analytics import tallies
from xinfang.petitions import deadlines, services, workflow
from xinfang.petitions.models import Document, Event, Registration


def test_full_lifecycle_to_termination_and_no_longer_accepted(people, units, clerk):
    matter = factories.matter_in_state(workflow.TERMINATED, people=people, units=units)
    kinds = list(matter.documents.values_list("kind", flat=True))
    assert kinds == [
        "transfer_slip",
        "acceptance_notice",
        "handling_opinion",
        "review_opinion",
        "recheck_opinion",
    ]
    # every change wrote exactly one event, in order
    actions = list(matter.events.exclude(action="").values_list("action", flat=True))
    assert actions == factories._steps(workflow.TERMINATED)
    assert matter.review_unit == units["county_gov"] and matter.recheck_unit == units["prefecture"]
    # the same facts again: registered, joined to the matter and answered 不再受理 in writing
    reg = services.register_petition(factories.petition_input(repeat_of=matter.number), by=clerk)
    assert reg.disposition == Registration.Disposition.NO_LONGER
    assert reg.matter == matter and matter.documents.filter(kind="no_longer_notice").count() == 1
    matter.refresh_from_db()
    assert matter.state == workflow.TERMINATED
    assert tallies.check() == []  # every writer on the way kept the summary tables in step (issue 14)


def test_document_numbers_per_unit_year_kind_without_gaps(people, units):
    for _ in range(3):
        factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    numbers = list(
        Document.objects.filter(kind="acceptance_notice").order_by("seq").values_list("number", flat=True)
    )
    year = services.today().year
    assert numbers == [f"茂人社受〔{year}〕{i}号" for i in (1, 2, 3)]


def test_failed_action_leaves_no_gap_and_no_event(people, units, unit_officer):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    before = Event.objects.count()
    with pytest.raises(services.WorkflowError):
        services.reply_matter(matter, by=unit_officer, outcome="support", opinion="  ")
    assert Event.objects.count() == before
    services.reply_matter(matter, by=unit_officer, outcome="explain", opinion="政策解释。")
    assert Document.objects.get(kind="handling_opinion").seq == 1


def test_stale_page_is_refused(people, units, clerk):
    matter = factories.register(clerk)
    stale_version = matter.version
    services.forward_matter(matter, by=clerk, unit=units["dept"])
    with pytest.raises(services.StaleMatter):
        services.decline_matter(
            factories.Matter.objects.get(pk=matter.pk),
            by=clerk,
            reason="leapfrog",
            expected_version=stale_version,
        )


def test_extension_requested_by_the_handler_and_approved_once_by_the_unit_head(
    people, units, unit_officer, unit_head, leader
):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    assert matter.handler == unit_officer
    with pytest.raises(services.WorkflowError, match="1至30日"):
        services.request_extension(matter, by=unit_officer, days=31, reason="复杂")
    with pytest.raises(services.WorkflowError, match="1至30日"):
        services.request_extension(matter, by=unit_officer, days=0, reason="复杂")
    with pytest.raises(services.WorkflowError, match="延期理由"):
        services.request_extension(matter, by=unit_officer, days=10, reason="  ")
    with pytest.raises(PermissionDenied, match="角色无权申请"):
        services.request_extension(matter, by=leader, days=10, reason="复杂")
    request = services.request_extension(matter, by=unit_officer, days=30, reason="需要现场勘验")
    matter.refresh_from_db()
    assert matter.state == workflow.INVESTIGATING and matter.extension_days == 0
    assert matter.events.order_by("-id").first().kind == "extension:request"
    with pytest.raises(services.WorkflowError, match="待审批"):
        services.request_extension(matter, by=unit_head, days=5, reason="再次")
    # the requester / handler and a county leader may not approve
    for user in (unit_officer, leader):
        with pytest.raises(PermissionDenied):
            services.decide_extension(request, by=user, approve=True)
    accepted_on = matter.accepted_on
    services.decide_extension(request, by=unit_head, approve=True)
    matter.refresh_from_db()
    request.refresh_from_db()
    assert (request.state, request.decided_by) == ("approved", unit_head)
    assert matter.state == workflow.EXTENDED and matter.extension_days == 30
    # the days are added to the statutory period (受理 + 60 + 30 日), then rolled past rest days
    assert matter.handle_due == deadlines.clock_due("HANDLE", accepted_on, days=90)
    assert matter.handle_due == deadlines.due_date(accepted_on, 90)
    notice = matter.documents.get(kind="extension_notice")
    assert notice.is_public and matter.events.get(action="extend").document == notice
    with pytest.raises((services.WorkflowError, PermissionDenied)):
        services.request_extension(matter, by=unit_officer, days=5, reason="再次")


def test_refused_extension_keeps_its_reason_and_the_state(people, units, unit_officer, unit_head):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    due = matter.handle_due
    request = services.request_extension(matter, by=unit_officer, days=10, reason="需要调取档案")
    with pytest.raises(services.WorkflowError, match="理由"):
        services.decide_extension(request, by=unit_head, approve=False, reason=" ")
    services.decide_extension(request, by=unit_head, approve=False, reason="材料已齐备，应按期办结")
    request.refresh_from_db()
    matter.refresh_from_db()
    assert (request.state, request.refusal_reason, request.decided_by) == (
        "refused",
        "材料已齐备，应按期办结",
        unit_head,
    )
    assert (matter.state, matter.handle_due, matter.extension_days) == (workflow.INVESTIGATING, due, 0)
    event = matter.events.order_by("-id").first()
    assert (event.kind, event.note, event.actor) == ("extension:refuse", "材料已齐备，应按期办结", unit_head)
    assert not matter.documents.filter(kind="extension_notice").exists()
    with pytest.raises(services.WorkflowError, match="已审批"):
        services.decide_extension(request, by=unit_head, approve=True)
    # the unit may ask again
    again = services.request_extension(matter, by=unit_officer, days=5, reason="仍需鉴定")
    assert again.state == "pending"


def test_late_review_request_refused(people, units, clerk, time_machine):
    matter = factories.matter_in_state(workflow.DELIVERED, people=people, units=units)
    time_machine.move_to(matter.review_request_due + timedelta(days=1))
    with pytest.raises(services.WorkflowError, match="已超过复查申请期限"):
        services.request_review(matter, by=clerk)
    services.close_matter(matter)
    matter.refresh_from_db()
    assert matter.state == workflow.CLOSED


def test_collective_visit_needs_at_most_five_representatives(clerk, units):
    people = [
        factories.petitioner_input(name=f"村民{i}", id_number="", is_representative=True) for i in range(6)
    ]
    with pytest.raises(ValidationError) as e:
        factories.register(clerk, channel="visit", is_collective=True, head_count=30, petitioners=people)
    assert "不得超过5人" in str(e.value)
    for p in people[5:]:
        p.is_representative = False
    matter = factories.register(clerk, channel="visit", is_collective=True, head_count=30, petitioners=people)
    reg = matter.registrations.get()
    assert reg.head_count == 30 and reg.is_collective


def test_invalid_id_number_saves_nothing(clerk, units):
    bad = factories.petitioner_input(id_number="130402198207290622")
    with pytest.raises(ValidationError) as e:
        factories.register(clerk, petitioners=[bad])
    assert "校验码" in str(e.value)
    assert not Registration.objects.exists()


def test_whistleblower_matter_never_goes_to_accused_unit(clerk, units, unit_officer):
    matter = factories.register(clerk, purpose="02", accused_unit=units["dept"].code, accused_person="王某")
    assert matter.is_confidential
    with pytest.raises(services.WorkflowError, match="被检举"):
        services.forward_matter(matter, by=clerk, unit=units["dept"])
    from xinfang.petitions.access import visible_matters

    assert not visible_matters(unit_officer).filter(pk=matter.pk).exists()


def test_unit_officer_of_other_unit_cannot_act(people, units, other_unit_officer):
    matter = factories.matter_in_state(workflow.FORWARDED, people=people, units=units)
    with pytest.raises(PermissionDenied):
        services.acknowledge_matter(matter, by=other_unit_officer)
    matter.refresh_from_db()
    assert matter.state == workflow.FORWARDED
