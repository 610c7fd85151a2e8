from django import template
from django.utils import timezone

from xinfang.core.calendars import missing_schedule_warnings

register = template.Library()


@register.simple_tag
def holiday_schedule_warnings() -> list[str]:
    """For pages without a view of ours (the admin index): the missing-schedule warnings for today."""
    return missing_schedule_warnings(today=timezone.localdate())
