import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from PIL import Image

from tests import factories
from xinfang.petitions import citizens, services, workflow
from xinfang.petitions.models import Attachment, Registration


def png_bytes() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="PNG")
    return buf.getvalue()


def test_online_submission_waits_for_registration_and_is_found_by_query_code(units):
    reg, code = citizens.submit_online(
        factories.petition_input(), uploads=[citizens.Upload("证据.png", png_bytes())]
    )
    assert reg.channel == Registration.Channel.ONLINE and reg.matter.state == workflow.RECEIVED
    assert len(code) == 12 and code not in reg.query_code_hash
    assert citizens.find_registration(reg.number, code.lower()) == reg
    assert citizens.find_registration(reg.number, "AAAAAAAAAAAA") is None
    assert citizens.find_registration("DJ0000000", code) is None
    att = Attachment.objects.get()
    assert att.content_type == "image/png" and att.from_petitioner and att.original_name == "证据.png"


def test_forged_upload_is_refused_and_nothing_saved(units):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100
    with pytest.raises(ValidationError) as e:
        citizens.submit_online(factories.petition_input(), uploads=[citizens.Upload("photo.jpg", exe)])
    assert "photo.jpg" in str(e.value)
    assert not Registration.objects.exists() and not Attachment.objects.exists()


def test_claim_requires_id_number_and_mobile(units):
    data = factories.petition_input(petitioners=[factories.petitioner_input(id_number="", mobile="")])
    with pytest.raises(ValidationError, match="身份证号码"):
        citizens.submit_online(data)
    suggestion = factories.petition_input(
        purpose="01", petitioners=[factories.petitioner_input(id_number="")]
    )
    reg, _ = citizens.submit_online(suggestion)
    assert reg.matter.category == "suggestion"


def test_evaluation_windows_once_each(people, units, time_machine):
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    with pytest.raises(services.WorkflowError, match="尚未到评价时间"):
        citizens.evaluate(matter, target="unit", value="satisfied")
    with pytest.raises(services.WorkflowError, match="说明原因"):
        citizens.evaluate(matter, target="bureau", value="unsatisfied")
    citizens.evaluate(matter, target="bureau", value="basically")
    with pytest.raises(services.WorkflowError, match="只能评价一次"):
        citizens.evaluate(matter, target="bureau", value="satisfied")
    delivered = factories.matter_in_state(workflow.DELIVERED, people=people, units=units)
    assert citizens.evaluation_status(delivered, "unit") == "open"
    time_machine.move_to(delivered.eval_unit_due + timedelta(days=1))
    assert citizens.evaluation_status(delivered, "unit") == "expired"
    with pytest.raises(services.WorkflowError, match="超过评价期限"):
        citizens.evaluate(delivered, target="unit", value="satisfied")


def test_add_information_to_open_matter_only(people, units):
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    event = citizens.add_information(
        matter, text="补充工资条", uploads=[citizens.Upload("a.png", png_bytes())]
    )
    assert event.is_public and event.data["attachments"]
    closed = factories.matter_in_state(workflow.NOT_ACCEPTED, people=people, units=units)
    with pytest.raises(services.WorkflowError):
        citizens.add_information(closed, text="再补充")
