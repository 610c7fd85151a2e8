"""Batch operations on the worklist (issue 12): 签收, 转送, 送达, 归档 on the ticked matters.

Per matter, not all-or-nothing: the action bar offers the batch actions of the user's roles; the confirmation
page lists the matters the action will be taken on and, with the Chinese reason, those it cannot; after
confirming, each matter goes through the action's service in its own transaction (petitions.batch.run), and the
result page lists what was done and what was refused. Works without JavaScript; with htmx the action bar counts,
as boxes are ticked, on how many of the ticked matters each action can be taken."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from xinfang.casework import forms as F
from xinfang.casework.views import denied
from xinfang.petitions import batch, workflow

# The form of each batch action's arguments: the single-matter form (one unit, one delivery for all).
FORMS = {
    "forward": F.ForwardForm,
    "acknowledge": F.EmptyForm,
    "deliver": F.DeliverForm,
    "archive": F.EmptyForm,
}


def _form(action: str, user, data=None) -> F.ActionForm:
    return FORMS[action](data, matter=None, user=user, action=f"batch_{action}")


def bar_actions(user, numbers: list[str] | None = None) -> list[dict]:
    """The action bar: each batch action of the user's roles; with ticked `numbers`, on how many it can be
    taken now."""
    out = []
    for t in batch.offered(user):
        row = {"action": t.action, "label": t.label, "count": None}
        if numbers:
            row["count"] = sum(o.done for o in batch.preview(user, t.action, numbers))
        out.append(row)
    return out


@login_required
@require_GET
def bar(request):
    """htmx: the action bar for the ticked matters."""
    numbers = request.GET.getlist("numbers")[: batch.MAX_MATTERS]
    context = {"batch_actions": bar_actions(request.user, numbers), "selected": len(numbers)}
    return render(request, "casework/_batch_bar.html", context)


@login_required
@require_POST
def batch_action(request):
    """POST action + numbers: the confirmation page; with confirm=1 as well: take the action, show the result."""
    action = request.POST.get("action", "")
    if action not in batch.ACTIONS:
        raise Http404
    if action not in {t.action for t in batch.offered(request.user)}:
        return denied(request, _("您的角色无权批量执行“%(label)s”。") % {"label": batch.label(action)})
    try:
        numbers = batch.clean_numbers(request.POST.getlist("numbers"))
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
        return redirect("casework:worklist")
    form = _form(action, request.user, request.POST if "confirm" in request.POST else None)
    context = {"action": action, "label": batch.label(action), "form": form}
    if "confirm" in request.POST and form.is_valid():
        versions = {}
        for number in numbers:
            try:
                versions[number] = int(request.POST.get(f"version-{number}", ""))
            except ValueError:
                pass  # checked against the version read now
        results = batch.run(
            request.user, action, numbers, form.arguments(), versions=versions, request=request
        )
        context |= {"done": [r for r in results if r.done], "refused": [r for r in results if not r.done]}
        return render(request, "casework/batch_result.html", context)
    rows = batch.preview(request.user, action, numbers)
    context |= {"allowed": [r for r in rows if r.done], "refused": [r for r in rows if not r.done],
                "states": workflow.STATES}  # fmt: skip
    return render(request, "casework/batch_confirm.html", context)
