"""Written notices and opinions: numbered (文号, per unit, year and kind, no gaps), text built from the
matter's data and frozen when issued, rendered to .docx at the first download and kept in the storage."""

import hashlib
from datetime import date

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction

from xinfang.core import officialdoc
from xinfang.core.officialdoc import clause, sentence
from xinfang.petitions import workflow
from xinfang.petitions.models import Document, Matter, NumberSequence, Unit


def _advance(scope: Unit, year: int, kind: str) -> int | None:
    """`last + 1` of the sequence row in one statement (UPDATE … RETURNING, PostgreSQL and SQLite ≥ 3.35): the
    row stays locked to the commit; None when the row does not exist yet."""
    q = connection.ops.quote_name
    with connection.cursor() as c:
        c.execute(
            f"UPDATE {q(NumberSequence._meta.db_table)} SET {q('last')} = {q('last')} + 1 "
            f"WHERE {q('issuer_id')} = %s AND {q('year')} = %s AND {q('kind')} = %s RETURNING {q('last')}",
            [scope.pk, year, kind],
        )
        row = c.fetchone()
    return row[0] if row else None


def next_number(*, scope: Unit, year: int, kind: str) -> int:
    """Allocate the next number of a sequence inside the caller's transaction (one statement once the year's
    row exists; it was an UPDATE and a SELECT … FOR UPDATE, issue 14)."""
    assert transaction.get_connection().in_atomic_block, "numbers are allocated inside a transaction"
    last = _advance(scope, year, kind)
    if last is None:  # the first number of its kind this year: create the row
        NumberSequence.objects.get_or_create(issuer=scope, year=year, kind=kind)
        last = _advance(scope, year, kind)
    return last


def format_number(*, issuer: Unit, kind: str, year: int, seq: int) -> str:
    prefix = issuer.short_name or issuer.name
    mark = workflow.DOCUMENTS[kind][1] if kind in workflow.DOCUMENTS else workflow.OTHER_NUMBERED[kind]
    return f"{prefix}{mark}〔{year}〕{seq}号"


def _petitioners(matter: Matter) -> tuple[str, int]:
    """(the names a notice is addressed to, how many petitioners): those of the first registration; a
    collective visit counts its head count even when only its representatives are named."""
    first = matter.registrations.order_by("registered_at").first()
    names = [p.name for p in first.petitioners.all()] if first else []
    count = max(len(names), first.head_count if first else 0)
    if len(names) > 3:
        return f"{'、'.join(names[:3])}等{len(names)}人", count
    return "、".join(names) or "信访人", count


def _cn_date(d: date) -> str:
    return officialdoc.document_date(d)


def compose_body(matter: Matter, kind: str, *, on: date, **facts) -> tuple[str, str]:
    """Return (addressee, body) for a document of `kind`, from the matter's data and the action's facts."""
    who, count = _petitioners(matter)
    you = officialdoc.addressing(count)
    received = _cn_date(matter.registered_on)
    subject = f"{you}于{received}反映的“{matter.title}”问题（事项编号：{matter.number}）"
    unit = facts.get("unit")
    reason = clause(facts.get("reason", ""))
    if kind == "transfer_slip":
        body = (
            f"现将{who}反映的“{matter.title}”信访事项（事项编号：{matter.number}）转送你单位，"
            f"请依照《信访工作条例》第二十三条第三款的规定，自收到之日起十五日内书面告知信访人"
            f"接收情况以及处理途径和程序；不属于你单位职权范围的，请于五个工作日内提出异议并说明理由。"
        )
        return (unit.name if unit else "", body + (f"\n{sentence(reason)}" if reason else ""))
    if kind == "assignment_slip":
        body = (
            f"现将{who}反映的“{matter.title}”信访事项（事项编号：{matter.number}）交办你单位，"
            f"请依法办理，并于{_cn_date(facts['due'])}前将办理结果和办结报告报送县信访局。"
        )
        return (unit.name if unit else "", body + (f"\n{sentence(reason)}" if reason else ""))
    if kind == "acceptance_notice":
        body = (
            f"{subject}，本机关已于{_cn_date(on)}受理。本机关将依照《信访工作条例》第三十一条、第三十四条"
            f"的规定办理，自受理之日起六十日内办结；情况复杂的，经批准可适当延长办理期限，"
            f"延长期限不超过三十日，并告知延期理由。"
        )
        return (who, body)
    if kind == "non_acceptance_notice":
        # the reasons (services.DECLINE_REASONS) speak to one petitioner: several are 你们
        reason = reason.replace("您", you)
        return (who, f"{subject}，经审查，{reason}。依照《信访工作条例》的规定，本机关不予受理。特此告知。")
    if kind == "no_longer_notice":
        body = (
            f"{subject}。该信访事项已于{_cn_date(facts['terminated_on'])}经复核终结（原事项编号："
            f"{facts['original']}）。依照《信访工作条例》第三十六条第三款的规定，{you}以同一事实和理由"
            f"提出的投诉请求，各级信访部门和其他机关、单位不再受理。"
        )
        return (who, body)
    if kind == "extension_notice":
        body = (
            f"{subject}，因{reason}，经本机关负责人批准，办理期限延长{facts['days']}日，"
            f"延长至{_cn_date(facts['due'])}。特此告知。"
        )
        return (who, body)
    if kind in {"handling_opinion", "review_opinion", "recheck_opinion"}:
        outcome = Matter.Outcome(facts["outcome"]).label
        level = {"handling_opinion": "处理", "review_opinion": "复查", "recheck_opinion": "复核"}[kind]
        opinion = sentence(facts["opinion"])
        body = f"{subject}，本机关经调查核实，现提出{level}意见如下：\n{opinion}\n处理结论：{outcome}。"
        if clause(facts.get("basis", "")):
            body += f"\n依据：{sentence(facts['basis'])}"
        if kind == "handling_opinion":
            body += (
                "\n如不服本处理意见，可以自收到本意见书之日起三十日内，向本机关的上一级机关请求复查"
                "（《信访工作条例》第三十五条）。"
            )
        elif kind == "review_opinion":
            body += (
                "\n如不服本复查意见，可以自收到本意见书之日起三十日内，向复查机关的上一级机关请求复核"
                "（《信访工作条例》第三十六条）。"
            )
        else:
            body += "\n信访人对复核意见不服，仍以同一事实和理由提出投诉请求的，不再受理（《信访工作条例》第三十六条第三款）。"
        return (who, body)
    raise ValueError(f"未知文书类型：{kind}")


def issue_document(
    matter: Matter, kind: str, *, issuer: Unit, on: date, registration=None, number: str = "", **facts
) -> Document:
    """Issue a numbered document. `number`: the 文号 an outside organ gave its own document (a recorded
    复核意见书); the local sequence still counts it."""
    title, _, public = workflow.DOCUMENTS[kind]
    addressee, body = compose_body(matter, kind, on=on, **facts)
    seq = next_number(scope=issuer, year=on.year, kind=kind)
    return Document.objects.create(
        matter=matter,
        registration=registration,
        kind=kind,
        issuer=issuer,
        year=on.year,
        seq=seq,
        number=number or format_number(issuer=issuer, kind=kind, year=on.year, seq=seq),
        title=title,
        addressee=addressee,
        body=body,
        issued_on=on,
        is_public=public,
    )


def render_docx(document: Document) -> bytes:
    """The document as an A4 公文 (GB/T 9704-2012, xinfang.core.officialdoc)."""
    doc = officialdoc.new_document(
        title=document.title,
        doc_number=document.number,
        issuer_mark=document.issuer.name,
        addressee=document.addressee,
    )
    _write_text(doc, document)
    return officialdoc.to_bytes(doc)


def stored_name(document: Document) -> str:
    """Where the document's .docx is kept in the default storage. The name carries a digest of what the file
    is made of, so it can only ever hold this document as issued (not another row after a restore)."""
    made_of = "\n".join(
        [document.number, document.title, document.issuer.name, document.addressee, str(document.issued_on)]
    )
    digest = hashlib.sha256(f"{made_of}\n{document.body}".encode()).hexdigest()[:16]
    return f"documents/{document.year}/{document.pk}-{digest}.docx"


def stored_docx(document: Document) -> File:
    """The document's .docx, opened from the storage for a download view (FileResponse). Rendered and stored at
    its first download; later downloads get that same file, whatever changes in the template since."""
    name = stored_name(document)
    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError:
        saved = default_storage.save(name, ContentFile(render_docx(document)))
        if saved != name:  # another request stored it a moment ago: keep that one
            default_storage.delete(saved)
        return default_storage.open(name, "rb")


def append_docx(doc, document: Document) -> None:
    """`document` on a new page of an existing file (a case file, 一案一卷)."""
    officialdoc.add_page_break(doc)
    officialdoc.add_head(
        doc,
        title=document.title,
        doc_number=document.number,
        issuer_mark=document.issuer.name,
        addressee=document.addressee,
    )
    _write_text(doc, document)


def _write_text(doc, document: Document) -> None:
    for line in document.body.split("\n"):
        officialdoc.add_body_paragraph(doc, line)
    officialdoc.add_signature(doc, issuer=document.issuer.name, on=document.issued_on)
