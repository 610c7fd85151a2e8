"""Small template helpers for the staff UI: role-aware navigation and clock badges."""

from django import template
from django.urls import reverse

from xinfang.petitions import access
from xinfang.petitions.queries import supervision as Q

register = template.Library()


@register.filter
def has_role(user, code: str) -> bool:
    return bool(user and user.is_authenticated and user.has_role(code))


@register.filter
def has_any_role(user, codes: str) -> bool:
    """`user|has_any_role:"clerk,leader"`"""
    return bool(user and user.is_authenticated and user.has_role(*codes.split(",")))


@register.filter
def can_register(user) -> bool:
    return access.can_register(user)


@register.filter
def can_read_audit_log(user) -> bool:
    return access.can_read_audit_log(user)


@register.simple_tag
def program_pages(user) -> list[tuple[str, str, str]]:
    """The 专项工作 pages `user` may open, as (address, label, path prefix)."""
    from xinfang.casework.programs.views import PAGES

    if not (user and user.is_authenticated):
        return []
    return [(reverse(name), label, prefix) for name, label, prefix, roles in PAGES if user.has_role(*roles)]


@register.filter
def badge_class(status: str) -> str:
    return {"overdue": "overdue", "due_soon": "due-soon", "ok": "ok"}.get(status, "")


@register.inclusion_tag("casework/_badge.html")
def clock_badge(badge):
    return {"badge": badge}


@register.filter
def unread_notifications(user) -> int:
    return Q.unread_notification_count(user)
