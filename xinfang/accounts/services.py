"""Writers for accounts: roles and tokens."""

import hashlib
import secrets

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from xinfang.accounts import roles as R
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


def grant_roles(user, *codes: str) -> None:
    ensure_roles()
    user.groups.add(*Group.objects.filter(name__in=codes))
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
