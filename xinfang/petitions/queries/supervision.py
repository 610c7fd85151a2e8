"""Who sees which supervision orders and notifications (readers for the supervision pages; the writes,
mark_read included, are in petitions/supervision.py).

`visible_orders` is the one access function for orders: bureau-wide roles (access.COUNTY_WIDE) see every
order; a unit officer sees the orders issued to their own unit (never a proposal or a dismissed one). Nobody
sees an order about a confidential matter that access.visible_matters hides from them (检举控告: the accused
unit and person, 条例第三十条第三款)."""

from django.db.models import Case, IntegerField, QuerySet, Value, When

from xinfang.accounts import roles as R
from xinfang.petitions import access
from xinfang.petitions.models import Notification, SupervisionOrder

S = SupervisionOrder.Status
UNIT_STATUSES = (S.ISSUED, S.ANSWERED, S.CLOSED)


def visible_orders(user) -> QuerySet:
    qs = SupervisionOrder.objects.select_related("target_unit", "issued_by", "feedback_by")
    if user is None or not user.is_authenticated or not user.is_active:
        return qs.none()
    qs = qs.exclude(matters__in=access.hidden_matters(user))
    if user.has_role(*access.COUNTY_WIDE):
        return qs
    if user.has_role(R.UNIT_OFFICER) and user.unit_id:
        return qs.filter(target_unit_id=user.unit_id, status__in=UNIT_STATUSES)
    return qs.none()


def order_list(user, *, status="", level="", trigger="", unit="") -> QuerySet:
    """Proposals waiting for review first, then the newest."""
    qs = visible_orders(user)
    for field, value in (
        ("status", status),
        ("level", level),
        ("trigger", trigger),
        ("target_unit__code", unit),
    ):
        if value:
            qs = qs.filter(**{field: value})
    first = Case(When(status=S.PROPOSED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return qs.annotate(first=first).order_by("first", "-id").prefetch_related("matters")


def unit_orders(user) -> QuerySet:
    """督办件: orders to the user's unit, those still waiting for feedback first."""
    if not user.has_role(R.UNIT_OFFICER) or not user.unit_id:
        return SupervisionOrder.objects.none()
    waiting = Case(When(status=S.ISSUED, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        visible_orders(user).filter(target_unit_id=user.unit_id).annotate(first=waiting)
        .order_by("first", "deadline", "-id").prefetch_related("matters")
    )  # fmt: skip


def notifications(user) -> QuerySet:
    return Notification.objects.filter(user=user)


def unread_notification_count(user) -> int:
    """The number on the 通知 badge in the navigation."""
    if user is None or not user.is_authenticated:
        return 0
    return notifications(user).filter(read_at=None).count()
