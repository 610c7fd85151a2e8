from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import factories
from xinfang.petitions import workflow


def numbers(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [i["number"] for i in response.json()["items"]]


def test_worklist_item_shape_and_role_queue(api_as, people, units, clerk, unit_officer):
    registered = factories.register(clerk)
    forwarded = factories.matter_in_state(workflow.FORWARDED, people=people, units=units)
    out = api_as(unit_officer).get("/worklist").json()
    assert out["count"] == 1 and out["limit"] == 50 and out["offset"] == 0
    item = out["items"][0]
    assert item["number"] == forwarded.number and item["state_label"] == "已转送"
    assert item["handling_unit"]["code"] == "513223RSJ" and item["township"]["code"] == "513223100"
    assert set(item["clock"]) == {"code", "label", "due", "status", "days_left", "text"}
    assert item["clock"]["code"] == "NOTIFY" and item["url"] == f"/api/matters/{forwarded.number}"
    assert numbers(api_as(clerk).get("/worklist")) == [registered.number]


def test_worklist_filters(api_as, people, units, clerk):
    api = api_as(clerk)
    letter = factories.register(clerk, title="拖欠工资问题")
    visit = factories.register(clerk, channel="visit", title="征地补偿问题", township="")
    forwarded = factories.matter_in_state(workflow.FORWARDED, people=people, units=units)
    assert numbers(api.get("/worklist", channel="visit")) == [visit.number]
    assert set(numbers(api.get("/worklist", township="513223100"))) == {letter.number}
    assert numbers(api.get("/worklist", state="forwarded")) == [forwarded.number]
    assert numbers(api.get("/worklist", handling_unit="513223RSJ", queue="false")) == [forwarded.number]
    assert numbers(api.get("/worklist", q="征地")) == [visit.number]
    assert numbers(api.get("/worklist", q=letter.number)) == [letter.number]
    assert numbers(api.get("/worklist", clock="overdue")) == []


def test_worklist_clock_filters_follow_the_calendar(api_as, clerk, time_machine):
    matter = factories.register(clerk)
    api = api_as(clerk)
    time_machine.move_to(timezone.now() + timedelta(days=40))
    assert numbers(api.get("/worklist", clock="overdue")) == [matter.number]
    item = api.get("/worklist").json()["items"][0]
    assert item["clock"]["status"] == "overdue" and item["clock"]["days_left"] < 0
    assert "已超期" in item["clock"]["text"]
    assert numbers(api.get("/worklist", clock="due_soon")) == []


def test_worklist_pagination(api_as, clerk):
    made = [factories.register(clerk, title=f"事项{i}") for i in range(5)]
    api = api_as(clerk)
    first = api.get("/worklist", limit=2).json()
    second = api.get("/worklist", limit=2, offset=2).json()
    assert first["count"] == second["count"] == 5
    assert len(first["items"]) == len(second["items"]) == 2
    seen = {i["number"] for i in first["items"] + second["items"]}
    assert len(seen) == 4 and seen <= {m.number for m in made}


def test_worklist_rejects_bad_filters_in_chinese(api_as, clerk):
    response = api_as(clerk).get("/worklist", state="nope", clock="late", limit=0)
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors["state"][0].startswith("取值无效") and errors["clock"][0].startswith("取值无效")
    assert errors["limit"] == ["应不小于 1。"]


def test_worklist_q_is_the_one_search_box(api_as, clerk, unit_officer):
    """Issue 12: the API's q finds by name, ID number and mobile like the worklist page (tests/petitions/
    test_search.py), within what the token's user may see."""
    letter = factories.register(clerk, petitioners=[factories.petitioner_input(name="张三丰")])
    for q in ("三丰", "11010519491231002X", "+86 139 1234 5678", letter.registrations.get().number):
        assert numbers(api_as(clerk).get("/worklist", q=q, queue="false")) == [letter.number], q
        assert numbers(api_as(unit_officer).get("/worklist", q=q, queue="false")) == [], q


def test_worklist_q_pages_without_counting(api_as, clerk, case_officer):
    """Issue 12: `q` pages like the worklist's search: newest registered first, limit + 1 rows read instead of a
    COUNT of every match; `count` only on the last page (null before it and past the end), `next` while more
    follow. Without q the list is counted as before."""
    made = [factories.register(clerk, title=f"拖欠工资问题{i}") for i in range(4)]
    old = factories.legacy_matter(case_officer, content="反映拖欠工资问题（历史登记）")  # a higher id, 2019
    api = api_as(clerk)
    with CaptureQueriesContext(connection) as sql:
        first = api.get("/worklist", q="工资", queue="false", limit=2).json()
    assert not [s for s in sql.captured_queries if "COUNT(" in s["sql"].upper()]
    newest = [m.number for m in reversed(made)] + [old.number]
    assert first["count"] is None and [i["number"] for i in first["items"]] == newest[:2]
    assert first["next"] == "/api/worklist?q=%E5%B7%A5%E8%B5%84&queue=false&limit=2&offset=2"
    pages, page = [first], first
    while page["next"]:
        page = api.client.get(page["next"]).json()
        pages.append(page)
    assert [p["count"] for p in pages] == [None, None, 5] and [p["offset"] for p in pages] == [0, 2, 4]
    assert [i["number"] for p in pages for i in p["items"]] == newest
    assert api.get("/worklist", q="工资", queue="false", limit=5).json()["count"] == 5  # all on the last page
    beyond = api.get("/worklist", q="工资", queue="false", offset=10).json()
    assert (beyond["count"], beyond["next"], beyond["items"]) == (None, None, [])
    counted = api.get("/worklist", queue="false", limit=2).json()  # no search: counted, `next` as well
    assert counted["count"] == 5 and counted["next"].endswith("offset=2")
    assert api.get("/worklist", queue="false", limit=2, offset=4).json()["next"] is None


def test_worklist_openapi_states_the_paging(client):
    schema = client.get("/api/openapi.json").json()
    out = schema["components"]["schemas"]["WorklistOut"]["properties"]
    assert {"type": "null"} in out["count"]["anyOf"] and {"type": "null"} in out["next"]["anyOf"]
    assert "最后一页" in out["count"]["description"]
    description = schema["paths"]["/api/worklist"]["get"]["description"]
    assert "最近登记的在前" in description and "count 只在最后一页" in description
