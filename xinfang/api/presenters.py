"""Turn domain objects (read through queries.py and access.py) into the plain data of the output schemas.
Reads only; no rule is decided here."""

from django.urls import reverse
from django.utils import timezone

from xinfang.petitions import access, events, queries, workflow
from xinfang.petitions.models import FollowUpCall, Matter, Registration


def action_url(base: str, t, matter: Matter) -> str:
    """The POST route of an action (workflow.Transition.route, under /api/matters/{number}/); a requested
    action's route names the pending request."""
    route = t.route
    if t.requested_by:
        pending = access.pending_request(matter)
        route = route.format(request_id=pending.pk if pending else "")
    return f"{base}/{route}"


def unit(u) -> dict | None:
    return None if u is None else {"code": u.code, "name": u.name}


def code(c) -> dict | None:
    return None if c is None else {"code": c.code, "name": c.name}


def _local(dt):
    return timezone.localtime(dt) if dt is not None else None


def _person(user) -> str | None:
    return None if user is None else str(user)


def matter_url(matter: Matter) -> str:
    return reverse("api:matter_detail", kwargs={"number": matter.number})


def document_url(document_id: int) -> str:
    return reverse("api:document_docx", kwargs={"document_id": document_id})


def clock(matter: Matter) -> dict | None:
    badge = queries.clock_badge(matter)
    if badge is None:
        return None
    return {"code": badge.code, "label": badge.label, "due": badge.due, "status": badge.status,
            "days_left": badge.days_left, "text": badge.text}  # fmt: skip


def registration_created(registration: Registration, *, query_code: str) -> dict:
    """The 201 answer of a registration: the only time its 查询码 is given out (only its hash is stored)."""
    matter = registration.matter
    return {
        "query_code": query_code,
        "registration_number": registration.number,
        "matter_number": matter.number,
        "state": matter.state,
        "state_label": workflow.STATES[matter.state],
        "disposition": registration.disposition,
        "disposition_label": registration.get_disposition_display(),
    }


def similar_candidate(c) -> dict:
    """A candidate of POST /api/matters/similar (similar.Candidate)."""
    m = c.matter
    return {
        "matter_number": m.number, "title": m.title, "state": m.state, "state_label": workflow.STATES[m.state],
        "registered_on": m.registered_on, "score": c.score, "content_similarity": c.content,
        "reasons": c.reasons, "choices": c.choices,
    }  # fmt: skip


def follow_up(call: FollowUpCall) -> dict:
    """A 回访 record (staff only; never on the portal)."""
    return {
        "id": call.pk, "matter_number": call.matter.number, "called_at": _local(call.called_at),
        "called_by": str(call.called_by), "callee": call.callee, "outcome": call.outcome,
        "outcome_label": call.get_outcome_display(), "notes": call.notes,
    }  # fmt: skip


def worklist_item(matter: Matter) -> dict:
    return {
        "number": matter.number,
        "title": matter.title,
        "state": matter.state,
        "state_label": workflow.STATES[matter.state],
        "registered_at": _local(matter.registered_at),
        "handling_unit": unit(matter.handling_unit),
        "township": unit(matter.township),
        "clock": clock(matter),
        "url": matter_url(matter),
    }


def _registration(reg: Registration, *, full: bool) -> dict:
    people = [queries.petitioner_view(link, full=full) for link in reg.registrationpetitioner_set.all()]
    return {
        "number": reg.number,
        "channel": reg.channel,
        "channel_label": reg.get_channel_display(),
        "received_at": _local(reg.received_at),
        "registered_at": _local(reg.registered_at),
        "registered_by": _person(reg.registered_by),
        "disposition": reg.disposition,
        "disposition_label": reg.get_disposition_display(),
        "head_count": reg.head_count,
        "is_collective": reg.is_collective,
        "is_leapfrog": reg.is_leapfrog,
        "place": reg.place,
        "content": reg.content,
        "request": reg.request,
        "facts": reg.facts,
        "source_unit": unit(reg.source_unit),
        "external_number": reg.external_number,
        "external_due": reg.external_due,
        "petitioners": [vars(p) for p in people],
    }


def _event(event) -> dict:
    label = events.event_label(event)
    return {
        "kind": event.kind,
        "action": event.action,
        "label": label,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "at": _local(event.at),
        "actor": _person(event.actor),
        "unit": event.unit.name if event.unit else None,
        "note": event.note,
        "is_public": event.is_public,
        "document_id": event.document_id,
    }


def _extension_request(r) -> dict:
    return {
        "id": r.pk, "days": r.days, "reason": r.reason, "state": r.state, "state_label": r.get_state_display(),
        "requested_by": _person(r.requested_by), "requested_at": _local(r.requested_at),
        "decided_by": _person(r.decided_by), "decided_at": _local(r.decided_at), "refusal_reason": r.refusal_reason,
    }  # fmt: skip


DATE_FIELDS = (
    "registered_on", "forwarded_on", "assign_due", "received_by_unit_on", "objection_due", "accepted_on",
    "handle_due", "extension_days", "replied_on", "delivered_on", "review_request_due", "review_requested_on",
    "review_due", "review_decided_on", "recheck_request_due", "recheck_requested_on", "recheck_due",
    "recheck_decided_on", "closed_on",
)  # fmt: skip


def matter_detail(user, matter: Matter, *, full: bool = False) -> dict:
    """Everything the matter page shows. `full` only after the caller checked can_view_personal_data."""
    base = matter_url(matter)
    return {
        "number": matter.number,
        "title": matter.title,
        "category": matter.category,
        "category_label": matter.get_category_display(),
        "purpose": code(matter.purpose),
        "content_class": code(matter.content_class),
        "township": unit(matter.township),
        "state": matter.state,
        "state_label": workflow.STATES[matter.state],
        "version": matter.version,
        "registered_at": _local(matter.registered_at),
        "handling_unit": unit(matter.handling_unit),
        "handler": _person(matter.handler),
        "outcome": matter.outcome,
        "outcome_label": matter.get_outcome_display() if matter.outcome else "",
        "delivery_method": matter.delivery_method,
        "delivery_signed": matter.delivery_signed,
        "review_unit": unit(matter.review_unit),
        "review_outcome": matter.review_outcome,
        "recheck_unit": unit(matter.recheck_unit),
        "clock": clock(matter),
        "flags": {
            "is_major_urgent": matter.is_major_urgent,
            "is_legal": matter.is_legal,
            "is_simple": matter.is_simple,
            "is_confidential": matter.is_confidential,
            "is_assignment": matter.is_assignment,
            "accused_unit": unit(matter.accused_unit),
            "accused_person": matter.accused_person,
            "repeat_of": matter.repeat_of.number if matter.repeat_of_id else None,
            "merged_into": matter.merged_into.number if matter.merged_into_id else None,
        },
        "dates": {name: getattr(matter, name) for name in DATE_FIELDS},
        "registrations": [_registration(r, full=full) for r in queries.registrations(matter)],
        "timeline": [_event(e) for e in queries.timeline(matter)],
        "documents": [
            {
                "id": d.pk,
                "kind": d.kind,
                "number": d.number,
                "title": d.title,
                "issued_on": d.issued_on,
                "download_url": document_url(d.pk),
            }
            for d in matter.documents.order_by("issued_on", "id")
        ],  # fmt: skip
        "available_actions": [
            {"action": t.action, "label": t.label, "url": action_url(base, t, matter)}
            for t in access.available_actions(user, matter)
        ],
        "extension_requests": [
            _extension_request(r)
            for r in matter.extension_requests.select_related("requested_by", "decided_by")
        ],  # fmt: skip
    }
