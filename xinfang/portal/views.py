"""网上信访: the public citizen portal. Thin views: parse input, call one service, render.

No account: a citizen proves they hold a registration with its number + 查询码; the lookup is then kept in
the session for that one registration only. Every POST is CSRF-protected; submissions and failed lookups
are rate-limited per IP in the database (throttle.py)."""

from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xinfang.accounts.audit import client_ip, log_audit
from xinfang.petitions import citizens, documents, queries, services, workflow
from xinfang.petitions.models import Evaluation, Registration
from xinfang.portal import forms as F
from xinfang.portal import milestones, receipts, statistics, throttle, tokens
from xinfang.portal.contact import contact

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RECEIPT = "portal_receipt"  # the just-submitted registration: number, 查询码 (until shown), title, name
TRACKED = "portal_registration"  # pk of the one registration this session has proved it holds

# Service error keys → form fields (anything else goes to the top of the form).
# Service error keys that are fields of the submit form; the rest go to the error summary.
SERVICE_FIELDS = {"title", "purpose", "content_class", "township", "attachments", "accused_unit"}


def page(request, template: str, context: dict | None = None, *, status: int = 200):
    return render(request, template, {"contact": contact(), **(context or {})}, status=status)


def _blocked(request, what: str, limit: throttle.Limit, verdict: throttle.Verdict):
    if verdict.first_refusal:  # one audit row per blocked burst, not one per request of a flood
        log_audit(action=f"portal:{limit.scope}_blocked", request=request, result="denied")
    return page(request, "portal/blocked.html", {"what": what, "wait": throttle.wait_text(limit)}, status=429)


def _attachment(data: bytes | None, *, filename: str, content_type: str, response=None):
    response = response or HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- home ---------------------------------------------------------------------------------------------


@require_GET
def home(request):
    return page(request, "portal/home.html", {"reception_days": queries.published_reception_days()})


# --- submit -------------------------------------------------------------------------------------------


def petition_input(d: dict) -> services.PetitionInput:
    """The service input of a valid SubmitForm (also the Open311 POST, open311/views.py)."""
    people = []
    if d["name"] or d["id_number"] or d["mobile"]:
        people.append(
            services.PetitionerInput(
                name=d["name"], id_number=d["id_number"], mobile=d["mobile"], address=d["address"]
            )
        )
    return services.PetitionInput(
        channel=Registration.Channel.ONLINE, received_at=timezone.now(), title=d["title"],
        content=d["facts"], request=d["request"], purpose=d["purpose"], content_class=d["content_class"],
        township=d["township"], petitioners=people or [services.PetitionerInput(name="匿名")],
        accused_unit=d.get("accused_unit", ""), accused_person=d.get("accused_person", ""),
    )  # fmt: skip


def _add_service_errors(form, error: ValidationError) -> None:
    items = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    for key, msgs in items:
        field = key if key in SERVICE_FIELDS else None
        for msg in msgs:
            form.add_error(field, msg)


def _show_receipt(request, receipt: dict, registration_pk: int):
    request.session.cycle_key()
    request.session[RECEIPT] = {**receipt, "shown": False}
    request.session[TRACKED] = registration_pk
    return redirect("portal:receipt")


@never_cache
@require_http_methods(["GET", "POST"])
def submit(request):
    form = F.SubmitForm(initial={tokens.FIELD: tokens.issue()})
    if request.method == "POST":
        limit = throttle.submit_limit()
        verdict = throttle.take(limit, client_ip(request))  # counted now; given back if it does not count
        if not verdict.allowed:
            return _blocked(request, "提交", limit, verdict)
        if request.POST.get("website"):  # honeypot: a bot; discard silently, look like success (it counts)
            log_audit(action="portal:honeypot", request=request, result="denied")
            return page(request, "portal/discarded.html")
        token = request.POST.get(tokens.FIELD, "")
        refused = tokens.problem(token)  # expired or unknown: the form back with what was typed
        claimed = None if refused else tokens.claim(token)
        if not refused and claimed is None:
            # used before (double click, back + resubmit, retry): the first receipt, no second petition
            throttle.give_back(verdict)
            receipt, registration_pk = tokens.first_receipt(token)
            if receipt is None:
                return page(request, "portal/submit_pending.html", {"token": token}, status=409)
            return _show_receipt(request, receipt, registration_pk)
        data = request.POST.copy()
        if refused:
            data[tokens.FIELD] = tokens.issue()
        form = F.SubmitForm(data, request.FILES)
        if not form.is_valid() or refused:
            throttle.give_back(verdict)
            tokens.release(claimed)
            if refused:
                form.add_error(None, refused)
        else:
            d = form.cleaned_data
            try:
                # the submission, its audit row and its token's receipt: all or none
                with citizens.removing_on_failure():
                    registration, code = citizens.submit_online(
                        petition_input(d), uploads=F.uploads_of(d["attachments"])
                    )
                    log_audit(action="portal:submit", request=request, obj=registration)
                    receipt = {
                        "number": registration.number, "code": code, "title": d["title"], "name": d["name"],
                        "at": timezone.localtime(registration.registered_at).isoformat(),
                    }  # fmt: skip
                    tokens.complete(claimed, token, registration=registration, receipt=receipt)
            except ValidationError as e:
                throttle.give_back(verdict)
                tokens.release(claimed)
                _add_service_errors(form, e)
            except BaseException:
                tokens.release(claimed)
                raise
            else:
                return _show_receipt(request, receipt, registration.pk)
    return page(request, "portal/submit.html", {"form": form})


@never_cache
@require_GET
def receipt(request):
    data = request.session.get(RECEIPT)
    if not data:
        return redirect("portal:submit")
    show_code = not data["shown"]
    if show_code:
        request.session[RECEIPT] = {**data, "shown": True}
    return page(request, "portal/receipt.html", {"r": data, "show_code": show_code})


@require_GET
def receipt_download(request):
    data = request.session.get(RECEIPT)
    if not data:
        raise Http404("回执已过期。")
    content = receipts.render_receipt(
        number=data["number"], code=data["code"], title=data["title"], name=data["name"],
        submitted_at=datetime.fromisoformat(data["at"]), contact=contact(),
    )  # fmt: skip
    return _attachment(content, filename=f"网上信访回执-{data['number']}.docx", content_type=DOCX)


# --- track --------------------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def track(request):
    form = F.TrackForm()
    if request.method == "POST":
        limit = throttle.track_limit()  # failed lookups: counted now, given back when the lookup finds
        verdict = throttle.take(limit, client_ip(request))
        if not verdict.allowed:
            return _blocked(request, "查询", limit, verdict)
        form = F.TrackForm(request.POST)
        if not form.is_valid():
            throttle.give_back(verdict)
        else:
            registration = citizens.find_registration(form.cleaned_data["number"], form.cleaned_data["code"])
            if registration is not None:
                throttle.give_back(verdict)
                request.session.cycle_key()
                request.session[TRACKED] = registration.pk
                log_audit(action="portal:track", request=request, obj=registration)
                return redirect("portal:case")
            log_audit(action="portal:track_failed", request=request, result="failure")
            form.add_error(None, "登记编号或查询码不正确，请核对后重新输入。")
    return page(request, "portal/track.html", {"form": form})


def _tracked(request) -> Registration | None:
    pk = request.session.get(TRACKED)
    if pk is None:
        return None
    return Registration.objects.select_related("matter", "matter__handling_unit").filter(pk=pk).first()


def tracked_only(view):
    def wrapper(request, *args, **kwargs):
        registration = _tracked(request)
        if registration is None:
            if request.method == "GET" and view.__name__ == "case":
                messages.info(request, "请输入登记编号和查询码查询。")
                return redirect("portal:track")
            raise Http404("请先输入登记编号和查询码。")
        return view(request, registration, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _evaluation_block(matter, target: str, today: date) -> dict:
    status = citizens.evaluation_status(matter, target, today=today)
    due = matter.eval_bureau_due if target == Evaluation.Target.BUREAU else matter.eval_unit_due
    return {
        "target": target,
        "label": Evaluation.Target(target).label,
        "status": status,
        "due": due,
        "done": matter.evaluations.filter(target=target).first(),
        "form": F.EvaluationForm(prefix=target) if status == "open" else None,
    }


@never_cache
@require_GET
@tracked_only
def case(request, registration):
    matter = registration.matter
    today = services.today()
    appeal = None
    if matter.state == workflow.DELIVERED:
        appeal = {"kind": "review", "label": "复查", "due": matter.review_request_due}
    elif matter.state == workflow.REVIEW_DECIDED:
        appeal = {"kind": "recheck", "label": "复核", "due": matter.recheck_request_due}
    context = {
        "registration": registration,
        "matter": matter,
        "state_label": workflow.STATES[matter.state],
        "milestones": milestones.milestones(matter, registration),
        "documents": milestones.public_documents(matter, registration),
        "uploads": milestones.own_uploads(matter),
        "evaluations": [_evaluation_block(matter, t, today) for t in Evaluation.Target.values],
        "appeal": appeal,
        "appeal_form": F.AppealForm(initial={"kind": appeal["kind"]}) if appeal else None,
        "info_form": F.InformationForm() if matter.state in workflow.OPEN_STATES else None,
    }
    return page(request, "portal/case.html", context)


@require_GET
@tracked_only
def document_download(request, registration, pk: int):
    doc = milestones.public_documents(registration.matter, registration).filter(pk=pk).first()
    if doc is None:
        raise Http404("文书不存在。")
    log_audit(action="portal:document_download", request=request, obj=doc)
    response = FileResponse(documents.stored_docx(doc), content_type=DOCX)
    return _attachment(None, filename=f"{doc.title}-{doc.number}.docx", content_type=DOCX, response=response)


@require_GET
@tracked_only
def attachment_download(request, registration, pk: int):
    att = milestones.own_uploads(registration.matter).filter(pk=pk).first()
    if att is None:
        raise Http404("附件不存在。")
    response = FileResponse(att.file.open("rb"), content_type=att.content_type)
    return _attachment(None, filename=att.original_name, content_type=att.content_type, response=response)


@require_POST
@tracked_only
def evaluate(request, registration, target: str):
    if target not in Evaluation.Target.values:
        raise Http404
    form = F.EvaluationForm(request.POST, prefix=target)
    if not form.is_valid():
        messages.error(request, "请选择评价结果（满意、基本满意或不满意）。")
        return redirect("portal:case")
    d = form.cleaned_data
    reason = "" if d["reason"] == "其他" else d["reason"]
    if d["reason"] == "其他" and not d["text"].strip():
        messages.error(request, "选择“其他”原因时，请在评价内容中说明。")
        return redirect("portal:case")
    try:
        citizens.evaluate(registration.matter, target=target, value=d["value"], reason=reason, text=d["text"])
    except services.WorkflowError as e:
        messages.error(request, str(e))
    else:
        log_audit(action="portal:evaluate", request=request, obj=registration.matter, target=target)
        messages.success(request, "评价已提交，谢谢您的评价。")
    return redirect("portal:case")


@require_POST
@tracked_only
def appeal(request, registration):
    form = F.AppealForm(request.POST)
    if not form.is_valid():
        raise Http404
    kind, reason = form.cleaned_data["kind"], form.cleaned_data["reason"]
    request_appeal = services.request_review if kind == "review" else services.request_recheck
    try:
        request_appeal(registration.matter, by=None, reason=reason)
    except (services.WorkflowError, PermissionDenied) as e:
        log_audit(action=f"portal:request_{kind}", request=request, obj=registration.matter, result="denied",
                  reason=str(e))  # fmt: skip
        messages.error(request, str(e))
    else:
        log_audit(action=f"portal:request_{kind}", request=request, obj=registration.matter)
        messages.success(
            request, "复查申请已提交。" if kind == "review" else "复核申请已提交，将报送上一级机关。"
        )
    return redirect("portal:case")


@require_POST
@tracked_only
def add_information(request, registration):
    form = F.InformationForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("portal:case")
    try:
        citizens.add_information(
            registration.matter,
            text=form.cleaned_data["text"],
            uploads=F.uploads_of(form.cleaned_data["attachments"]),
        )
    except ValidationError as e:
        for msg in e.messages:
            messages.error(request, msg)
    except services.WorkflowError as e:
        messages.error(request, str(e))
    else:
        log_audit(action="portal:add_information", request=request, obj=registration.matter)
        messages.success(request, "补充材料已提交。")
    return redirect("portal:case")


@require_POST
def leave(request):
    request.session.pop(TRACKED, None)
    request.session.pop(RECEIPT, None)
    return redirect("portal:home")


# --- statistics ---------------------------------------------------------------------------------------


def _year(request) -> int:
    years = statistics.years()
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return years[-1]
    return year if year in years else years[-1]


@require_GET
def stats(request):
    year = _year(request)
    return page(
        request,
        "portal/stats.html",
        {"data": statistics.payload(year), "years": statistics.years(), "year": year},
    )


@require_GET
def stats_data(request):
    response = JsonResponse(statistics.payload(_year(request)), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=300"
    return response
