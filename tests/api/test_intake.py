from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from tests.petitions.test_intake_scaling import WRAPPING
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import citizens, queries, search, workflow
from xinfang.petitions.models import Document, Matter, MatterSearch, Petitioner, Registration


def body(**overrides) -> dict:
    data = factories.petition_input()
    values = {k: v for k, v in vars(data).items() if k != "petitioners"}
    values["received_at"] = data.received_at.isoformat()
    values["petitioners"] = [vars(p) for p in data.petitioners]
    values.update(overrides)
    return values


def test_intake_registers_a_new_matter(api_as, clerk):
    response = api_as(clerk).post("/registrations", body())
    assert response.status_code == 201, response.content
    out = response.json()
    matter = Matter.objects.get(number=out["matter_number"])
    assert out["registration_number"] == matter.registrations.get().number
    assert out["state"] == workflow.REGISTERED and out["state_label"] == "已登记待分流"
    assert out["disposition"] == "new"
    assert matter.clock == "TRIAGE" and matter.registrations.get().registered_by == clerk
    assert Petitioner.objects.get().id_number == "11010519491231002X"
    assert AuditEntry.objects.filter(action="registration:create", user=clerk).count() == 1


def test_naive_datetime_is_read_as_beijing_time(api_as, clerk):
    local = timezone.localtime() - timedelta(hours=2)
    naive = local.replace(tzinfo=None, microsecond=0).isoformat()
    assert api_as(clerk).post("/registrations", body(received_at=naive)).status_code == 201
    assert Registration.objects.get().received_at == local.replace(microsecond=0)


def test_bad_id_number_is_422_in_chinese_and_saves_nothing(api_as, clerk):
    people = [vars(factories.petitioner_input(id_number="110105194912310021"))]
    response = api_as(clerk).post("/registrations", body(petitioners=people))
    assert response.status_code == 422
    out = response.json()
    assert "身份证" in out["detail"]
    assert any("身份证" in m for m in out["errors"]["petitioners"])
    assert Matter.objects.count() == Registration.objects.count() == Petitioner.objects.count() == 0
    assert Document.objects.count() == 0


def test_missing_fields_and_bad_dates_are_422_with_chinese_field_errors(api_as, clerk):
    values = body(received_at="2019-13-45T10:00", external_due="明天")
    del values["title"]
    response = api_as(clerk).post("/registrations", values)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["title"] == ["此项为必填项。"]
    assert "ISO 8601" in errors["received_at"][0]
    assert "YYYY-MM-DD" in errors["external_due"][0]
    assert "petitioners.0.name" not in errors
    assert Matter.objects.count() == 0


def test_unknown_choice_and_nested_field_errors(api_as, clerk):
    values = body(channel="pigeon", petitioners=[{"id_number": "x"}])
    errors = api_as(clerk).post("/registrations", values).json()["errors"]
    assert errors["channel"][0].startswith("取值无效，可选值")
    assert errors["petitioners.0.name"] == ["此项为必填项。"]


def test_future_received_at_is_refused_by_the_service(api_as, clerk):
    later = (timezone.now() + timedelta(days=1)).isoformat()
    response = api_as(clerk).post("/registrations", body(received_at=later))
    assert response.status_code == 422
    assert response.json()["errors"]["received_at"] == ["来信来访日期不能晚于现在。"]


def test_malformed_json_is_400_in_chinese(api_as, clerk):
    client = api_as(clerk).client
    response = client.post("/api/registrations", "{oops", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_supervisor_may_not_register(api_as, supervisor):
    response = api_as(supervisor).post("/registrations", body())
    assert response.status_code == 403
    assert response.json()["detail"] == "您的角色无权登记信访事项。"
    assert Matter.objects.count() == 0


def test_unit_officer_registers_what_the_unit_received_directly(api_as, unit_officer):
    """条例第二十三条第一、二款: the unit registers it, with its own 15-day notice clock."""
    response = api_as(unit_officer).post("/registrations", body())
    assert response.status_code == 201
    matter = Matter.objects.get()
    assert matter.is_direct and matter.handling_unit == unit_officer.unit
    assert (matter.state, matter.clock) == (workflow.RECEIVED_BY_UNIT, "NOTIFY_DIRECT")


def test_repeat_of_terminated_matter_is_answered_no_longer_accepted(api_as, people, units, clerk):
    original = factories.matter_in_state(workflow.TERMINATED, people=people, units=units)
    response = api_as(clerk).post("/registrations", body(repeat_of=original.number))
    assert response.status_code == 201
    out = response.json()
    assert out["matter_number"] == original.number
    assert out["disposition"] == "no_longer" and out["disposition_label"] == "不再受理（原事项已终结）"
    assert original.documents.filter(kind="no_longer_notice").count() == 1


def test_every_api_registration_gets_a_query_code_once_and_an_sms(
    api_as, clerk, client, settings, django_capture_on_commit_callbacks
):
    """ADR 0007: the API registers through citizens.register_incoming — a 查询码 in the 201 answer (only its
    hash stored), the SMS to the petitioner's mobile, and the code works on the portal."""
    from xinfang.core.notify import MemorySender

    settings.XINFANG_SENDER = "xinfang.core.notify.MemorySender"
    MemorySender.outbox = []
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(clerk).post("/registrations", body())
    assert response.status_code == 201, response.content
    out = response.json()
    code = out["query_code"]
    registration = Registration.objects.get(number=out["registration_number"])
    assert len(code) == 12 and registration.query_code_hash and code not in registration.query_code_hash
    assert (
        MemorySender.outbox == [("13912345678", MemorySender.outbox[0][1])]
        and code in MemorySender.outbox[0][1]
    )
    # nothing gives the code out again
    detail = api_as(clerk).get(f"/matters/{out['matter_number']}")
    assert detail.status_code == 200 and code not in detail.content.decode()
    tracked = client.post("/portal/track/", {"number": registration.number, "code": code})
    assert tracked.status_code == 302 and tracked["Location"] == "/portal/track/case/"


def test_the_schema_documents_the_query_code(api_as, clerk):
    schema = api_as(clerk).client.get("/api/openapi.json").json()
    out = schema["components"]["schemas"]["RegistrationOut"]
    assert (
        "query_code" in out["required"]
        and "只在本次应答中返回一次" in out["properties"]["query_code"]["description"]
    )


# The whole API call POST /api/registrations (the token, the roles, the registration with its 查询码, the audit
# row): 26, measured on SQLite and PostgreSQL (and one more after the commit, the SMS's numbers); 33 before: the
# token's last use written at every call in a commit of its own, the 查询码 by an UPDATE of its own, each number
# by an UPDATE and a SELECT, the search row read back and upserted, the bureau read again inside the transaction.
# Issue 16: 27 — the matter's LSH band keys for 同事 candidates (similar.py), one INSERT with the search row.
# Issue 14, CPU per registration: 23 — the bureau read once (before the transaction) and handed to the service,
# the codes in one SELECT, no tally snapshot or evaluations read for the matter just created.
MAX_API_STATEMENTS = 23


def test_one_api_registration_is_bounded_and_its_query_code_and_search_row_are_right(api_as, clerk):
    api = api_as(clerk)
    assert api.post("/registrations", body()).status_code == 201  # the sequences, the token's last use
    with CaptureQueriesContext(connection) as captured:
        response = api.post("/registrations", body(title="拖欠工程款", content="某建筑公司拖欠工程款。"))
    assert response.status_code == 201, response.content
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(WRAPPING)]
    assert len(statements) <= MAX_API_STATEMENTS, "\n".join(statements)
    out = response.json()
    registration = Registration.objects.get(number=out["registration_number"])
    assert citizens.find_registration(out["registration_number"], out["query_code"]) == registration
    # the search row written from the input is the one a refresh from the records writes
    row = MatterSearch.objects.get(matter=registration.matter)
    search.refresh(registration.matter)
    assert (row.names, row.words) == MatterSearch.objects.values_list("names", "words").get(pk=row.pk)
    assert "工程款" in row.words.split() and "张三" in row.names.split()
    found = queries.worklist(clerk, queries.WorklistFilter(queue=False, q="工程款"))
    assert list(found.values_list("number", flat=True)) == [out["matter_number"]]
