"""The audit log in words an auditor reads: one mapping from each action code `log_audit` is called with to
Chinese, role codes through roles.ROLE_LABELS, object types through the model's verbose name, and the detail
as "键：值" lines. tests/accounts/test_audit_labels.py fails when code writes an action that has no label."""

from dataclasses import dataclass
from datetime import datetime

from django.apps import apps
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinfang.accounts import roles as R

ACTION_LABELS = {
    # accounts
    "login": _("登录"),
    "logout": _("退出登录"),
    "role:change": _("变更角色"),
    "role:request": _("申请授予角色"),
    "role:approve": _("批准角色授予申请"),
    "role:refuse": _("驳回角色授予申请"),
    "user:create": _("新建账号"),
    "user:deactivate": _("停用账号"),
    "user:activate": _("启用账号"),
    "user:set_password": _("设置他人口令"),
    "2fa:enrol": _("绑定动态验证码"),
    "2fa:reset": _("停用他人的动态验证码"),
    "audit:read": _("查看审计日志"),
    "audit:export": _("导出审计日志"),
    "audit:archive": _("归档审计日志"),
    # casework and API
    "registration:create": _("登记信访件"),
    "legacy:import": _("导入历史信访登记表"),
    "matter:view": _("查看信访事项"),
    "petitioner:view_full": _("查看完整证件号码和电话"),
    "document:download": _("下载文书"),
    "registration:receipt": _("下载登记回执"),
    "follow_up:create": _("登记回访"),
    "matter:correct": _("更正登记内容"),
    "attachment:view": _("查看附件"),
    "attachment:download": _("下载附件"),
    "assistance:download": _("下载专项资金救助档案"),
    "worklist:export": _("导出信访事项列表"),
    "matter:similar": _("查找同人同事（疑似重复）"),
    "matter:merge": _("合并信访事项"),
    "matter:unmerge": _("撤销合并信访事项"),
    "matter:join": _("作为重复件并入已有事项"),
    "person:view": _("查看信访人的全部信访记录"),
    "api:denied": _("接口访问被拒绝"),
    # exchange with the level above (issue 17)
    "exchange:import": _("导入上级交办件"),
    "exchange:page": _("打开上级交办件交换页面"),
    "exchange:export": _("导出办理结果交换包（含个人信息）"),
    # portal (citizens)
    "portal:submit": _("网上信访提交"),
    "portal:submit_blocked": _("网上信访提交（频率限制）"),
    "portal:honeypot": _("网上信访提交（疑似自动程序）"),
    "portal:track": _("网上查询办理进度"),
    "portal:track_blocked": _("网上查询（频率限制）"),
    "portal:track_failed": _("网上查询（查询码错误）"),
    "portal:document_download": _("网上下载文书"),
    "portal:evaluate": _("网上满意度评价"),
    "portal:request_review": _("网上申请复查"),
    "portal:request_recheck": _("网上申请复核"),
    "portal:add_information": _("网上补充材料"),
    # Open311 GeoReport v2 (issue 17)
    "open311:submit": _("Open311 接口提交"),
    "open311:submit_blocked": _("Open311 接口提交（频率限制）"),
}

DETAIL_LABELS = {
    "number": _("编号"),
    "matter": _("事项编号"),
    "full": _("完整显示"),
    "petitioners": _("信访人（编号）"),
    "filters": _("筛选条件"),
    "reason": _("原因"),
    "typed": _("输入的用户名"),
    "target": _("对象"),
    "old_roles": _("原角色"),
    "new_roles": _("新角色"),
    "before": _("截止时间"),
    "count": _("条数"),
    "found": _("结果（事项编号）"),
    "first_id": _("起始记录号"),
    "last_id": _("结束记录号"),
    "file": _("文件"),
    "sha256": _("SHA-256 校验值"),
    "error": _("错误"),
    "path": _("地址"),
    "name": _("文件名"),
    "with_code": _("含查询码"),
    "created": _("新登记件数"),
    "updated": _("补充结果件数"),
    "items": _("件数"),
    # filter keys (audit and worklist exports)
    "username": _("用户名"),
    "action": _("操作"),
    "result": _("结果"),
    "date_from": _("起始日期"),
    "date_to": _("截止日期"),
    "page": _("页码"),
    "q": _("关键词"),
    "state": _("状态"),
    "channel": _("信访形式"),
    "township": _("属地"),
    "handling_unit": _("责任单位"),
    "clock": _("时限"),
    "queue": _("只看我的待办"),
    "sort": _("排序"),
    "filtered": _("筛选"),
}
VALUE_LABELS = {"locked": _("账号已临时锁定"), "otp": _("动态验证码错误"), "保存期内": _("保存期内")}
RESULT_LABELS = {"success": _("成功"), "failure": _("失败"), "denied": _("拒绝")}
ROLE_KEYS = {"old_roles", "new_roles"}


def action_label(code: str) -> str:
    return str(ACTION_LABELS.get(code, _("其他操作（%(code)s）") % {"code": code}))


def roles_label(codes: str | list[str]) -> str:
    items = codes.split(",") if isinstance(codes, str) else list(codes)
    return "、".join(str(R.ROLE_LABELS.get(c, c)) for c in items if c) or "—"


def object_label(object_type: str, object_id: str) -> str:
    """“信访事项 #12”: the model's verbose name and the row id."""
    if not object_type:
        return "—"
    try:
        name = str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        name = object_type
    return f"{name} #{object_id}" if object_id else name


def _value(key: str, value) -> str:
    if key in ROLE_KEYS and isinstance(value, list | tuple):
        return roles_label(list(value))
    if key == "action" and isinstance(value, str):
        return action_label(value)
    if key == "result" and isinstance(value, str):
        return str(RESULT_LABELS.get(value, value))
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, dict):
        return "；".join(f"{_key(k)}：{_value(k, v)}" for k, v in value.items()) or "—"
    if isinstance(value, list | tuple):
        return "、".join(_value(key, v) for v in value)
    if isinstance(value, str) and value in VALUE_LABELS:
        return str(VALUE_LABELS[value])
    return str(value)


def _key(key: str) -> str:
    return str(DETAIL_LABELS.get(key, key))


def detail_lines(detail: dict) -> list[str]:
    """The detail as "键：值" lines in Chinese."""
    return [f"{_key(k)}：{_value(k, v)}" for k, v in (detail or {}).items()]


def filters_text(filters: dict) -> str:
    """The filters of a list or an export, in words: "操作：查看信访事项；起始日期：2026-01-01", or “无”."""
    shown = {
        k: v for k, v in filters.items() if v not in ("", None, False, []) and k not in ("page", "filtered")
    }
    return _value("filters", shown) if shown else str(_("无（全部记录）"))


@dataclass(frozen=True)
class AuditRow:
    at: datetime
    username: str
    roles: str
    ip: str
    action: str
    object: str
    result: str
    detail: list[str]


def present(entry) -> AuditRow:
    """One AuditEntry as the page and the export show it."""
    return AuditRow(
        at=timezone.localtime(entry.at),
        username=entry.username or "—",
        roles=roles_label(entry.roles),
        ip=entry.ip or "",
        action=action_label(entry.action),
        object=object_label(entry.object_type, entry.object_id),
        result=str(RESULT_LABELS.get(entry.result, entry.result)),
        detail=detail_lines(entry.detail),
    )
