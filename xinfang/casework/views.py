"""Staff web UI for petition casework. Thin views: parse input, call one service or query, render.

Who may see or do what is decided by `petitions.access` and the services; a denial renders the 403
page with the reason and changes nothing."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import AuditEntry
from xinfang.casework import forms as F
from xinfang.core import validators
from xinfang.petitions import access, deadlines, documents, queries, services, workflow
from xinfang.petitions.models import Code, Document, Matter, Registration, Unit

PAGE_SIZE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def denied(request, reason: str):
    return render(request, "casework/denied.html", {"reason": reason}, status=403)


def _matter_or_404(number: str) -> Matter:
    return get_object_or_404(Matter.objects.select_related("handling_unit", "handler"), number=number)


# --- worklist -----------------------------------------------------------------------------------------


def _worklist_filter(form: F.WorklistFilterForm, submitted: bool) -> queries.WorklistFilter:
    d = form.cleaned_data if form.is_valid() else {}
    return queries.WorklistFilter(
        queue=d.get("queue", False) if submitted else True,
        **{k: d.get(k) or "" for k in ("state", "channel", "township", "handling_unit", "clock", "q")},
    )


def _first_channels():
    return Prefetch("registrations", queryset=Registration.objects.order_by("registered_at"), to_attr="regs")


@login_required
@require_GET
def worklist(request):
    # "filtered" marks a submitted filter form, so that an unticked "只看我的待办" means all matters.
    submitted = "filtered" in request.GET
    form = F.WorklistFilterForm(request.GET if submitted else None, initial={"queue": True})
    f = _worklist_filter(form, submitted)
    qs = queries.worklist(request.user, f).prefetch_related(_first_channels())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(m) for m in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "filter": f}
    template = "casework/_worklist_table.html" if request.htmx else "casework/worklist.html"
    return render(request, template, context)


def _row(m: Matter) -> dict:
    channel = Registration.Channel(m.regs[0].channel).label if getattr(m, "regs", None) else ""
    return {
        "matter": m,
        "channel": channel,
        "state": workflow.STATES[m.state],
        "badge": queries.clock_badge(m),
    }


# --- intake -------------------------------------------------------------------------------------------


@login_required
def register_choose(request):
    return render(request, "casework/register_choose.html", {"channels": Registration.Channel.choices})


@login_required
def register(request, channel: str):
    if channel not in Registration.Channel.values:
        raise Http404
    label = Registration.Channel(channel).label
    form = F.IntakeForm(request.POST or None, channel=channel)
    people = F.petitioner_formset(channel, request.POST or None)
    people_errors: list[str] = []
    if request.method == "POST" and form.is_valid() and people.is_valid():
        inputs = [p for p in (f.to_input() for f in people.forms) if p is not None]
        try:
            registration = services.register_petition(form.to_input(inputs), by=request.user)
        except PermissionDenied as e:
            return denied(request, str(e))
        except ValidationError as e:
            people_errors = form.add_service_errors(e.message_dict)
        else:
            log_audit(
                action="registration:create", request=request, obj=registration
            )  # personal data recorded
            messages.success(
                request,
                _("已登记：登记编号 %(reg)s，事项编号 %(matter)s。")
                % {"reg": registration.number, "matter": registration.matter.number},
            )
            return redirect("casework:matter", number=registration.matter.number)
    people_errors += [e for e in people.non_form_errors()]
    summary = _error_summary(form, people, people_errors)
    accusation = Code.objects.filter(table=Code.Table.PURPOSE, category=Matter.Category.ACCUSATION)
    context = {"form": form, "people": people, "people_errors": people_errors, "summary": summary,
               "channel": channel, "channel_label": label,
               "accusation_codes": ",".join(accusation.values_list("code", flat=True))}  # fmt: skip
    return render(request, "casework/register.html", context)


def _error_summary(form, people, people_errors) -> list[tuple[str, str]]:
    """(anchor id, message) for the error summary at the top of the form."""
    out = []
    for name, errors in form.errors.items():
        anchor = f"id_{name}" if name in form.fields else "intake-form"
        label = form.fields[name].label if name in form.fields else ""
        out += [(anchor, f"{label}：{e}" if label else e) for e in errors]
    for i, f in enumerate(people.forms):
        for name, errors in f.errors.items():
            anchor = f"id_{f.prefix}-{name}" if name in f.fields else "petitioners"
            label = f"{_('信访人')}{i + 1} {f.fields[name].label if name in f.fields else ''}"
            out += [(anchor, f"{label}：{e}") for e in errors]
    out += [("petitioners", e) for e in people_errors]
    return out


@login_required
@require_GET
def similar(request):
    """htmx: earlier matters of the petitioners whose ID numbers have been typed (同人), to link a 重复件."""
    numbers = []
    for key, values in request.GET.lists():
        if key.endswith("id_number"):
            for v in values:
                try:
                    numbers.append(validators.normalize_id_number(v))
                except ValidationError:
                    continue
    found = queries.similar_matters(request.user, id_numbers=numbers)[:10] if numbers else []
    rows = [(m, workflow.STATES[m.state]) for m in found]
    return render(request, "casework/_similar.html", {"rows": rows, "asked": bool(numbers)})


# --- matter page --------------------------------------------------------------------------------------


def _timeline_label(event) -> str:
    if event.action and event.action in workflow.BY_ACTION:
        return workflow.BY_ACTION[event.action].label
    return EVENT_LABELS.get(event.kind, event.kind)


EVENT_LABELS = {
    "matter:registered": gettext_lazy("登记"),
    "matter:received": gettext_lazy("网上提交（待登记）"),
    "registration:repeat": gettext_lazy("重复件登记（并入本事项）"),
    "registration:no_longer_accepted": gettext_lazy("重复件登记，不再受理"),
    "matter:handler_assigned": gettext_lazy("指定承办人"),
    "matter:recusal": gettext_lazy("回避"),
}


def _dates(m: Matter) -> list[tuple[str, object]]:
    """Every date and due date of the matter, in the order of the procedure (None: not yet)."""
    notify_due = m.clock_due if m.clock == "NOTIFY" else (
        deadlines.clock_due("NOTIFY", m.received_by_unit_on) if m.received_by_unit_on else None
    )  # fmt: skip
    return [
        (_("登记日期"), m.registered_on),
        (_("转送交办期限"), deadlines.clock_due("TRIAGE", m.registered_on)),
        (_("转送交办日期"), m.forwarded_on),
        (_("交办办结期限"), m.assign_due),
        (_("责任单位签收日期"), m.received_by_unit_on),
        (_("受理告知期限"), notify_due),
        (_("异议截止日期"), m.objection_due),
        (_("受理日期"), m.accepted_on),
        (_("办理期限"), m.handle_due),
        (_("答复日期"), m.replied_on),
        (_("送达日期"), m.delivered_on),
        (_("复查申请期限"), m.review_request_due),
        (_("复查申请日期"), m.review_requested_on),
        (_("复查期限"), m.review_due),
        (_("复查意见日期"), m.review_decided_on),
        (_("复核申请期限"), m.recheck_request_due),
        (_("复核申请日期"), m.recheck_requested_on),
        (_("复核期限"), m.recheck_due),
        (_("复核意见日期"), m.recheck_decided_on),
        (_("办结日期"), m.closed_on),
    ]


def _flags(m: Matter, regs) -> list[str]:
    flags = [str(Matter._meta.get_field(f).verbose_name) for f in
             ("is_major_urgent", "is_legal", "is_simple", "is_confidential", "is_assignment") if getattr(m, f)]  # fmt: skip
    if any(r.is_collective for r in regs):
        flags.append(_("集体访/联名信"))
    if any(r.is_leapfrog for r in regs):
        flags.append(_("越级"))
    return flags


@login_required
@require_GET
def matter_detail(request, number: str):
    matter = _matter_or_404(number)
    if (reason := access.view_denial(request.user, matter)) is not None:
        log_audit(action="matter:view", request=request, obj=matter, result="denied")
        return denied(request, reason)
    full = request.GET.get("full") == "1"
    if full and not access.can_view_personal_data(request.user):
        log_audit(action="petitioner:view_full", request=request, obj=matter, result="denied")
        return denied(request, _("您无权查看完整的证件号码和电话。"))
    regs = list(queries.registrations(matter))
    registrations = [
        (r, [queries.petitioner_view(link, full=full) for link in r.registrationpetitioner_set.all()])
        for r in regs
    ]
    log_audit(action="matter:view", request=request, obj=matter, number=matter.number, full=full)
    if full:
        shown = [p.id for _r, people in registrations for p in people]
        log_audit(action="petitioner:view_full", request=request, obj=matter, number=matter.number,
                  petitioners=shown)  # fmt: skip
    events = [(e, _timeline_label(e)) for e in queries.timeline(matter)]
    context = {
        "matter": matter,
        "state": workflow.STATES[matter.state],
        "badge": queries.clock_badge(matter),
        "flags": _flags(matter, regs),
        "dates": _dates(matter),
        "registrations": registrations,
        "full": full,
        "can_view_full": access.can_view_personal_data(request.user),
        "events": events,
        "documents": matter.documents.select_related("issuer"),
        "actions": _action_forms(request.user, matter),
        "people_forms": _people_forms(request.user, matter),
    }
    return render(request, "casework/matter.html", context)


# --- actions: one endpoint, a table from action to (form, service call) -------------------------------


def _unit(d: dict) -> Unit:
    return Unit.objects.get(code=d["unit"])


@dataclass(frozen=True)
class Act:
    form: type[F.ActionForm]
    call: Callable  # (matter, by, cleaned_data, expected_version) -> result
    label: object = ""  # for the actions that are not transitions (lazy translation)


S = services
ACTIONS: dict[str, Act] = {
    "register": Act(F.EmptyForm, lambda m, by, d, v: S.register_received(m, by=by, expected_version=v)),
    "report_major": Act(F.ReportMajorForm, lambda m, by, d, v: S.report_major(
        m, by=by, note=d["note"], expected_version=v)),
    "forward": Act(F.ForwardForm, lambda m, by, d, v: S.forward_matter(
        m, by=by, unit=_unit(d), note=d["note"], expected_version=v)),
    "assign": Act(F.AssignForm, lambda m, by, d, v: S.assign_matter(
        m, by=by, unit=_unit(d), due=d["due"], note=d["note"], expected_version=v)),
    "redirect_legal": Act(F.RedirectLegalForm, lambda m, by, d, v: S.redirect_matter(
        m, by=by, to="legal", unit=_unit(d), reason=d["note"], expected_version=v)),
    "redirect_discipline": Act(F.RedirectDisciplineForm, lambda m, by, d, v: S.redirect_matter(
        m, by=by, to="discipline", unit=_unit(d), reason=d["note"], expected_version=v)),
    "redirect_other": Act(F.RedirectOtherForm, lambda m, by, d, v: S.redirect_matter(
        m, by=by, to="other", reason=d["reason"], expected_version=v)),
    "decline": Act(F.DeclineForm, lambda m, by, d, v: S.decline_matter(
        m, by=by, reason=d["reason"], note=d["note"], expected_version=v)),
    "refuse_repeat": Act(F.RefuseRepeatForm, lambda m, by, d, v: S.refuse_repeat(
        m, by=by, original=d["original"], expected_version=v)),
    "acknowledge": Act(F.EmptyForm, lambda m, by, d, v: S.acknowledge_matter(m, by=by, expected_version=v)),
    "object": Act(F.ObjectForm, lambda m, by, d, v: S.object_matter(
        m, by=by, reason=d["reason"], expected_version=v)),
    "uphold_objection": Act(F.NoteForm, lambda m, by, d, v: S.decide_objection(
        m, by=by, uphold=True, note=d["note"], expected_version=v)),
    "reject_objection": Act(F.NoteForm, lambda m, by, d, v: S.decide_objection(
        m, by=by, uphold=False, note=d["note"], expected_version=v)),
    "accept": Act(F.AcceptForm, lambda m, by, d, v: S.accept_matter(
        m, by=by, simple=d["simple"], note=d["note"], expected_version=v)),
    "channel": Act(F.ChannelForm, lambda m, by, d, v: S.channel_matter(
        m, by=by, procedure=d["procedure"], note=d["note"], expected_version=v)),
    "investigate": Act(F.EmptyForm, lambda m, by, d, v: S.start_investigation(m, by=by, expected_version=v)),
    "extend": Act(F.ExtendForm, lambda m, by, d, v: S.extend_matter(
        m, by=by, days=d["days"], reason=d["reason"], expected_version=v)),
    "reply": Act(F.ReplyForm, lambda m, by, d, v: S.reply_matter(
        m, by=by, outcome=d["outcome"], opinion=d["opinion"], basis=d["basis"], expected_version=v)),
    "deliver": Act(F.DeliverForm, lambda m, by, d, v: S.deliver_reply(
        m, by=by, method=d["method"], delivered_on=d["delivered_on"], signed=d["signed"], expected_version=v)),
    "request_review": Act(F.RequestForm, lambda m, by, d, v: S.request_review(
        m, by=by, requested_on=d["requested_on"], reason=d["reason"], expected_version=v)),
    "decide_review": Act(F.DecideReviewForm, lambda m, by, d, v: S.decide_review(
        m, by=by, outcome=d["outcome"], opinion=d["opinion"], expected_version=v)),
    "request_recheck": Act(F.RequestForm, lambda m, by, d, v: S.request_recheck(
        m, by=by, requested_on=d["requested_on"], reason=d["reason"], expected_version=v)),
    "record_recheck": Act(F.RecordRecheckForm, lambda m, by, d, v: S.record_recheck(
        m, by=by, outcome=d["outcome"], opinion=d["opinion"], decided_on=d["decided_on"],
        expected_version=v)),
    "close": Act(F.EmptyForm, lambda m, by, d, v: S.close_matter(m, by=by, expected_version=v)),
    "archive": Act(F.EmptyForm, lambda m, by, d, v: S.archive_matter(m, by=by, expected_version=v)),
    # People on the matter (no state change).
    "assign_handler": Act(F.HandlerForm, lambda m, by, d, v: S.assign_handler(
        m, by=by, handler=d["handler"], expected_version=v), label=gettext_lazy("指定承办人")),
    "recusal": Act(F.RecusalForm, lambda m, by, d, v: S.declare_recusal(
        m, by=by, user=d["person"], reason=d["reason"], expected_version=v), label=gettext_lazy("登记回避")),
}  # fmt: skip


def _label(action: str) -> str:
    act = ACTIONS[action]
    return act.label or workflow.BY_ACTION[action].label


def _action_forms(user, matter: Matter) -> list[dict]:
    return [
        {"action": t.action, "label": t.label, "basis": t.basis,
         "form": ACTIONS[t.action].form(matter=matter, user=user, action=t.action)}
        for t in access.available_actions(user, matter)
    ]  # fmt: skip


def _people_forms(user, matter: Matter) -> list[dict]:
    """Handler and recusal forms for the staff of the handling unit (the services check the rules)."""
    if matter.handling_unit_id is None or user.unit_id != matter.handling_unit_id:
        return []
    return [
        {"action": a, "label": _label(a), "form": ACTIONS[a].form(matter=matter, user=user, action=a)}
        for a in ("assign_handler", "recusal")
    ]


@login_required
@require_POST
def act(request, number: str, action: str):
    if action not in ACTIONS:
        raise Http404
    matter = _matter_or_404(number)
    if (reason := access.view_denial(request.user, matter)) is not None:
        return denied(request, reason)
    back = reverse("casework:matter", kwargs={"number": number})
    form = ACTIONS[action].form(request.POST, matter=matter, user=request.user, action=action)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = None
    if version is None or not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, f"{_label(action)}：{e}")
        if version is None:
            messages.error(request, _("页面缺少版本信息，请刷新后重试。"))
        return redirect(back)
    try:
        ACTIONS[action].call(matter, request.user, form.cleaned_data, version)
    except PermissionDenied as e:
        return denied(request, str(e) or _("您无权执行此操作。"))
    except services.WorkflowError as e:  # StaleMatter included
        messages.error(request, str(e))
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已完成：%(label)s。") % {"label": _label(action)})
    return redirect(back)


# --- documents ----------------------------------------------------------------------------------------


@login_required
@require_GET
def document_download(request, pk: int):
    doc = get_object_or_404(Document.objects.select_related("matter", "issuer"), pk=pk)
    if (reason := access.view_denial(request.user, doc.matter)) is not None:
        log_audit(action="document:download", request=request, obj=doc, result="denied")
        return denied(request, reason)
    content = documents.render_docx(doc)
    log_audit(action="document:download", request=request, obj=doc, number=doc.number,
              matter=doc.matter.number)  # fmt: skip
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"{doc.title}（{doc.number}）.docx")
    return response


# --- audit log ----------------------------------------------------------------------------------------


@login_required
@require_GET
def audit_log(request):
    if not access.can_read_audit_log(request.user):
        log_audit(action="audit:read", request=request, result="denied")
        return denied(request, _("只有审计管理员可以查看审计日志。"))
    # The read itself is logged first, so that the page and its count agree.
    log_audit(action="audit:read", request=request, filters={k: v for k, v in request.GET.items() if v})
    form = F.AuditFilterForm(request.GET or None)
    qs = AuditEntry.objects.all()
    if form.is_valid():
        d = form.cleaned_data
        if d["username"]:
            qs = qs.filter(username__icontains=d["username"].strip())
        if d["action"]:
            qs = qs.filter(action__icontains=d["action"].strip())
        tz = timezone.get_current_timezone()
        if d["date_from"]:
            qs = qs.filter(at__gte=datetime.combine(d["date_from"], time.min, tzinfo=tz))
        if d["date_to"]:
            qs = qs.filter(at__lt=datetime.combine(d["date_to"] + timedelta(days=1), time.min, tzinfo=tz))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "casework/audit.html", {"form": form, "page": page, "query": query.urlencode()})
