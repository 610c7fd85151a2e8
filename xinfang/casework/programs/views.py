"""Staff pages of the bureau's programmes: leader reception and 包案, backlog campaigns, dispute screening,
joint meetings, the special assistance fund and video reception.

Thin views: parse the form, call one service of `petitions.programs`, redirect (or re-render the form
with the service's Chinese message). Matters are looked up through `access.visible_matters`; a
PermissionDenied from a service renders the 403 page with its reason and nothing is changed."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts import roles as R
from xinfang.accounts.audit import log_audit
from xinfang.casework.forms import ScansForm
from xinfang.casework.programs import forms as F
from xinfang.casework.views import registered_once
from xinfang.petitions import access, citizens, programs, queries, services, workflow
from xinfang.petitions.models import (
    AssistanceCase,
    Campaign,
    CampaignMatter,
    Dispute,
    JointMeeting,
    JointMeetingMember,
    Matter,
    ReceptionDay,
    Registration,
    VideoSession,
)
from xinfang.petitions.queries import programs as Q

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
T = "casework/programs/"
# Who may open each group of pages; what they may change is decided by the services.
RECEPTION = (R.CLERK, R.CASE_OFFICER, R.SUPERVISOR, R.LEADER, R.AUDITOR)
CAMPAIGN = RECEPTION + (R.UNIT_OFFICER,)
DISPUTE = RECEPTION + (R.UNIT_OFFICER,)
MEETING = RECEPTION
FUND = Q.FUND_READERS
VIDEO = RECEPTION
LEADER_DESK = (R.LEADER, R.CASE_OFFICER, R.CLERK, R.SUPERVISOR, R.AUDITOR)
# The sub-navigation (and the top link 专项工作, to the first page a role may open): only the pages the role
# may open — a unit officer or the finance officer was sent to 领导接访 and got 403.
PAGES = (
    ("programs:reception_list", gettext_lazy("领导接访"), "/programs/reception/", RECEPTION),
    ("programs:leader", gettext_lazy("领导工作台"), "/programs/leader/", LEADER_DESK),
    ("programs:campaign_list", gettext_lazy("积案化解"), "/programs/campaigns/", CAMPAIGN),
    ("programs:dispute_list", gettext_lazy("矛盾纠纷排查"), "/programs/disputes/", DISPUTE),
    ("programs:meeting_list", gettext_lazy("联席会议"), "/programs/meetings/", MEETING),
    ("programs:fund_list", gettext_lazy("专项资金救助"), "/programs/fund/", FUND),
    ("programs:video_list", gettext_lazy("视频接访"), "/programs/video/", VIDEO),
)


def denied(request, reason: str):
    return render(request, "casework/denied.html", {"reason": reason}, status=403)


def staff(*roles: str):
    """Login, the page's roles, and the 403 page for a service's PermissionDenied."""

    def decorate(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                return denied(request, _("您的角色无权使用此页面。"))
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied as e:
                return denied(request, str(e) or _("您无权执行此操作。"))

        return wrapped

    return decorate


def attempt(form, call: Callable, people_errors: list | None = None):
    """Run the service call; its refusal (WorkflowError, ValidationError) goes onto the form. None then."""
    try:
        return call()
    except services.WorkflowError as e:
        form.add_error(None, str(e))
    except ValidationError as e:
        if hasattr(e, "error_dict") and hasattr(form, "add_service_errors"):
            found = form.add_service_errors(e.message_dict)
            if people_errors is not None:
                people_errors.extend(found)
            else:
                for m in found:
                    form.add_error(None, m)
        else:
            for m in e.messages:
                form.add_error(None, m)
    return None


def summary(*forms, people=None, people_errors=()) -> list[tuple[str, str]]:
    """(anchor, message) for the error summary at the top of the page."""
    out = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        for name, errors in form.errors.items():
            if name in form.fields:
                anchor, label = form[name].id_for_label, form.fields[name].label
                out += [(anchor, f"{label}：{e}") for e in errors]
            else:
                out += [(form.html_id, e) for e in errors]
    for i, f in enumerate(people.forms if people is not None and people.is_bound else []):
        for name, errors in f.errors.items():
            label = f"{_('信访人')}{i + 1} {f.fields[name].label if name in f.fields else ''}"
            out += [
                (f[name].id_for_label if name in f.fields else "petitioners", f"{label}：{e}") for e in errors
            ]
    out += [("petitioners", e) for e in people_errors]
    if people is not None and people.is_bound:
        out += [("petitioners", e) for e in people.non_form_errors()]
    return out


def _post(request, name: str):
    """The POST data if this submission is for the form `name` (pages with several forms)."""
    return request.POST if request.method == "POST" and request.POST.get("do") == name else None


def _matter(request, number: str) -> Matter:
    """The matter if the user may see it; the same 404 as for a number that does not exist otherwise."""
    return get_object_or_404(access.visible_matters(request.user), number=number)


def _visible(request, qs):
    """Rows of `qs` without those naming a confidential matter hidden from the user (access.hidden_matters)."""
    return qs.exclude(matter__in=access.hidden_matters(request.user))


def _register_people(request, form, people, scans, call, *, back: str, back_label: str):
    """Validate a compact intake form, its petitioner rows and its scans, then register through
    `call(data, uploads)` (a service that returns the registration and its 查询码). Registered: the result page
    that shows the code once and offers the 登记回执 (casework.views.registered_once). Otherwise None and the
    people errors."""
    people_errors: list[str] = []

    def register():
        inputs = [p for p in (f.to_input() for f in people.forms) if p is not None]
        try:
            # the registration, its scans and its audit row (personal data recorded): all or nothing
            with citizens.removing_on_failure():
                registration, code = call(form.to_input(inputs), scans.uploads())
                log_audit(action="registration:create", request=request, obj=registration)
        except ValidationError as e:  # a file refused by its content: next to the file field
            if set(getattr(e, "error_dict", ())) != {"attachments"}:
                raise
            for message in e.message_dict["attachments"]:
                scans.add_error("attachments", message)
            return None
        return registration, code

    if all([form.is_valid(), people.is_valid(), scans.is_valid()]):
        result = attempt(form, register, people_errors)
        if result is not None:
            registration, code = result
            return registered_once(request, registration, code, back=back, back_label=back_label), []
    return None, people_errors


def _scans(request, data) -> ScansForm:
    """The scans of the materials handed over, uploaded with the compact intake form whose POST data is `data`."""
    return ScansForm(data, request.FILES if data is not None else None)


def _intake_context(request, data, form, people, scans, people_errors, *others) -> dict:
    """The compact intake form's part of a page: forms, errors and their summary."""
    return {"form": form, "people": people, "people_errors": people_errors, "scans": scans,
            "files_dropped": data is not None and bool(request.FILES),
            "summary": summary(form, scans, *others, people=people, people_errors=people_errors)}  # fmt: skip


# --- leader reception ---------------------------------------------------------------------------------


@staff(*RECEPTION)
def reception_list(request):
    form = F.ReceptionDayForm(_post(request, "schedule"), user=request.user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        day = attempt(form, lambda: programs.schedule_reception_day(
            by=request.user, leader=d["leader"], on=d["on"], place=d["place"], topic=d["topic"],
            publish=d["publish"]))  # fmt: skip
        if day is not None:
            messages.success(request, _("已安排领导接访日。"))
            return redirect("programs:reception_day", pk=day.pk)
    days = Q.reception_days().order_by("-date")
    totals = Q.reception_counts(Registration.objects.filter(reception_day__isnull=False))
    context = {"form": form, "days": days, "totals": totals, "summary": summary(form),
               "can_schedule": request.user.has_role(*programs.BUREAU_STAFF, R.LEADER)}  # fmt: skip
    return render(request, T + "reception_list.html", context)


@staff(*RECEPTION)
def reception_day(request, pk: int):
    day = get_object_or_404(ReceptionDay.objects.select_related("leader"), pk=pk)
    data = _post(request, "record")
    form = F.ReceptionForm(data, initial={"received_at": F.at_day(day.date)})
    people, scans = F.petitioner_rows(data), _scans(request, data)
    people_errors: list[str] = []
    if data is not None:
        done, people_errors = _register_people(
            request, form, people, scans, lambda i, files: programs.record_reception(
                day, by=request.user, data=i, outcome=form.cleaned_data["outcome"], uploads=files),
            back=reverse("programs:reception_day", kwargs={"pk": day.pk}), back_label=_("返回领导接访日"),
        )  # fmt: skip
        if done is not None:
            return done
    regs = _visible(request, Q.day_registrations(day))
    context = {"day": day, **_intake_context(request, data, form, people, scans, people_errors),
               "rows": [(r, programs.RECEPTION_OUTCOMES.get(r.outcome, "")) for r in regs],
               "counts": Q.reception_counts(day.registrations.all()),
               "can_record": request.user.has_role(*workflow.BUREAU_TRIAGE)}  # fmt: skip
    return render(request, T + "reception_day.html", context)


# --- a matter's programme page: 包案, 批示, 专项资金 ------------------------------------------------------------


@staff(*RECEPTION)
def matter_page(request, number: str):
    matter = _matter(request, number)
    owner = F.OwnerForm(_post(request, "owner"), user=request.user, initial={"leader": matter.owner_id})
    instruction = F.InstructionForm(_post(request, "instruction"), user=request.user)
    assistance = F.AssistanceForm(_post(request, "assistance"), user=request.user)
    done = None
    if owner.is_bound and owner.is_valid():
        done = attempt(owner, lambda: programs.take_ownership(
            matter, by=request.user, leader=owner.cleaned_data["leader"])) and _("已确定包案领导。")  # fmt: skip
    elif instruction.is_bound and instruction.is_valid():
        done = attempt(instruction, lambda: programs.record_instruction(
            matter, by=request.user, text=instruction.cleaned_data["text"])) and _("已记录批示。")  # fmt: skip
    elif assistance.is_bound and assistance.is_valid():
        d = assistance.cleaned_data
        case = attempt(assistance, lambda: programs.apply_assistance(
            matter, by=request.user, persons=d["persons"], hardship=d["hardship"], amount=d["amount"]))  # fmt: skip
        if case is not None:
            messages.success(request, _("已提交专项资金救助申请 %(n)s。") % {"n": case.number})
            return redirect("programs:fund_case", pk=case.pk)
    if done:
        messages.success(request, done)
        return redirect("programs:matter", number=matter.number)
    u = request.user
    context = {
        "matter": matter, "state": workflow.STATES[matter.state], "badge": queries.clock_badge(matter),
        "owner": owner, "instruction": instruction, "assistance": assistance,
        "summary": summary(owner, instruction, assistance),
        "can_own": u.has_role(R.LEADER, R.CASE_OFFICER) and matter.state in workflow.OPEN_STATES,
        "can_instruct": u.has_role(R.LEADER), "can_apply": u.has_role(*programs.BUREAU_STAFF),
        "instructions": matter.events.filter(kind="matter:instruction").select_related("actor").order_by("at"),
        "cases": matter.assistance_cases.all(),
        "campaign_items": matter.campaign_items.select_related("campaign", "unit", "leader"),
        "deliberations": matter.deliberations.select_related("meeting"),
        "disputes": matter.disputes.all(),
    }  # fmt: skip
    return render(request, T + "matter.html", context)


@staff(*LEADER_DESK)
@require_GET
def leader_dashboard(request):
    """A leader's own dashboard; other county-wide roles may look at a leader's (?leader=<id>)."""
    leaders = F.leaders()
    if request.user.has_role(R.LEADER) and not request.GET.get("leader"):
        leader = request.user
    else:
        wanted = request.GET.get("leader", "")
        leader = leaders.filter(pk=int(wanted)).first() if wanted.isdigit() else None
    context = {"leader": leader, "leaders": leaders}
    if leader is not None:
        today = timezone.localdate()
        days = Q.reception_days(leader).order_by("-date")
        regs = Registration.objects.filter(reception_day__leader=leader)
        context |= {
            "owned": Q.owned_matters(request.user, leader), "owned_counts": Q.owned_counts(request.user, leader),
            "upcoming": days.filter(date__gte=today).order_by("date"), "past": days.filter(date__lt=today)[:20],
            "counts": Q.reception_counts(regs),
            "year_counts": Q.reception_counts(regs.filter(reception_day__date__year=today.year)),
            "year": today.year, "today": today,
        }  # fmt: skip
    return render(request, T + "leader.html", context)


# --- backlog campaigns --------------------------------------------------------------------------------


@staff(*CAMPAIGN)
def campaign_list(request):
    form = F.CampaignForm(_post(request, "create"), user=request.user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        campaign = attempt(form, lambda: programs.create_campaign(
            by=request.user, name=d["name"], start=d["start"], end=d["end"], description=d["description"]))  # fmt: skip
        if campaign is not None:
            messages.success(request, _("已创建积案化解活动。"))
            return redirect("programs:campaign", pk=campaign.pk)
    rows = [(c, Q.campaign_totals(Q.campaign_items(c, request.user))) for c in Campaign.objects.all()]
    context = {"form": form, "rows": rows, "summary": summary(form),
               "can_create": request.user.has_role(R.CASE_OFFICER, R.SUPERVISOR, R.LEADER)}  # fmt: skip
    return render(request, T + "campaign_list.html", context)


@staff(*CAMPAIGN)
def campaign_page(request, pk: int):
    campaign = get_object_or_404(Campaign, pk=pk)
    form = F.CampaignItemForm(_post(request, "add"), user=request.user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        item = attempt(form, lambda: programs.add_to_campaign(
            campaign, by=request.user, matter=d["matter"], unit=d["unit"], leader=d["leader"]))  # fmt: skip
        if item is not None:
            messages.success(request, _("已列入化解清单：%(n)s。") % {"n": item.matter.number})
            return redirect("programs:campaign", pk=campaign.pk)
    items = Q.campaign_items(campaign, request.user).order_by("status", "matter__number")
    rows = [(i, F.ProgressForm(user=request.user, prefix=f"i{i.pk}", initial={"status": i.status, "note": i.note}),
             queries.clock_badge(i.matter)) for i in items]  # fmt: skip
    context = {"campaign": campaign, "form": form, "rows": rows, "totals": Q.campaign_totals(items),
               "summary": summary(form),
               "can_add": request.user.has_role(R.CASE_OFFICER, R.SUPERVISOR, R.LEADER)}  # fmt: skip
    return render(request, T + "campaign.html", context)


@staff(*CAMPAIGN)
@require_POST
def campaign_progress(request, pk: int):
    visible = access.visible_matters(request.user).values("pk")
    item = get_object_or_404(
        CampaignMatter.objects.select_related("matter").filter(matter__in=visible), pk=pk
    )
    form = F.ProgressForm(request.POST, user=request.user, prefix=f"i{item.pk}")
    if form.is_valid():
        d = form.cleaned_data
        if attempt(form, lambda: programs.record_campaign_progress(
                item, by=request.user, status=d["status"], note=d["note"])) is not None:  # fmt: skip
            messages.success(request, _("已记录化解进展：%(n)s。") % {"n": item.matter.number})
    for _field, errors in form.errors.items():
        for e in errors:
            messages.error(request, f"{item.matter.number}：{e}")
    return redirect("programs:campaign", pk=item.campaign_id)


# --- dispute screening --------------------------------------------------------------------------------


@staff(*DISPUTE)
@require_GET
def dispute_list(request):
    filters = F.DisputeFilterForm(request.GET or None)
    qs = Q.disputes(request.user)
    if filters.is_valid():
        d = filters.cleaned_data
        qs = qs.filter(township=d["township"]) if d["township"] else qs
        qs = qs.filter(risk=d["risk"]) if d["risk"] else qs
        qs = qs.filter(result=d["result"]) if d["result"] else qs
    qs = qs.order_by("-found_on", "-id")
    shown = list(qs[:200])
    linked = [d.matter_id for d in shown if d.matter_id]
    visible = set(access.visible_matters(request.user).filter(pk__in=linked).values_list("pk", flat=True))
    context = {"filters": filters, "disputes": [(d, d.matter_id in visible) for d in shown], "count": qs.count(),
               "can_create": request.user.has_role(R.UNIT_OFFICER, *programs.BUREAU_STAFF)}  # fmt: skip
    return render(request, T + "dispute_list.html", context)


@staff(*DISPUTE)
def dispute_new(request):
    form = F.DisputeForm(request.POST or None, user=request.user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        dispute = attempt(form, lambda: programs.register_dispute(
            by=request.user, found_on=d["found_on"], parties=d["parties"], kind=d["kind"], summary=d["summary"],
            township=d["township"], place=d["place"], risk=d["risk"]))  # fmt: skip
        if dispute is not None:
            messages.success(request, _("已登记矛盾纠纷 %(n)s。") % {"n": dispute.number})
            return redirect("programs:dispute", pk=dispute.pk)
    return render(request, T + "dispute_new.html", {"form": form, "summary": summary(form)})


def _dispute(request, pk: int) -> Dispute:
    return get_object_or_404(Q.disputes(request.user), pk=pk)


@staff(*DISPUTE)
def dispute_page(request, pk: int):
    dispute = _dispute(request, pk)
    mediation = F.MediationForm(_post(request, "mediation"), user=request.user, initial={
        "mediator": dispute.mediator, "result": dispute.result, "agreement": dispute.agreement})  # fmt: skip
    link = F.LinkForm(_post(request, "link"), user=request.user)
    done = None
    if mediation.is_bound and mediation.is_valid():
        d = mediation.cleaned_data
        done = attempt(mediation, lambda: programs.record_mediation(
            dispute, by=request.user, mediator=d["mediator"], result=d["result"], agreement=d["agreement"])) \
            and _("已记录调解情况。")  # fmt: skip
    elif link.is_bound and link.is_valid():
        done = attempt(link, lambda: programs.link_dispute(
            dispute, by=request.user, matter=link.cleaned_data["matter"])) and _("已关联信访事项。")  # fmt: skip
    if done:
        messages.success(request, done)
        return redirect("programs:dispute", pk=dispute.pk)
    u = request.user
    context = {"dispute": dispute, "mediation": mediation, "link": link, "summary": summary(mediation, link),
               "can_mediate": u.has_role(R.UNIT_OFFICER, *programs.BUREAU_STAFF),
               "can_convert": u.has_role(*programs.BUREAU_STAFF) and dispute.matter_id is None,
               "matter_visible": dispute.matter_id and access.can_view(u, dispute.matter)}  # fmt: skip
    return render(request, T + "dispute.html", context)


@staff(*programs.BUREAU_STAFF)
def dispute_convert(request, pk: int):
    dispute = _dispute(request, pk)
    initial = {"received_at": timezone.localtime().replace(second=0, microsecond=0), "channel": "visit",
               "title": f"{dispute.kind}：{dispute.summary}"[:200], "content": dispute.summary,
               "township": dispute.township.code if dispute.township else ""}  # fmt: skip
    form = F.ConvertForm(request.POST or None, initial=initial)
    people = F.petitioner_rows(
        request.POST or None, initial=[{"name": n} for n in F.split_parties(dispute.parties)]
    )
    scans = _scans(request, request.POST or None)
    people_errors: list[str] = []
    if request.method == "POST":
        done, people_errors = _register_people(
            request,
            form,
            people,
            scans,
            lambda i, files: programs.convert_dispute(dispute, by=request.user, data=i, uploads=files),
            back=reverse("programs:dispute", kwargs={"pk": dispute.pk}),
            back_label=_("返回矛盾纠纷"),
        )
        if done is not None:
            return done
    data = request.POST if request.method == "POST" else None
    context = {"dispute": dispute, **_intake_context(request, data, form, people, scans, people_errors)}
    return render(request, T + "dispute_convert.html", context)


# --- joint meetings -----------------------------------------------------------------------------------


@staff(*MEETING)
@require_GET
def member_list(request):
    members = JointMeetingMember.objects.select_related("unit").order_by("until", "unit__code")
    return render(request, T + "members.html", {"members": members, "today": timezone.localdate()})


@staff(*MEETING)
def meeting_list(request):
    form = F.MeetingForm(_post(request, "create"), user=request.user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        meeting = attempt(form, lambda: programs.hold_joint_meeting(
            by=request.user, on=d["on"], title=d["title"], convener=d["convener"], units=d["units"],
            attendees=d["attendees"], minutes=d["minutes"]))  # fmt: skip
        if meeting is not None:
            messages.success(request, _("已记录联席会议。"))
            return redirect("programs:meeting", pk=meeting.pk)
    meetings = JointMeeting.objects.select_related("convener").prefetch_related("units", "deliberations")
    context = {"form": form, "meetings": meetings, "summary": summary(form),
               "can_create": request.user.has_role(R.CASE_OFFICER, R.SUPERVISOR, R.LEADER)}  # fmt: skip
    return render(request, T + "meeting_list.html", context)


@staff(*MEETING)
def meeting_page(request, pk: int):
    meeting = get_object_or_404(JointMeeting.objects.select_related("convener"), pk=pk)
    form = F.DeliberationForm(_post(request, "deliberate"), user=request.user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        item = attempt(form, lambda: programs.deliberate(
            meeting, by=request.user, matter=d["matter"], conclusion=d["conclusion"],
            order_level=d["order_level"], order_unit=d["order_unit"]))  # fmt: skip
        if item is not None:
            note = _("，并下达督办 %(o)s") % {"o": item.order} if item.order else ""
            messages.success(request, _("已记录研判结论%(note)s。") % {"note": note})
            return redirect("programs:meeting", pk=meeting.pk)
    visible = access.visible_matters(request.user).values("pk")
    items = meeting.deliberations.filter(matter__in=visible).select_related("matter", "order")
    context = {"meeting": meeting, "form": form, "items": items, "summary": summary(form),
               "can_deliberate": request.user.has_role(R.CASE_OFFICER, R.SUPERVISOR, R.LEADER)}  # fmt: skip
    return render(request, T + "meeting.html", context)


# --- special assistance fund --------------------------------------------------------------------------


@staff(*FUND)
@require_GET
def fund_list(request):
    cases = _visible(request, AssistanceCase.objects.select_related("matter")).order_by("-applied_on", "-id")
    return render(request, T + "fund_list.html", {"cases": cases[:200], "years": Q.fund_years()})


@staff(*FUND)
def fund_case(request, pk: int):
    case = get_object_or_404(
        _visible(request, AssistanceCase.objects.select_related("matter", "applied_by", "approved_by")), pk=pk
    )
    decision = F.DecisionForm(_post(request, "decide"), user=request.user,
                              initial={"amount": case.amount_requested})  # fmt: skip
    payment = F.PaymentForm(
        _post(request, "pay"), user=request.user, initial={"amount": case.amount_approved}
    )
    done = None
    if decision.is_bound and decision.is_valid():
        d = decision.cleaned_data
        done = attempt(decision, lambda: programs.decide_assistance(
            case, by=request.user, approve=d["approve"], amount=d["amount"], note=d["note"])) \
            and _("已审批。")  # fmt: skip
    elif payment.is_bound and payment.is_valid():
        d = payment.cleaned_data
        done = attempt(payment, lambda: programs.pay_assistance(
            case, by=request.user, paid_on=d["paid_on"], amount=d["amount"],
            stopped_petitioning=d["stopped_petitioning"])) and _("已登记拨付。")  # fmt: skip
    if done:
        messages.success(request, done)
        return redirect("programs:fund_case", pk=case.pk)
    u = request.user
    context = {"case": case, "decision": decision, "payment": payment, "summary": summary(decision, payment),
               "can_decide": u.has_role(R.LEADER) and case.status == AssistanceCase.Status.APPLIED,
               "can_pay": u.has_role(R.FINANCE, R.CASE_OFFICER) and case.status == AssistanceCase.Status.APPROVED,
               "matter_visible": access.can_view(u, case.matter)}  # fmt: skip
    return render(request, T + "fund_case.html", context)


@staff(*FUND)
@require_GET
def fund_file(request, pk: int):
    case = get_object_or_404(_visible(request, AssistanceCase.objects.select_related("matter")), pk=pk)
    content = programs.assistance_file_docx(case)
    log_audit(action="assistance:download", request=request, obj=case, number=case.number)
    response = HttpResponse(content, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"专项资金救助卷宗（{case.number}）.docx"
    )
    return response


# --- video reception ----------------------------------------------------------------------------------


@staff(*VIDEO)
def video_list(request):
    form = F.VideoSessionForm(_post(request, "schedule"), user=request.user)
    if form.is_bound and form.is_valid():
        d = form.cleaned_data
        session = attempt(form, lambda: programs.schedule_video_session(
            by=request.user, township=d["township"], at=d["at"], kind=d["kind"],
            participants=d["participants"]))  # fmt: skip
        if session is not None:
            messages.success(request, _("已安排视频接访。"))
            return redirect("programs:video", pk=session.pk)
    context = {"form": form, "sessions": Q.video_sessions()[:200], "years": Q.video_years(),
               "summary": summary(form), "can_schedule": request.user.has_role(*programs.BUREAU_STAFF)}  # fmt: skip
    return render(request, T + "video_list.html", context)


@staff(*VIDEO)
def video_page(request, pk: int):
    session = get_object_or_404(VideoSession.objects.select_related("township"), pk=pk)
    data = _post(request, "record")
    form = F.VideoReceptionForm(data, initial={"received_at": timezone.localtime(session.scheduled_at)})
    people, scans = F.petitioner_rows(data), _scans(request, data)
    hold = F.HoldForm(_post(request, "hold"), user=request.user, initial={"outcome": session.outcome})
    people_errors: list[str] = []
    if data is not None:
        done, people_errors = _register_people(
            request,
            form,
            people,
            scans,
            lambda i, files: programs.record_video_reception(session, by=request.user, data=i, uploads=files),
            back=reverse("programs:video", kwargs={"pk": session.pk}),
            back_label=_("返回视频接访"),
        )
        if done is not None:
            return done
    elif hold.is_bound and hold.is_valid():
        if attempt(hold, lambda: programs.hold_video_session(
                session, by=request.user, outcome=hold.cleaned_data["outcome"])) is not None:  # fmt: skip
            messages.success(request, _("已记录视频接访情况。"))
            return redirect("programs:video", pk=session.pk)
    regs = _visible(request, session.registrations.select_related("matter")).prefetch_related(
        "petitioners").order_by("received_at")  # fmt: skip
    context = {"session": session, **_intake_context(request, data, form, people, scans, people_errors, hold),
               "hold": hold, "regs": regs,
               "counts": Q.reception_counts(session.registrations.all()),
               "can_record": request.user.has_role(*programs.BUREAU_STAFF),
               "safe_link": session.link.startswith(("https://", "http://"))}  # fmt: skip
    return render(request, T + "video.html", context)
