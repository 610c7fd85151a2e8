"""POST /api/matters/batch/{action} (issue 12): per-matter results, access, bad input."""

import pytest

from tests import factories
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import batch, services, workflow
from xinfang.petitions.models import Matter

W = workflow


def test_mixed_batch_returns_a_result_per_matter(api_as, in_state, units, clerk, unit_officer):
    ours = [in_state(W.FORWARDED) for _ in range(2)]
    signed = in_state(W.RECEIVED_BY_UNIT)
    elsewhere = factories.register(clerk)
    services.forward_matter(elsewhere, by=clerk, unit=units["township"])
    numbers = [*(m.number for m in ours), signed.number, elsewhere.number, "NO-SUCH-NUMBER"]
    r = api_as(unit_officer).post("/matters/batch/acknowledge", {"numbers": numbers})
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["action"], body["done"], body["refused"]) == ("acknowledge", 2, 3)
    results = {x["number"]: x for x in body["results"]}
    assert [x["number"] for x in body["results"]] == numbers
    assert results[ours[0].number]["state"] == W.RECEIVED_BY_UNIT and results[ours[0].number]["reason"] == ""
    assert results[signed.number]["reason"] == "当前状态为“责任单位已签收”，不能执行“签收”。"
    # Another unit's matter and a number that does not exist are refused with the same words.
    assert results[elsewhere.number] == results["NO-SUCH-NUMBER"] | {"number": elsewhere.number}
    assert results[elsewhere.number]["reason"] == batch.HIDDEN
    assert Matter.objects.get(pk=elsewhere.pk).state == W.FORWARDED
    assert AuditEntry.objects.filter(action="batch:acknowledge", result="success").count() == 2


def test_deliver_with_versions_refuses_a_stale_matter_only(api_as, in_state, unit_officer):
    a, b = in_state(W.REPLIED), in_state(W.REPLIED)
    today = services.today().isoformat()
    r = api_as(unit_officer).post(
        "/matters/batch/deliver",
        {"numbers": [a.number, b.number], "versions": {a.number: a.version, b.number: b.version - 1},
         "method": "in_person", "delivered_on": today, "signed": True},
    )  # fmt: skip
    assert r.status_code == 200, r.content
    results = r.json()["results"]
    assert [x["done"] for x in results] == [True, False]
    assert results[1]["reason"] == "该事项已被他人处理或页面已过期，请刷新后重试。"
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.state, a.delivery_method, a.delivered_on.isoformat()) == (W.DELIVERED, "in_person", today)
    assert b.state == W.REPLIED


@pytest.mark.parametrize(
    "action, body, field",
    [
        ("reply", {"numbers": ["X"]}, None),  # not a batch action
        ("acknowledge", {"numbers": []}, "numbers"),
        ("acknowledge", {"numbers": ["X"] * 101}, "numbers"),
        ("forward", {"numbers": ["X"]}, "unit"),
        ("forward", {"numbers": ["X"], "unit": "NOPE"}, "unit"),
        ("deliver", {"numbers": ["X"], "method": "in_person"}, "delivered_on"),
        ("deliver", {"numbers": ["X"], "method": "pigeon", "delivered_on": "2026-11-30"}, None),
    ],
)
def test_bad_input_is_422_and_changes_nothing(api_as, clerk, in_state, action, body, field):
    matter = in_state(W.REGISTERED)
    body = {**body, "numbers": [matter.number if n == "X" else n for n in body["numbers"]]}
    r = api_as(clerk).post(f"/matters/batch/{action}", body)
    assert r.status_code == 422, r.content
    assert r.json()["detail"]
    if field:
        assert field in str(r.json().get("errors"))
    matter.refresh_from_db()
    assert matter.state == W.REGISTERED
    assert not AuditEntry.objects.filter(action__startswith="batch:").exists()


def test_a_batch_never_forwards_to_the_accused_unit_nor_shows_it_the_matter(
    api_as, units, clerk, unit_officer
):
    accusation = factories.register(clerk, purpose="02", title="检举某局", accused_unit=units["dept"].code)
    plain = factories.register(clerk)
    r = api_as(clerk).post(
        "/matters/batch/forward", {"numbers": [accusation.number, plain.number], "unit": units["dept"].code}
    )
    assert [x["done"] for x in r.json()["results"]] == [False, True]
    assert "被检举" in r.json()["results"][0]["reason"]
    services.forward_matter(accusation, by=clerk, unit=units["township"])
    # The accused unit's officer cannot act on it, nor learn that it exists.
    r = api_as(unit_officer).post("/matters/batch/acknowledge", {"numbers": [accusation.number]})
    assert r.json()["results"][0]["reason"] == batch.HIDDEN
