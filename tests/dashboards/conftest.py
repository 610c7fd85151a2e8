from datetime import datetime

import pytest
from django.utils import timezone

from tests import factories
from xinfang.petitions import services, workflow
from xinfang.petitions.models import Registration, Unit


def at(*args) -> datetime:
    return timezone.make_aware(datetime(*args, 9, 0) if len(args) == 3 else datetime(*args))


@pytest.fixture
def login(client):
    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def world(people, units, other_unit_officer, time_machine):
    """A small hand-built county, registered on Monday 2025-03-03 and looked at on 2025-03-25:

    dept (人社局, 凤仪镇):  A accepted (HANDLE, ok), B forwarded (NOTIFY overdue), E registered in April (visit,
                           collective 6 persons, 南新镇) and forwarded
    township unit 凤仪镇:   D forwarded to the township (NOTIFY overdue), content 01
    bureau:                C registered only (TRIAGE overdue), 南新镇
    plus a repeat registration of A (same matter) on 2025-03-10.
    """
    clerk = people["clerk"]
    nanxin = Unit.objects.create(
        code="513223101", name="南新镇", kind=Unit.Kind.TOWNSHIP, parent=units["county_gov"]
    )
    time_machine.move_to(at(2025, 3, 3))
    a = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units, title="A 拖欠工资")
    b = factories.matter_in_state(workflow.FORWARDED, people=people, units=units, title="B 社保缴费")
    c = factories.register(
        clerk,
        title="C 道路修建",
        content_class="0101",
        township="513223101",
        petitioners=[factories.petitioner_input(name="李四", id_number="")],
    )
    d = factories.register(
        clerk,
        title="D 宅基地",
        content_class="01",
        petitioners=[factories.petitioner_input(name="王五", id_number="")],
    )
    d = services.forward_matter(d, by=clerk, unit=units["township"])
    time_machine.move_to(at(2025, 3, 10))
    factories.register(clerk, repeat_of=a.number, channel=Registration.Channel.PHONE)
    time_machine.move_to(at(2025, 4, 2))
    e = factories.register(
        clerk,
        title="E 集体讨薪",
        channel=Registration.Channel.VISIT,
        township="513223101",
        head_count=6,
        is_collective=True,
        petitioners=[factories.petitioner_input(name="赵六", id_number="", is_representative=True)],
    )
    e = services.forward_matter(e, by=clerk, unit=units["dept"])
    time_machine.move_to(at(2025, 4, 8))
    return {"A": a, "B": b, "C": c, "D": d, "E": e, "nanxin": nanxin, **units}
