"""export_exchange (issue 17): the results of the matters from above go back up in the same format, logged; a
re-export sends only what changed; the round trip into a fresh installation gives the same matters, milestones
and documents."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from tests import factories
from tests.exchange.conftest import item, package, png_attachment
from xinfang.exchange import importer, reader
from xinfang.exchange.models import Export, Sent
from xinfang.exchange.package import DOCUMENT_KINDS
from xinfang.petitions import citizens, queries, services
from xinfang.petitions.models import Event, Matter, Registration
from xinfang.portal.milestones import describe


def _from_above(clerk, number="ABZ-1", **overrides) -> Matter:
    report = importer.import_package(
        reader.read("p.json", json.dumps(package(item(number, **overrides))).encode()), by=clerk
    )
    assert report.ok, report.problems
    return Registration.objects.get(external_number=number).matter


def _walk(matter, people, units, *actions):
    for action in actions:
        matter = factories.do(action, matter, people=people, units=units)
    return matter


def _export(tmp_path, name="up.json", *args) -> dict:
    out = tmp_path / name
    call_command("export_exchange", "--out", str(out), *args, stdout=io.StringIO())
    if name.endswith(".zip"):
        with zipfile.ZipFile(out) as z:
            return json.loads(z.read("package.json"))
    return json.loads(out.read_text())


def _core(reg: Registration) -> tuple:
    people = [(p.name, p.id_number, p.mobile) for p in reg.petitioners.order_by("id")]
    files = [(a.original_name, a.sha256) for a in reg.attachments.all()]
    return (reg.external_number, reg.source_unit.code, reg.external_due, reg.matter.title, reg.content, reg.request,
            people, files)  # fmt: skip


def _documents(documents) -> list[tuple]:
    return sorted(
        (d.kind, d.number, d.title, d.issuer.code, d.addressee, d.issued_on, d.body) for d in documents
    )


def _sent_here(matter: Matter) -> dict:
    """What installation A holds of the matter and sends up."""
    return {
        "core": _core(matter.registrations.exclude(external_number="").get()),
        "documents": _documents(matter.documents.filter(kind__in=DOCUMENT_KINDS)),
        "milestones": [(e.at, describe(e, matter)) for e in queries.timeline(matter, public_only=True)],
        "evaluations": sorted((e.target, e.value) for e in matter.evaluations.all()),
        "state": matter.state,
    }


def _received_there(external_number: str) -> dict:
    """What installation B recorded of the same item after importing the package."""
    reg = Registration.objects.get(external_number=external_number)
    events = reg.matter.events.order_by("at", "id")
    return {
        "core": _core(reg),
        "documents": _documents(reg.matter.documents.all()),
        "milestones": [(e.at, e.data["text"]) for e in events.filter(kind=importer.MILESTONE)],
        "evaluations": sorted(
            (e.data["target"], e.data["value"]) for e in events.filter(kind=importer.EVALUATION)
        ),
        "state": events.filter(kind=importer.REPORTED).last().data["state"],
    }


@pytest.mark.parametrize("name", ["up.json", "up.zip"])
def test_round_trip_into_a_fresh_installation(people, units, clerk, tmp_path, name):
    fresh = transaction.savepoint()  # installation B: the units, codes and users only
    matter = _from_above(clerk, attachments=[png_attachment()])
    matter = _walk(matter, people, units, "forward", "acknowledge", "accept", "reply", "deliver")
    citizens.evaluate(matter, target="unit", value="satisfied")
    matter = _walk(matter, people, units, "request_review", "decide_review")
    _from_above(clerk, "ABZ-2")  # not accepted yet: no document, milestones only
    sent = {m.registrations.first().external_number: _sent_here(m) for m in Matter.objects.all()}
    assert {d[0] for d in sent["ABZ-1"]["documents"]} == {
        "acceptance_notice",
        "handling_opinion",
        "review_opinion",
    }
    assert sent["ABZ-1"]["evaluations"] == [("unit", "satisfied")]
    _export(tmp_path, name)
    transaction.savepoint_rollback(fresh)
    assert not Matter.objects.exists() and not Export.objects.exists()

    content = (tmp_path / name).read_bytes()
    report = importer.import_package(reader.read(name, content), by=clerk)
    assert report.ok, report.problems
    assert {k: _received_there(k) for k in sent} == sent
    again = importer.import_package(reader.read(name, content), by=clerk)
    assert again.unchanged == ["ABZ-1", "ABZ-2"] and not again.created and not again.updated


def test_re_export_sends_only_what_changed(people, units, clerk, tmp_path):
    matter = _walk(_from_above(clerk), people, units, "forward", "acknowledge", "accept")
    _from_above(clerk, "ABZ-2")
    first = _export(tmp_path, "1.json")
    assert [i["external_number"] for i in first["items"]] == ["ABZ-1", "ABZ-2"]
    assert [d["kind"] for d in first["items"][0]["results"]["documents"]] == ["acceptance_notice"]
    assert _export(tmp_path, "2.json")["items"] == []
    _walk(matter, people, units, "reply")
    third = _export(tmp_path, "3.json")
    [changed] = third["items"]
    assert changed["external_number"] == "ABZ-1" and changed["results"]["state"] == "replied"
    assert [d["kind"] for d in changed["results"]["documents"]] == ["handling_opinion"]
    assert [m["kind"] for m in changed["results"]["milestones"]] == ["matter:reply"]
    assert changed["petitioners"] and changed["attachments"] == []  # the item's own data, to be found by
    assert list(Export.objects.order_by("id").values_list("items", flat=True)) == [2, 0, 1]
    assert (
        Sent.objects.filter(
            matter=matter, key="doc:handling_opinion:" + matter.documents.get(kind="handling_opinion").number
        ).count()
        == 1
    )


def test_since_and_per_matter(people, units, clerk, tmp_path, time_machine):
    old = _from_above(clerk, "ABZ-OLD")
    time_machine.move_to(timezone.now() + timedelta(days=10), tick=False)
    _from_above(clerk, "ABZ-NEW")
    since = services.today().isoformat()
    assert [i["external_number"] for i in _export(tmp_path, "a.json", "--since", since)["items"]] == [
        "ABZ-NEW"
    ]
    assert [i["external_number"] for i in _export(tmp_path, "b.json", "--matter", old.number)["items"]] == [
        "ABZ-OLD"
    ]
    local = factories.register(clerk)
    with pytest.raises(CommandError, match="不存在或不是上级交办件"):
        _export(tmp_path, "c.json", "--matter", local.number)
    with pytest.raises(CommandError, match="日期“2026-99-01”无效"):
        _export(tmp_path, "d.json", "--since", "2026-99-01")


def test_export_is_audited(clerk, tmp_path):
    _from_above(clerk)
    _export(tmp_path)
    from xinfang.accounts.models import AuditEntry

    assert AuditEntry.objects.get(action="exchange:export").detail["items"] == 1
    assert not Event.objects.filter(kind__startswith="exchange:").exists()  # nothing recorded on the matters


def test_export_reads_in_a_few_statements_whatever_the_number_of_matters(clerk, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from xinfang.exchange import exporter

    def statements(out: str) -> int:
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            exporter.export(out=str(tmp_path / out))
        return len(queries)

    _from_above(clerk, "ABZ-1")
    one = statements("1.json")
    for n in range(2, 7):
        _from_above(clerk, f"ABZ-{n}")
    assert statements("2.json") == one  # the five new matters read in the same statements
