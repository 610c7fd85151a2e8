"""The transition table drives its callers (house style rule 15).

Every action of workflow.TRANSITIONS has a service, a staff-UI entry (a form the matter page renders for a
user allowed to take it, posting to the action endpoint) and an API route (a path of the OpenAPI schema);
a requested action (延期) has all three for its request too. A new row without them fails here.
"""

import dataclasses

import pytest

from tests.workflow.conftest import World
from xinfang.api.urls import api
from xinfang.casework import views
from xinfang.petitions import services, workflow


def missing_callers(transitions) -> list[str]:
    """What the callers lack for each row of `transitions` (empty when every action has all of them)."""
    paths = set(api.get_openapi_schema()["paths"])
    problems = []
    for t in transitions:
        entries = [("service", t.service, views.FORMS, t.route)]
        if t.requested_by:
            entries.append(("request_service", t.request_service, views.REQUEST_FORMS, t.request_route))
        for what, service, forms, route in entries:
            if not callable(getattr(services, service, None)):
                problems.append(f"{t.action}: no {what} in services.py ({service!r})")
            if t.action not in forms:
                problems.append(f"{t.action}: no staff-UI form for its {what} (casework.views)")
            if not route or f"/api/matters/{{number}}/{route}" not in paths:
                problems.append(f"{t.action}: no API route for its {what} ({route!r})")
    return problems


def test_every_action_has_a_service_a_form_and_an_api_route():
    assert missing_callers(workflow.TRANSITIONS) == []


def test_a_new_row_without_callers_is_noticed(monkeypatch):
    dummy = workflow.Transition(
        "reopen", "重新办理", (workflow.CLOSED,), workflow.ACCEPTED, workflow.UNIT, "unit", "测试",
        service="reopen_matter", route="reopen",
    )  # fmt: skip
    monkeypatch.setattr(workflow, "TRANSITIONS", (*workflow.TRANSITIONS, dummy))
    monkeypatch.setitem(workflow.BY_ACTION, "reopen", dummy)
    assert missing_callers(workflow.TRANSITIONS) == [
        "reopen: no service in services.py ('reopen_matter')",
        "reopen: no staff-UI form for its service (casework.views)",
        "reopen: no API route for its service ('reopen')",
    ]
    # a requested action needs the same for its request
    requested = dataclasses.replace(
        workflow.BY_ACTION["extend"], action="extend2", request_service="", request_route="nowhere"
    )
    assert missing_callers([requested]) == [
        "extend2: no staff-UI form for its service (casework.views)",
        "extend2: no request_service in services.py ('')",
        "extend2: no staff-UI form for its request_service (casework.views)",
        "extend2: no API route for its request_service ('nowhere')",
    ]


def _allowed_user(world: World, t: workflow.Transition):
    for key in ("clerk", "case_officer", "unit_officer", "unit_head"):
        user = world.people[key]
        if user.has_role(*t.roles) and not (t.requested_by and key == "unit_officer"):
            return user
    raise AssertionError(f"no persona may take {t.action}")


@pytest.mark.parametrize("action", [t.action for t in workflow.TRANSITIONS])
def test_the_matter_page_offers_each_action_to_an_allowed_user(db, world, client, action):
    t = workflow.BY_ACTION[action]
    matter = world.matter(t.sources[0])
    if t.requested_by:
        # the handler's page offers the request; the 负责人's page then offers the decision
        client.force_login(world.people["unit_officer"])
        page = client.get(f"/casework/matters/{matter.number}/").content.decode()
        assert f'action="/casework/matters/{matter.number}/request/{action}/"' in page
        services.request_extension(matter, by=world.people["unit_officer"], days=10, reason="情况复杂")
    client.force_login(_allowed_user(world, t))
    page = client.get(f"/casework/matters/{matter.number}/").content.decode()
    assert f'action="/casework/matters/{matter.number}/act/{action}/"' in page
