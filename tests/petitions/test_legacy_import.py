"""`xinfang import_legacy`: a generated 10,000-row historical register with planted problems — the dry run lists
every one (row, column, Chinese message) and writes nothing, a commit is refused while any is left; the cleaned
register commits all or nothing, its figures reach `work_statistics` and the summary tables, personal data is
stored as a registration stores it, and the import is audited."""

import io
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from openpyxl import Workbook

from xinfang.accounts.models import AuditEntry
from xinfang.analytics import tallies
from xinfang.analytics.work_statistics import work_statistics
from xinfang.petitions import legacy, legacy_sample, pii
from xinfang.petitions.models import Event, Matter, Petitioner, Registration

ROWS = 10_000


def run(path, *args) -> str:
    out = StringIO()
    call_command("import_legacy", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def problems_of(output: str) -> list[tuple[int, str]]:
    return [(int(m[1]), m[2]) for m in re.finditer(r"^第(\d+)行“(.+?)”列：", output, re.M)]


def test_dry_run_lists_every_problem_and_commit_is_refused(db, units, case_officer, tmp_path):
    sample = legacy_sample.register(ROWS, errors_every=125)
    path = tmp_path / "register.xlsx"
    path.write_bytes(sample.content)
    output = run(path, "--dry-run")  # without --user: the bureau's first active case officer
    assert len(sample.problems) == ROWS // 125 and problems_of(output) == sample.problems
    assert "身份证号码校验码错误" in output and "乡镇“不存在镇”不存在" in output
    assert "信访形式“传真来件”无法识别" in output and "日期1980-05-01超出范围" in output
    assert "登记号“LS0000001”与第2行重复" in output and "办理结果不能为空" in output
    assert f"共{ROWS // 125}处问题，修正后才能导入" in output
    assert Matter.objects.count() == Registration.objects.count() == Petitioner.objects.count() == 0

    with pytest.raises(CommandError, match=f"文件有{ROWS // 125}处问题，未导入任何数据"):
        run(path, "--user", case_officer.username)
    assert Matter.objects.count() == Registration.objects.count() == Petitioner.objects.count() == 0
    audit = list(
        AuditEntry.objects.filter(action="legacy:import").order_by("pk").values_list("result", "detail")
    )
    assert [(r, d["dry_run"], d["problems"]) for r, d in audit] == [
        ("failure", True, 80),
        ("failure", False, 80),
    ]


def test_clean_register_commits_and_counts_in_the_statistics(db, units, case_officer, tmp_path, settings):
    settings.XINFANG_TALLIES = True
    sample = legacy_sample.register(ROWS)
    path = tmp_path / "register.xlsx"
    path.write_bytes(sample.content)
    before = work_statistics(2019)
    assert run(path, "--user", case_officer.username, "--dry-run").endswith("检查通过，可以导入。\n")
    assert Matter.objects.count() == 0
    assert f"已导入{ROWS}条历史信访登记" in run(path, "--user", case_officer.username)

    after = work_statistics(2019)
    n, persons = sample.by_year[2019]
    assert (after.total.batches, after.total.persons) == (
        before.total.batches + n,
        before.total.persons + persons,
    )
    assert after.previous_total.batches == before.previous_total.batches + sample.by_year[2018][0]
    assert (
        Matter.objects.filter(state="closed").count() == ROWS
        and Matter.objects.exclude(outcome="").count() == ROWS
    )
    assert tallies.check() == []  # the summary tables were rebuilt with the import
    assert Event.objects.filter(kind="matter:import_legacy").count() == ROWS

    # personal data as a registration stores it: encrypted at rest, found by the keyed hash
    reg = Registration.objects.get(number="LS0000002")
    person = reg.petitioners.get()
    with connection.cursor() as c:
        c.execute("SELECT id_number FROM petitions_petitioner WHERE id = %s", [person.pk])
        raw = c.fetchone()[0]
    assert person.id_number and raw != person.id_number and person.id_number not in raw
    assert person.id_number_hash == pii.id_number_hash(person.id_number)
    entry = AuditEntry.objects.filter(action="legacy:import", result="success").latest("pk")
    assert entry.detail["imported"] == ROWS and entry.user == case_officer

    # importing the same register again changes nothing: every 登记号 is already there
    with pytest.raises(CommandError, match=f"文件有{ROWS}处问题"):
        run(path, "--user", case_officer.username)
    assert Matter.objects.count() == ROWS


def _sheet(rows: list[list]) -> bytes:
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_column_mapping(db, units, case_officer):
    headers = ["编号", "时间", "渠道", "当事人", "事由", "结论"]
    row = ["A-1", "2019年3月5日", "走访", "王某", "反映道路问题", "支持"]
    checked = legacy.check(_sheet([headers, row]))
    assert [str(p) for p in checked.problems] == [
        "文件：找不到“日期”列（可用列名：日期、登记日期、来信来访日期、信访日期、收到日期、来访日期），请在列映射中指定。",
        "文件：找不到“形式”列（可用列名：形式、信访形式、信访方式、方式、来源），请在列映射中指定。",
        "文件：找不到“姓名”列（可用列名：姓名、信访人、信访人姓名、姓名（名称）、名称），请在列映射中指定。",
        "文件：找不到“办理结果”列（可用列名：办理结果、处理结果、处理意见、办结情况、结果），请在列映射中指定。",
    ]
    mapping = {"日期": "时间", "形式": "渠道", "name": "当事人", "办理结果": "结论"}
    checked = legacy.check(_sheet([headers, row]), mapping=mapping)
    assert checked.ok and checked.rows[0].channel == "visit" and checked.rows[0].outcome == "support"
    assert str(legacy.check(_sheet([headers, row]), mapping={"日期": "没有这列"}).problems[0]) == (
        "文件：映射的列“没有这列”（日期）在表头中找不到。"
    )


def test_without_a_case_officer_the_command_asks_for_user(db, units, clerk, tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(legacy_sample.register(3).content)
    with pytest.raises(CommandError, match="没有启用的信访局办案人员，请用 --user 指定"):
        run(path, "--dry-run")


def test_only_case_officers_may_import(db, units, clerk, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(legacy_sample.register(3).content)
    with pytest.raises(CommandError, match="只有信访局办案人员可以导入历史信访登记"):
        run(path, "--user", clerk.username, "--dry-run")
    assert Matter.objects.count() == 0


def test_staff_page_maps_checks_and_imports_through_the_task_queue(db, units, case_officer, clerk, login):
    from django.core.files.storage import default_storage
    from django.core.files.uploadedfile import SimpleUploadedFile

    assert login(clerk).get("/casework/legacy/").status_code == 403
    client = login(case_officer)
    headers = ["编号", "时间", "渠道", "当事人", "事由", "结论", "乡镇"]
    rows = [headers, ["H-1", "2019-03-05", "走访", "王某", "反映道路问题", "支持", ""],
            ["H-2", "2019-03-06", "来信", "李某", "反映低保问题", "不支持", "火星乡"]]  # fmt: skip
    upload = SimpleUploadedFile("旧台账.xlsx", _sheet(rows))
    page = client.post("/casework/legacy/", {"file": upload}).content.decode()
    job = re.search(r'name="job" value="(\w+)"', page)[1]
    assert "列映射" in page and '<option value="乡镇" selected>' in page  # proposed from the header's name
    mapping = {"job": job, "filename": "旧台账.xlsx", "col_number": "编号", "col_date": "时间", "col_channel": "渠道",
               "col_name": "当事人", "col_content": "事由", "col_outcome": "结论", "col_township": "乡镇"}  # fmt: skip
    page = client.post(
        "/casework/legacy/", {**mapping, "dry_run": "on"}
    ).content.decode()  # tasks run in place
    assert "第3行“乡镇”列：乡镇“火星乡”不存在" in page and Matter.objects.count() == 0
    mapping["col_township"] = ""  # map no township column: the file passes
    page = client.post("/casework/legacy/", {**mapping, "dry_run": "on"}).content.decode()
    assert "检查通过：2 行均无问题" in page and "正式导入" in page
    page = client.post("/casework/legacy/", mapping).content.decode()
    assert "已导入 2 条历史信访登记" in page
    assert not default_storage.exists(legacy.job_name(job, "register.xlsx"))  # personal data not kept
    assert set(Matter.objects.values_list("number", "outcome")) == {
        ("H-1", "support"),
        ("H-2", "not_support"),
    }
    status = client.get(f"/casework/legacy/{job}/status/")
    assert status.status_code == 200 and "已导入 2 条" in status.content.decode()
    assert client.get("/casework/legacy/nosuchjob/status/").status_code == 404
