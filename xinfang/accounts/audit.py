"""The one way to write the security audit log."""

from xinfang.accounts.models import AuditEntry
from xinfang.core.net import client_ip  # behind trusted proxies; re-exported for callers

__all__ = ["client_ip", "log_audit"]


def log_audit(
    *, action: str, user=None, request=None, result: str = "success", obj=None, username: str = "", **detail
) -> AuditEntry:
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return AuditEntry.objects.create(
        user=user,
        username=username or (user.username if user else ""),
        roles=",".join(sorted(user.role_codes)) if user else "",
        ip=client_ip(request),
        action=action,
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        result=result,
        detail=detail,
    )
