from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document as Docx

from tests import factories
from xinfang.core.notify import MemorySender
from xinfang.petitions import citizens, services, supervision, workflow
from xinfang.petitions.models import ClockAlert, Event, Notification, SupervisionOrder


@pytest.fixture
def sender():
    MemorySender.outbox = []
    return MemorySender()


def test_sweep_marks_overdue_proposes_order_notifies_and_is_idempotent(people, units, supervisor, sender,
                                                                        time_machine):  # fmt: skip
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    time_machine.move_to(matter.handle_due + timedelta(days=1))
    first = supervision.sweep_deadlines(sender=sender)
    assert first.alerts == 1 and first.proposals == 1 and first.sent == first.notifications >= 2
    order = SupervisionOrder.objects.get()
    assert order.trigger == "clock" and order.clock == "HANDLE" and order.target_unit == units["dept"]
    assert list(order.matters.all()) == [matter]
    assert Notification.objects.filter(user=people["unit_officer"]).exists()
    assert Notification.objects.filter(user=supervisor).exists()
    outbox = list(sender.outbox)
    counts = (ClockAlert.objects.count(), SupervisionOrder.objects.count(), Notification.objects.count(),
              Event.objects.count())  # fmt: skip
    second = supervision.sweep_deadlines(sender=sender)
    assert not second.changed()
    assert sender.outbox == outbox
    assert counts == (ClockAlert.objects.count(), SupervisionOrder.objects.count(), Notification.objects.count(),
                      Event.objects.count())  # fmt: skip


def test_due_soon_is_marked_without_proposal(people, units, sender, time_machine):
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    time_machine.move_to(matter.handle_due - timedelta(days=1))
    result = supervision.sweep_deadlines(sender=sender)
    assert result.alerts == 1 and result.proposals == 0
    assert ClockAlert.objects.get().level == "due_soon"


def test_unsatisfied_and_repeat_triggers(people, units, clerk, sender):
    matter = factories.matter_in_state(workflow.DELIVERED, people=people, units=units)
    citizens.evaluate(matter, target="unit", value="unsatisfied", reason="未解决实际问题")
    other = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    services.register_petition(factories.petition_input(repeat_of=other.number), by=clerk)
    supervision.sweep_deadlines(sender=sender)
    triggers = sorted(SupervisionOrder.objects.values_list("trigger", flat=True))
    assert triggers == ["repeat", "unsatisfied"]


def test_order_issue_answer_close_with_notice(people, units, supervisor, unit_officer, other_unit_officer):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    with pytest.raises(PermissionDenied):
        supervision.issue_order(by=unit_officer, level="supervise", unit=units["dept"], matters=[matter],
                                reason="进度缓慢")  # fmt: skip
    order = supervision.issue_order(by=supervisor, level="supervise", unit=units["dept"], matters=[matter],
                                    reason="进度缓慢")  # fmt: skip
    assert order.status == "issued" and order.number.startswith("茂信访督〔")
    assert matter.events.filter(kind="supervision:issued").exists()
    supervision.add_follow_up(order, by=supervisor, kind="onsite", note="到人社局实地督查")
    with pytest.raises(PermissionDenied):
        supervision.answer_order(order, by=other_unit_officer, feedback="已办理")
    supervision.answer_order(order, by=unit_officer, feedback="已约谈企业，月底前支付。")
    order = supervision.close_order(order, by=supervisor, result="问题已解决")
    assert order.status == "closed"
    text = "\n".join(
        p.text for p in Docx(__import__("io").BytesIO(supervision.render_notice_docx(order))).paragraphs
    )
    assert order.number in text and matter.number in text


def test_a_failed_send_is_retried_on_the_next_run(people, units, sender, time_machine):
    class Broken:
        def send(self, *, to, text):
            raise ConnectionError("SMS gateway down")

    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    time_machine.move_to(matter.handle_due + timedelta(days=1))
    with pytest.raises(ConnectionError):
        supervision.sweep_deadlines(sender=Broken())
    assert Notification.objects.filter(sent_at=None).count() == Notification.objects.count() > 0
    assert supervision.send_notifications(sender=sender) == Notification.objects.count()
