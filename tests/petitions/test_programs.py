from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum

from tests import factories
from xinfang.petitions import programs, services, workflow
from xinfang.petitions.models import Registration


def test_reception_day_registers_every_person_with_the_leader(clerk, leader, units):
    today = services.today()
    day = programs.schedule_reception_day(
        by=clerk, leader=leader, on=today, place="群众接待中心", topic="劳动保障"
    )
    for name in ("王某某", "李某某", "赵某某"):
        data = factories.petition_input(channel="visit", petitioners=[factories.petitioner_input(name=name,
                                        id_number="")])  # fmt: skip
        programs.record_reception(day, by=clerk, data=data, outcome="assigned")
    regs = Registration.objects.filter(reception_day=day)
    assert regs.count() == 3 and all(r.leader == leader and r.channel == "visit" for r in regs)
    assert all(r.matter.state == workflow.REGISTERED for r in regs)
    with pytest.raises(services.WorkflowError, match="接访日"):
        data = factories.petition_input(received_at=factories.aware(2019, 1, 1, 9))
        programs.record_reception(day, by=clerk, data=data, outcome="resolved")


def test_ownership_and_instruction_on_timeline(people, units, leader, case_officer):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    programs.take_ownership(matter, by=case_officer, leader=leader)
    programs.record_instruction(matter, by=leader, text="请人社局一周内拿出解决方案")
    matter.refresh_from_db()
    assert matter.owner == leader
    assert list(matter.events.filter(kind__in=["matter:owned", "matter:instruction"]).values_list("kind", flat=True)) \
        == ["matter:owned", "matter:instruction"]  # fmt: skip
    with pytest.raises(PermissionDenied):
        programs.record_instruction(matter, by=case_officer, text="x")


def test_campaign_progress_counts_only_its_own_matters(people, units, case_officer):
    a = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    b = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    today = services.today()
    one = programs.create_campaign(
        by=case_officer, name="积案化解攻坚", start=today, end=today + timedelta(days=90)
    )
    two = programs.create_campaign(
        by=case_officer, name="另一活动", start=today, end=today + timedelta(days=90)
    )
    item = programs.add_to_campaign(one, by=case_officer, matter=a, unit=units["dept"])
    programs.add_to_campaign(two, by=case_officer, matter=b, unit=units["dept"])
    programs.record_campaign_progress(item, by=case_officer, status="stopped", note="息诉罢访")
    assert one.items.filter(status="stopped").count() == 1 and two.items.filter(status="pending").count() == 1
    with pytest.raises(services.WorkflowError):
        programs.add_to_campaign(one, by=case_officer, matter=a, unit=units["dept"])


def test_fund_payment_needs_approved_application(people, units, case_officer, leader):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    case = programs.apply_assistance(
        matter, by=case_officer, persons=2, hardship="因病致贫", amount=Decimal("50000")
    )
    with pytest.raises(services.WorkflowError, match="已批准"):
        programs.pay_assistance(case, by=case_officer, paid_on=services.today(), amount=Decimal("1000"))
    with pytest.raises(PermissionDenied):
        programs.decide_assistance(case, by=case_officer, approve=True, amount=Decimal("40000"))
    programs.decide_assistance(case, by=leader, approve=True, amount=Decimal("40000"), note="同意")
    with pytest.raises(services.WorkflowError):
        programs.pay_assistance(case, by=case_officer, paid_on=services.today(), amount=Decimal("40001"))
    case = programs.pay_assistance(case, by=case_officer, paid_on=services.today(), amount=Decimal("40000"),
                                   stopped_petitioning=True)  # fmt: skip
    assert case.status == "paid"
    import io

    from docx import Document as Docx

    text = "\n".join(p.text for p in Docx(io.BytesIO(programs.assistance_file_docx(case))).paragraphs)
    assert case.number in text


def test_video_reception_and_dispute(units, clerk, unit_officer):
    session = programs.schedule_video_session(by=clerk, township=units["township"],
                                              at=factories.aware(2026, 1, 5, 9))  # fmt: skip
    for n in (2, 3):
        programs.record_video_reception(session, by=clerk, data=factories.petition_input(head_count=n, received_at=factories.aware(2026, 1, 5, 9, 30), petitioners=[
            factories.petitioner_input(name=f"村民{n}", id_number="")]))  # fmt: skip
    programs.hold_video_session(session, by=clerk, outcome="远程接访2批5人次")
    assert session.registrations.aggregate(n=Sum("head_count"))["n"] == 5
    assert set(session.registrations.values_list("channel", flat=True)) == {"video"}
    dispute = programs.register_dispute(by=unit_officer, found_on=date.today(), parties="甲村与乙村", kind="土地边界",
                                        summary="林地边界争议", township=units["township"])  # fmt: skip
    programs.record_mediation(dispute, by=unit_officer, mediator="peoples", result="unresolved")
    registration, _code = programs.convert_dispute(
        dispute, by=clerk, data=factories.petition_input(title="林地边界争议")
    )
    matter = registration.matter
    dispute.refresh_from_db()
    assert dispute.matter == matter and dispute.result == "petition"
