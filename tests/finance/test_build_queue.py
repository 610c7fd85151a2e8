"""A disclosure build goes through the task queue (issue 13): the page shows it queued and polls, the worker
builds it, the page then shows the files; a build that fails shows its error on the page and to the admin."""

from django_tasks_db.models import DBTaskResult

from xinfang.finance import jobs


def job_of(page: str) -> str:
    return page.split("/finance/builds/")[1].split("/")[0]


def test_build_is_queued_then_shows_progress_then_files(finance_client, accounts, task_queue, monkeypatch):
    page = finance_client.post(f"/finance/{accounts.pk}/build/").content.decode()
    assert "排队中" in page and "<progress" in page and 'hx-trigger="load delay:1s"' in page
    job = job_of(page)
    task = DBTaskResult.objects.get()
    assert task.status == "READY" and task.args_kwargs["kwargs"] == {
        "job_id": job,
        "accounts_id": accounts.pk,
    }

    seen = []  # what the polling page shows while the worker renders
    write_status = jobs.write_status

    def spy(job_id, **status):
        write_status(job_id, **status)
        if status["state"] == "running":
            seen.append(finance_client.get(f"/finance/builds/{job_id}/").content.decode())

    monkeypatch.setattr(jobs, "write_status", spy)
    assert task_queue() == 1
    assert any("生成 Word 报告" in p and "<progress" in p for p in seen)
    done = finance_client.get(f"/finance/builds/{job}/").content.decode()
    assert "hx-trigger" not in done and f"{accounts.budget_unit.name}_{accounts.year}年部门决算.docx" in done
    response = finance_client.get(f"/finance/builds/{job}/files/report.docx")
    assert response.status_code == 200 and b"".join(response.streaming_content)[:2] == b"PK"
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_a_failed_build_shows_its_error_and_is_not_retried(finance_client, accounts, task_queue, monkeypatch):
    def broken(d, *, out_dir, progress):
        raise RuntimeError("字体缺失")

    monkeypatch.setattr(jobs, "write_disclosure", broken)
    job = job_of(finance_client.post(f"/finance/{accounts.pk}/build/").content.decode())
    assert task_queue() == 1
    page = finance_client.get(f"/finance/builds/{job}/").content.decode()
    assert "生成失败：字体缺失" in page and "<progress" not in page
    failed = DBTaskResult.objects.get()
    assert failed.status == "FAILED" and "RuntimeError: 字体缺失" in failed.traceback
    assert task_queue() == 0  # max_attempts=1: no retry queued
