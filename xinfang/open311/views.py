"""Open311 GeoReport v2 (issue 17; docs/open311.md): discovery, services, service definitions, requests (GET with
filters, POST to submit as the portal does: the same form, the same checks and the same rate limit) and one
request — JSON, or XML with the same elements. Public: no account, no session, no cookie; errors are the spec's
list of {code, description} in Chinese."""

import xml.etree.ElementTree as ET

from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from xinfang.accounts.audit import client_ip, log_audit
from xinfang.open311 import present
from xinfang.petitions import citizens
from xinfang.portal import forms as F
from xinfang.portal import throttle
from xinfang.portal.contact import contact
from xinfang.portal.views import petition_input

SPEC = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-01T00:00:00+08:00"  # the date this mapping last changed (docs/open311.md)
# element names of the XML lists: root → item
XML_LISTS = {"services": "service", "service_requests": "request", "errors": "error", "endpoints": "endpoint",
             "attributes": "attribute", "values": "value", "formats": "format"}  # fmt: skip


def _xml_value(parent: ET.Element, name: str, value) -> None:
    if isinstance(value, list):
        holder = ET.SubElement(parent, name)
        for item in value:
            _xml_value(holder, XML_LISTS.get(name, "item"), item)
    elif isinstance(value, dict):
        node = ET.SubElement(parent, name)
        for key, inner in value.items():
            _xml_value(node, key, inner)
    else:
        node = ET.SubElement(parent, name)
        if value is not None:
            node.text = str(value).lower() if isinstance(value, bool) else str(value)


def respond(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """`data` as JSON, or as XML under `root` (a list: one element per item, named as the spec names it)."""
    if fmt == "json":
        response = JsonResponse(data, safe=False, status=status, json_dumps_params={"ensure_ascii": False})
    else:
        holder = ET.Element("root")
        _xml_value(holder, root, data)
        body = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(holder[0], encoding="utf-8")
        response = HttpResponse(body, content_type="text/xml; charset=utf-8", status=status)
    response["Access-Control-Allow-Origin"] = "*"  # public, read by any client (no cookie is used)
    return response


def error(fmt: str, status: int, description: str) -> HttpResponse:
    return respond(fmt, "errors", [{"code": status, "description": description}], status=status)


@require_GET
def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:services", args=["json"])).rsplit("/", 1)[0]
    c = contact()
    data = {
        "changeset": CHANGESET,
        "contact": f"{c['bureau']}，电话 {c['phone']}，{c['letter_address']}",
        "key_service": "无需 API 密钥；提交与网上信访相同，按来源地址限制频率。",
        "endpoints": [
            {
                "specification": SPEC,
                "url": base,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["application/json", "text/xml"],
            }
        ],  # fmt: skip
    }
    return respond(fmt, "discovery", data)


@require_GET
def services_list(request, fmt):
    return respond(fmt, "services", present.services_list())


@require_GET
def service_definition(request, code, fmt):
    purpose = present.service(code)
    if purpose is None:
        return error(fmt, 404, f"服务代码“{code}”不存在。")
    return respond(fmt, "service_definition", present.definition(purpose))


@csrf_exempt  # no session, no cookie: nothing a forged cross-site request could borrow
@require_http_methods(["GET", "POST"])
def requests(request, fmt):
    if request.method == "POST":
        return _submit(request, fmt)
    try:
        rows = present.search(request.GET)
    except present.BadRequest as e:
        return error(fmt, 400, str(e))
    return respond(fmt, "service_requests", rows)


@require_GET
def request_detail(request, registration, fmt):
    row = present.one(registration)
    if row is None:  # unknown, or a matter Open311 never shows: the same answer
        return error(fmt, 404, f"未找到服务请求“{registration}”。")
    return respond(fmt, "service_requests", [row])


# --- submit -------------------------------------------------------------------------------------------

# Open311 parameter → portal form field (SubmitForm): the same validation as the portal's form.
ATTRIBUTES = ("title", "request", "content_class", "township", "id_number", "address")


def _form_data(p) -> dict:
    description = p.get("description", "").strip()
    first_sentence = description.replace("\n", "。").split("。")[0][:100]
    data = {name: p.get(f"attribute[{name}]", "").strip() for name in ATTRIBUTES}
    data.update(
        purpose=p.get("service_code", ""), facts=description, title=data["title"] or first_sentence,
        name=(p.get("last_name", "") + p.get("first_name", "")).strip(), mobile=p.get("phone", "").strip(),
    )  # fmt: skip
    return data


def _submit(request, fmt):
    if present.service(request.POST.get("service_code", "")) is None:
        detail = "服务代码无效；检举控告请通过网上信访平台（/portal/）提交，不经本接口。"
        return error(fmt, 400, detail)
    limit = throttle.submit_limit()
    verdict = throttle.take(limit, client_ip(request))
    if not verdict.allowed:
        if verdict.first_refusal:
            log_audit(action="open311:submit_blocked", request=request, result="denied")
        return error(fmt, 429, f"提交过于频繁，请{throttle.wait_text(limit)}后再试。")
    form = F.SubmitForm(_form_data(request.POST))
    if not form.is_valid():
        throttle.give_back(verdict)
        return error(fmt, 400, _form_errors(form))
    try:
        with citizens.removing_on_failure():
            registration, code = citizens.submit_online(petition_input(form.cleaned_data))
            log_audit(action="open311:submit", request=request, obj=registration)
    except ValidationError as e:
        throttle.give_back(verdict)
        return error(fmt, 400, "；".join(e.messages))
    notice = (f"已收到，登记编号 {registration.number}，查询码 {code}（只显示这一次，请妥善保存），"
              f"可凭登记编号和查询码在网上信访平台查询办理进展。{timezone.localtime():%Y-%m-%d %H:%M}")  # fmt: skip
    data = [
        {
            "service_request_id": registration.number,
            "service_notice": notice,
            "account_id": None,
            "token": None,
        }
    ]
    return respond(fmt, "service_requests", data, status=201)


FIELD_PARAMS = {
    "purpose": "service_code",
    "facts": "description",
    "name": "first_name/last_name",
    "mobile": "phone",
}


def _form_errors(form) -> str:
    parts = []
    for name, errors in form.errors.items():
        param = FIELD_PARAMS.get(name, f"attribute[{name}]") if name != "__all__" else ""
        label = form.fields[name].label if name in form.fields else ""
        for message in errors:
            parts.append(f"{label}（{param}）：{message}" if param else message)
    return "；".join(parts)
