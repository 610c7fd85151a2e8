"""Every (state, action) pair, through the services, as the action's natural actor.

Allowed by workflow.TRANSITIONS: the matter moves to the table's target, exactly one Event row
records it, the table's document is issued (and no other), and the matter's clock is the table's.
Not allowed: WorkflowError, and nothing at all changes.
"""

import pytest

from tests.workflow.conftest import act, noon_after, snapshot
from xinfang.petitions import services, workflow
from xinfang.petitions.models import Document, Event

PAIRS = [(state, t.action) for state in workflow.STATES for t in workflow.TRANSITIONS]

# Services that read a field of a later state before `transition()` checks the state, and so crash
# (TypeError / AttributeError on None) instead of refusing with WorkflowError when called in a state
# where that field is still empty. A bug in services.py (reported); the marks are strict, so these
# tests fail (XPASS) once a service checks the state first — then delete its entry here.
_W = workflow
_BEFORE_ACK = frozenset({_W.RECEIVED, _W.REGISTERED, _W.REPORTED, _W.FORWARDED, _W.ASSIGNED, _W.REDIRECTED_LEGAL,
                         _W.REDIRECTED_DISCIPLINE, _W.REDIRECTED_OTHER, _W.NOT_ACCEPTED, _W.NO_LONGER_ACCEPTED,
                         _W.ARCHIVED})  # fmt: skip
_BEFORE_ACCEPT = _BEFORE_ACK | {_W.RECEIVED_BY_UNIT, _W.OBJECTED}
_BEFORE_REPLY = _BEFORE_ACCEPT | {_W.ACCEPTED, _W.INVESTIGATING, _W.EXTENDED, _W.CHANNELED}
_BEFORE_DELIVERY = _BEFORE_REPLY | {_W.REPLIED}
_BEFORE_REVIEW_DECISION = _BEFORE_DELIVERY | {_W.DELIVERED, _W.CLOSED, _W.UNDER_REVIEW}
_BEFORE_RECHECK_REQUEST = _BEFORE_REVIEW_DECISION | {_W.REVIEW_DECIDED}
CRASHES_IN_WRONG_STATE: dict[str, tuple[str, frozenset[str]]] = {
    "object": ("object_matter compares today() with objection_due (None)", _BEFORE_ACK),
    "reject_objection": ("decide_objection computes NOTIFY from received_by_unit_on (None)", _BEFORE_ACK),
    "extend": ("extend_matter adds days to handle_due (None)", _BEFORE_ACCEPT),
    "deliver": ("deliver_reply compares replied_on (None)", _BEFORE_REPLY),
    "request_review": ("request_review compares with review_request_due (None)", _BEFORE_DELIVERY),
    "decide_review": ("decide_review reads review_unit.parent (review_unit None)", _BEFORE_DELIVERY),
    "request_recheck": ("request_recheck compares with recheck_request_due (None)", _BEFORE_REVIEW_DECISION),
    "record_recheck": ("record_recheck compares recheck_requested_on (None)", _BEFORE_RECHECK_REQUEST),
}


def _params():
    for state, action in PAIRS:
        reason, states = CRASHES_IN_WRONG_STATE.get(action, ("", frozenset()))
        marks = []
        if state in states:
            assert state not in workflow.BY_ACTION[action].sources
            marks.append(
                pytest.mark.xfail(raises=(TypeError, AttributeError), strict=True, reason=f"bug: {reason}")
            )
        yield pytest.param(state, action, id=f"{state}-{action}", marks=marks)


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
        with pytest.raises(services.WorkflowError):
            act(action, matter, world=world)
        # and the table check itself, whatever the service validated first
        with pytest.raises(services.WorkflowError, match="不能执行"):
            services.transition(matter, action, by=world.people["case_officer"])
        assert snapshot(matter.pk) == before
        return

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
