"""Disclosure builds started from the web UI: queued as a background task (`xinfang worker` runs it; it reads
the facts when it runs and renders the files), progress in a status file.
State lives in the default storage (local directory or object store,
xinfang.core.files) at finance/builds/<id>/status.json, the built files under finance/builds/<id>/out/, so
any worker process can answer the polling request.
"""

import uuid
from pathlib import Path, PurePosixPath

from xinfang.core import files
from xinfang.core.tasks import retrying_task
from xinfang.finance.build import write_disclosure


def builds_root() -> PurePosixPath:
    """A folder in the default storage: a storage name, not a local path (write_disclosure stores there)."""
    return PurePosixPath("finance", "builds")


def job_dir(job_id: str) -> PurePosixPath:
    if not job_id.replace("-", "").isalnum():
        raise ValueError(job_id)
    return builds_root() / job_id


def write_status(job_id: str, **status) -> None:
    files.write_json(str(job_dir(job_id) / "status.json"), status)


def read_status(job_id: str) -> dict | None:
    return files.read_json(str(job_dir(job_id) / "status.json"))


# What each built file is called when downloaded: unit and year in Chinese, not `report.docx`.
FILE_TITLES = {
    "report.docx": "部门决算.docx",
    "report.html": "部门决算（网页版）.html",
    "tables.xlsx": "部门决算公开表.xlsx",
    "charts/general_budget.png": "一般公共预算财政拨款支出图.png",
    "charts/structure.png": "支出结构图.png",
    "charts/three_public.png": "三公经费支出图.png",
}


def download_name(name: str, *, unit_name: str = "", year: int | None = None) -> str:
    """“茂县信访局_2019年部门决算.docx” for `report.docx` of that unit and year."""
    title = FILE_TITLES.get(name) or f"图表_{Path(name).name}"
    if not unit_name or not year:
        return title
    return f"{unit_name}_{year}年{title}"


def start_build(accounts) -> str:
    """Queue the build of `accounts`' disclosure; returns the job id whose status the page polls."""
    job_id = f"{accounts.pk}-{uuid.uuid4().hex[:12]}"
    names = {"accounts": accounts.pk, "unit_name": accounts.budget_unit.name, "year": accounts.year}
    write_status(job_id, state="running", step=0, total=5, label="排队中", **names)
    build_disclosure_files.enqueue(job_id=job_id, accounts_id=accounts.pk)
    return job_id


# A render error is not cured by waiting: the build is not retried; the page shows the error at once and the
# administrator finds the traceback under 后台任务.
@retrying_task(label="生成部门决算公开文件", max_attempts=1)
def build_disclosure_files(*, job_id: str, accounts_id: int) -> list[str]:
    from xinfang.finance.models import FinalAccounts
    from xinfang.finance.queries import disclosure_data

    accounts = FinalAccounts.objects.select_related("budget_unit").get(pk=accounts_id)
    names = {"accounts": accounts_id, "unit_name": accounts.budget_unit.name, "year": accounts.year}
    try:
        built = write_disclosure(
            disclosure_data(accounts),
            out_dir=job_dir(job_id) / "out",
            progress=lambda step, total, label: write_status(
                job_id, state="running", step=step, total=total, label=label, **names
            ),
        )
    except Exception as exc:
        write_status(job_id, state="failed", step=0, total=5, label=f"生成失败：{exc}", **names)
        raise  # recorded on the task: the administrator sees the traceback
    stored = [str(p.relative_to(built.out_dir)) for p in built.files]
    write_status(job_id, state="done", step=5, total=5, label="完成", files=stored, **names)
    return stored
