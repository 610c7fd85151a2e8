"""import_exchange (issue 17): each 交办件 becomes a registration on the 上级交办 channel with the higher level's
number and its deadline clock; idempotent by that number; every item's error with its line; all or nothing."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from tests.exchange.conftest import PNG, as_bytes, item, package, png_attachment
from xinfang.exchange import importer, reader
from xinfang.exchange import package as fmt
from xinfang.petitions import queries
from xinfang.petitions.models import Attachment, Document, Matter, Registration


def run(data: dict, by, **kw) -> importer.Report:
    return importer.import_package(reader.read("package.json", as_bytes(data)), by=by, **kw)


def test_each_item_becomes_an_assignment_from_above_with_its_clock(clerk):
    report = run(
        package(item("ABZ-1", attachments=[png_attachment()]), item("ABZ-2", title="道路维修")), clerk
    )
    assert report.ok and [e for e, _ in report.created] == ["ABZ-1", "ABZ-2"]
    reg = Registration.objects.get(external_number="ABZ-1")
    assert reg.channel == Registration.Channel.ASSIGNED and reg.source_unit.code == "513200"
    assert reg.registered_by == clerk and reg.matter.state == "registered"
    assert reg.external_due.isoformat() == item()["deadline"]
    badge = queries.external_badge(reg.matter)  # the EXTERNAL_REPORT clock beside the triage clock
    assert badge.code == "EXTERNAL_REPORT" and badge.due == reg.external_due and badge.days_left == 30
    assert reg.matter.clock == "TRIAGE" or reg.matter.clock == "TRIAGE_COUNTY_SLICE"
    assert [p.name for p in reg.petitioners.all()] == ["李四"]
    assert Attachment.objects.get(registration=reg).size == len(PNG)


def test_importing_twice_changes_nothing(clerk, package_file):
    path = package_file(package(item("ABZ-1"), item("ABZ-2")))
    call_command("import_exchange", str(path), "--user", clerk.username, stdout=io.StringIO())
    counts = (Matter.objects.count(), Registration.objects.count(), Document.objects.count())
    out = io.StringIO()
    call_command("import_exchange", str(path), "--user", clerk.username, stdout=out)
    assert (Matter.objects.count(), Registration.objects.count(), Document.objects.count()) == counts
    assert "新交办件0件" in out.getvalue() and "已存在未变2件" in out.getvalue()


def test_every_error_with_its_line_and_nothing_imported(clerk, package_file):
    bad = package(
        item("ABZ-1"),
        item("ABZ-2", purpose="ZZ"),
        item("ABZ-3", petitioners=[{"name": "王五", "id_number": "123"}]),
        item("ABZ-4", deadline="2020-13-01"),
        item("ABZ-1", title="重复"),
    )
    path = package_file(bad)
    err = io.StringIO()
    with pytest.raises(CommandError, match="发现4处错误，未导入任何数据"):
        call_command("import_exchange", str(path), "--user", clerk.username, stderr=err, stdout=io.StringIO())
    lines = err.getvalue().splitlines()
    starts = [n + 1 for n, line in enumerate(path.read_text().splitlines()) if line == "    {"]  # each item
    assert len(lines) == 4  # in the order of the file
    assert lines[0] == f"第{starts[1]}行（第2件）［ABZ-2］信访目的：信访目的代码“ZZ”不存在。"
    assert lines[1].startswith(f"第{starts[2]}行（第3件）［ABZ-3］信访人：王五：身份证号码")
    assert lines[2].startswith(f"第{starts[3]}行（第4件）［ABZ-4］交办期限：日期格式无效")
    assert lines[3] == f"第{starts[4]}行（第5件）［ABZ-1］上级交办编号：与第1件重复。"
    assert Matter.objects.count() == 0 and Registration.objects.count() == 0


def test_dry_run_reports_without_saving(clerk):
    report = run(package(item("ABZ-1")), clerk, dry_run=True)
    assert report.ok and report.created[0][0] == "ABZ-1" and not report.committed
    assert not Registration.objects.exists()


def test_only_bureau_staff_import(unit_officer):
    with pytest.raises(importer.PermissionDenied):
        run(package(item()), unit_officer)


def test_envelope_errors(clerk):
    report = run({"format": "other", "version": "9", "items": {}}, clerk)
    assert {p.field for p in report.problems} >= {"格式", "版本", "交办件"}


def test_attachment_checked_like_an_upload(clerk):
    bad = item("ABZ-1", attachments=[{"name": "a.exe", "base64": "TVqQAAMAAAAEAAAA"}])
    broken = item("ABZ-2", attachments=[{"name": "b.png", "base64": "***"}])
    report = run(package(bad, broken), clerk)
    messages = [str(p) for p in report.problems]
    assert any("不是图片" in m for m in messages) and any("Base64 内容无效" in m for m in messages)
    assert not Attachment.objects.exists()


def test_zip_with_file_references(clerk):
    data = package(item("ABZ-1", attachments=[{"name": "信.png", "file": "files/1.png"}]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("package.json", as_bytes(data))
        z.writestr("files/1.png", PNG)
    report = importer.import_package(reader.read("p.zip", buffer.getvalue()), by=clerk)
    assert report.ok and Attachment.objects.get().original_name == "信.png"


def _workbook(rows, people) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = reader.ITEM_SHEET
    sheet.append(list(reader.ITEM_COLUMNS))
    for row in rows:
        sheet.append(row)
    persons = book.create_sheet(reader.PERSON_SHEET)
    persons.append(list(reader.PERSON_COLUMNS))
    for row in people:
        persons.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_workbook_rows_with_their_row_numbers(clerk, tmp_path):
    i = item()
    good = [i["external_number"], "513200", i["received_at"], i["deadline"], "征地补偿", "内容", "04", "03",
            "513223100", "", "", 2]  # fmt: skip
    bad = ["ABZ-9", "999999", i["received_at"], i["deadline"], "道路", "内容", "04", "", "", "", "", ""]
    people = [[i["external_number"], "李四", "11010519491231002X", "13912345678", "", "茂县", "是"],
              [i["external_number"], "李五", "", "139123", "", "", ""], ["ABZ-9", "赵六", "", "", "", "", ""]]  # fmt: skip
    path = tmp_path / "交办.xlsx"
    path.write_bytes(_workbook([good, bad], people))
    report = importer.import_package(reader.read(path.name, path.read_bytes()), by=clerk)
    messages = [str(p) for p in report.problems]
    assert any(m.startswith("“交办件”第3行（第2件）［ABZ-9］交办机关") for m in messages), messages
    assert any(
        m.startswith("“信访人”第3行［ABZ2026-0001］信访人：李五：手机号码格式不对") for m in messages
    ), messages
    assert not Registration.objects.exists()
    path.write_bytes(_workbook([good], people[:1]))
    report = importer.import_package(reader.read(path.name, path.read_bytes()), by=clerk)
    assert report.ok
    reg = Registration.objects.get()
    assert reg.head_count == 2 and reg.registrationpetitioner_set.get().is_representative


def test_unreadable_files():
    with pytest.raises(reader.Unreadable, match="第1行"):
        reader.read("p.json", b"{oops")
    with pytest.raises(reader.Unreadable, match=".xlsx"):
        reader.read("p.xlsx", b"not a workbook")


def test_shipped_schema_is_the_format():
    from importlib import resources

    shipped = json.loads(resources.files("xinfang.exchange").joinpath("data", fmt.SCHEMA_FILE).read_text())
    assert shipped == fmt.schema()
