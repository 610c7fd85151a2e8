from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests import factories
from xinfang.petitions import services, workflow
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


def test_extension_once_by_someone_other_than_handler(people, units, unit_officer, unit_head):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    assert matter.handler == unit_officer
    with pytest.raises(services.WorkflowError, match="承办人以外"):
        services.extend_matter(matter, by=unit_officer, days=10, reason="复杂")
    with pytest.raises(services.WorkflowError, match="1至30日"):
        services.extend_matter(matter, by=unit_head, days=31, reason="复杂")
    due = matter.handle_due
    matter = services.extend_matter(matter, by=unit_head, days=30, reason="需要现场勘验")
    assert matter.handle_due >= due + timedelta(days=30)
    assert matter.documents.filter(kind="extension_notice").exists()
    with pytest.raises(services.WorkflowError):
        services.extend_matter(matter, by=unit_head, days=5, reason="再次")


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
