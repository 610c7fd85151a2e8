"""Fixtures for the workflow matrices.

Building a matter in a late state takes ten service calls, and the matrices need one in every state
for hundreds of tests. So each test module builds its `world` once: staff in every role, and one
matter per state, all through the services (`tests.factories`). The world lives inside a
module-wide transaction; every test runs in a savepoint inside it (pytest-django's `db`), so what a
test changes is rolled back and the next test finds the world as built. Tests must re-read a matter
from the database (`world.matter(state)`), never keep an instance from another test.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone

from tests import factories
from xinfang.accounts import roles as R
from xinfang.petitions import services, workflow
from xinfang.petitions.models import Document, Event, Matter, Recusal, Registration, Unit

# Persona → (username, roles, unit key). Usernames differ from tests/conftest.py's personas so that
# a test may also use those fixtures.
PERSONAS: dict[str, tuple[str, tuple[str, ...], str | None]] = {
    "clerk": ("wf_clerk", (R.CLERK,), "bureau"),
    "case_officer": ("wf_officer", (R.CASE_OFFICER,), "bureau"),
    "unit_officer": ("wf_unit", (R.UNIT_OFFICER,), "dept"),  # officer of the handling unit
    "unit_head": ("wf_unithead", (R.UNIT_OFFICER, R.UNIT_HEAD), "dept"),  # 负责人 and officer of the unit
    "other_unit_officer": ("wf_unit2", (R.UNIT_OFFICER,), "township"),
    "supervisor": ("wf_super", (R.SUPERVISOR,), "bureau"),
    "leader": ("wf_leader", (R.LEADER,), "county_gov"),
    "auditor": ("wf_audit", (R.AUDITOR,), "bureau"),
    "admin": ("wf_admin", (R.ADMIN,), "bureau"),
    "finance": ("wf_finance", (R.FINANCE,), "bureau"),
    "no_role": ("wf_nobody", (), "bureau"),
}


def aware(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def noon_after(day, days: int = 1) -> datetime:
    """Noon (Asia/Shanghai) `days` days after `day`: a safe moment to travel to."""
    d = day + timedelta(days=days)
    return aware(d.year, d.month, d.day, 12, 0)


@dataclass
class World:
    units: dict[str, Unit]
    people: dict
    matters: dict[str, int] = field(default_factory=dict)  # state -> Matter.pk

    def matter(self, state: str) -> Matter:
        return Matter.objects.get(pk=self.matters[state])

    @property
    def original(self) -> Matter:
        """The terminated matter that `refuse_repeat` points at."""
        return self.matter(workflow.TERMINATED)


def build_state(state: str, *, people: dict, units: dict, original: Matter | None = None) -> Matter:
    """A fresh matter in `state`, through the services (including the states factories cannot reach)."""
    if state == workflow.RECEIVED:
        return factories.online_submission()
    if state == workflow.NO_LONGER_ACCEPTED:
        matter = factories.register(people["clerk"])
        return services.refuse_repeat(matter, by=people["clerk"], original=original)
    if state == workflow.CLOSED:
        matter = factories.matter_in_state(workflow.DELIVERED, people=people, units=units)
        with time_machine.travel(noon_after(matter.review_request_due), tick=False):
            return services.close_matter(matter, by=people["case_officer"])
    return factories.matter_in_state(state, people=people, units=units)


def act(action: str, matter: Matter, *, world: World, by=None) -> Matter:
    """Perform `action` through its service: as its natural actor (factories.do), or as `by`."""
    people = world.people if by is None else {**world.people, **dict.fromkeys(ACTOR_KEYS, by)}
    if action == "register":
        return services.register_received(matter, by=people["clerk"])
    if action == "refuse_repeat":
        return services.refuse_repeat(matter, by=people["clerk"], original=world.original)
    if action == "close" and by is None:
        return services.close_matter(matter, by=people["case_officer"])
    return factories.do(action, matter, people=people, units=world.units)


# The keys of the people dict that factories.do picks its actor from.
ACTOR_KEYS = ("clerk", "case_officer", "unit_officer", "unit_head")


def make_world() -> World:
    units = factories.make_units()
    people = {
        key: factories.make_user(username, *roles, unit=units[unit] if unit else None, full_name=key)
        for key, (username, roles, unit) in PERSONAS.items()
    }
    world = World(units=units, people=people)
    world.matters[workflow.TERMINATED] = build_state(workflow.TERMINATED, people=people, units=units).pk
    for state in workflow.STATES:
        if state not in world.matters:
            matter = build_state(state, people=people, units=units, original=world.original)
            world.matters[state] = matter.pk
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """Staff in every role and one matter per state, built once per test module (see module doc)."""
    fast_hasher = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic():
        with fast_hasher:
            built = make_world()
        yield built
        transaction.set_rollback(True)


def snapshot(matter_pk: int) -> dict:
    """Everything a refused action must leave unchanged: the matter's row and the row counts of the
    tables an action writes to (two queries)."""
    tables = [m._meta.db_table for m in (Event, Document, Registration, Recusal, Matter)]
    counts = ", ".join(f'(SELECT COUNT(*) FROM "{table}")' for table in tables)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}")
        rows = dict(zip(tables, cursor.fetchone(), strict=True))
    return {"matter": Matter.objects.filter(pk=matter_pk).values().get(), "rows": rows}
