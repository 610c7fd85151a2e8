"""Shared by the routes: look-ups that turn identifiers from the request into objects (through access.py), a
change with its audit row in one transaction, and the matter as the caller sees it after a change."""

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404

from xinfang.accounts.audit import log_audit
from xinfang.accounts.models import User
from xinfang.api import presenters
from xinfang.petitions import access
from xinfang.petitions.models import Matter, Unit

T = TypeVar("T")


def actor(request):
    """The authenticated user (set by auth.py)."""
    return request.auth


def visible_matter(request, number: str) -> Matter:
    """The matter if the caller may see it; 404 otherwise, whether it exists or not (条例第三十条第三款:
    the existence of a whistleblower's matter is not revealed to the accused)."""
    matter = (
        None if "\x00" in number else access.visible_matters(actor(request)).filter(number=number).first()
    )
    if matter is None:  # (no number holds a NUL character, and PostgreSQL cannot compare one)
        raise Http404(f"未找到信访事项“{number}”，或您无权查看。")
    return matter


def unit_by_code(code: str, *, field: str = "unit") -> Unit | None:
    if not code:
        return None
    found = Unit.objects.filter(code=code).first()
    if found is None:
        raise ValidationError({field: [f"单位代码“{code}”不存在。"]})
    return found


def active_user(username: str) -> User | None:
    """The active user of that name, or None: for the services that answer an unknown name exactly as a name
    they refuse (assign_handler), so that the answer tells nothing about other units' staff."""
    return User.objects.filter(username=username, is_active=True).first()


def user_by_username(username: str, *, field: str) -> User:
    found = User.objects.filter(username=username, is_active=True).first()
    if found is None:
        raise ValidationError({field: [f"用户“{username}”不存在或已停用。"]})
    return found


def audited(
    request,
    change: Callable[[], T],
    *,
    audit: str,
    audit_obj: Callable[[T], object] = lambda result: result,
    within: Callable[[], AbstractContextManager] = transaction.atomic,
    **detail,
) -> T:
    """Run `change` (a service call) and write its audit row (action `audit`) about `audit_obj(result)` in one
    transaction: both or neither, as the staff pages do. `within` opens the transaction
    (`citizens.removing_on_failure` when the change stores files)."""
    with within():
        result = change()
        log_audit(action=audit, request=request, obj=audit_obj(result), **detail)
    return result


def changed_matter(request, matter: Matter):
    """The matter's detail as the caller sees it after a change (the services change it in the database)."""
    matter.refresh_from_db()
    return presenters.matter_detail(actor(request), matter)
