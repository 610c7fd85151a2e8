"""Disclosure builds started from the web UI: rendered in a thread, progress in a status file.

The facts are read from the database in the request; the thread only renders files (no ORM), so
it is safe outside the request. State lives in the default storage (local directory or object store,
xinfang.core.files) at finance/builds/<id>/status.json, the built files under finance/builds/<id>/out/, so
any worker process can answer the polling request.
"""

import json
import threading
import uuid
from pathlib import Path, PurePosixPath

from django.core.files.storage import default_storage

from xinfang.core import files
from xinfang.finance.build import write_disclosure
from xinfang.finance.data_types import Disclosure

BACKGROUND = True  # tests set False to build synchronously


def builds_root() -> PurePosixPath:
    """A folder in the default storage: a storage name, not a local path (write_disclosure stores there)."""
    return PurePosixPath("finance", "builds")


def job_dir(job_id: str) -> PurePosixPath:
    if not job_id.replace("-", "").isalnum():
        raise ValueError(job_id)
    return builds_root() / job_id


def write_status(job_id: str, **status) -> None:
    files.replace(str(job_dir(job_id) / "status.json"), json.dumps(status, ensure_ascii=False).encode())


def read_status(job_id: str) -> dict | None:
    try:
        with default_storage.open(str(job_dir(job_id) / "status.json"), "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except FileNotFoundError:
        return None


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


def start_build(d: Disclosure, *, accounts_id: int) -> str:
    job_id = f"{accounts_id}-{uuid.uuid4().hex[:12]}"
    names = {"accounts": accounts_id, "unit_name": d.unit_name, "year": d.year}
    write_status(job_id, state="running", step=0, total=5, label="排队中", **names)

    def run():
        try:
            built = write_disclosure(
                d,
                out_dir=job_dir(job_id) / "out",
                progress=lambda step, total, label: write_status(
                    job_id, state="running", step=step, total=total, label=label, **names
                ),
            )
            stored = [str(p.relative_to(built.out_dir)) for p in built.files]
            write_status(job_id, state="done", step=5, total=5, label="完成", files=stored, **names)
        except Exception as exc:  # noqa: BLE001 - reported to the user, never swallowed silently
            write_status(job_id, state="failed", step=0, total=5, label=f"生成失败：{exc}", **names)

    if BACKGROUND:
        threading.Thread(target=run, daemon=True).start()
    else:
        run()
    return job_id
