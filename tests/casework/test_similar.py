"""The intake screen's 同人同事 list (issue 16, htmx) and the clerk's choice through the form."""

from tests import factories
from tests.casework.test_intake import ID_A, intake
from tests.petitions.test_similar import WAGES, WAGES_AGAIN
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import services, workflow
from xinfang.petitions.models import Event, Registration

URL = "/casework/register/similar/"


def test_candidates_while_typing_with_reasons_and_choices(login, clerk, in_state):
    terminated = in_state(workflow.TERMINATED, content=WAGES)
    page = login(clerk)
    html = page.post(URL, {"content": WAGES_AGAIN, "township": "513223100"}, HTTP_HX_REQUEST="true").content
    html = html.decode()
    assert terminated.number in html and "内容相似" in html and "同乡镇" in html
    assert 'data-disposition="no_longer"' in html and 'data-disposition="repeat"' not in html
    assert not AuditEntry.objects.filter(action="matter:similar").exists()  # no ID or phone typed: no lookup
    page.post(URL, {"content": "", "p-0-id_number": ID_A})
    assert AuditEntry.objects.get(action="matter:similar").detail["found"] == [terminated.number]


def test_nothing_typed_asks_nothing(login, clerk):
    assert login(clerk).post(URL, {}).content.decode().strip() == ""


def test_other_units_and_confidential_matters_never_listed(login, clerk, unit_officer, auditor, units):
    mine = factories.register(clerk, content=WAGES)
    services.forward_matter(mine, by=clerk, unit=units["dept"])
    theirs = factories.register(clerk, content=WAGES)
    services.forward_matter(theirs, by=clerk, unit=units["township"])
    secret = factories.register(clerk, content=WAGES, purpose="02", accused_unit=units["township"].code)
    html = login(unit_officer).post(URL, {"content": WAGES_AGAIN, "p-0-id_number": ID_A}).content.decode()
    assert mine.number in html and theirs.number not in html and secret.number not in html
    assert secret.number not in login(clerk).post(URL, {"content": WAGES_AGAIN}).content.decode()
    response = login(auditor).post(URL, {"content": WAGES_AGAIN})
    assert response.status_code == 403


def test_a_get_is_refused_so_numbers_stay_out_of_urls(login, clerk):
    assert login(clerk).get(URL, {"p-0-id_number": ID_A}).status_code == 405


def test_the_form_registers_the_clerks_choice_and_its_reason(login, clerk, in_state):
    original = in_state(workflow.TERMINATED)
    data = intake(repeat_of=original.number, disposition="no_longer", repeat_reason="同一证件号，内容相同")
    assert login(clerk).post("/casework/register/letter/", data).status_code == 302
    reg = Registration.objects.get(matter=original, disposition="no_longer")
    event = Event.objects.get(matter=original, kind="registration:no_longer_accepted")
    assert event.note == "同一证件号，内容相同" and event.document.kind == "no_longer_notice"
    assert reg.registered_by == clerk


def test_a_choice_the_original_does_not_allow_is_shown_next_to_it(login, clerk, in_state):
    original = in_state(workflow.REGISTERED)
    data = intake(repeat_of=original.number, disposition="pending")
    html = login(clerk).post("/casework/register/letter/", data).content.decode()
    assert "不能以此为由不予受理" in html and original.registrations.count() == 1


def test_person_page_lists_the_same_persons_registrations_and_is_audited(login, clerk, unit_officer, units):
    first = factories.register(clerk, content=WAGES)
    services.forward_matter(first, by=clerk, unit=units["dept"])
    # the same person without an ID number this time, found by the mobile
    other_row = [factories.petitioner_input(id_number="", mobile="+86 13912345678")]
    second = factories.register(clerk, content="道路失修。", title="道路失修", petitioners=other_row)
    someone_else = factories.register(clerk, petitioners=[factories.petitioner_input(
        name="李四", id_number="", mobile="13700000000")])  # fmt: skip
    person = first.registrations.get().petitioners.get()
    html = login(clerk).get(f"/casework/people/{person.pk}/").content.decode()
    assert first.number in html and second.number in html and someone_else.number not in html
    assert "11010519491231002X" not in html and "已转送" in html
    assert AuditEntry.objects.filter(action="person:view", user=clerk, object_id=str(person.pk)).count() == 1
    # a unit officer sees only what their unit handles
    html = login(unit_officer).get(f"/casework/people/{person.pk}/").content.decode()
    assert first.number in html and second.number not in html


def test_person_page_of_nothing_visible_is_404_and_recorded(login, other_unit_officer, clerk):
    factories.register(clerk)
    person = Registration.objects.get().petitioners.get()
    assert login(other_unit_officer).get(f"/casework/people/{person.pk}/").status_code == 404
    assert AuditEntry.objects.get(action="person:view").result == "denied"
    assert login(other_unit_officer).get("/casework/people/999999/").status_code == 404


def test_an_online_submission_shows_its_candidates_to_the_clerk(login, clerk, in_state):
    terminated = in_state(workflow.TERMINATED, content=WAGES)
    submission = factories.online_submission(content=WAGES_AGAIN)
    html = login(clerk).get(f"/casework/matters/{submission.number}/").content.decode()
    assert "疑似重复（同人同事）" in html and terminated.number in html and "同一证件号" in html
    assert "不再受理（原事项已终结）" in html
    # once triaged, no longer
    html = login(clerk).get(f"/casework/matters/{terminated.number}/").content.decode()
    assert "疑似重复（同人同事）" not in html
