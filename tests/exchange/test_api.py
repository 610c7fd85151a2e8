"""POST /api/exchange/import: the same import for a system-to-system link, with documented statuses."""

from tests.api.conftest import Api
from tests.exchange.conftest import item, package
from xinfang.accounts.models import AuditEntry
from xinfang.accounts.services import create_api_token
from xinfang.petitions.models import Registration


def api_as(user) -> Api:
    return Api(create_api_token(user, name="测试"))


def test_import_dry_run_then_commit_then_again(clerk):
    api: Api = api_as(clerk)
    dry = api.post("/exchange/import?dry_run=true", package(item("ABZ-1")))
    assert dry.status_code == 200 and dry.json()["dry_run"] and not Registration.objects.exists()
    done = api.post("/exchange/import", package(item("ABZ-1")))
    assert done.status_code == 200, done.json()
    number = done.json()["created"][0]["matter_number"]
    assert Registration.objects.get(external_number="ABZ-1").matter.number == number
    assert AuditEntry.objects.filter(action="exchange:import").count() == 1
    again = api.post("/exchange/import", package(item("ABZ-1")))
    assert again.json() == {"dry_run": False, "created": [], "updated": [], "unchanged": ["ABZ-1"]}


def test_errors_by_item_with_line_nothing_saved(clerk):
    response = api_as(clerk).post("/exchange/import", package(item("ABZ-1"), item("ABZ-2", township="999")))
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "发现1处错误，未导入任何数据。"
    assert list(body["errors"]) == ["items.1"] and "问题属地“999”不存在" in body["errors"]["items.1"][0]
    assert not Registration.objects.exists()


def test_schema_errors_are_422_in_chinese(clerk):
    response = api_as(clerk).post(
        "/exchange/import", {**package(item(received_at="0001-01-01T00:00:00")), "x": 1}
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["items.0.received_at"] == ["日期应在1949年至2100年之间。"] and errors["x"] == [
        "不允许的字段。"
    ]


def test_unit_officers_may_not_import(unit_officer):
    response = api_as(unit_officer).post("/exchange/import", package(item()))
    assert response.status_code == 403 and "信访部门" in response.json()["detail"]


def test_openapi_components_keep_their_own_names(client):
    """The package's models are components of the API document too: none may take the name of another schema
    (ExchangeDocument once was DocumentOut, and replaced the API's document schema)."""
    components = client.get("/api/openapi.json").json()["components"]["schemas"]
    assert "download_url" in components["DocumentOut"]["properties"]
    assert {"ExchangePackage", "ExchangeItem", "ExchangeDocument"} <= components.keys()
