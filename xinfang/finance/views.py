"""Staff pages for the final accounts: thin views over queries, services and the checker."""

from django.contrib import messages
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from xinfang.finance import jobs
from xinfang.finance.access import can_edit, finance_view
from xinfang.finance.forms import (
    DETAILS,
    AccountsForm,
    CheckFilesForm,
    ImportForm,
    IndicatorFormSet,
    detail_formset,
)
from xinfang.finance.models import FinalAccounts, Project
from xinfang.finance.queries import disclosure_data
from xinfang.finance.review import check_accounts
from xinfang.finance.services import import_standard_tables, save_accounts_form, save_detail_formset


@finance_view(edit=False)
def index(request):
    accounts = FinalAccounts.objects.select_related("budget_unit")
    return render(request, "finance/index.html", {"accounts": accounts, "check_form": CheckFilesForm()})


@finance_view(edit=False)
def check_files(request):
    """Check uploaded disclosures (several at once): one row per document with its counts and findings. The
    files are read from a temporary folder and not kept; files sharing a name (a PDF and its .xls) are one
    document."""
    posted = request.method == "POST"
    form = CheckFilesForm(request.POST, request.FILES) if posted else CheckFilesForm()
    results = check_uploads(form.cleaned_data["files"]) if posted and form.is_valid() else None
    status = 400 if posted and not form.is_valid() else 200
    return render(request, "finance/check.html", {"form": form, "results": results}, status=status)


def check_uploads(files) -> list:
    import tempfile
    from pathlib import Path

    from xinfang.finance.checker.batch import check_documents, documents

    with tempfile.TemporaryDirectory(prefix="xinfang-check-") as tmp:
        for i, upload in enumerate(files):
            name = Path(upload.name).name.replace("\x00", "") or f"file{i}"
            path = Path(tmp) / name
            if path.exists():  # the same name twice: keep both
                path = path.with_name(f"{path.stem}（{i}）{path.suffix}")
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
        return check_documents(documents(Path(tmp)))


@finance_view(edit=False)
def detail(request, pk):
    accounts = get_object_or_404(FinalAccounts.objects.select_related("budget_unit"), pk=pk)
    return render(
        request,
        "finance/detail.html",
        {
            "a": accounts,
            "d": disclosure_data(accounts),
            "findings": check_accounts(accounts),
            "details": [(k, label) for k, (label, _m, _f) in DETAILS.items()],
            "can_edit": can_edit(request.user),
            "import_form": ImportForm(),
        },
    )


@finance_view(edit=True)
def edit(request, pk):
    accounts = get_object_or_404(FinalAccounts, pk=pk)
    form = AccountsForm(request.POST or None, instance=accounts)
    if request.method == "POST" and form.is_valid():
        save_accounts_form(form, by=request.user)
        messages.success(request, _("已保存。"))
        return redirect("finance:detail", pk=pk)
    return render(request, "finance/form.html", {"a": accounts, "form": form, "title": _("编辑决算基本数据")})


@finance_view(edit=True)
def edit_details(request, pk, kind):
    if kind not in DETAILS:
        raise Http404
    accounts = get_object_or_404(FinalAccounts, pk=pk)
    formset = detail_formset(kind)(request.POST or None, instance=accounts, prefix=kind)
    if request.method == "POST" and formset.is_valid():
        save_detail_formset(formset, by=request.user)
        messages.success(request, _("已保存。"))
        return redirect("finance:detail", pk=pk)
    return render(
        request, "finance/formset.html", {"a": accounts, "formset": formset, "title": DETAILS[kind][0]}
    )


@finance_view(edit=True)
def edit_indicators(request, pk, project_pk):
    project = get_object_or_404(Project, pk=project_pk, accounts_id=pk)
    formset = IndicatorFormSet(request.POST or None, instance=project, prefix="ind")
    if request.method == "POST" and formset.is_valid():
        save_detail_formset(formset, by=request.user)
        messages.success(request, _("已保存。"))
        return redirect("finance:detail", pk=pk)
    return render(
        request,
        "finance/formset.html",
        {"a": project.accounts, "formset": formset, "title": _("绩效指标：") + project.name},
    )


@finance_view(edit=True)
@require_POST
def import_tables(request, pk):
    accounts = get_object_or_404(FinalAccounts, pk=pk)
    form = ImportForm(request.POST, request.FILES)
    errors = []
    if form.is_valid():
        errors = import_standard_tables(accounts, file=form.cleaned_data["file"], by=request.user)
        if not errors:
            messages.success(request, _("已导入标准表格。"))
            return redirect("finance:detail", pk=pk)
    return render(
        request, "finance/import_errors.html", {"a": accounts, "form": form, "errors": errors}, status=400
    )


@finance_view(edit=True)
@require_POST
def build(request, pk):
    accounts = get_object_or_404(FinalAccounts.objects.select_related("budget_unit"), pk=pk)
    job_id = jobs.start_build(accounts)
    status = jobs.read_status(job_id)
    return render(
        request,
        "finance/build_status.html",
        {"job": job_id, "status": status, "a": accounts, "files": _files(status)},
    )


def _files(status: dict) -> list[tuple[str, str]]:
    """(stored name, the name it is downloaded as) of each built file."""
    return [
        (name, jobs.download_name(name, unit_name=status.get("unit_name", ""), year=status.get("year")))
        for name in status.get("files", [])
    ]


@finance_view(edit=False)
def build_status(request, job):
    try:
        status = jobs.read_status(job)
    except ValueError:
        status = None
    if status is None:
        raise Http404
    return render(
        request, "finance/build_status.html", {"job": job, "status": status, "files": _files(status)}
    )


@finance_view(edit=False)
def build_file(request, job, name):
    status = jobs.read_status(job) if job.replace("-", "").isalnum() else None
    if not status or name not in status.get("files", []):
        raise Http404
    filename = jobs.download_name(name, unit_name=status.get("unit_name", ""), year=status.get("year"))
    # FileResponse sends a non-ASCII name as RFC 5987 filename*=utf-8''… with an ASCII fallback.
    stored = default_storage.open(str(jobs.job_dir(job) / "out" / name), "rb")  # local or object store
    return FileResponse(stored, as_attachment=True, filename=filename)
