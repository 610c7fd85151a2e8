"""检举控告 confidentiality on every route (《信访工作条例》第三十条第三款、第四十六条第五项).

One test walks django.urls.get_resolver() — staff pages, the portal and ninja's API routes — and requests every
URL pattern, GET and POST, as an officer of the accused unit of a confidential matter. A route that takes a
matter (number, document, order, fund case, campaign item) answers 404, exactly as for a value that does not
exist; every other page does not show the matter's number or title, nor does any document or spreadsheet it
returns. Afterwards the officer has no notification naming the matter.

A new route fails this test until it is guarded and registered below: a parameter name the test does not know
(PARAMS), or a `pk` route it does not know (PK_ROUTES), is reported with what to do."""

import io
import json
import zipfile
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests import factories
from xinfang.accounts.services import create_api_token
from xinfang.analytics import dashboards
from xinfang.petitions import access, citizens, programs, services, supervision, workflow
from xinfang.petitions.models import (
    Attachment,
    CampaignMatter,
    Matter,
    Notification,
    Petitioner,
    Registration,
    SupervisionOrder,
)

TITLE = "检举某局工作人员违规发放补贴问题"
MISSING_NUMBER = "XF2099999999"
MISSING_PK = 999999


# --- the world: a confidential matter and every record that can name it ---------------------------------


def _accusation(**overrides):
    values = dict(
        channel=Registration.Channel.VISIT, purpose="02", title=TITLE, content="某某在发放补贴时收受好处。",
        request="请求查处。", facts="2026年发放补贴时收受好处费。",
    )  # fmt: skip
    values.update(overrides)
    return factories.petition_input(**values)


@pytest.fixture
def department_world(units, clerk, case_officer, supervisor, leader, unit_officer, other_unit_officer,
                     time_machine, settings):  # fmt: skip
    """检举 the department (人社局); the accused officer is `unit_officer`. The matter is received at a leader's
    reception, forwarded to the township and accepted there; it has documents, an attachment, an order to the
    township, a campaign item, a deliberation, a fund case, a video registration and a linked dispute."""
    settings.XINFANG_SENDER = "xinfang.core.notify.MemorySender"
    today = services.today()
    day = programs.schedule_reception_day(by=clerk, leader=leader, on=today, place="县信访局接待大厅")
    data = _accusation(accused_unit=units["dept"].code, accused_person="李某（科长）")
    matter = programs.record_reception(day, by=clerk, data=data, outcome="forwarded")[0].matter
    assert matter.is_confidential and matter.accused_unit == units["dept"]
    services.forward_matter(matter, by=clerk, unit=units["township"])
    services.acknowledge_matter(matter, by=other_unit_officer)
    services.accept_matter(matter, by=other_unit_officer)
    citizens._save_attachments(
        matter, citizens.check_uploads([citizens.Upload("证据.pdf", b"%PDF-1.4\n%%EOF\n")])
    )
    supervision.issue_order(by=supervisor, level="supervise", reason="请加快办理", unit=units["township"],
                            matters=[matter])  # fmt: skip
    campaign = programs.create_campaign(
        by=case_officer, name="积案化解", start=today, end=today + timedelta(30)
    )
    programs.add_to_campaign(campaign, by=case_officer, matter=matter, unit=units["township"], leader=leader)
    meeting = programs.hold_joint_meeting(by=case_officer, on=today, title="联席会议", convener=leader,
                                          units=[units["township"]])  # fmt: skip
    programs.deliberate(meeting, by=case_officer, matter=matter, conclusion="责成乡镇办理")
    programs.apply_assistance(matter, by=clerk, persons=1, hardship="生活困难", amount=Decimal("1000"))
    session = programs.schedule_video_session(by=clerk, township=units["township"], at=data.received_at)
    programs.record_video_reception(session, by=clerk, data=_accusation(repeat_of=matter.number))
    dispute = programs.register_dispute(by=unit_officer, found_on=today, parties="甲某、乙某", kind="补贴",
                                        summary="补贴发放纠纷")  # fmt: skip
    programs.link_dispute(dispute, by=clerk, matter=matter)
    matter.refresh_from_db()
    time_machine.move_to(matter.clock_due + timedelta(days=2))
    supervision.sweep_deadlines()
    return matter, unit_officer


@pytest.fixture
def bureau_world(units, clerk, case_officer, supervisor, leader, other_unit_officer, time_machine, settings):
    """检举 the bureau itself; the accused officer is the bureau's `case_officer`. The matter waits for triage
    (no bureau officer may handle it); a leader owns it, lists it in a campaign and has it deliberated with an
    order to the township. The triage clock is overdue and the sweep has run."""
    settings.XINFANG_SENDER = "xinfang.core.notify.MemorySender"
    today = services.today()
    data = _accusation(channel=Registration.Channel.LETTER, accused_unit=units["bureau"].code)
    matter = services.register_petition(data, by=clerk).matter
    assert matter.is_confidential and not access.can_view(case_officer, matter)
    programs.take_ownership(matter, by=leader, leader=leader)
    campaign = programs.create_campaign(by=leader, name="积案化解", start=today, end=today + timedelta(30))
    programs.add_to_campaign(campaign, by=leader, matter=matter, unit=units["township"], leader=leader)
    meeting = programs.hold_joint_meeting(by=leader, on=today, title="联席会议", convener=leader,
                                          units=[units["township"]])  # fmt: skip
    programs.deliberate(meeting, by=leader, matter=matter, conclusion="研判", order_level="urge",
                        order_unit=units["township"])  # fmt: skip
    time_machine.move_to(matter.clock_due + timedelta(days=2))
    supervision.sweep_deadlines()
    return matter, case_officer


# --- the routes ---------------------------------------------------------------------------------------


def walk(patterns, prefix="", namespace=""):
    """(route, name, parameter names) of every URL pattern, included resolvers (ninja's API too) walked."""
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = namespace + (f"{p.namespace}:" if p.namespace else "")
            yield from walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            name = namespace + p.name if p.name else None
            yield prefix + str(p.pattern), name, list(p.pattern.regex.groupindex)


def _actions():
    from xinfang.casework import views

    return sorted({t.action for t in workflow.TRANSITIONS} | set(getattr(views, "ACTIONS", {})))


def _documents(m):
    return [d.pk for d in m.documents.all()] or [MISSING_PK]


def _registrations(m):
    return sorted(Registration.objects.filter(matter=m).values_list("number", flat=True))


def _attachments(m):
    return list(Attachment.objects.filter(matter=m).values_list("pk", flat=True)) or [MISSING_PK]


# Parameter name → the values to fill it with for the confidential matter `m` (a list; the route is requested
# with each). "matter" parameters take the matter itself and must answer 404; the others are not about a
# matter, so their pages must simply not show it.
PARAMS = {
    "number": ("matter", lambda m, name: [m.number]),
    "document_id": ("matter", lambda m, name: _documents(m)),
    "request_id": ("matter", lambda m, name: _pks(m.extension_requests)),  # 延期申请
    "action": ("matter", lambda m, name: _actions()),
    "attachment_id": ("matter", lambda m, name: _attachments(m)),  # 材料和附件 of the matter page
    "registration": ("matter", lambda m, name: _registrations(m)),  # 登记回执
    "pk": ("per route", None),  # see PK_ROUTES
    "channel": ("page", lambda m, name: list(Registration.Channel.values)),
    "target": ("page", lambda m, name: ["bureau", "unit"]),
    "name": ("page", lambda m, name: NAMES[name]),
    "kind": ("page", lambda m, name: ["basic"]),
    "job": ("page", lambda m, name: ["x"]),
    "project_pk": ("page", lambda m, name: [MISSING_PK]),
    "fmt": ("page", lambda m, name: ["json", "xml"]),  # Open311
    "code": ("page", lambda m, name: ["02", "04"]),  # Open311 service codes (02 检举控告: none)
    "period": ("page", lambda m, name: ["2026-12", "2026Q4"]),  # statutory reports of this month/quarter
    "year": ("page", lambda m, name: [2026]),  # the annual report (Art. 41)
}
NAMES = {
    "analytics:chart_data": ["trend", "classes", "townships", "clocks"],
    "analytics:export": ["all", "matters"],
    "finance:build_file": ["x.docx"],
    "analytics:annual_report": ["report.docx", "tables.xlsx"],
}
# Routes with a `pk`: what it is, and whether it names the matter (404) or is a page that must not show it.
PK_ROUTES = {
    "casework:document": ("matter", lambda m: _documents(m)),
    "casework:person": ("matter", lambda m: _pks(Petitioner.objects.filter(registrations__matter=m))),
    "supervision:detail": ("matter", lambda m: _orders(m)),
    "supervision:issue": ("matter", lambda m: _orders(m)),
    "supervision:dismiss": ("matter", lambda m: _orders(m)),
    "supervision:follow_up": ("matter", lambda m: _orders(m)),
    "supervision:answer": ("matter", lambda m: _orders(m)),
    "supervision:close": ("matter", lambda m: _orders(m)),
    "supervision:notice": ("matter", lambda m: _orders(m)),
    "programs:fund_case": ("matter", lambda m: _pks(m.assistance_cases)),
    "programs:fund_file": ("matter", lambda m: _pks(m.assistance_cases)),
    "programs:campaign_progress": ("matter", lambda m: _pks(CampaignMatter.objects.filter(matter=m))),
    "portal:document": ("page", lambda m: _documents(m)),  # only for the session that proved its 查询码
    "portal:attachment": ("page", lambda m: _attachments(m)),
    "supervision:notification_read": ("page", lambda m: _pks(Notification.objects.filter(link__contains=m.number))),
    "programs:reception_day": ("page", lambda m: _pks(Registration.objects.filter(matter=m), "reception_day_id")),
    "programs:video": ("page", lambda m: _pks(Registration.objects.filter(matter=m), "video_session_id")),
    "programs:campaign": ("page", lambda m: _pks(CampaignMatter.objects.filter(matter=m), "campaign_id")),
    "programs:meeting": ("page", lambda m: _pks(m.deliberations, "meeting_id")),
    "programs:dispute": ("page", lambda m: _pks(m.disputes)),
    "programs:dispute_convert": ("page", lambda m: _pks(m.disputes)),
    # 部门决算: no petition data
    **{f"finance:{n}": ("page", lambda m: [MISSING_PK]) for n in
       ("detail", "edit", "details", "indicators", "import", "build")},
}  # fmt: skip


def _pks(qs, field="pk"):
    return sorted({v for v in qs.values_list(field, flat=True) if v}) or [MISSING_PK]


def _orders(m):
    return _pks(SupervisionOrder.objects.filter(matters=m))


def fillings(name: str, params: list[str], m: Matter) -> tuple[str, list[dict]]:
    """("matter" | "page", [kwargs, …]) for a route; fails with instructions for an unknown route."""
    unknown = [p for p in params if p not in PARAMS]
    assert not unknown, (
        f"URL “{name}” takes {unknown}, which this test does not know how to fill. Guard the view (a matter the "
        f"user may not see answers 404, as a missing one) and register the parameter in PARAMS (and the route in "
        f"PK_ROUTES) of tests/casework/test_confidential_routes.py."
    )
    kind, values = "page", [{}]
    for p in params:
        if p == "pk":
            assert name in PK_ROUTES, (
                f"URL “{name}” takes a pk this test does not know. Guard the view (404 for an object whose matter the "
                f"user may not see) and register the route in PK_ROUTES of tests/casework/test_confidential_routes.py."
            )
            k, fill = PK_ROUTES[name][0], PK_ROUTES[name][1](m)
        else:
            k, fill = PARAMS[p][0], PARAMS[p][1](m, name)
        kind = "matter" if "matter" in (kind, k) else "page"
        values = [{**v, p: x} for v in values for x in fill]
    return kind, values


def missing(kwargs: dict) -> dict:
    """The same kwargs with the matter's values replaced by ones that do not exist."""
    out = {}
    for k, v in kwargs.items():
        if k in ("number", "registration"):
            v = MISSING_NUMBER
        elif k in ("pk", "document_id", "request_id", "attachment_id"):
            v = MISSING_PK
        out[k] = v
    return out


def _text(response) -> str:
    """What a person would read: the body, or the text inside a .docx/.xlsx."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return content.decode("utf-8", "replace")


def _api_body(path: str, m: Matter) -> dict:
    """A valid body for an API POST route, from its OpenAPI schema (so that the route's code runs)."""
    schema = Client().get("/api/openapi.json").json()
    op = schema["paths"].get(
        "/" + path.replace("<number>", "{number}").replace("<document_id>", "{document_id}")
    )
    ref = (op or {}).get("post", {}).get("requestBody", {}).get("content", {}).get("application/json", {})
    ref = ref.get("schema", {}).get("$ref", "")
    if not ref:
        return {}
    model = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    body = {}
    for field, spec in model.get("properties", {}).items():
        spec = spec.get("anyOf", [spec])[0]
        if field == "version":
            body[field] = m.version
        elif "enum" in spec:
            body[field] = spec["enum"][0]
        elif spec.get("format") == "date":
            body[field] = services.today().isoformat()
        elif spec.get("format") == "date-time":
            body[field] = "2026-01-01T10:00:00+08:00"
        else:
            body[field] = {"integer": 1, "boolean": False, "array": [], "string": "x"}.get(
                spec.get("type"), "x"
            )
    return body


def _request(user, route: str, name: str | None, kwargs: dict, method: str, m: Matter):
    url = reverse(name, kwargs=kwargs) if name else "/" + route
    if url.startswith("/api/"):
        client = Client(headers={"Authorization": f"Bearer {create_api_token(user, name='测试')}"})
        if method == "get":
            return client.get(url)
        body = json.dumps(_api_body(url[1:].replace(m.number, "<number>"), m))
        return client.post(url, body, content_type="application/json")
    client = Client()
    client.force_login(user)
    if method == "get":
        return client.get(url)
    return client.post(url, {"version": m.version})


@pytest.mark.parametrize("world", ["department_world", "bureau_world"])
def test_no_route_reveals_a_confidential_matter_to_the_accused(db, request, world):
    m, accused = request.getfixturevalue(world)
    assert not access.can_view(accused, m)
    checked, failures = 0, []
    for route, name, params in walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue  # see test_admin_site_holds_no_petition_records
        assert name or not params, f"URL “{route}” has no name: name it and make sure it is guarded."
        kind, values = fillings(name, params, m)
        for kwargs in values:
            for method in ("get", "post"):
                m.refresh_from_db()
                r = _request(accused, route, name, kwargs, method, m)
                text = _text(r)
                checked += 1
                where = f"{method.upper()} {name} {kwargs} → {r.status_code}"
                if m.title in text or m.accused_person and m.accused_person in text:
                    failures.append(f"{where}: shows the title or the accused")
                if kind == "page":
                    if m.number in text:
                        failures.append(f"{where}: shows the matter's number")
                    continue
                if r.status_code == 404:
                    continue
                # Refused before any lookup (method, role, the body's own fields such as an unknown unit code):
                # fine when a value that does not exist is refused the same way.
                other = _request(accused, route, name, missing(kwargs), method, m)
                if r.status_code not in (302, 403, 405, 422) or other.status_code != r.status_code:
                    failures.append(
                        f"{where} (a missing one → {other.status_code}): must be 404 like a missing one"
                    )
    assert not failures, "\n".join(failures)
    assert checked > 150
    notes = Notification.objects.filter(user=accused)
    assert not [n.text for n in notes if m.number in n.text + n.link or m.title in n.text]


def test_unknown_parameter_names_fail_with_instructions(units, clerk):
    matter = factories.register(clerk)
    with pytest.raises(AssertionError, match="PARAMS"):
        fillings("casework:new_thing", ["number", "order_number"], matter)
    with pytest.raises(AssertionError, match="PK_ROUTES"):
        fillings("programs:new_thing", ["pk"], matter)
    assert fillings("casework:matter", ["number"], matter) == ("matter", [{"number": matter.number}])


def test_admin_site_holds_no_petition_records():
    """The admin site (is_staff users) is not walked above: it must not register a matter or anything that
    names one (else walk it and guard it like the other routes)."""
    for model in admin.site._registry:
        assert model is not Matter
        fields = [f for f in model._meta.get_fields() if f.concrete or f.many_to_many and not f.auto_created]
        assert not any(getattr(f, "related_model", None) is Matter for f in fields), model


def test_drill_down_figures_are_all_walked(department_world, login):
    """The drill-down list and its export take the figure as a query parameter: every figure, as the accused."""
    m, accused = department_world
    client = login(accused)
    for figure in dashboards.DRILL_FIGURES:
        for url in ("/analytics/matters/", "/analytics/export/matters.xlsx"):
            r = client.get(url, {"figure": figure})
            assert m.number not in _text(r) and m.title not in _text(r), (url, figure)
