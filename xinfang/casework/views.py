"""Staff web UI for petition casework. Thin views: parse input, call one service or query, render.

Who may see or do what is decided by `petitions.access` and the services; a denial renders the 403
page with the reason and changes nothing."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts.audit import log_audit
from xinfang.casework import forms as F
from xinfang.casework import triage
from xinfang.core import validators
from xinfang.petitions import access, citizens, deadlines, documents, events, queries, services, workflow
from xinfang.petitions import similar as similar_matters
from xinfang.petitions.models import Attachment, Code, Document, Matter, Petitioner, Registration

PAGE_SIZE = 50
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def denied(request, reason: str):
    return render(request, "casework/denied.html", {"reason": reason}, status=403)


def _matter_or_404(request, number: str, *, audit: str = "") -> Matter:
    """The matter if the user may see it; otherwise the same 404 as for a number that does not exist, so
    that nobody learns that a matter they may not see exists (条例第三十条第三款). A refusal is still
    recorded in the audit log (`audit` names the action)."""
    matter = access.visible_matters(request.user).select_related("handling_unit", "handler").filter(
        number=number).first()  # fmt: skip
    if matter is None:
        hidden = Matter.objects.filter(number=number).first()
        if hidden is not None and audit:
            log_audit(action=audit, request=request, obj=hidden, result="denied")
        raise Http404
    return matter


# --- worklist -----------------------------------------------------------------------------------------


def _worklist_filter(form: F.WorklistFilterForm, submitted: bool, sort: str = "") -> queries.WorklistFilter:
    d = form.cleaned_data if form.is_valid() else {}
    sort = sort if sort.removeprefix("-") in queries.WORKLIST_SORTS else ""
    return queries.WorklistFilter(
        queue=d.get("queue", False) if submitted else True,
        sort=sort or (queries.SEARCH_SORT if d.get("q") else ""),  # a search: the newest first
        **{k: d.get(k) or "" for k in ("state", "channel", "township", "handling_unit", "clock", "q")},
    )


def worklist_filter(request) -> tuple[F.WorklistFilterForm, queries.WorklistFilter]:
    """The filter form and the filter of a worklist request (the page and its export read the same)."""
    # "filtered" marks a submitted filter form, so that an unticked "只看我的待办" means all matters. A search
    # without it (a link, a search box elsewhere: ?q=…) searches all the matters the user may see.
    submitted = "filtered" in request.GET or bool(request.GET.get("q", "").strip())
    form = F.WorklistFilterForm(request.GET if submitted else None, initial={"queue": True})
    return form, _worklist_filter(form, submitted, request.GET.get("sort", ""))


SORT_COLUMNS = (
    ("number", gettext_lazy("事项编号")),
    ("registered", gettext_lazy("登记时间")),
    ("township", gettext_lazy("属地")),
    ("unit", gettext_lazy("责任单位")),
    ("state", gettext_lazy("状态")),
    ("due", gettext_lazy("时限")),
)


def _sort_links(request, current: str) -> dict[str, dict]:
    """Per sortable column: the link that sorts by it (again: the other way round) and its aria-sort."""
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("sort", None)
    links = {}
    for key, label in SORT_COLUMNS:
        on = current.removeprefix("-") == key or (key == "due" and not current)
        descending = current.startswith("-")
        query["sort"] = key if not on or descending else f"-{key}"
        links[key] = {"label": label, "href": f"?{query.urlencode()}",
                      "aria": ("descending" if descending else "ascending") if on else ""}  # fmt: skip
    return links


def _first_channels():
    return Prefetch("registrations", queryset=Registration.objects.order_by("registered_at"), to_attr="regs")


@login_required
@require_GET
def worklist(request):
    form, f = worklist_filter(request)
    qs = queries.worklist(request.user, f).prefetch_related(_first_channels())
    if f.q:  # a search is not counted: a common word would otherwise count all its matches
        page = queries.OpenPage.read(qs, request.GET.get("page"), PAGE_SIZE)
    else:
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(m) for m in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "filter": f,
               "sorts": _sort_links(request, f.sort)}  # fmt: skip
    context["batch_actions"] = _batch_bar_actions(request.user)  # issue 12: batch operations
    if not request.htmx:
        context["pending_requests"] = _pending_request_forms(request.user)
    template = "casework/_worklist_table.html" if request.htmx else "casework/worklist.html"
    return render(request, template, context)


def _batch_bar_actions(user) -> list[dict]:
    from xinfang.casework.batch import bar_actions  # casework.batch imports this module

    return bar_actions(user)


def _pending_request_forms(user) -> list[dict]:
    """待审批延期: each pending request the user may decide, with its decision form (a refusal needs a reason)."""
    return [
        {"request": r, "form": FORMS["extend"](matter=r.matter, user=user, action=f"extend_{r.pk}")}
        for r in queries.pending_requests(user)
    ]


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


# The 查询码 of the registrations this session made, until the session ends: shown once on the result page and
# printed on the 登记回执. Never stored elsewhere (the database keeps only its hash).
QUERY_CODES = "casework_query_codes"
REGISTERED = "casework_registered"  # the registration just made: its numbers, and whether its code was shown
KEEP_CODES = 20


@login_required
def register(request, channel: str):
    if channel not in Registration.Channel.values:
        raise Http404
    label = Registration.Channel(channel).label
    form = F.IntakeForm(request.POST or None, channel=channel)
    people = F.petitioner_formset(channel, request.POST or None)
    scans = F.ScansForm(request.POST or None, request.FILES or None)
    people_errors: list[str] = []
    if request.method == "POST" and all([form.is_valid(), people.is_valid(), scans.is_valid()]):
        inputs = [p for p in (f.to_input() for f in people.forms) if p is not None]
        try:
            with citizens.removing_on_failure():  # the registration and its audit row: both or neither
                registration, code = citizens.register_incoming(
                    form.to_input(inputs), by=request.user, uploads=scans.uploads()
                )
                log_audit(action="registration:create", request=request, obj=registration)  # personal data
        except PermissionDenied as e:
            return denied(request, str(e))
        except ValidationError as e:
            errors = dict(e.message_dict)
            for message in errors.pop("attachments", []):
                scans.add_error("attachments", message)
            people_errors = form.add_service_errors(errors)
        else:
            return registered_once(request, registration, code)
    people_errors += [e for e in people.non_form_errors()]
    summary = _error_summary(form, people, people_errors)
    summary += [("id_attachments", f"{scans.fields['attachments'].label}：{e}")
                for e in scans.errors.get("attachments", [])]  # fmt: skip
    accusation = Code.objects.filter(table=Code.Table.PURPOSE, category=Matter.Category.ACCUSATION)
    context = {"form": form, "people": people, "people_errors": people_errors, "summary": summary,
               "channel": channel, "channel_label": label, "scans": scans,
               "files_dropped": request.method == "POST" and bool(request.FILES),
               "accusation_codes": ",".join(accusation.values_list("code", flat=True))}  # fmt: skip
    return render(request, "casework/register.html", context)


def registered_once(request, registration: Registration, code: str, *, back: str = "", back_label: str = ""):
    """After any staff registration (intake, leader reception day, video session, dispute): keep the 查询码 in
    the session and show the result page, where the code is shown once and the 登记回执 offered. `back`: the
    page the clerk came from (its link replaces “继续登记”)."""
    messages.success(
        request,
        _("已登记：登记编号 %(reg)s，事项编号 %(matter)s。")
        % {"reg": registration.number, "matter": registration.matter.number},
    )
    codes = dict(list(request.session.get(QUERY_CODES, {}).items())[-(KEEP_CODES - 1) :])
    request.session[QUERY_CODES] = {**codes, registration.number: code}
    request.session[REGISTERED] = {"registration": registration.number, "matter": registration.matter.number,
                                   "shown": False, "back": back, "back_label": back_label}  # fmt: skip
    return redirect("casework:registered")


@login_required
@require_GET
def registered(request):
    """The result of a registration: its numbers and its 查询码, shown this once; the receipt to print."""
    data = request.session.get(REGISTERED)
    if not data:
        return redirect("casework:register_choose")
    registration = Registration.objects.filter(
        number=data["registration"], matter__in=access.visible_matters(request.user)
    ).select_related("matter").first()  # fmt: skip
    if registration is None:  # e.g. the clerk's own unit was named as the accused
        request.session.pop(REGISTERED, None)
        return redirect("casework:worklist")
    show_code = not data["shown"]
    if show_code:
        request.session[REGISTERED] = {**data, "shown": True}
    code = request.session.get(QUERY_CODES, {}).get(registration.number, "") if show_code else ""
    context = {"registration": registration, "matter": registration.matter, "code": code,
               "show_code": show_code, "attachments": registration.attachments.count(),
               "back": data.get("back", ""), "back_label": data.get("back_label", "")}  # fmt: skip
    return render(request, "casework/registered.html", context)


@login_required
@require_GET
def registration_receipt(request, number: str, registration: str):
    """登记回执 (.docx): with the 查询码 while this session still holds it (right after registration)."""
    matter = _matter_or_404(request, number, audit="registration:receipt")
    reg = matter.registrations.filter(number=registration).select_related("registered_by__unit").first()
    if reg is None:
        raise Http404
    code = request.session.get(QUERY_CODES, {}).get(reg.number, "")
    content = citizens.registration_receipt(
        reg, code=code, portal=_("网上信访平台“进展查询”（%(url)s）")
        % {"url": request.build_absolute_uri(reverse("portal:track"))},
    )  # fmt: skip
    log_audit(action="registration:receipt", request=request, obj=reg, number=reg.number,
              matter=matter.number, with_code=bool(code))  # fmt: skip
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(True, f"登记回执（{reg.number}）.docx")
    return response


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
@require_POST
def similar(request):
    """htmx, while the clerk types (debounced): the earlier matters this registration may repeat (同人同事),
    ranked, with the reasons and the dispositions each allows; the clerk decides. POST, so that ID and phone
    numbers stay out of URLs and access logs; a look-up by them is recorded in the audit log."""
    if not access.can_register(request.user):
        return denied(request, _("您的角色无权登记信访事项。"))
    g = request.POST
    rows = sorted({int(m.group(1)) for k in g if (m := re.fullmatch(r"p-(\d+)-\w+", k))})
    people = [
        similar_matters.Person(*(g.get(f"p-{i}-{k}", "") for k in ("name", "id_number", "mobile", "landline")))
        for i in rows[:50]
    ]  # fmt: skip
    draft = similar_matters.Draft(
        content="\n".join(g.get(k, "") for k in ("title", "content", "request", "facts")), petitioners=people,
        township=g.get("township", ""), content_class=g.get("content_class", ""),
        accused_unit=g.get("accused_unit", ""),
    )  # fmt: skip
    asked = bool(draft.content.strip()) or any(p.id_number or p.mobile or p.landline for p in people)
    found = similar_matters.candidates(request.user, draft) if asked else []
    if any(p.id_number or p.mobile or p.landline for p in people):
        log_audit(action="matter:similar", request=request, count=len(found),
                  found=[c.matter.number for c in found])  # fmt: skip
    labels = dict(Registration.Disposition.choices)
    rows = [(c, workflow.STATES[c.matter.state], [(d, labels[d]) for d in c.choices]) for c in found]
    return render(request, "casework/_similar.html", {"rows": rows, "asked": asked})


@login_required
@require_GET
def person(request, pk: int):
    """信访人: every registration of the same person (ID number, mobile or landline) on the matters the user may
    see, with each matter's state and outcome. A personal-data view: recorded in the audit log; a person with
    nothing the user may see is the same 404 as one that does not exist."""
    petitioner = Petitioner.objects.filter(pk=pk).first()
    regs = list(similar_matters.person_registrations(request.user, petitioner)[:500]) if petitioner else []
    if not regs:
        if petitioner is not None:
            log_audit(action="person:view", request=request, obj=petitioner, result="denied")
        raise Http404
    log_audit(action="person:view", request=request, obj=petitioner, count=len(regs))
    matters = {r.matter_id for r in regs}
    context = {
        "petitioner": petitioner, "regs": regs, "matter_count": len(matters),
        "id_number": validators.mask_id_number(petitioner.id_number) if petitioner.id_number else "",
        "mobile": validators.mask_phone(petitioner.mobile) if petitioner.mobile else "",
        "states": workflow.STATES,
    }  # fmt: skip
    return render(request, "casework/person.html", context)


# --- matter page --------------------------------------------------------------------------------------


def _dates(m: Matter) -> list[tuple[str, object]]:
    """Every date and due date of the matter, in the order of the procedure (None: not yet)."""
    received = m.received_on or m.registered_on
    notify = "NOTIFY_DIRECT" if m.is_direct else "NOTIFY"
    notify_due = m.clock_due if m.clock == notify else (
        deadlines.clock_due(notify, m.received_by_unit_on) if m.received_by_unit_on else None
    )  # fmt: skip
    first = m.registrations.order_by("received_at").first()
    triage_due = None if m.is_direct else services.triage_clock(first.channel if first else "", received)[1]
    return [
        (_("收到日期"), m.received_on),
        (_("登记日期"), m.registered_on),
        (_("转送交办期限"), triage_due),
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
    matter = _matter_or_404(request, number, audit="matter:view")
    if request.htmx and "triage" in request.GET:  # a step of the guided triage (issue 12): the section only
        return _triage_step(request, matter)
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
    context = _matter_context(request.user, matter, regs=regs, registrations=registrations, full=full,
                              triage_path=request.GET.get("triage", ""))  # fmt: skip
    return render(request, "casework/matter.html", context)


def _triage_split(user, matter: Matter, bound: dict, path: str) -> tuple[list[dict], dict | None]:
    """The action forms, and the guided triage (issue 12) that replaces the bureau's triage forms on a
    registered matter (None when there is nothing to triage)."""
    forms = _action_forms(user, matter, bound)
    chosen = [a for a in forms if a["action"] in triage.ACTIONS]
    if matter.state != workflow.REGISTERED or not chosen:
        return forms, None
    return [a for a in forms if a not in chosen], triage.guide(path, chosen)


def _triage_step(request, matter: Matter) -> HttpResponse:
    _forms, guide = _triage_split(request.user, matter, {}, request.GET.get("triage", ""))
    if guide is None:  # triaged meanwhile: the whole page
        return HttpResponse(
            headers={"HX-Redirect": reverse("casework:matter", kwargs={"number": matter.number})}
        )
    # A step of the matter page, answered on a matter with personal data: audited as a view of it, as the page is
    log_audit(action="matter:view", request=request, obj=matter, number=matter.number, full=False)
    return render(request, "casework/_triage.html", {"matter": matter, "triage": guide})


def _matter_context(
    user, matter: Matter, *, regs, registrations, full: bool, bound: dict | None = None, triage_path: str = ""
) -> dict:
    """The matter page; `bound` (key → form) replaces the blank form of an action the user submitted."""
    timeline = [(e, events.event_label(e)) for e in queries.timeline(matter)]
    actions, guide = _triage_split(user, matter, bound or {}, triage_path)
    requests = _request_forms(user, matter, bound or {})
    people_forms = (
        _accused_forms(user, matter) + _hearing_forms(user, matter) + _bureau_forms(user, matter)
        + _people_forms(user, matter) + _merge_forms(user, matter)
    )  # fmt: skip
    if matter.merged_into_id is not None:  # 合并 (issue 16): handled as the matter it was merged into
        actions, guide, requests, people_forms = [], None, [], []
    merged = list(matter.merged.order_by("number"))
    numbers = {m.pk: m.number for m in merged}
    for r in regs:  # registrations moved here by a merge show where they came from
        r.merged_from_number = numbers.get(r.merged_from_id, "")
    return {
        "matter": matter,
        "state": workflow.STATES[matter.state],
        "badge": queries.clock_badge(matter),
        "external_badge": queries.external_badge(matter),
        "flags": _flags(matter, regs),
        "dates": _dates(matter),
        "registrations": registrations,
        "full": full,
        "can_view_full": access.can_view_personal_data(user),
        "events": timeline,
        "documents": matter.documents.select_related("issuer"),
        "attachments": _attachment_rows(matter),
        "actions": actions,
        "triage": guide,
        "requests": requests,
        "people_forms": people_forms,
        "follow_ups": matter.follow_ups.select_related("called_by"),
        "similar": _similar_rows(user, matter, regs),
        "merged": merged,
        "unmerge_form": _unmerge_form(user, matter),
    }


def _merge_forms(user, matter: Matter) -> list[dict]:
    """合并到… for the bureau's case officers, on a matter that may be merged (services.merge_denial says the rest)."""
    if not (
        user.has_role(*workflow.BUREAU_OFFICE) and matter.merged_into_id is None
        and matter.state in workflow.MERGEABLE_STATES and matter.replied_on is None
    ):  # fmt: skip
        return []
    a = "merge"
    return [{"action": a, "label": _("合并到…"), "form": ACTIONS[a].form(matter=matter, user=user, action=a)}]


def _unmerge_form(user, matter: Matter):
    if matter.merged_into_id is None or not user.has_role(*workflow.BUREAU_OFFICE):
        return None
    return ACTIONS["unmerge"].form(matter=matter, user=user, action="unmerge")


def _similar_rows(user, matter: Matter, regs) -> list:
    """同人同事 (issue 16) for an online submission or a registration not yet triaged: the candidates with their
    reasons and what a repeat of each allows (不再受理 / 不予受理 are then triage actions of this matter)."""
    if (
        matter.state not in (workflow.RECEIVED, workflow.REGISTERED)
        or not regs
        or not access.can_register(user)
    ):
        return []
    labels = dict(Registration.Disposition.choices)
    found = similar_matters.candidates(user, similar_matters.draft_of_registration(regs[0]))
    return [(c, workflow.STATES[c.matter.state], [labels[d] for d in c.choices], _join_form(user, matter, c))
            for c in found]  # fmt: skip


def _join_form(user, matter: Matter, candidate) -> F.JoinForm | None:
    """An online submission (received) joins an open candidate as a 重复件: the form, its reason prefilled."""
    if matter.state != workflow.RECEIVED or Registration.Disposition.REPEAT not in candidate.choices:
        return None
    if candidate.matter.state == workflow.RECEIVED or not user.has_role(*workflow.BUREAU_TRIAGE):
        return None
    return F.JoinForm(matter=matter, user=user, action=f"join_{candidate.matter.pk}",
                      initial={"into": candidate.matter.number, "reason": "，".join(candidate.reasons)})  # fmt: skip


def _render_again(request, matter: Matter, key: str, form) -> HttpResponse:
    """The matter page with the refused form as submitted (the typed text is not lost) and its errors."""
    matter.refresh_from_db()
    regs = list(queries.registrations(matter))
    registrations = [
        (r, [queries.petitioner_view(link, full=False) for link in r.registrationpetitioner_set.all()])
        for r in regs
    ]
    log_audit(action="matter:view", request=request, obj=matter, number=matter.number, full=False)
    context = _matter_context(request.user, matter, regs=regs, registrations=registrations, full=False,
                              bound={key: form})  # fmt: skip
    return render(request, "casework/matter.html", context)


# --- actions: the transition table names each action's service; the form parses the action's input -------

# The staff-UI entry of each action of workflow.TRANSITIONS: its form. The view calls the table's service
# (see forms.ActionForm); tests/workflow/test_table_callers.py fails when an action has no entry here.
FORMS: dict[str, type[F.ActionForm]] = {
    "register": F.EmptyForm,
    "report_major": F.ReportMajorForm,
    "forward": F.ForwardForm,
    "assign": F.AssignForm,
    "redirect_legal": F.RedirectLegalForm,
    "redirect_discipline": F.RedirectDisciplineForm,
    "redirect_other": F.RedirectOtherForm,
    "decline": F.DeclineForm,
    "refuse_repeat": F.RefuseRepeatForm,
    "acknowledge": F.EmptyForm,
    "object": F.ObjectForm,
    "uphold_objection": F.NoteForm,
    "reject_objection": F.NoteForm,
    "accept": F.AcceptForm,
    "channel": F.ChannelForm,
    "investigate": F.EmptyForm,
    "extend": F.ExtensionDecisionForm,  # a 负责人 decides the pending 延期申请
    "reply": F.ReplyForm,
    "deliver": F.DeliverForm,
    "request_review": F.RequestForm,
    "decide_review": F.DecideReviewForm,
    "request_recheck": F.RequestForm,
    "record_recheck": F.RecordRecheckForm,
    "close": F.EmptyForm,
    "archive": F.EmptyForm,
}
# The form to request each requested action (workflow.Transition.requested_by): 延期申请.
REQUEST_FORMS: dict[str, type[F.ActionForm]] = {
    "extend": F.ExtensionRequestForm,
}
# Forms that are shown again with what was typed when they are refused (instead of a message only).
KEEP_INPUT = {"extend", *(f"request_{a}" for a in REQUEST_FORMS)}


def _take(action: str, form: F.ActionForm, by, version: int):
    t = workflow.BY_ACTION[action]
    service = getattr(services, t.service)
    return service(form.subject(), by=by, expected_version=version, **dict(t.arguments), **form.arguments())


def _ask(action: str, form: F.ActionForm, by, version: int):
    t = workflow.BY_ACTION[action]
    service = getattr(services, t.request_service)
    return service(form.subject(), by=by, expected_version=version, **form.arguments())


@dataclass(frozen=True)
class Act:
    """A change to a matter that is not a transition: its form, its service call and its label."""

    form: type[F.ActionForm]
    call: Callable  # (matter, by, cleaned_data, expected_version) -> result
    label: object = ""  # lazy translation
    audit: str = ""  # the audit action written with the change, in the same transaction


S = services
ACTIONS: dict[str, Act] = {
    # People on the matter (no state change).
    "assign_handler": Act(F.HandlerForm, lambda m, by, d, v: S.assign_handler(
        m, by=by, handler=d["handler"], expected_version=v), label=gettext_lazy("指定承办人")),
    "recusal": Act(F.RecusalForm, lambda m, by, d, v: S.declare_recusal(
        m, by=by, user=d["person"], reason=d["reason"], expected_version=v), label=gettext_lazy("登记回避")),
    # 检举控告: the bureau sets or corrects the accused before forwarding (条例第三十条第三款).
    "set_accused": Act(F.AccusedForm, lambda m, by, d, v: S.set_accused(
        m, by=by, accused_unit=d["accused_unit"], accused_person=d["accused_person"], reason=d["reason"],
        expected_version=v), label=gettext_lazy("填写或更正被检举对象")),
    # 复核 hearing: its days are not counted in the recheck period (条例第三十六条).
    "record_hearing": Act(F.HearingForm, lambda m, by, d, v: S.record_hearing(
        m, by=by, held_from=d["held_from"], held_to=d["held_to"], note=d["note"], expected_version=v),
        label=gettext_lazy("登记复核听证（听证时间不计入复核期限）")),
    # 回访 after the reply: what the petitioner said on the phone (a staff record, never on the portal).
    "follow_up": Act(F.FollowUpForm, lambda m, by, d, v: S.record_follow_up(
        m, by=by, called_at=d["called_at"], callee=d["callee"], outcome=d["outcome"], notes=d["notes"]),
        label=gettext_lazy("登记回访"), audit="follow_up:create"),
    # The bureau corrects the registered summary, 内容分类 or 属地 with a reason (old → new on the timeline).
    "correct_registration": Act(F.CorrectionForm, lambda m, by, d, v: S.correct_registration(
        m, by=by, title=d["title"], content_class=d["content_class"], township=d["township"],
        reason=d["reason"], expected_version=v), label=gettext_lazy("更正登记内容"), audit="matter:correct"),
    # 合并 (issue 16): a matter registered twice merged into the surviving one, and undone; an online submission
    # joined to an open matter as a 重复件 (the candidates of the 同人同事 section).
    "merge": Act(F.MergeForm, lambda m, by, d, v: S.merge_matter(
        m, by=by, into=d["into"], reason=d["reason"], expected_version=v),
        label=gettext_lazy("合并到其他事项"), audit="matter:merge"),
    "unmerge": Act(F.UnmergeForm, lambda m, by, d, v: S.unmerge_matter(
        m, by=by, reason=d["reason"], expected_version=v), label=gettext_lazy("撤销合并"), audit="matter:unmerge"),
    "join": Act(F.JoinForm, lambda m, by, d, v: S.join_received(
        m, by=by, into=d["into"], reason=d["reason"], expected_version=v),
        label=gettext_lazy("作为重复件并入已有事项"), audit="matter:join"),
}  # fmt: skip


def _label(action: str) -> str:
    if action in ACTIONS:
        return ACTIONS[action].label
    if action.startswith("request_") and action.removeprefix("request_") in REQUEST_FORMS:
        return _("申请%(label)s") % {"label": _request_label(action.removeprefix("request_"))}
    return workflow.BY_ACTION[action].label


def _request_label(action: str) -> str:
    return {"extend": _("延期")}.get(action, workflow.BY_ACTION[action].label)


def _action_forms(user, matter: Matter, bound: dict) -> list[dict]:
    return [
        {"action": t.action, "label": t.label, "basis": t.basis,
         "form": bound.get(t.action) or FORMS[t.action](matter=matter, user=user, action=t.action)}
        for t in access.available_actions(user, matter)
    ]  # fmt: skip


def _request_forms(user, matter: Matter, bound: dict) -> list[dict]:
    """The request forms (延期申请) the user may submit now, and the pending request, if any, to show."""
    out = []
    for t in workflow.requested_actions():
        if access.request_denial(user, matter, t.action) is not None:
            continue
        key = f"request_{t.action}"
        pending = access.pending_request(matter)
        form = (
            None
            if pending
            else bound.get(key) or REQUEST_FORMS[t.action](matter=matter, user=user, action=key)
        )
        out.append({"action": t.action, "key": key, "label": _label(key), "basis": t.basis, "form": form,
                    "pending": pending})  # fmt: skip
    return out


def _accused_forms(user, matter: Matter) -> list[dict]:
    """The accused unit/person form, for the bureau's staff while the matter has not left the bureau."""
    if not (user.has_role(*workflow.BUREAU_TRIAGE) and matter.category == Matter.Category.ACCUSATION
            and matter.state in services.ACCUSED_EDITABLE):  # fmt: skip
        return []
    a = "set_accused"
    return [{"action": a, "label": _label(a), "form": ACTIONS[a].form(matter=matter, user=user, action=a)}]


def _hearing_forms(user, matter: Matter) -> list[dict]:
    """The hearing form, for the bureau's case officers while the 复核 runs."""
    if not (matter.state == workflow.UNDER_RECHECK and user.has_role(*workflow.BUREAU_OFFICE)):
        return []
    a = "record_hearing"
    return [{"action": a, "label": _label(a), "form": ACTIONS[a].form(matter=matter, user=user, action=a)}]


def _bureau_forms(user, matter: Matter) -> list[dict]:
    """The bureau's own records on the matter: 回访 once it is answered; 更正登记内容 while it is in the bureau."""
    if not user.has_role(*workflow.BUREAU_TRIAGE):
        return []
    shown = []
    if matter.state in services.ACCUSED_EDITABLE:
        shown.append("correct_registration")
    if matter.replied_on is not None:
        shown.append("follow_up")
    return [{"action": a, "label": _label(a), "form": ACTIONS[a].form(matter=matter, user=user, action=a)}
            for a in shown]  # fmt: skip


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
    if action in ACTIONS:
        spec = ACTIONS[action]
        form_class = spec.form

        def take(form, version):
            with transaction.atomic():  # the change and its audit row: both or neither
                result = spec.call(matter, request.user, form.cleaned_data, version)
                if spec.audit:
                    log_audit(action=spec.audit, request=request, obj=result, matter=matter.number)
            return result
    elif action in FORMS:
        form_class = FORMS[action]

        def take(form, version):
            return _take(action, form, request.user, version)
    else:
        raise Http404
    matter = _matter_or_404(request, number)
    form = form_class(request.POST, matter=matter, user=request.user, action=action)
    if action == "merge" and form.is_valid() and not form.cleaned_data["confirm"]:
        return _merge_confirmation(request, matter, form)
    return _submit(request, matter, action, form, take)


def _merge_confirmation(request, matter: Matter, form: F.MergeForm) -> HttpResponse:
    """合并到…: the surviving matter's number, title and state before the officer confirms (nothing changes yet).
    A refusal the rules already know is said here, before the confirmation."""
    into = form.cleaned_data["into"]
    denial = services.merge_denial(matter, into)
    return render(request, "casework/merge_confirm.html", {
        "matter": matter, "into": into, "into_state": workflow.STATES[into.state], "denial": denial,
        "reason": form.cleaned_data["reason"], "version": request.POST.get("version", ""),
    })  # fmt: skip


@login_required
@require_POST
def ask(request, number: str, action: str):
    """Request a requested action (延期申请) of the matter."""
    if action not in REQUEST_FORMS:
        raise Http404
    matter = _matter_or_404(request, number)
    key = f"request_{action}"
    form = REQUEST_FORMS[action](request.POST, matter=matter, user=request.user, action=key)
    return _submit(
        request, matter, key, form, lambda form, version: _ask(action, form, request.user, version)
    )


def _submit(request, matter: Matter, action: str, form, take) -> HttpResponse:
    back = reverse("casework:matter", kwargs={"number": matter.number})
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
        if action in KEEP_INPUT:
            return _render_again(request, matter, action, form)
        return redirect(back)
    try:
        take(form, version)
    except PermissionDenied as e:
        return denied(request, str(e) or _("您无权执行此操作。"))
    except services.WorkflowError as e:  # StaleMatter included
        messages.error(request, str(e))
        if action in KEEP_INPUT:
            return _render_again(request, matter, action, form)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("已完成：%(label)s。") % {"label": _label(action)})
        if not access.can_view(request.user, matter):  # e.g. the user's own unit was named as accused
            messages.info(request, _("该事项对您保密，已不再显示。"))
            return redirect("casework:worklist")
    return redirect(back)


# --- documents ----------------------------------------------------------------------------------------


@login_required
@require_GET
def document_download(request, pk: int):
    doc = get_object_or_404(Document.objects.select_related("matter", "issuer"), pk=pk)
    if not access.can_view(request.user, doc.matter):  # the same 404 as a document that does not exist
        log_audit(action="document:download", request=request, obj=doc, result="denied")
        raise Http404
    stored = documents.stored_docx(doc)
    log_audit(action="document:download", request=request, obj=doc, number=doc.number,
              matter=doc.matter.number)  # fmt: skip
    return FileResponse(
        stored, as_attachment=True, filename=f"{doc.title}（{doc.number}）.docx", content_type=DOCX
    )


# --- attachments (材料和附件) ------------------------------------------------------------------------------


def _attachment_or_404(request, number: str, attachment_id: int, *, audit: str) -> Attachment:
    """An attachment of a matter the user may see; otherwise 404, as for one that does not exist."""
    matter = _matter_or_404(request, number, audit=audit)
    att = matter.attachments.filter(pk=attachment_id).first()
    if att is None:
        raise Http404
    return att


def _file_response(att: Attachment, *, inline: bool) -> FileResponse:
    response = FileResponse(att.file.open("rb"), content_type=att.content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, att.original_name)
    response["X-Content-Type-Options"] = "nosniff"  # the type was recognised from the content at upload
    response["Cache-Control"] = "private, no-store"
    if inline:  # previewed in a frame of the matter page (PDF): this site only
        response["X-Frame-Options"] = "SAMEORIGIN"
        response._csp_replace = {"frame-ancestors": ["'self'"]}  # django-csp
    return response


@login_required
@require_GET
def attachment_view(request, number: str, attachment_id: int):
    """The file itself, for the preview on the matter page (image or PDF, inline). Every view is audited, like a
    view of personal data."""
    att = _attachment_or_404(request, number, attachment_id, audit="attachment:view")
    log_audit(action="attachment:view", request=request, obj=att, matter=number, name=att.original_name)
    return _file_response(att, inline=True)


@login_required
@require_GET
def attachment_download(request, number: str, attachment_id: int):
    att = _attachment_or_404(request, number, attachment_id, audit="attachment:download")
    log_audit(action="attachment:download", request=request, obj=att, matter=number, name=att.original_name)
    return _file_response(att, inline=False)


def _attachment_rows(matter: Matter) -> list[dict]:
    """Every attachment of the matter: the petitioner's (online, 补充材料), the clerk's scans, the units'."""
    rows = []
    for att in matter.attachments.select_related("registration", "uploaded_by__unit"):
        reg = att.registration
        if att.from_petitioner:
            source = _("信访人网上提交") if reg is not None else _("信访人补充材料")
        elif reg is not None:
            source = _("登记时上传（%(channel)s）") % {"channel": reg.get_channel_display()}
        else:
            source = _("工作人员上传")
        rows.append({"attachment": att, "source": source, "registration": reg,
                     "is_image": att.content_type.startswith("image/"),
                     "is_pdf": att.content_type == "application/pdf"})  # fmt: skip
    return rows
