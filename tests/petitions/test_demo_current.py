"""This year's demo work on another day than the suite's pinned one: early January, when this year has hardly
begun (its reception days, video sessions and 督办 lie ahead) — the demo must work on any date."""

from datetime import date, datetime, time

import pytest
from django.test import override_settings
from django.utils import timezone

from xinfang.petitions import demo
from xinfang.petitions.models import Matter

from .test_demo import COUNT, assert_current_year_work

pytestmark = pytest.mark.django_db


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
def test_current_year_work_in_early_january(time_machine):
    today = date(2027, 1, 5)
    time_machine.move_to(timezone.make_aware(datetime.combine(today, time(10))), tick=False)
    assert timezone.localdate() == today
    result = demo.load_demo(count=COUNT, history=False)
    assert result.created and Matter.objects.count() == COUNT
    assert_current_year_work(today)
