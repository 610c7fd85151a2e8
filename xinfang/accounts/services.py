"""Writers for accounts: roles and tokens."""

import hashlib
import secrets
from collections.abc import Iterable

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinfang.accounts import roles as R
from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import ApiToken, RoleGrantRequest

# Roles that may see ID numbers and phone numbers in full (each view is logged).
FULL_PERSONAL_DATA_ROLES = (R.CLERK, R.CASE_OFFICER)
# The administrator manages accounts in the admin site, and nothing else (no casework, no audit log); it asks
# for the guarded roles (RoleGrantRequest), which a 安全管理员 approves.
ADMIN_PERMISSIONS = (
    "add_user", "change_user", "view_user", "view_group", "add_rolegrantrequest", "view_rolegrantrequest",
)  # fmt: skip
# The 安全管理员 decides the grant requests and sees the accounts; it changes no account itself.
SECURITY_ADMIN_PERMISSIONS = ("view_user", "view_group", "view_rolegrantrequest", "change_rolegrantrequest")
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
        if code == R.SECURITY_ADMIN:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label__in=["accounts", "auth"], codename__in=SECURITY_ADMIN_PERMISSIONS
                )
            )
        if code == R.ADMIN:
            group.permissions.add(
                *Permission.objects.filter(
                    content_type__app_label__in=["accounts", "auth"], codename__in=ADMIN_PERMISSIONS
                ),
                *Permission.objects.filter(
                    content_type__app_label="core", codename__in=ADMIN_SCHEDULE_PERMISSIONS
                ),
            )


# 三权分立 (等保 安全管理中心): roles the 系统管理员 may not hand out by itself. Whoever holds them reads the audit
# log (审计管理员), approves these very grants (安全管理员) or sees ID and phone numbers in full; an administrator who
# could grant them could grant them to itself through a second account. They are granted by a request of a
# 系统管理员 that a different person holding 安全管理员 approves (request_grant, decide_grant; docs/security.md).
GUARDED_ROLES = (R.AUDITOR, R.SECURITY_ADMIN, *FULL_PERSONAL_DATA_ROLES)
ROLE_CHANGE = "role:change"
GRANT_REQUEST = "role:request"
GRANT_APPROVE = "role:approve"
GRANT_REFUSE = "role:refuse"


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
    exclusive = administrators_refusal(new | acting_as_admin(user))
    if exclusive:
        return exclusive
    guarded = sorted((new - old) & set(GUARDED_ROLES))
    if not guarded:
        return None
    labels = {"roles": _labels(guarded)}
    if by.has_role(R.ADMIN) or by.is_superuser:
        return (
            _(
                "系统管理员不能授予“%(roles)s”角色：审计管理员、安全管理员和可查看完整个人信息的角色须提交“角色授予申请”，"
                "由另一名安全管理员审批（三权分立）。"
            )
            % labels
        )
    if not by.has_role(R.SECURITY_ADMIN):
        return _("“%(roles)s”角色只能经安全管理员审批授予（三权分立）。") % labels
    return None


def acting_as_admin(user) -> set[str]:
    """A superuser (`createsuperuser`, the installation's first account) counts as the 系统管理员."""
    return {R.ADMIN} if user.is_superuser else set()


def administrators_refusal(roles: Iterable[str]) -> str | None:
    """The 系统管理员, 审计管理员 and 安全管理员 are three different people: no account holds two of them."""
    held = sorted(set(roles) & set(R.ADMINISTRATORS))
    if len(held) > 1:
        return _(
            "系统管理员、审计管理员、安全管理员须由不同人员担任，一个账号不能同时担任“%(roles)s”（三权分立）。"
        ) % {"roles": _labels(held)}
    return None


def _labels(codes: Iterable[str]) -> str:
    return "、".join(str(R.ROLE_LABELS[code]) for code in codes)


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


def grant_request_refusal(user, *, role: str, by) -> str | None:
    """Why `by` may not ask for `role` to be granted to `user`, or None."""
    if not (by.has_role(R.ADMIN) or by.is_superuser):
        return _("只有系统管理员可以提交角色授予申请。")
    if role not in GUARDED_ROLES:
        return _("“%(role)s”角色无须审批，请在用户页面直接修改。") % {"role": R.ROLE_LABELS.get(role, role)}
    if by.pk == user.pk:
        return _("不能为自己申请角色：角色变更须由另一名管理人员办理（三权分立）。")
    if role in user.role_codes:
        return _("该用户已有“%(role)s”角色。") % {"role": R.ROLE_LABELS[role]}
    if RoleGrantRequest.objects.filter(user=user, role=role, state=RoleGrantRequest.State.PENDING).exists():
        return _("已有一份待审批的同一申请。")
    return administrators_refusal(user.role_codes | acting_as_admin(user) | {role})


def request_grant(user, *, role: str, reason: str, by, request=None) -> RoleGrantRequest:
    """A 系统管理员 asks for a guarded role for `user`; nothing changes until a 安全管理员 approves. The request and
    its audit row are written together; a refusal is audited and raised (RoleChangeRefused)."""
    detail = {"target": user.username, "new_roles": [role]}
    refusal = grant_request_refusal(user, role=role, by=by)
    if refusal:
        log_audit(
            action=GRANT_REQUEST,
            user=by,
            request=request,
            obj=user,
            result="denied",
            reason=refusal,
            **detail,
        )
        raise RoleChangeRefused(refusal)
    with transaction.atomic():
        grant = RoleGrantRequest.objects.create(user=user, role=role, reason=reason, requested_by=by)
        log_audit(action=GRANT_REQUEST, user=by, request=request, obj=grant, reason=reason, **detail)
    return grant


def decision_refusal(grant: RoleGrantRequest, *, by) -> str | None:
    if not by.has_role(R.SECURITY_ADMIN):
        return _("只有安全管理员可以审批角色授予申请。")
    if grant.state != RoleGrantRequest.State.PENDING:
        return _("该申请已审批（%(state)s）。") % {"state": grant.get_state_display()}
    if by.pk == grant.requested_by_id:
        return _("不能审批自己提交的申请：须由另一名人员审批（三权分立）。")
    if by.pk == grant.user_id:
        return _("不能审批授予自己的角色（三权分立）。")
    return None


def decide_grant(grant: RoleGrantRequest, *, approve: bool, by, request=None) -> None:
    """A 安全管理员 other than the requester approves (the role is granted by change_roles, with its own audit row)
    or refuses a pending request. The decision, the role change and their audit rows are one transaction; a
    refused decision is audited and raised (RoleChangeRefused)."""
    action = GRANT_APPROVE if approve else GRANT_REFUSE
    detail = {"target": grant.user.username, "new_roles": [grant.role]}
    user = grant.user
    refusal = decision_refusal(grant, by=by) or (
        role_change_refusal(user, roles=user.role_codes | {grant.role}, by=by) if approve else None
    )
    if refusal:
        log_audit(
            action=action, user=by, request=request, obj=grant, result="denied", reason=refusal, **detail
        )
        raise RoleChangeRefused(refusal)
    with transaction.atomic():
        state = RoleGrantRequest.State.APPROVED if approve else RoleGrantRequest.State.REFUSED
        updated = RoleGrantRequest.objects.filter(pk=grant.pk, state=RoleGrantRequest.State.PENDING).update(
            state=state, decided_by=by, decided_at=timezone.now()
        )
        if not updated:  # decided meanwhile by someone else
            raise RoleChangeRefused(_("该申请已由他人审批。"))
        if approve:
            change_roles(user, roles=user.role_codes | {grant.role}, by=by, request=request)
        log_audit(action=action, user=by, request=request, obj=grant, **detail)
    grant.refresh_from_db()


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
