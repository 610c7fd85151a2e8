"""Checking many disclosures at once: `xinfang check_disclosure DIR` (progress, JSON per document, summary
workbook that opens) and the finance page's upload of several files (over HTTP)."""

import json
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from xinfang.accounts.models import User
from xinfang.accounts.roles import AUDITOR, CLERK, FINANCE, LEADER

sys.path.insert(0, str(Path(__file__).parent))
import table_corpus as corpus  # noqa: E402


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """A good PDF with its tables also as .xlsx (one document), a disclosure with a broken table (.docx), a
    damaged file, and a file of another kind that is not checked."""
    path = tmp_path_factory.mktemp("county")
    health = corpus.health_2020()
    corpus.publish(health, path / "卫健委2020.pdf")
    corpus.publish(health, path / "卫健委2020.xlsx")
    edu = corpus.education_2021()
    tables = [(n, t, [list(r) for r in rows], note) for n, t, rows, note in corpus.tables(edu)]
    next(r for r in tables[6][2] if r[0] == "公务接待费")[2] = "9.50"  # 07: 公务接待费 决算
    corpus.publish(edu, path / "教育局2021.docx", table_list=tables)
    (path / "损坏.pdf").write_bytes(b"%PDF-1.7 truncated")
    (path / "说明.png").write_bytes(b"\x89PNG")
    return path


def test_folder_check_writes_json_and_summary(folder, tmp_path):
    out, err = StringIO(), StringIO()
    call_command("check_disclosure", str(folder), "--out", str(tmp_path), stdout=out, stderr=err)
    assert "共检查 3 份公开文件" in out.getvalue()
    progress = err.getvalue()
    assert "1/3" in progress and "3/3" in progress and "卫健委2020.pdf、卫健委2020.xlsx" in progress

    edu = json.loads((tmp_path / "教育局2021.findings.json").read_text(encoding="utf-8"))
    assert edu["files"] == ["教育局2021.docx"]
    rules = {f["rule"] for f in edu["findings"] if f["severity"] == "error"}
    assert {"TABLE-SUM", "TABLE-TEXT"} <= rules  # the 三公 total no longer adds up; the text quotes 6.50
    assert edu["counts"]["error"] == sum(f["severity"] == "error" for f in edu["findings"])
    broken = json.loads((tmp_path / "损坏.findings.json").read_text(encoding="utf-8"))
    assert [f["rule"] for f in broken["findings"]] == ["READ"]

    ws = load_workbook(tmp_path / "检查汇总.xlsx").active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == ("序号", "文件", "错误", "警告", "提示", "主要问题", "检查结果")
    by_file = {r[1]: r for r in rows[1:4]}
    assert set(by_file) == {"卫健委2020.pdf、卫健委2020.xlsx", "教育局2021.docx", "损坏.pdf"}
    assert by_file["卫健委2020.pdf、卫健委2020.xlsx"][2] == 0
    assert by_file["教育局2021.docx"][2] == edu["counts"]["error"] > 0
    assert by_file["损坏.pdf"][2] == 1
    assert ws.cell(row=2, column=7).hyperlink.target.endswith(".findings.json")
    assert rows[-1][0] == "合计" and rows[-1][2] == sum(r[2] for r in rows[1:4])


def test_empty_folder_and_missing_file_are_clear_errors(tmp_path):
    with pytest.raises(CommandError, match="没有可检查的文件"):
        call_command("check_disclosure", str(tmp_path))
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("check_disclosure", str(tmp_path / "无.pdf"))


def login(client, role):
    user = User.objects.create_user(username=f"u_{role}", password="Xinfang#2019x")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    client.force_login(user)


def uploads(folder, *names):
    return [SimpleUploadedFile(n, (folder / n).read_bytes()) for n in names]


@pytest.mark.django_db
def test_upload_of_several_files_checks_each(client, folder):
    login(client, FINANCE)
    assert "检查公开文件" in client.get("/finance/").content.decode()
    response = client.post(
        "/finance/check/",
        {"files": uploads(folder, "卫健委2020.pdf", "卫健委2020.xlsx", "教育局2021.docx", "损坏.pdf")},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "共检查 3 份" in page
    assert "卫健委2020.pdf、卫健委2020.xlsx" in page
    assert "表内勾稽关系" in page and "表文一致" in page  # rule names, not ids
    assert "文件读取" in page and "无法读取" in page


@pytest.mark.django_db
@pytest.mark.parametrize(("role", "status"), [(LEADER, 200), (AUDITOR, 200), (CLERK, 403)])
def test_who_may_check_files(client, folder, role, status):
    login(client, role)
    response = client.post("/finance/check/", {"files": uploads(folder, "教育局2021.docx")})
    assert response.status_code == status


@pytest.mark.django_db
def test_upload_without_files_or_of_another_kind_says_why(client, folder):
    login(client, FINANCE)
    response = client.post("/finance/check/", {})
    assert response.status_code == 400
    assert "请选择要检查的公开文件" in response.content.decode()
    response = client.post("/finance/check/", {"files": uploads(folder, "说明.png")})
    assert response.status_code == 400
    assert "不支持的文件类型：说明.png" in response.content.decode()
