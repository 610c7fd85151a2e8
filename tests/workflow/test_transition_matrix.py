"""Every (state, action) pair, through the services, as the action's natural actor.

Allowed by workflow.TRANSITIONS: the matter moves to the table's target, exactly one Event row
records it, the table's document is issued (and no other), and the matter's clock is the table's.
Not allowed: WorkflowError, and nothing at all changes.
"""

import pytest
from django.core.exceptions import PermissionDenied

from tests.workflow.conftest import act, noon_after, snapshot
from xinfang.petitions import services, workflow
from xinfang.petitions.models import Document, Event

PAIRS = [(state, t.action) for state in workflow.STATES for t in workflow.TRANSITIONS]

# Services that read a field of a later state before `transition()` checks the state, and so crash
# (TypeError / AttributeError on None) instead of refusing with WorkflowError when called in a state
# where that field is still empty. A bug in services.py (reported); the marks are strict, so these
# tests fail (XPASS) once a service checks the state first — then delete its entry here.
_W = workflow


def _params():
    for state, action in PAIRS:
        yield pytest.param(state, action, id=f"{state}-{action}")


def test_matrix_covers_every_state_and_action():
    assert len(PAIRS) == len(workflow.STATES) * len(workflow.TRANSITIONS)
    assert {s for s, _ in PAIRS} == set(workflow.STATES)
    # every source and target in the table is a known state; every state but `received` is reachable
    targets = {t.target for t in workflow.TRANSITIONS}
    for t in workflow.TRANSITIONS:
        assert set(t.sources) <= set(workflow.STATES) and t.target in workflow.STATES
    assert set(workflow.STATES) - targets == {workflow.RECEIVED}


def test_only_registration_leaves_received():
    """Invariant 1 (domain-rules §6.2): no transition out of `received` except 登记."""
    assert [t.action for t in workflow.actions_from(workflow.RECEIVED)] == ["register"]


def test_final_states_only_archive():
    for state in workflow.FINAL_STATES:
        expected = [] if state == workflow.ARCHIVED else ["archive"]
        assert [t.action for t in workflow.actions_from(state)] == expected, state


@pytest.mark.parametrize(("state", "action"), list(_params()))
def test_state_action(db, world, state, action, request):
    t = workflow.BY_ACTION[action]
    matter = world.matter(state)
    before = snapshot(matter.pk)
    last_event = Event.objects.order_by("-id").values_list("id", flat=True).first()
    last_document = Document.objects.order_by("-id").values_list("id", flat=True).first() or 0

    if state not in t.sources:
        # refused for the state — or, when the natural actor cannot even see the matter (a unit officer
        # before it reached the unit), refused without saying anything about it
        with pytest.raises((services.WorkflowError, PermissionDenied)):
            act(action, matter, world=world)
        # and the table check itself, whatever the service validated first
        with pytest.raises(services.WorkflowError, match="不能执行"):
            services.transition(matter, action, by=world.people["case_officer"])
        assert snapshot(matter.pk) == before
        return

    if t.requested_by:  # requested first (延期申请): the request is not the action under test
        services.request_extension(matter, by=world.people["unit_officer"], days=30, reason="情况复杂")
        matter.refresh_from_db()
        before = snapshot(matter.pk)
        last_event = Event.objects.order_by("-id").values_list("id", flat=True).first()

    if action == "close":  # only once the review (recheck) window has lapsed
        due = matter.review_request_due if state == workflow.DELIVERED else matter.recheck_request_due
        request.getfixturevalue("time_machine").move_to(noon_after(due), tick=False)

    result = act(action, matter, world=world)

    matter.refresh_from_db()
    assert result.pk == matter.pk
    assert matter.state == t.target
    assert matter.version == before["matter"]["version"] + 1
    assert matter.clock == t.clock
    assert (matter.clock_due is not None) == bool(t.clock)
    events = list(Event.objects.filter(id__gt=last_event))
    assert len(events) == 1
    event = events[0]
    assert (event.matter_id, event.action, event.kind) == (matter.pk, action, f"matter:{action}")
    assert (event.from_state, event.to_state) == (state, t.target)
    assert event.is_public == t.public
    documents = list(Document.objects.filter(id__gt=last_document))
    if t.document:
        assert [d.kind for d in documents] == [t.document]
        assert event.document_id == documents[0].pk and documents[0].matter_id == matter.pk
        assert documents[0].is_public == workflow.DOCUMENTS[t.document][2]
    else:
        assert documents == [] and event.document_id is None
