"""督查督办 pages. Thin views: parse input, call one service of petitions.supervision, render.

A denial (PermissionDenied from the access function or a service) renders the 403 page with the reason
and changes nothing; a refused step (WorkflowError) comes back as a Chinese message on the page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xinfang.accounts import roles as R
from xinfang.casework.supervision import forms as F
from xinfang.petitions import access, queries, services, supervision, workflow
from xinfang.petitions.models import Matter, SupervisionOrder, Unit
from xinfang.petitions.queries import supervision as Q

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
S = SupervisionOrder.Status


def denied(request, reason: str):
    return render(request, "casework/denied.html", {"reason": reason}, status=403)


def _can_direct(user) -> bool:
    return user.has_role(*supervision.SUPERVISORS)


def _order_or_denied(request, pk: int):
    """(order, None) when the user may see it; otherwise the same 404 as for an order that does not exist
    (an order names its matters: 检举控告, 条例第三十条第三款)."""
    return get_object_or_404(Q.visible_orders(request.user), pk=pk), None


def _matter_rows(user, order) -> list[dict]:
    matters = access.visible_matters(user, order.matters.select_related("handling_unit", "township"))
    return [
        {"matter": m, "state": workflow.STATES[m.state], "badge": queries.clock_badge(m)} for m in matters
    ]


# --- lists ------------------------------------------------------------------------------------------


@login_required
@require_GET
def order_list(request):
    user = request.user
    if not user.has_role(*access.COUNTY_WIDE):
        if user.has_role(R.UNIT_OFFICER):
            return redirect("supervision:unit_orders")
        return denied(request, _("您的角色无权查看督查督办。"))
    form = F.OrderFilterForm(request.GET or None)
    d = form.cleaned_data if form.is_valid() else {}
    orders = Q.order_list(user, **{k: d.get(k) or "" for k in ("status", "level", "trigger", "unit")})
    context = {"form": form, "orders": orders, "can_direct": _can_direct(user),
               "proposals": orders.filter(status=S.PROPOSED).count()}  # fmt: skip
    return render(request, "casework/supervision/list.html", context)


@login_required
@require_GET
def unit_orders(request):
    if not request.user.has_role(R.UNIT_OFFICER) or not request.user.unit_id:
        return denied(request, _("督办件页面供责任单位经办人使用。"))
    return render(request, "casework/supervision/unit_orders.html", {"orders": Q.unit_orders(request.user)})


# --- one order --------------------------------------------------------------------------------------


@login_required
@require_GET
def order_detail(request, pk: int):
    order, refusal = _order_or_denied(request, pk)
    if refusal:
        return refusal
    user = request.user
    direct = _can_direct(user)
    answering = (
        order.status == S.ISSUED and user.has_role(R.UNIT_OFFICER) and user.unit_id == order.target_unit_id
    )
    context = {
        "order": order,
        "rows": _matter_rows(user, order),
        "follow_ups": order.follow_ups.select_related("by").order_by("at", "id"),
        "can_direct": direct,
        "issue_form": F.IssueForm(initial={"level": order.level, "reason": order.reason})
        if direct and order.status == S.PROPOSED else None,
        "dismiss_form": F.DismissForm() if direct and order.status == S.PROPOSED else None,
        "follow_up_form": F.FollowUpForm() if direct and order.status in (S.ISSUED, S.ANSWERED) else None,
        "close_form": F.CloseForm() if direct and order.status in (S.ISSUED, S.ANSWERED) else None,
        "answer_form": F.AnswerForm() if answering else None,
        "has_notice": bool(order.number),
        "clock_label": queries.CLOCK_SHORT.get(order.clock, order.clock),
    }  # fmt: skip
    return render(request, "casework/supervision/detail.html", context)


def _step(request, pk: int, form_class, call, done: str):
    """POST of one step on an order: parse the form, call the service, come back to the order."""
    order, refusal = _order_or_denied(request, pk)
    if refusal:
        return refusal
    form = form_class(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return redirect("supervision:detail", pk=pk)
    try:
        call(order, request.user, form.cleaned_data)
    except PermissionDenied as e:
        return denied(request, str(e) or _("您无权执行此操作。"))
    except services.WorkflowError as e:
        messages.error(request, str(e))
    else:
        messages.success(request, done)
    return redirect("supervision:detail", pk=pk)


@login_required
@require_POST
def order_issue(request, pk: int):
    return _step(request, pk, F.IssueForm, lambda o, by, d: supervision.issue_order(
        o, by=by, level=d["level"], reason=d["reason"], deadline=d["deadline"]), _("已下达督办。"))  # fmt: skip


@login_required
@require_POST
def order_dismiss(request, pk: int):
    return _step(request, pk, F.DismissForm, lambda o, by, d: supervision.dismiss_order(
        o, by=by, reason=d["reason"]), _("已决定不予督办。"))  # fmt: skip


@login_required
@require_POST
def order_follow_up(request, pk: int):
    return _step(request, pk, F.FollowUpForm, lambda o, by, d: supervision.add_follow_up(
        o, by=by, kind=d["kind"], note=d["note"]), _("已记录跟进情况。"))  # fmt: skip


@login_required
@require_POST
def order_answer(request, pk: int):
    return _step(request, pk, F.AnswerForm, lambda o, by, d: supervision.answer_order(
        o, by=by, feedback=d["feedback"]), _("已提交书面反馈。"))  # fmt: skip


@login_required
@require_POST
def order_close(request, pk: int):
    return _step(request, pk, F.CloseForm, lambda o, by, d: supervision.close_order(
        o, by=by, result=d["result"]), _("督办已办结。"))  # fmt: skip


@login_required
@require_GET
def order_notice(request, pk: int):
    order, refusal = _order_or_denied(request, pk)
    if refusal:
        return refusal
    if not order.number:
        return denied(request, _("督办建议尚未下达，没有通报。"))
    response = HttpResponse(supervision.render_notice_docx(order), content_type=DOCX)
    name = f"{order.get_level_display()}通知（{order.number}）.docx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# --- a new order --------------------------------------------------------------------------------------


def _resolve(user, form) -> tuple[list[Matter], Unit | None, list[str]]:
    """The matters (as the user may see them) and the target unit named in the form, with errors."""
    numbers = form.numbers()
    found = {m.number: m for m in access.visible_matters(user).filter(number__in=numbers)
             .select_related("handling_unit")}  # fmt: skip
    errors = [_("事项编号“%(n)s”不存在或您无权查看。") % {"n": n} for n in numbers if n not in found]
    matters = [found[n] for n in numbers if n in found]
    unit = None
    if code := form.cleaned_data.get("unit"):
        unit = Unit.objects.filter(code=code).first()
    else:
        units = {m.handling_unit_id for m in matters}
        if len(units) == 1 and None not in units:
            unit = matters[0].handling_unit
        elif matters:
            errors.append(_("这些事项没有同一个责任单位，请选择被督办单位。"))
    return matters, unit, errors


@login_required
def order_new(request):
    user = request.user
    if not _can_direct(user):
        return denied(request, _("只有督查督办人员和领导可以下达督办。"))
    if request.method == "POST":
        form = F.NewOrderForm(request.POST)
        errors: list[str] = []
        if form.is_valid():
            matters, unit, errors = _resolve(user, form)
            if not errors:
                d = form.cleaned_data
                try:
                    order = supervision.issue_order(by=user, level=d["level"], reason=d["reason"], unit=unit,
                                                    matters=matters, deadline=d["deadline"])  # fmt: skip
                except PermissionDenied as e:
                    return denied(request, str(e))
                except services.WorkflowError as e:
                    errors.append(str(e))
                else:
                    messages.success(request, _("已下达督办：%(n)s。") % {"n": order.number})
                    return redirect("supervision:detail", pk=order.pk)
    else:
        numbers = " ".join(request.GET.getlist("matters"))
        form = F.NewOrderForm(initial={"matters": numbers, "level": SupervisionOrder.Level.SUPERVISE})
        errors = []
    listed = request.GET.getlist("matters")
    picked = (
        access.visible_matters(user).filter(number__in=listed).select_related("handling_unit")
        if listed
        else []
    )
    rows = [{"matter": m, "state": workflow.STATES[m.state], "badge": queries.clock_badge(m)} for m in picked]
    return render(request, "casework/supervision/new.html", {"form": form, "errors": errors, "rows": rows})


# --- notifications -----------------------------------------------------------------------------------


@login_required
@require_GET
def notification_list(request):
    notes = Q.notifications(request.user)
    return render(request, "casework/supervision/notifications.html",
                  {"notes": notes[:200], "unread": notes.filter(read_at=None).count()})  # fmt: skip


@login_required
@require_POST
def notification_read(request, pk: int | None = None):
    supervision.mark_read(request.user, ids=None if pk is None else [pk])
    nxt = request.POST.get("next", "")
    if pk is not None and nxt.startswith("/") and not nxt.startswith("//"):
        return redirect(nxt)
    return redirect(reverse("supervision:notifications"))
