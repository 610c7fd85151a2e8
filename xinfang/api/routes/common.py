"""Look-ups shared by the routes: turn identifiers from the request into objects, through access.py."""

from django.core.exceptions import ValidationError
from django.http import Http404

from xinfang.accounts.models import User
from xinfang.petitions import access
from xinfang.petitions.models import Matter, Unit


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
