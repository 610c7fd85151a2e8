"""Intake (登记) through the web forms: one form per channel, service validation shown in Chinese."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests import factories
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import workflow
from xinfang.petitions.models import Matter, Petitioner, Registration

ID_A = "11010519491231002X"
ID_B = "440524188001010014"


def intake(channel="letter", people=None, **fields):
    """POST data for the intake form of `channel`, with the petitioner rows of `people` (list of dicts)."""
    received = timezone.localtime() - timedelta(hours=2)
    data = {
        "received_at": received.strftime("%Y-%m-%dT%H:%M"),
        "title": "拖欠工资问题",
        "purpose": "04",
        "content_class": "0303",
        "township": "513223100",
        "content": "某公司拖欠工资三个月。",
        "request": "请求支付拖欠的工资。",
        "facts": "2019年6月至8月未发工资。",
    }
    data.update(fields)
    people = people if people is not None else [{"name": "张三", "id_number": ID_A, "mobile": "13912345678"}]
    rows = max(len(people), 1)
    data.update({"p-TOTAL_FORMS": str(rows), "p-INITIAL_FORMS": "0", "p-MIN_NUM_FORMS": "1",
                 "p-MAX_NUM_FORMS": "50"})  # fmt: skip
    for i, p in enumerate(people):
        for key, value in p.items():
            if key == "is_representative":
                if value:
                    data[f"p-{i}-{key}"] = "on"
            else:
                data[f"p-{i}-{key}"] = value
    return data


def test_channel_chooser_lists_every_channel(login, clerk):
    html = login(clerk).get("/casework/register/").content.decode()
    for code, label in Registration.Channel.choices:
        assert f"/casework/register/{code}/" in html and str(label) in html


@pytest.mark.parametrize("channel", Registration.Channel.values)
def test_every_channel_form_renders_with_bound_labels(login, clerk, channel):
    response = login(clerk).get(f"/casework/register/{channel}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_title">' in html and 'id="id_title"' in html
    assert '<label for="id_p-0-id_number">' in html
    assert ("id_head_count" in html) == (channel in ("visit", "video"))
    assert ("id_source_unit" in html) == (channel == "assigned")


def test_unknown_channel_is_404(login, clerk):
    assert login(clerk).get("/casework/register/fax/").status_code == 404


def test_valid_letter_is_registered_and_shows_the_result(login, clerk):
    response = login(clerk).post("/casework/register/letter/", intake(), follow=True)
    reg = Registration.objects.get()
    assert response.redirect_chain[-1][0] == "/casework/register/done/"  # numbers, 查询码 and 登记回执
    html = response.content.decode()
    assert reg.number in html and f'href="/casework/matters/{reg.matter.number}/"' in html
    assert reg.channel == "letter" and reg.matter.state == workflow.REGISTERED
    assert reg.matter.content_class.code == "0303" and reg.matter.township.code == "513223100"
    assert reg.petitioners.get().id_number == ID_A
    entry = AuditEntry.objects.get(action="registration:create")  # personal data recorded, with who and where
    assert (entry.user, entry.object_id, entry.ip) == (clerk, str(reg.pk), "127.0.0.1")


def test_collective_visit_with_two_representatives(login, clerk):
    people = [
        {"name": "李四", "id_number": ID_A, "is_representative": True},
        {"name": "王五", "id_number": ID_B, "is_representative": True},
        {"name": "赵六"},
    ]
    data = intake("visit", people, head_count="12", is_collective="yes", place="县群众接待中心")
    response = login(clerk).post("/casework/register/visit/", data)
    assert response.status_code == 302
    reg = Registration.objects.get()
    assert reg.channel == "visit" and reg.head_count == 12 and reg.is_collective
    assert reg.place == "县群众接待中心"
    reps = reg.registrationpetitioner_set.filter(is_representative=True)
    assert sorted(r.petitioner.name for r in reps) == ["李四", "王五"]


def test_collective_visit_without_representative_is_refused(login, clerk):
    data = intake("visit", [{"name": "李四"}], head_count="12", is_collective="yes")
    response = login(clerk).post("/casework/register/visit/", data)
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html
    assert "集体访须登记代表" in html
    assert not Registration.objects.exists()


def test_assignment_from_above(login, clerk, units):
    due = (timezone.localdate() + timedelta(days=30)).isoformat()
    data = intake("assigned", source_unit=units["prefecture"].code, external_number="阿信交〔2019〕12号",
                  external_due=due)  # fmt: skip
    assert login(clerk).post("/casework/register/assigned/", data).status_code == 302
    reg = Registration.objects.get()
    assert reg.source_unit == units["prefecture"] and reg.external_number == "阿信交〔2019〕12号"
    assert reg.external_due.isoformat() == due


def test_assignment_without_source_unit_shows_errors(login, clerk):
    response = login(clerk).post("/casework/register/assigned/", intake("assigned"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_source_unit"' in html and 'href="#id_external_due"' in html
    assert not Registration.objects.exists()


def test_invalid_id_number_shows_chinese_error_and_saves_nothing(login, clerk):
    data = intake(people=[{"name": "张三", "id_number": "130402198207290622"}])
    response = login(clerk).post("/casework/register/letter/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="error-summary" role="alert"' in html
    assert "校验码" in html and 'href="#id_p-0-id_number"' in html
    assert not Registration.objects.exists() and not Matter.objects.exists()
    assert not Petitioner.objects.exists()


def test_service_validation_error_is_shown_and_nothing_saved(login, clerk):
    # a received date in the future is refused by the service (validate_petition)
    future = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = login(clerk).post("/casework/register/letter/", intake(received_at=future))
    html = response.content.decode()
    assert response.status_code == 200 and "来信来访日期不能晚于现在" in html
    assert not Registration.objects.exists()


def test_accusation_records_accused_unit(login, clerk, units):
    data = intake(purpose="02", accused_unit=units["dept"].code, accused_person="王某")
    assert login(clerk).post("/casework/register/letter/", data).status_code == 302
    matter = Matter.objects.get()
    assert matter.is_confidential and matter.accused_unit == units["dept"] and matter.accused_person == "王某"


def test_repeat_registration_joins_original_matter(login, clerk):
    original = factories.register(clerk)
    response = login(clerk).post("/casework/register/phone/", intake("phone", repeat_of=original.number))
    assert response.status_code == 302
    assert Matter.objects.count() == 1
    assert original.registrations.count() == 2


def test_similar_matters_lookup(login, clerk):
    earlier = factories.register(clerk)
    html = login(clerk).post("/casework/register/similar/", {"p-0-id_number": ID_A.lower()}).content.decode()
    assert earlier.number in html and "同一证件号" in html and 'data-disposition="repeat"' in html
    html = login(clerk).post("/casework/register/similar/", {"p-0-id_number": ID_B}).content.decode()
    assert earlier.number not in html and "未发现" in html


def test_supervisor_cannot_register(login, supervisor):
    response = login(supervisor).post("/casework/register/letter/", intake())
    assert response.status_code == 403 and "无权登记" in response.content.decode()
    assert not Registration.objects.exists()
