"""What Open311 GeoReport v2 shows of the casework (docs/open311.md): services are the current 信访目的 other than
检举控告; a service request is a registration (登记编号) with its matter's published milestones. Never a name, an
ID or phone number, the title or the content (PIPL Art. 25: nothing personal is published), never a 检举控告 matter
(条例第三十条第三款), never a staff member: only the units."""

from datetime import datetime, time, timedelta

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from xinfang.petitions import services, workflow
from xinfang.petitions.models import Code, Event, Matter, Registration, Unit
from xinfang.portal.milestones import describe

MAX_RESULTS = 1000
MAX_DAYS = 90


class BadRequest(Exception):
    """A parameter the spec's 400 answers (message in Chinese)."""


def services_list() -> list[dict]:
    purposes = Code.objects.filter(table=Code.Table.PURPOSE, is_active=True).exclude(
        category=Matter.Category.ACCUSATION
    )
    return [
        {
            "service_code": c.code,
            "service_name": c.name,
            "description": _service_description(c),
            "metadata": True,
            "type": "realtime",
            "keywords": Matter.Category(c.category).label if c.category in Matter.Category.values else "",
            "group": "信访事项",
        }
        for c in purposes
    ]


def _service_description(purpose: Code) -> str:
    if purpose.category == Matter.Category.CLAIM:
        return "申诉求决类信访：须填写姓名、身份证号码（attribute[id_number]）和手机号码。"
    return "可匿名提交；留有手机号码的，登记编号和查询码以短信告知。"


def service(code: str) -> Code | None:
    return (
        Code.objects.filter(table=Code.Table.PURPOSE, is_active=True, code=code)
        .exclude(category=Matter.Category.ACCUSATION)
        .first()
    )


def definition(purpose: Code) -> dict:
    """The service definition: the portal form's fields as Open311 attributes."""
    classes = Code.objects.filter(table=Code.Table.CONTENT, is_active=True, parent__isnull=True)
    towns = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP, is_active=True).order_by("code")

    def attribute(code, description, *, required=True, values=None, order=0):
        return {
            "variable": True, "code": code, "datatype": "singlevaluelist" if values else "string",
            "required": required, "datatype_description": "", "order": order, "description": description,
            **({"values": [{"key": k, "name": n} for k, n in values]} if values else {}),
        }  # fmt: skip

    claim = purpose.category == Matter.Category.CLAIM
    return {
        "service_code": purpose.code,
        "attributes": [
            attribute(
                "title",
                "标题：用一句话概括反映的问题（缺省取 description 的第一句）",
                required=False,
                order=1,
            ),
            attribute("request", "诉求：希望有关机关怎样处理", order=2),
            attribute("content_class", "内容分类", values=[(c.code, c.name) for c in classes], order=3),
            attribute("township", "问题属地（乡镇）", values=[(u.code, u.name) for u in towns], order=4),
            attribute("id_number", "居民身份证号码（18位）", required=claim, order=5),
            attribute("address", "住址", required=False, order=6),
        ],
    }


# --- service requests ---------------------------------------------------------------------------------


def public_registrations():
    """Registrations that Open311 may show: none of a 检举控告 matter, none not yet numbered."""
    last_public = Event.objects.filter(matter=OuterRef("matter"), is_public=True).exclude(
        kind__startswith="registration:"
    )
    return (
        Registration.objects.exclude(
            Q(matter__is_confidential=True) | Q(matter__category=Matter.Category.ACCUSATION)
        )
        .exclude(number__startswith="~")
        .select_related(
            "matter", "matter__purpose", "matter__content_class", "matter__township", "matter__handling_unit"
        )
        .annotate(last_event=Subquery(last_public.order_by("-at", "-id").values("id")[:1]))
    )


def _parse_when(value: str, name: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest(f"{name} 格式无效，应为 W3C 日期时间，如 2026-01-01T00:00:00+08:00。") from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    if not 1949 <= parsed.year <= 2100:
        raise BadRequest(f"{name} 应在1949年至2100年之间。")
    return parsed


def search(params) -> list[dict]:
    """GET requests: service_request_id (comma-delimited; overrides the rest), service_code, start_date, end_date
    (90 days at most; the last 90 days by default), status (open, closed)."""
    found = public_registrations()
    ids = [i.strip() for i in params.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        found = found.filter(number__in=ids[:MAX_RESULTS])
    else:
        end = _parse_when(params["end_date"], "end_date") if params.get("end_date") else timezone.now()
        start = (
            _parse_when(params["start_date"], "start_date")
            if params.get("start_date")
            else end - timedelta(days=MAX_DAYS)
        )
        if start > end:
            raise BadRequest("start_date 不能晚于 end_date。")
        if end - start > timedelta(days=MAX_DAYS):
            raise BadRequest(f"start_date 至 end_date 不能超过{MAX_DAYS}天。")
        found = found.filter(received_at__gte=start, received_at__lte=end)
        codes = [c.strip() for c in params.get("service_code", "").split(",") if c.strip()]
        if codes:
            found = found.filter(matter__purpose__code__in=codes)
        statuses = {s.strip() for s in params.get("status", "").split(",") if s.strip()}
        if statuses - {"open", "closed"}:
            raise BadRequest("status 只能为 open 或 closed。")
        if statuses == {"open"}:
            found = found.filter(matter__state__in=workflow.OPEN_STATES)
        elif statuses == {"closed"}:
            found = found.exclude(matter__state__in=workflow.OPEN_STATES)
    return requests_of(list(found.order_by("-received_at", "-id")[:MAX_RESULTS]))


def one(number: str) -> dict | None:
    found = public_registrations().filter(number=number).first()
    return requests_of([found])[0] if found else None


def _when(value) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds")


def requests_of(registrations: list[Registration]) -> list[dict]:
    events = Event.objects.select_related("unit").in_bulk(
        [r.last_event for r in registrations if r.last_event]
    )
    bureau = services.bureau().name
    rows = []
    for r in registrations:
        m, event = r.matter, events.get(r.last_event)
        closed = m.state not in workflow.OPEN_STATES
        what = m.content_class.name if m.content_class else m.purpose.name
        rows.append({
            "service_request_id": r.number, "status": "closed" if closed else "open",
            "status_notes": describe(event, m) if event else "", "service_name": m.purpose.name,
            "service_code": m.purpose.code, "description": f"{what}（{workflow.STATES[m.state]}）",
            "agency_responsible": m.handling_unit.name if m.handling_unit else bureau, "service_notice": "",
            "requested_datetime": _when(r.received_at), "updated_datetime": _when(event.at) if event else _when(r.registered_at),
            "expected_datetime": _expected(m), "address": m.township.name if m.township else "",
            "address_id": "", "zipcode": "", "lat": None, "long": None, "media_url": "",
        })  # fmt: skip
    return rows


def _expected(matter: Matter) -> str:
    """The statutory clock now running (its last day ends at 24:00), or empty."""
    if not matter.clock_due or matter.state not in workflow.OPEN_STATES:
        return ""
    end = timezone.make_aware(datetime.combine(matter.clock_due, time(23, 59, 59)))
    return _when(end)
