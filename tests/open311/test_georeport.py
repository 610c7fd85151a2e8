"""Open311 GeoReport v2 (issue 17): read with the `georeport` client library (pinned in the test extras) against
the live server, submitted with plain HTTP per the spec. Never personal data, never a 检举控告 matter."""

import pytest
import requests
from georeport import GeoReport

from tests import factories
from xinfang.petitions import citizens
from xinfang.petitions.models import Registration

PEOPLE = ("张三", "11010519491231002X", "13912345678", "拖欠工资问题", "某公司拖欠工资三个月")


@pytest.fixture
def casework(transactional_db, people, units):
    """A matter accepted by its unit (published milestones), an online submission waiting, and a 检举控告."""
    accepted = factories.matter_in_state("accepted", people=people, units=units)
    waiting = factories.online_submission(purpose="01", title="路灯不亮")
    accusation = factories.register(
        people["clerk"], purpose="02", title="检举某局长", content="某局长收受礼金。"
    )
    return {"accepted": accepted, "waiting": waiting, "accusation": accusation}


def _number(matter) -> str:
    return matter.registrations.get().number


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_client_reads_services_and_requests(live_server, casework, fmt):
    client = GeoReport(f"{live_server.url}/open311/v2", output_format=fmt)
    codes = [s["service_code"] for s in client.get_service_list()]
    assert codes == ["01", "03", "04", "98", "99"]  # no 检举控告 (02)
    definition = client.get_service_definition("04")
    attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
    assert {a["code"] for a in attributes} >= {"request", "content_class", "township", "id_number"}

    found = client.get_service_requests()
    found = found if isinstance(found, list) else [found]
    ids = {r["service_request_id"] for r in found}
    assert ids == {_number(casework["accepted"]), _number(casework["waiting"])}
    accepted = client.get_service_request(_number(casework["accepted"]))
    assert accepted["status"] == "open" and accepted["agency_responsible"] == "茂县人力资源和社会保障局"
    assert accepted["status_notes"].startswith("茂县人力资源和社会保障局已受理")
    assert accepted["service_code"] == "04" and accepted["address"] == "凤仪镇"
    closed = client.get_service_requests(status="closed") if fmt == "json" else []
    assert closed == []
    only_01 = client.get_service_requests(service_code="01")
    only_01 = only_01 if isinstance(only_01, list) else [only_01]
    assert [r["service_request_id"] for r in only_01] == [_number(casework["waiting"])]


def test_never_personal_data_nor_the_accusation(live_server, casework):
    base = f"{live_server.url}/open311/v2"
    for path in ("requests.json", "requests.xml", f"requests/{_number(casework['accepted'])}.json"):
        text = requests.get(f"{base}/{path}", timeout=10).text
        assert not [p for p in PEOPLE if p in text], path
        assert "检举" not in text and _number(casework["accusation"]) not in text
    hidden = requests.get(f"{base}/requests/{_number(casework['accusation'])}.json", timeout=10)
    assert hidden.status_code == 404 and hidden.json()[0]["description"].startswith("未找到服务请求")


def test_discovery(client, db):
    data = client.get("/open311/v2/discovery.json").json()
    endpoint = data["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2" and "text/xml" in endpoint["formats"]
    assert client.get("/open311/v2/discovery.xml").content.startswith(
        b'<?xml version="1.0" encoding="utf-8"?>\n<discovery>'
    )


def test_filters_in_range(client, units):
    assert (
        client.get(
            "/open311/v2/requests.json",
            {"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"},
        ).status_code
        == 400
    )
    bad = client.get("/open311/v2/requests.json", {"start_date": "yesterday"})
    assert bad.status_code == 400 and bad.json() == [
        {"code": 400, "description": "start_date 格式无效，应为 W3C 日期时间，如 2026-01-01T00:00:00+08:00。"}
    ]
    assert (
        client.get("/open311/v2/requests.json", {"status": "pending"}).json()[0]["description"]
        == "status 只能为 open 或 closed。"
    )


# --- POST: as the portal submits ----------------------------------------------------------------------

SUBMIT = {
    "service_code": "04", "description": "某公司拖欠工资三个月。\n2026年8月至10月未发工资。",
    "attribute[request]": "请求支付拖欠的工资。", "attribute[content_class]": "03", "attribute[township]": "513223100",
    "attribute[id_number]": "11010519491231002X", "first_name": "四", "last_name": "李", "phone": "13912345678",
}  # fmt: skip


def test_submit_as_the_portal(client, units):
    response = client.post("/open311/v2/requests.json", SUBMIT)
    assert response.status_code == 201, response.content.decode()
    [answer] = response.json()
    reg = Registration.objects.get(number=answer["service_request_id"])
    assert reg.channel == Registration.Channel.ONLINE and reg.matter.state == "received"
    assert reg.matter.title == "某公司拖欠工资三个月" and reg.facts == "" and "2026年8月" in reg.content
    assert [p.name for p in reg.petitioners.all()] == ["李四"]
    code = answer["service_notice"].split("查询码 ")[1].split("（")[0]
    assert citizens.find_registration(reg.number, code) == reg  # the 查询码 works on the portal


def test_same_validation_in_chinese(client, units):
    anonymous_claim = {
        k: v for k, v in SUBMIT.items() if k not in ("first_name", "last_name", "attribute[id_number]")
    }
    response = client.post("/open311/v2/requests.json", anonymous_claim)
    assert response.status_code == 400
    assert "申诉求决类信访须填写姓名" in response.json()[0]["description"]
    wrong_id = client.post("/open311/v2/requests.xml", {**SUBMIT, "attribute[id_number]": "123"})
    assert wrong_id.status_code == 400 and "身份证号码不正确".encode() in wrong_id.content
    accusation = client.post("/open311/v2/requests.json", {**SUBMIT, "service_code": "02"})
    assert (
        accusation.status_code == 400 and "检举控告请通过网上信访平台" in accusation.json()[0]["description"]
    )
    assert not Registration.objects.exists()


def test_rate_limit_of_the_portal(client, units, settings):
    settings.PORTAL_SUBMIT_MAX = 2
    assert client.post("/open311/v2/requests.json", {**SUBMIT, "phone": "1"}).status_code == 400  # given back
    assert [client.post("/open311/v2/requests.json", SUBMIT).status_code for _ in range(3)] == [201, 201, 429]
    assert (
        client.post("/open311/v2/requests.json", SUBMIT).json()[0]["description"]
        == "提交过于频繁，请一小时后再试。"
    )
