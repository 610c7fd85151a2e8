"""Results back up (docs/exchange.md, "Results"): for the matters that came down from a higher level, a package
in the same format holding each item as it came down and, in `results`, what the level above needs — the
受理告知书, 处理意见书, 复查/复核意见书, the published milestones, the petitioner's evaluations and the state.

Every export is logged (models.Export, with what was sent of each matter and its digest in models.Sent): a
later export sends a matter only when something of it is new or changed since it was last sent, and then only
those entries (the item's own data always, since the importer finds the matter by it)."""

import base64
import hashlib
import io
import json
import zipfile
from datetime import date

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from xinfang.accounts.audit import log_audit
from xinfang.exchange.models import Export, Sent
from xinfang.exchange.package import DOCUMENT_KINDS, FORMAT, VERSION
from xinfang.petitions import services, workflow
from xinfang.petitions.models import Document, Event, Matter, Registration, RegistrationPetitioner
from xinfang.portal.milestones import describe


def _digest(value) -> str:
    return hashlib.sha256(
        json.dumps(value, ensure_ascii=False, sort_keys=True, default=str).encode()
    ).hexdigest()


def _from_above(matter: Matter) -> Registration:
    return min((r for r in matter.registrations.all() if r.external_number), key=lambda r: r.pk)


# What entries() reads of each matter, fetched for a whole export at once (a few statements, not ~10 a matter).
PREFETCH = (
    Prefetch("registrations", queryset=Registration.objects.select_related("source_unit")),
    Prefetch("registrations__registrationpetitioner_set", queryset=RegistrationPetitioner.objects.select_related(
        "petitioner").order_by("id")),
    "registrations__attachments",
    Prefetch("documents", queryset=Document.objects.filter(kind__in=DOCUMENT_KINDS).select_related("issuer")),
    Prefetch("events", queryset=Event.objects.filter(is_public=True).select_related("unit").order_by("at", "id"),
             to_attr="public_events"),
    "evaluations",
)  # fmt: skip


def matters(*, since: date | None = None, numbers: list[str] = ()) -> list[Matter]:
    """The matters to consider: those with a registration from above (and, with `since`, a change since that
    local date; with `numbers`, only those 事项编号 — an unknown one or one not from above is an error)."""
    from_above = Matter.objects.filter(
        pk__in=Registration.objects.filter(channel=Registration.Channel.ASSIGNED)
        .exclude(external_number="")
        .values("matter_id")
    ).select_related("purpose", "content_class", "township")
    if numbers:
        found = {m.number: m for m in from_above.filter(number__in=numbers).prefetch_related(*PREFETCH)}
        missing = [n for n in numbers if n not in found]
        if missing:
            raise ValueError(f"事项编号“{'、'.join(missing)}”不存在或不是上级交办件。")
        return [found[n] for n in numbers]
    if since is not None:
        start = timezone.make_aware(timezone.datetime.combine(since, timezone.datetime.min.time()))
        changed = Event.objects.filter(at__gte=start).values("matter_id")
        from_above = from_above.filter(Q(pk__in=changed) | Q(registered_at__gte=start))
    return list(from_above.order_by("registered_at", "id").prefetch_related(*PREFETCH))


def _core(registration: Registration) -> dict:
    people = registration.registrationpetitioner_set.all()
    return {
        "external_number": registration.external_number,
        "source_unit": registration.source_unit.code,
        "received_at": registration.received_at.isoformat(),
        "deadline": registration.external_due.isoformat(),
        "title": registration.matter.title,
        "content": registration.content,
        "purpose": registration.matter.purpose.code,
        "content_class": registration.matter.content_class.code if registration.matter.content_class else "",
        "township": registration.matter.township.code if registration.matter.township else "",
        "request": registration.request,
        "facts": registration.facts,
        "head_count": registration.head_count,
        "petitioners": [
            {"name": rp.petitioner.name, "kind": rp.petitioner.kind, "id_number": rp.petitioner.id_number,
             "mobile": rp.petitioner.mobile, "landline": rp.petitioner.landline, "address": rp.petitioner.address,
             "is_representative": rp.is_representative}
            for rp in people
        ],
    }  # fmt: skip


def entries(matter: Matter) -> dict[str, tuple[str, dict]]:
    """Everything the level above gets of `matter`, by entry key: (digest, the entry as sent)."""
    registration = _from_above(matter)
    found = {"core": _core(registration), "state": {"state": matter.state}}
    for a in registration.attachments.all():
        found[f"att:{a.sha256}"] = {"name": a.original_name, "sha256": a.sha256, "path": a.file.name}
    for d in matter.documents.all():  # PREFETCH: the kinds the level above gets
        found[f"doc:{d.kind}:{d.number}"] = {
            "kind": d.kind, "number": d.number, "title": d.title, "issuer": d.issuer.code, "addressee": d.addressee,
            "issued_on": d.issued_on.isoformat(), "body": d.body,
        }  # fmt: skip
    for event in matter.public_events:
        found[f"ms:E{event.pk}"] = {
            "key": f"E{event.pk}", "at": event.at.isoformat(), "kind": event.kind,
            "text": describe(event, matter), "unit": event.unit.name if event.unit else "",
        }  # fmt: skip
    for e in matter.evaluations.all():
        found[f"ev:{e.target}"] = {"target": e.target, "value": e.value, "at": e.at.isoformat()}
    return {key: (_digest(value), value) for key, value in found.items()}


def _last_sent(matter_ids: list[int]) -> dict[int, dict[str, str]]:
    sent: dict[int, dict[str, str]] = {}
    for matter_id, key, digest in (
        Sent.objects.filter(matter_id__in=matter_ids).order_by("id").values_list("matter_id", "key", "digest")
    ):
        sent.setdefault(matter_id, {})[key] = digest
    return sent


def _item(matter: Matter, changed: dict[str, tuple[str, dict]], *, zipped: bool) -> tuple[dict, dict]:
    """The package item for `matter` with only the `changed` entries (and its core data); and, for a zip, the
    attachment files by their path in it."""
    item, files = {**changed["core"][1], "attachments": []}, {}
    for key, (_, a) in changed.items():
        if not key.startswith("att:"):
            continue
        with default_storage.open(a["path"], "rb") as f:
            content = f.read()
        ref = {"name": a["name"], "sha256": a["sha256"]}
        if zipped:
            files[f"attachments/{a['sha256']}"] = content
            item["attachments"].append({**ref, "file": f"attachments/{a['sha256']}"})
        else:
            item["attachments"].append({**ref, "base64": base64.b64encode(content).decode()})

    def of(prefix: str) -> list[dict]:
        return [value for key, (_, value) in changed.items() if key.startswith(prefix)]

    item["results"] = {
        "matter_number": matter.number, "state": matter.state, "state_label": workflow.STATES[matter.state],
        "documents": of("doc:"), "milestones": sorted(of("ms:"), key=lambda v: (v["at"], v["key"])),
        "evaluations": of("ev:"),
    }  # fmt: skip
    return item, files


@transaction.atomic
def export(*, out: str, by=None, since: date | None = None, numbers: list[str] = ()) -> tuple[Export, bytes]:
    """The package named `out` (.json, or .zip with the attachments as files), and its log row with what was
    sent. A matter with nothing new since its last export is left out; the package may hold no item. The caller
    writes the file inside its own transaction around this one, so that a failed write logs nothing."""
    chosen = matters(since=since, numbers=numbers)
    sent_before = _last_sent([m.pk for m in chosen])
    zipped = out.lower().endswith(".zip")
    items, files, sent = [], {}, []
    for matter in chosen:
        current = entries(matter)
        before = sent_before.get(matter.pk, {})
        changed = {k: v for k, v in current.items() if before.get(k) != v[0]}
        if not changed:
            continue
        item, item_files = _item(matter, {**changed, "core": current["core"]}, zipped=zipped)
        items.append(item)
        files.update(item_files)
        sent.extend((matter, item["external_number"], k, digest) for k, (digest, _) in changed.items())
    package = {
        "format": FORMAT, "version": VERSION, "sender": services.bureau().code,
        "created_at": timezone.now().isoformat(), "items": items,
    }  # fmt: skip
    content = json.dumps(package, ensure_ascii=False, indent=1).encode()
    if zipped:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("package.json", content)
            for name, data in files.items():
                z.writestr(name, data)
        content = buffer.getvalue()
    log = Export.objects.create(
        at=timezone.now(), by=by, since=since, file_name=str(out), sha256=hashlib.sha256(content).hexdigest(),
        items=len(items),
    )  # fmt: skip
    Sent.objects.bulk_create(
        Sent(export=log, matter=m, external_number=n, key=k, digest=d) for m, n, k, d in sent
    )
    # the package holds the petitioners' ID and phone numbers: one audit row per export
    log_audit(action="exchange:export", user=by, obj=log, items=len(items), file=str(out))
    return log, content
