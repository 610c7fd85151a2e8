"""Roles. A role is a Django Group with the role code as its name; a user may hold several."""

from django.utils.translation import gettext_lazy as _

CLERK = "clerk"  # 接待登记员
CASE_OFFICER = "case_officer"  # 信访局办案人员
UNIT_OFFICER = "unit_officer"  # 责任单位经办人 (sees only own unit's matters)
UNIT_HEAD = "unit_head"  # 责任单位负责人 (sees own unit's matters, approves extensions, 条例第三十四条)
SUPERVISOR = "supervisor"  # 督查督办
LEADER = "leader"  # 领导
FINANCE = "finance"  # 财务人员
AUDITOR = "auditor"  # 审计管理员 (read-only, reads the audit log)
ADMIN = "admin"  # 系统管理员 (manages users, cannot read the audit log)
SECURITY_ADMIN = (
    "security_admin"  # 安全管理员 (approves grants of the guarded roles; no casework, no audit log)
)

ROLE_LABELS = {
    CLERK: _("接待登记员"),
    CASE_OFFICER: _("信访局办案人员"),
    UNIT_OFFICER: _("责任单位经办人"),
    UNIT_HEAD: _("责任单位负责人"),
    SUPERVISOR: _("督查督办人员"),
    LEADER: _("领导"),
    FINANCE: _("财务人员"),
    AUDITOR: _("审计管理员"),
    ADMIN: _("系统管理员"),
    SECURITY_ADMIN: _("安全管理员"),
}
ALL_ROLES = tuple(ROLE_LABELS)
# 三权分立 (等保 2.0 第三级 安全管理中心): the three administrators are three different people, and each signs in
# with a second factor (accounts/totp.py).
ADMINISTRATORS = (ADMIN, AUDITOR, SECURITY_ADMIN)
