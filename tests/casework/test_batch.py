"""Batch operations on the worklist (issue 12): confirmation, per-matter outcome, access, audit rows."""

from tests import factories
from xinfang.accounts.models import AuditEntry
from xinfang.petitions import batch, services, workflow
from xinfang.petitions.models import Event, Matter

W = workflow


def post(client, action, numbers, **data):
    return client.post("/casework/batch/", {"action": action, "numbers": numbers, **data})


def test_mixed_batch_acts_on_the_allowed_and_reports_the_others(login, in_state, units, clerk, unit_officer):
    ours = [in_state(W.FORWARDED) for _ in range(3)]
    signed = in_state(W.RECEIVED_BY_UNIT)
    elsewhere = factories.register(clerk, title="乡镇的事项")
    services.forward_matter(elsewhere, by=clerk, unit=units["township"])
    client = login(unit_officer)
    numbers = [m.number for m in (*ours, signed, elsewhere)]

    page = post(client, "acknowledge", numbers).content.decode()
    assert "批量签收：确认" in page and "将对以下 3 件事项执行“签收”" in page
    assert f"{signed.number}：当前状态为“责任单位已签收”，不能执行“签收”。" in page
    assert f"{elsewhere.number}：{batch.HIDDEN}" in page and "乡镇的事项" not in page
    assert Matter.objects.filter(state=W.RECEIVED_BY_UNIT).count() == 1  # nothing done before confirming

    # Confirmed; meanwhile someone else changed the second matter (its version is stale); the other unit's
    # matter is sent along by hand and is refused all the same.
    versions = {f"version-{m.number}": m.version for m in ours}
    Matter.objects.filter(pk=ours[1].pk).update(version=ours[1].version + 1)
    sent = [m.number for m in ours] + [elsewhere.number]
    page = post(client, "acknowledge", sent, confirm="1", **versions).content.decode()
    assert "已完成 2 件，未办理 2 件。" in page
    assert f"{ours[1].number}：该事项已被他人处理或页面已过期，请刷新后重试。" in page
    states = dict(Matter.objects.values_list("number", "state"))
    assert [states[m.number] for m in ours] == [W.RECEIVED_BY_UNIT, W.FORWARDED, W.RECEIVED_BY_UNIT]
    assert states[elsewhere.number] == W.FORWARDED
    # As a single 签收: the event row with its actor, and an audit row per matter.
    assert Event.objects.filter(action="acknowledge", actor=unit_officer, matter__in=ours).count() == 2
    rows = AuditEntry.objects.filter(action="batch:acknowledge", user=unit_officer)
    assert sorted((r.detail["number"], r.result) for r in rows) == sorted(
        [(ours[0].number, "success"), (ours[2].number, "success"), (ours[1].number, "denied"),
         (elsewhere.number, "denied")]
    )  # fmt: skip
    assert len({r.detail["batch"] for r in rows}) == 1


def test_batch_forward_checks_its_input_and_never_reaches_the_accused_unit(login, units, clerk, unit_officer):
    plain = factories.register(clerk)
    accusation = factories.register(clerk, purpose="02", title="检举某局", accused_unit=units["dept"].code)
    client = login(clerk)
    numbers = [plain.number, accusation.number]
    page = post(client, "forward", numbers).content.decode()
    assert "将对以下 2 件事项执行“转送”" in page and 'name="unit"' in page

    page = post(client, "forward", numbers, confirm="1", unit="").content.decode()  # no unit: nothing done
    assert "批量转送：确认" in page and "field-error" in page
    assert not Matter.objects.exclude(state=W.REGISTERED).exists()

    page = post(
        client, "forward", numbers, confirm="1", unit=units["dept"].code, note="请依法处理"
    ).content.decode()
    assert "已完成 1 件，未办理 1 件。" in page
    assert "检举控告材料不得转给被检举、揭发的单位（条例第三十条第三款）。" in page
    plain.refresh_from_db(), accusation.refresh_from_db()
    assert (plain.state, plain.handling_unit) == (W.FORWARDED, units["dept"])
    assert accusation.state == W.REGISTERED
    assert plain.documents.filter(kind="transfer_slip").count() == 1  # the same 转送单 as a single 转送


def test_the_bar_offers_the_actions_of_the_role_and_counts_the_ticked(login, in_state, clerk, unit_officer):
    forwarded, registered = in_state(W.FORWARDED), in_state(W.REGISTERED)
    page = login(unit_officer).get("/casework/").content.decode()
    assert 'value="acknowledge"' in page and 'value="deliver"' in page and 'value="forward"' not in page
    assert f'name="numbers" value="{forwarded.number}" form="batch-form"' in page
    page = login(clerk).get("/casework/").content.decode()
    assert 'value="forward"' in page and 'value="acknowledge"' not in page and 'value="archive"' not in page

    bar = login(unit_officer).get("/casework/batch/bar/", {"numbers": [forwarded.number]}).content.decode()
    assert "已选 1 件" in bar and "批量签收（可办 1 件）" in bar
    assert 'value="deliver" class="secondary" disabled' in bar
    bar = login(clerk).get("/casework/batch/bar/", {"numbers": [forwarded.number, registered.number]})
    assert "批量转送（可办 1 件）" in bar.content.decode()


def test_a_role_without_the_action_is_refused_and_nothing_is_done(login, in_state, unit_officer):
    matter = in_state(W.NOT_ACCEPTED)
    response = post(login(unit_officer), "archive", [matter.number], confirm="1")
    assert response.status_code == 403 and "您的角色无权批量执行“归档”。" in response.content.decode()
    matter.refresh_from_db()
    assert matter.state == W.NOT_ACCEPTED
    assert post(login(unit_officer), "reply", [matter.number]).status_code == 404
    response = post(login(unit_officer), "acknowledge", [], confirm="1")
    assert response.status_code == 302  # back to the worklist with the message
