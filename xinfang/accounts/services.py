"""Writers for accounts: roles and tokens."""

import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from xinfang.accounts import roles as R
from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import ApiToken

# Roles that may see ID numbers and phone numbers in full (each view is logged).
FULL_PERSONAL_DATA_ROLES = (R.CLERK, R.CASE_OFFICER)
# The administrator manages accounts in the admin site, and nothing else (no casework, no audit log).
ADMIN_PERMISSIONS = ("add_user", "change_user", "view_user", "view_group")
# …and the official holiday schedule (节假日安排), whose yearly notice they import.
ADMIN_SCHEDULE_PERMISSIONS = tuple(
    f"{action}_{model}"
    for model in ("holidaynotice", "calendarday")
    for action in ("add", "change", "delete", "view")
)


@transaction.atomic
def ensure_roles() -> None:
    """Create the role groups and their model permissions (idempotent)."""
    perm = Permission.objects.get(codename="view_full_personal_data", content_type__app_label="petitions")
    for code in R.ALL_ROLES:
        group, _ = Group.objects.get_or_create(name=code)
        if code in FULL_PERSONAL_DATA_ROLES:
            group.permissions.add(perm)
        if code == R.ADMIN:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label__in=["accounts", "auth"], codename__in=ADMIN_PERMISSIONS
                ),
                *Permission.objects.filter(
                    content_type__app_label="core", codename__in=ADMIN_SCHEDULE_PERMISSIONS
                ),
            )


# 三权分立 (等保 安全管理中心): roles the 系统管理员 may not hand out. Whoever holds them reads the audit log
# (审计管理员) or sees ID and phone numbers in full; an administrator who could grant them could grant them to
# itself through a second account. Granting them is refused in the admin (docs/security.md).
GUARDED_ROLES = (R.AUDITOR, *FULL_PERSONAL_DATA_ROLES)
ROLE_CHANGE = "role:change"


class RoleChangeRefused(PermissionDenied):
    """A role change that separation of duties forbids; the message says why, in Chinese."""


def role_change_refusal(user, *, roles: Iterable[str], by) -> str | None:
    """Why `by` may not give `user` exactly `roles` (replacing what they hold), or None if they may."""
    old, new = set(user.role_codes), set(roles)
    if old == new:
        return None
    if by.pk == user.pk:
        return _("不能修改自己的角色：角色变更须由另一名管理人员办理（三权分立）。")
    unknown = new - set(R.ALL_ROLES)
    if unknown:
        return _("未知角色：%(codes)s。") % {"codes": "、".join(sorted(unknown))}
    guarded = sorted((new - old) & set(GUARDED_ROLES))
    if guarded and (by.has_role(R.ADMIN) or by.is_superuser):
        return _(
            "系统管理员不能授予“%(roles)s”角色：审计管理员和可查看完整个人信息的角色须由另一名人员审批授予（三权分立）。"
        ) % {"roles": "、".join(str(R.ROLE_LABELS[code]) for code in guarded)}
    return None


def change_roles(user, *, roles: Iterable[str], by, request=None) -> None:
    """Give `user` exactly `roles`, as `by` decided; every change and every refusal is audited with the old and
    new roles. Raises RoleChangeRefused when separation of duties forbids it (the refusal's audit row stays
    unless the caller rolls back its own transaction; the admin refuses in form validation, which does not)."""
    old, new = sorted(user.role_codes), sorted(set(roles))
    if old == new:
        return
    detail = {"target": user.username, "old_roles": old, "new_roles": new}
    refusal = role_change_refusal(user, roles=new, by=by)
    if refusal:
        log_role_change_refusal(user, by=by, request=request, reason=refusal, **detail)
        raise RoleChangeRefused(refusal)
    with transaction.atomic():
        ensure_roles()
        user.groups.set(Group.objects.filter(name__in=new))
        _forget_cached_roles(user)
        log_audit(action=ROLE_CHANGE, user=by, request=request, obj=user, **detail)


def log_role_change_refusal(user, *, by, request=None, reason: str, **detail) -> None:
    log_audit(
        action=ROLE_CHANGE, user=by, request=request, obj=user, result="denied", reason=str(reason), **detail
    )


def grant_roles(user, *codes: str, by=None, request=None) -> None:
    """Add `codes` to the roles of `user`. With `by` (a person), this is `change_roles` with its checks and its
    audit row. Without `by` it is setting up an account from code (the demo loader, test fixtures), which no
    screen or API reaches."""
    if by is not None:
        change_roles(user, roles=user.role_codes | set(codes), by=by, request=request)
        return
    ensure_roles()
    user.groups.add(*Group.objects.filter(name__in=codes))
    _forget_cached_roles(user)


def _forget_cached_roles(user) -> None:
    user.__dict__.pop("_role_codes", None)
    if hasattr(user, "_perm_cache"):
        del user._perm_cache
    if hasattr(user, "_group_perm_cache"):
        del user._group_perm_cache


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_token(user, *, name: str) -> str:
    """Create a token and return its key; only the hash is stored, so the key is shown once."""
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=hash_token(key))
    return key
