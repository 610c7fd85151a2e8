"""The staff page /casework/exchange/: upload with a dry run, import, export with the log; bureau staff only."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.exchange.conftest import as_bytes, item, package
from xinfang.accounts.models import AuditEntry
from xinfang.exchange.models import Export
from xinfang.petitions.models import Registration

URL = "/casework/exchange/"


def _upload(client, data: dict, *, dry_run: bool):
    upload = SimpleUploadedFile("交办.json", as_bytes(data), content_type="application/json")
    return client.post(URL, {"file": upload, **({"dry_run": "on"} if dry_run else {})})


def test_dry_run_then_import(login, clerk):
    client = login(clerk)
    page = client.get(URL).content.decode()
    assert "上级交办件交换" in page
    assert "docs/" not in page  # a clerk cannot open the repository's documents (found by the UI walk)
    page = _upload(client, package(item("ABZ-1")), dry_run=True).content.decode()
    assert "试导入结果（未保存）" in page and "ABZ-1 → （将新登记）" in page
    assert not Registration.objects.exists()
    page = _upload(client, package(item("ABZ-1")), dry_run=False).content.decode()
    number = Registration.objects.get(external_number="ABZ-1").matter.number
    assert "导入完成" in page and f'href="/casework/matters/{number}/"' in page
    assert AuditEntry.objects.filter(action="exchange:import", username=clerk.username).exists()


def test_errors_listed_nothing_saved(login, clerk):
    page = _upload(login(clerk), package(item("ABZ-1", purpose="ZZ")), dry_run=False).content.decode()
    assert "导入失败：未导入任何数据" in page and "信访目的代码“ZZ”不存在" in page
    assert not Registration.objects.exists()
    page = login(clerk).post(URL, {"file": SimpleUploadedFile("x.json", b"[1,")}).content.decode()
    assert "JSON 格式错误" in page


def test_export_download_and_log(login, clerk):
    client = login(clerk)
    _upload(client, package(item("ABZ-1")), dry_run=False)
    response = client.post(URL, {"export": "1"})
    assert response["Content-Type"] == "application/json" and "attachment" in response["Content-Disposition"]
    assert [i["external_number"] for i in json.loads(response.content)["items"]] == ["ABZ-1"]
    log = Export.objects.get()
    assert log.by == clerk and log.items == 1
    page = client.get(URL).content.decode()
    assert log.sha256[:16] in page


def test_only_bureau_staff(login, unit_officer):
    response = login(unit_officer).get(URL)
    assert response.status_code == 403 and "信访部门" in response.content.decode()
