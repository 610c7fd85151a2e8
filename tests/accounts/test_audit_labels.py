"""The audit log in Chinese: every action code written by log_audit has a label; roles, objects and details read
as words; the page filters by user, action, result and dates; the .xlsx export states its filters; reading and
exporting are themselves audited."""

import ast
import importlib
import io
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone

from tests import factories
from xinfang.accounts import audit_labels as L
from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import AuditEntry

ROOT = Path(L.__file__).parent.parent


def written_actions() -> tuple[set[str], set[str]]:
    """(codes, f-string prefixes) passed as `action=` to log_audit (or as `audit=` to the views' 404 helpers)
    anywhere in the code; a module-level constant (LOGIN, ROLE_CHANGE …) is resolved by importing its module."""
    codes, prefixes = set(), set()
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        module = ".".join(path.relative_to(ROOT.parent).with_suffix("").parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            for kw in node.keywords:
                if not ((name == "log_audit" and kw.arg == "action") or kw.arg == "audit"):
                    continue
                v = kw.value
                if isinstance(v, ast.Constant) and isinstance(v.value, str):
                    codes.add(v.value)
                elif isinstance(v, ast.JoinedStr) and isinstance(v.values[0], ast.Constant):
                    prefixes.add(v.values[0].value)
                elif isinstance(v, ast.Name):
                    value = getattr(importlib.import_module(module), v.id, None)
                    if isinstance(value, str):
                        codes.add(value)
    return codes, prefixes


def test_every_action_written_has_a_chinese_label():
    codes, prefixes = written_actions()
    assert {"login", "role:change", "audit:archive", "matter:view", "portal:submit", "api:denied"} <= codes
    assert "portal:request_" in prefixes
    assert sorted(codes - set(L.ACTION_LABELS)) == []
    for prefix in prefixes:
        assert any(code.startswith(prefix) for code in L.ACTION_LABELS), prefix


def test_roles_objects_and_details_read_in_chinese(clerk):
    matter = factories.register(clerk)
    entry = log_audit(action="role:change", user=clerk, obj=matter, target="unit1", old_roles=["clerk"],
                      new_roles=["clerk", "leader"], full=True, reason="locked")  # fmt: skip
    row = L.present(entry)
    assert row.action == "变更角色" and row.roles == "接待登记员" and row.result == "成功"
    assert row.object == f"信访事项 #{matter.pk}"
    assert row.detail == ["对象：unit1", "原角色：接待登记员", "新角色：接待登记员、领导", "完整显示：是",
                          "原因：账号已临时锁定"]  # fmt: skip
    assert L.action_label("nothing:known") == "其他操作（nothing:known）"


def test_audit_page_shows_words_and_filters_by_result(login, auditor, clerk):
    log_audit(action="matter:view", user=clerk, number="XF1", full=False)
    log_audit(action="login", username="nobody", result="failure")
    client = login(auditor)
    html = client.get("/casework/audit/").content.decode()
    assert "查看信访事项" in html and "接待登记员" in html and "编号：XF1" in html and "完整显示：否" in html
    assert "matter:view" not in html.split("<tbody>")[1] and "{" not in html.split("<tbody>")[1]
    html = client.get("/casework/audit/", {"result": "failure"}).content.decode()
    body = html.split("<tbody>")[1]
    assert "nobody" in body and "clerk1" not in body and "结果：失败" in html
    read = AuditEntry.objects.filter(action="audit:read").order_by("-id").first()
    assert read.user == auditor and read.detail == {"filters": {"result": "failure"}}


def test_audit_page_refuses_an_inverted_date_range(login, auditor):
    today = timezone.localdate()
    html = login(auditor).get("/casework/audit/", {"date_from": today.isoformat(),
                              "date_to": (today - timedelta(days=1)).isoformat()}).content.decode()  # fmt: skip
    assert "起始日期不能晚于截止日期" in html


def test_export_is_xlsx_with_its_filters_and_is_audited(login, auditor, clerk):
    log_audit(action="matter:view", user=clerk, number="XF1")
    log_audit(action="login", user=clerk)
    response = login(auditor).get("/casework/audit/export.xlsx", {"action": "matter:view"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    ws = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[c for c in row if c is not None] for row in ws.iter_rows(values_only=True)]
    assert values[1] == ["筛选条件：操作：查看信访事项"]
    assert "共 1 条" in values[2][0]
    data = list(ws.iter_rows(min_row=6, values_only=True))
    assert (
        len(data) == 1
        and data[0][1] == "clerk1"
        and data[0][4] == "查看信访事项"
        and "编号：XF1" in data[0][-1]
    )
    entry = AuditEntry.objects.get(action="audit:export")
    assert entry.user == auditor and entry.detail == {"filters": {"action": "matter:view"}}


@pytest.mark.parametrize("who", ["admin_user", "clerk"])
def test_export_refused_to_others(request, login, who):
    response = login(request.getfixturevalue(who)).get("/casework/audit/export.xlsx")
    assert response.status_code == 403 and "审计管理员" in response.content.decode()
    assert AuditEntry.objects.get(action="audit:export").result == "denied"
