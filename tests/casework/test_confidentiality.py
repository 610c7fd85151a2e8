"""The four leaks of issue 11 item 2 (检举控告, 《信访工作条例》第三十条第三款、第四十六条第五项), each through the
interface a person uses, and the service that lets the bureau set or correct the accused before forwarding."""

import io
import re
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from docx import Document as Docx

from tests import factories
from tests.api.conftest import Api
from tests.portal.helpers import form_data
from xinfang.accounts.services import create_api_token
from xinfang.core.notify import MemorySender
from xinfang.petitions import access, services, supervision, workflow
from xinfang.petitions.models import Event, Matter, Notification, Registration, SupervisionOrder

TITLE = "检举人社局某科长违规发放补贴"


@pytest.fixture
def api_as(db):
    return lambda user: Api(create_api_token(user, name="测试"))


def _page(response, number: str = "") -> str:
    """The page without its CSRF token (new on every response), for comparing two answers."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
    return html.replace(number, "NUMBER") if number else html


def accusation(clerk, **overrides) -> Matter:
    return factories.register(clerk, purpose="02", title=TITLE, **overrides)


# --- leak 1: the accused unit is captured on every channel and may be set before forwarding ---------------


def test_portal_accusation_names_the_accused_and_is_never_forwarded_to_it(units, clerk, unit_officer):
    r = Client().post("/portal/submit/", form_data(purpose="02", title=TITLE, accused_unit=units["dept"].code,
                                                   accused_person="李某（科长）"))  # fmt: skip
    assert r.status_code == 302
    matter = Matter.objects.get(title=TITLE)
    assert (
        matter.is_confidential
        and matter.accused_unit == units["dept"]
        and matter.accused_person == "李某（科长）"
    )
    services.register_received(matter, by=clerk)
    with pytest.raises(services.WorkflowError, match="第三十条第三款"):
        services.forward_matter(matter, by=clerk, unit=units["dept"])
    assert not access.can_view(unit_officer, matter)


def test_portal_form_offers_the_accused_fields(units):
    page = Client().get("/portal/submit/").content.decode()
    assert 'name="accused_unit"' in page and 'name="accused_person"' in page


def test_portal_drops_the_accused_of_a_claim(units):
    Client().post("/portal/submit/", form_data(accused_unit=units["dept"].code, accused_person="某某"))
    matter = Matter.objects.get()
    assert matter.accused_unit is None and matter.accused_person == "" and not matter.is_confidential


@pytest.mark.parametrize("channel", [c for c in Registration.Channel.values if c != "assigned"])
def test_an_accusation_is_confidential_from_intake_on_every_channel(units, clerk, channel):
    matter = accusation(clerk, channel=channel, accused_unit=units["dept"].code)
    assert matter.is_confidential and matter.accused_unit == units["dept"]


def test_clerk_sets_the_accused_on_the_matter_page_before_forwarding(login, units, clerk, unit_officer):
    matter = accusation(clerk)  # registered without the accused
    assert access.can_view(unit_officer, matter) is False  # not forwarded yet: no unit sees it
    client = login(clerk)
    page = client.get(f"/casework/matters/{matter.number}/").content.decode()
    assert "填写或更正被检举对象" in page
    r = client.post(f"/casework/matters/{matter.number}/act/set_accused/", {
        "version": matter.version, "accused_unit": units["dept"].code, "accused_person": "李某",
        "reason": "登记时遗漏"})  # fmt: skip
    assert r.status_code == 302
    matter.refresh_from_db()
    assert matter.accused_unit == units["dept"] and matter.accused_person == "李某" and matter.is_confidential
    event = Event.objects.get(matter=matter, kind="matter:accused_set")
    assert not event.is_public and event.actor == clerk and event.note == "登记时遗漏"
    with pytest.raises(services.WorkflowError, match="第三十条第三款"):
        services.forward_matter(matter, by=clerk, unit=units["dept"])
    services.forward_matter(matter, by=clerk, unit=units["township"])
    matter.refresh_from_db()
    with pytest.raises(services.WorkflowError, match="已转出"):
        services.set_accused(matter, by=clerk, accused_unit=None, accused_person="王某", reason="更正")
    assert Event.objects.filter(kind="matter:accused_set").count() == 1


def test_set_accused_refusals_change_nothing(units, clerk, unit_officer, supervisor):
    claim = factories.register(clerk)
    with pytest.raises(services.WorkflowError, match="检举控告类"):
        services.set_accused(claim, by=clerk, accused_unit=units["dept"], accused_person="", reason="x")
    matter = accusation(clerk)
    with pytest.raises(PermissionDenied):
        services.set_accused(matter, by=supervisor, accused_unit=units["dept"], accused_person="", reason="x")
    with pytest.raises(services.WorkflowError, match="理由"):
        services.set_accused(matter, by=clerk, accused_unit=units["dept"], accused_person="", reason=" ")
    with pytest.raises(services.StaleMatter):
        services.set_accused(matter, by=clerk, accused_unit=units["dept"], accused_person="", reason="x",
                             expected_version=matter.version - 1)  # fmt: skip
    matter.refresh_from_db()
    assert matter.accused_unit is None and not Event.objects.filter(kind="matter:accused_set").exists()


def test_api_registers_and_corrects_the_accused(api_as, units, clerk, unit_officer):
    api = api_as(clerk)
    r = api.post("/registrations", {
        "channel": "letter", "received_at": "2026-11-30T10:00:00+08:00", "title": TITLE, "content": "收受好处。",
        "purpose": "02", "petitioners": [{"name": "张三"}], "accused_unit": units["township"].code})  # fmt: skip
    assert r.status_code == 201, r.json()
    matter = Matter.objects.get(number=r.json()["matter_number"])
    assert matter.is_confidential and matter.accused_unit == units["township"]
    r = api.act(
        matter, "accused", accused_unit=units["dept"].code, accused_person="李某", reason="信访人补充"
    )
    assert r.status_code == 200 and r.json()["flags"]["accused_unit"]["code"] == units["dept"].code
    r = api.act(matter, "forward", unit=units["dept"].code)
    assert r.status_code == 409 and "第三十条第三款" in r.json()["detail"]
    assert api_as(unit_officer).get(f"/matters/{matter.number}").status_code == 404


# --- leak 2: supervision orders, their notices and notifications ------------------------------------


@pytest.fixture
def forwarded_accusation(units, clerk):
    matter = accusation(clerk, accused_unit=units["dept"].code)
    return services.forward_matter(matter, by=clerk, unit=units["township"])


def test_no_order_on_a_confidential_matter_goes_to_the_accused_unit(login, forwarded_accusation, units,
                                                                      supervisor, unit_officer):  # fmt: skip
    matter = forwarded_accusation
    with pytest.raises(services.WorkflowError, match="被检举单位"):
        supervision.issue_order(by=supervisor, level="supervise", reason="督办", unit=units["dept"],
                                matters=[matter])  # fmt: skip
    r = login(supervisor).post("/casework/supervision/new/", {"matters": matter.number, "unit": units["dept"].code,
                                                              "level": "supervise", "reason": "督办"})  # fmt: skip
    assert r.status_code == 200 and "被检举单位" in r.content.decode()
    assert (
        not SupervisionOrder.objects.exists() and not Notification.objects.filter(user=unit_officer).exists()
    )
    order, created = supervision.propose_order(trigger="manual", matter=matter, unit=units["dept"], reason="x",
                                               dedupe_key="x")  # fmt: skip
    assert order is None and not created


def test_an_order_naming_a_confidential_matter_is_hidden_from_its_accused(login, forwarded_accusation, units,
                                                                         supervisor, clerk, unit_officer):  # fmt: skip
    other = factories.register(clerk, title="另一事项")
    services.forward_matter(other, by=clerk, unit=units["dept"])
    order = supervision.issue_order(by=supervisor, level="urge", reason="两件一并督办", unit=units["dept"],
                                    matters=[Matter.objects.get(pk=other.pk)])  # fmt: skip
    assert login(unit_officer).get(f"/casework/supervision/{order.pk}/").status_code == 200
    order.matters.add(forwarded_accusation)  # an order that also names the confidential matter
    assert login(unit_officer).get(f"/casework/supervision/{order.pk}/").status_code == 404
    assert order.number not in login(unit_officer).get("/casework/supervision/unit/").content.decode()


def test_notice_docx_does_not_print_a_confidential_title(login, forwarded_accusation, units, supervisor,
                                                        other_unit_officer):  # fmt: skip
    matter = forwarded_accusation
    order = supervision.issue_order(by=supervisor, level="supervise", reason="请加快办理", unit=units["township"],
                                    matters=[matter])  # fmt: skip
    r = login(supervisor).get(f"/casework/supervision/{order.pk}/notice.docx")
    text = "\n".join(p.text for p in Docx(io.BytesIO(r.content)).paragraphs)
    assert matter.number in text and access.CONFIDENTIAL_LABEL in text and TITLE not in text
    note = Notification.objects.get(user=other_unit_officer)
    assert TITLE not in note.text


# --- leak 3: the sweep's reminders reach only people who may see the matter ----------------------------


def test_sweep_does_not_remind_the_accused_bureau(units, clerk, case_officer, leader, time_machine, settings):
    settings.XINFANG_SENDER = "xinfang.core.notify.MemorySender"
    MemorySender.outbox.clear()
    matter = accusation(clerk, accused_unit=units["bureau"].code)
    time_machine.move_to(matter.clock_due + timedelta(days=1))
    result = supervision.sweep_deadlines(sender=MemorySender())
    assert result.alerts == 1  # the clock is marked …
    assert not Notification.objects.filter(
        user__in=[clerk, case_officer]
    ).exists()  # … but nobody accused told
    assert not [t for _to, t in MemorySender.outbox if matter.number in t or TITLE in t]


def test_sweep_reminder_of_a_confidential_matter_omits_its_title(units, clerk, case_officer, time_machine,
                                                                settings):  # fmt: skip
    settings.XINFANG_SENDER = "xinfang.core.notify.MemorySender"
    MemorySender.outbox.clear()
    matter = accusation(clerk, accused_unit=units["dept"].code)
    time_machine.move_to(matter.clock_due + timedelta(days=1))
    supervision.sweep_deadlines(sender=MemorySender())
    note = Notification.objects.get(user=case_officer)
    assert matter.number in note.text and access.CONFIDENTIAL_LABEL in note.text and TITLE not in note.text
    assert all(TITLE not in t for _to, t in MemorySender.outbox) and MemorySender.outbox


# --- leak 4: a hidden matter answers like a number that does not exist -------------------------------------


def test_staff_pages_answer_a_hidden_matter_like_a_missing_one(login, forwarded_accusation, unit_officer):
    matter = forwarded_accusation
    client = login(unit_officer)
    for path in ("/casework/matters/{}/", "/casework/programs/matters/{}/"):
        hidden, missing = client.get(path.format(matter.number)), client.get(path.format("XF2099999999"))
        assert (hidden.status_code, missing.status_code) in ((404, 404), (403, 403))
        assert _page(hidden, matter.number) == _page(missing, "XF2099999999")
    r = client.post(f"/casework/matters/{matter.number}/act/acknowledge/", {"version": matter.version})
    assert r.status_code == 404
    doc = matter.documents.first()
    assert client.get(f"/casework/documents/{doc.pk}.docx").status_code == 404
    assert workflow.FORWARDED == Matter.objects.get(pk=matter.pk).state
