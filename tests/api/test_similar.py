"""POST /api/matters/similar (issue 16) and the clerk's disposition through POST /api/registrations."""

from tests import factories
from tests.api.test_intake import body
from tests.petitions.test_similar import WAGES, WAGES_AGAIN
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import services, workflow
from xinfang.petitions.models import Registration


def test_ranked_candidates_with_reasons_and_choices(api_as, clerk, in_state):
    accepted = in_state(workflow.ACCEPTED, content=WAGES)
    other = factories.register(clerk, content="道路失修，请求硬化。", title="道路",
                               petitioners=[factories.petitioner_input(id_number="", mobile="13700001111")])  # fmt: skip
    response = api_as(clerk).post("/matters/similar", {
        "content": WAGES_AGAIN, "petitioners": [{"name": "张三", "id_number": "110105491231002"}],
        "township": "513223100", "content_class": "03",
    })  # fmt: skip
    assert response.status_code == 200, response.content
    out = response.json()
    assert [c["matter_number"] for c in out][0] == accepted.number
    first = out[0]
    assert first["reasons"][0] == "同一证件号" and any(r.startswith("内容相似 ") for r in first["reasons"])
    assert first["choices"] == ["repeat", "pending"] and first["state"] == workflow.ACCEPTED
    assert other.number not in [c["matter_number"] for c in out if "同一证件号" in c["reasons"]]
    assert out == sorted(out, key=lambda c: -c["score"])
    entry = AuditEntry.objects.get(action="matter:similar", user=clerk)
    assert entry.detail["found"][0] == accepted.number


def test_a_unit_sees_only_its_own_matters_and_confidential_ones_never(api_as, clerk, unit_officer, auditor,
                                                                        units):  # fmt: skip
    mine = factories.register(clerk, content=WAGES)
    services.forward_matter(mine, by=clerk, unit=units["dept"])
    theirs = factories.register(clerk, content=WAGES)
    services.forward_matter(theirs, by=clerk, unit=units["township"])
    secret = factories.register(clerk, content=WAGES, purpose="02", accused_unit=units["township"].code)
    draft = {"content": WAGES_AGAIN, "petitioners": [{"id_number": "11010519491231002X"}]}
    found = [c["matter_number"] for c in api_as(clerk).post("/matters/similar", draft).json()]
    assert mine.number in found and theirs.number in found and secret.number not in found
    found = [c["matter_number"] for c in api_as(unit_officer).post("/matters/similar", draft).json()]
    assert found == [mine.number]
    # a role that registers nothing (the auditor) may not ask
    response = api_as(auditor).post("/matters/similar", draft)
    assert response.status_code == 403 and "无权" in response.json()["detail"]


def test_limit_and_validation(api_as, clerk):
    assert api_as(clerk).post("/matters/similar", {"content": "x", "limit": 0}).status_code == 422
    assert api_as(clerk).post("/matters/similar", {"content": ""}).json() == []
    assert api_as(clerk).post("/matters/similar", {}).status_code == 422  # content is required (may be "")
    assert api_as(clerk).post("/matters/similar", [["x"]]).status_code == 422  # not an object


def test_registration_with_the_clerks_disposition(api_as, clerk, in_state):
    original = in_state(workflow.INVESTIGATING)
    response = api_as(clerk).post("/registrations", body(repeat_of=original.number, disposition="pending",
                                                         repeat_reason="同一证件号"))  # fmt: skip
    assert response.status_code == 201, response.content
    assert response.json()["disposition"] == "pending"
    assert Registration.objects.filter(matter=original, disposition="pending").count() == 1
    refused = api_as(clerk).post("/registrations", body(repeat_of=original.number, disposition="no_longer"))
    assert refused.status_code == 422 and "复核终结" in str(refused.json()["errors"])
