"""同人同事 (issue 16): candidates by person and by content, the clerk's choice for a repeat and its notice."""

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from tests import factories
from xinfang.petitions import pii, services, similar, workflow
from xinfang.petitions.models import Event, Matter, Petitioner, Registration, SimilarityBand, Unit

WAGES = (
    "我们是凤仪镇水西村的村民，在县城某建筑公司打工。该公司拖欠我们十二名农民工的工资共计八万元，"
    "包工头已经跑路，公司负责人一直推脱不管。请求有关部门督促公司支付拖欠的工资。"
)
# the same complaint, sentences reordered and reworded, one detail added
WAGES_AGAIN = (
    "请求督促建筑公司支付拖欠的工资。县城某建筑公司拖欠我们十二名农民工工资八万元，包工头跑路了，"
    "公司负责人推脱不管，春节前还没有拿到钱。我们是水西村村民。"
)
ROAD = "村里通往小学的道路年久失修，雨天泥泞，学生上学很不安全，请求镇政府尽快硬化道路。"


def draft(text="", **kw) -> similar.Draft:
    return similar.Draft(content=text, **kw)


def numbers(found) -> list[str]:
    return [c.matter.number for c in found]


# --- the same person ----------------------------------------------------------------------------------


def test_a_legacy_15_digit_id_number_finds_the_18_digit_one(clerk):
    earlier = factories.register(clerk, content=ROAD, title="道路问题")
    legacy = "110105491231002"  # 11010519491231002X in its 15-digit form
    found = similar.candidates(clerk, draft("另一件事", petitioners=[similar.Person(id_number=legacy)]))
    assert numbers(found) == [earlier.number]
    assert "同一证件号" in found[0].reasons


def test_mobile_and_landline_match_however_they_are_written(clerk):
    person = factories.petitioner_input(id_number="", mobile="13912345678", landline="0837-7422123")
    earlier = factories.register(clerk, content=ROAD, title="道路问题", petitioners=[person])
    by_mobile = similar.candidates(clerk, draft(petitioners=[similar.Person(mobile="+86 139 1234 5678")]))
    by_landline = similar.candidates(
        clerk, draft(petitioners=[similar.Person(landline="(0837)7422123 转 801")])
    )
    assert numbers(by_mobile) == numbers(by_landline) == [earlier.number]
    assert by_landline[0].reasons == ["同一电话"]
    assert Petitioner.objects.get().landline_hash == pii.landline_hash("08377422123")


def test_a_name_of_the_same_sound_is_a_reason_not_a_source(clerk):
    person = factories.petitioner_input(name="张伟", id_number="", mobile="")
    earlier = factories.register(clerk, content=WAGES, petitioners=[person])
    assert Petitioner.objects.get().name_key == "zhangwei"
    with_words = similar.candidates(clerk, draft(WAGES_AGAIN, petitioners=[similar.Person(name="章伟")]))
    assert numbers(with_words) == [earlier.number] and "同名（拼音相同）" in with_words[0].reasons
    assert similar.candidates(clerk, draft("无关的内容", petitioners=[similar.Person(name="章伟")])) == []


def test_representatives_of_a_collective_visit_are_each_a_person(clerk):
    reps = [
        factories.petitioner_input(name="李四", id_number="", mobile="13800001111", is_representative=True),
        factories.petitioner_input(name="王五", id_number="", mobile="13800002222", is_representative=True),
    ]
    earlier = factories.register(clerk, channel=Registration.Channel.VISIT, head_count=20, is_collective=True,
                                 petitioners=reps, content=ROAD)  # fmt: skip
    found = similar.candidates(clerk, draft(petitioners=[similar.Person(mobile="13800002222")]))
    assert numbers(found) == [earlier.number]


# --- the same matter ----------------------------------------------------------------------------------


def test_reworded_content_is_found_with_its_share_and_an_unrelated_one_is_not(clerk):
    nobody = [factories.petitioner_input(name="某甲", id_number="", mobile="")]
    wages = factories.register(clerk, content=WAGES, title="拖欠农民工工资", petitioners=nobody,
                               township="", content_class="")  # fmt: skip
    factories.register(
        clerk, content=ROAD, title="道路失修", petitioners=nobody, township="", content_class=""
    )
    assert SimilarityBand.objects.filter(matter=wages).count() == similar.BANDS
    found = similar.candidates(clerk, draft(WAGES_AGAIN))
    assert numbers(found) == [wages.number]
    share = found[0].content
    assert 0.4 < share < 1 and f"内容相似 {round(share * 100)}%" in found[0].reasons
    assert similar.candidates(clerk, draft("征地补偿款至今未发放，请求落实补偿标准。")) == []


def test_same_township_and_class_within_the_window(clerk):
    nobody = [factories.petitioner_input(name="某甲", id_number="", mobile="")]
    earlier = factories.register(clerk, content=ROAD, petitioners=nobody)
    found = similar.candidates(clerk, draft("完全不同的说法", township="513223100", content_class="03"))
    assert numbers(found) == [earlier.number] and found[0].reasons == ["同乡镇同类别"]


def test_rebuild_writes_the_same_bands_as_registration(clerk):
    for text in (WAGES, ROAD, WAGES_AGAIN):  # several matters: one signature each out of the chunk's arrays
        factories.register(clerk, content=text)
    before = sorted(SimilarityBand.objects.values_list("matter_id", "key"))
    table = SimilarityBand._meta.db_table
    indexes = sorted(similar._secondary_indexes(table))
    assert {name for name, _ in indexes} >= {"similarity_band_key"}
    assert similar.rebuild() == len(before) == 3 * similar.BANDS
    assert sorted(SimilarityBand.objects.values_list("matter_id", "key")) == before
    assert sorted(similar._secondary_indexes(table)) == indexes  # dropped for the load, created again


def test_signatures_of_many_sets_at_once_are_those_of_each(clerk):
    sets = [similar.text_shingles(text) for text in (WAGES, ROAD, WAGES_AGAIN, "工资")]
    together = similar.signatures(sets)
    for tokens, row in zip(sets, together, strict=True):
        x = np.array([similar._base(t) for t in tokens], dtype=np.uint64)
        assert (row == ((np.outer(x, similar._A) + similar._B) % similar._PRIME).min(axis=0)).all()


def test_a_band_key_of_too_many_matters_is_not_read(clerk, monkeypatch):
    """The county's boilerplate: a key shared by more than KEY_CAP matters says nothing about which matter a
    draft repeats; the draft's candidates come from its rarer keys."""
    nobody = [factories.petitioner_input(name="某甲", id_number="", mobile="")]
    same = [factories.register(clerk, content=WAGES, title="拖欠农民工工资", petitioners=nobody, township="",
                               content_class="") for _ in range(3)]  # fmt: skip
    monkeypatch.setattr(similar, "KEY_CAP", 3)
    assert set(numbers(similar.candidates(clerk, draft(WAGES_AGAIN)))) == {m.number for m in same}
    monkeypatch.setattr(similar, "KEY_CAP", 2)  # every key of the draft's words now has too many matters
    assert similar.candidates(clerk, draft(WAGES_AGAIN)) == []
    road = factories.register(clerk, content=ROAD, title="道路失修", petitioners=nobody, township="",
                              content_class="")  # fmt: skip
    assert numbers(similar.candidates(clerk, draft(ROAD))) == [road.number]  # its keys are rare


# --- access -------------------------------------------------------------------------------------------


def test_another_units_and_confidential_matters_never_appear(clerk, unit_officer, other_unit_officer, units):
    mine = factories.register(clerk, content=WAGES)
    services.forward_matter(mine, by=clerk, unit=units["dept"])
    other_unit = Unit.objects.create(code="513223JYJ", name="茂县教育局", kind=Unit.Kind.DEPARTMENT,
                                     parent=units["county_gov"])  # fmt: skip
    theirs = factories.register(clerk, content=WAGES)
    services.forward_matter(theirs, by=clerk, unit=other_unit)
    secret = factories.register(clerk, content=WAGES, purpose="02", accused_unit=units["dept"].code)
    assert Matter.objects.get(pk=secret.pk).is_confidential
    person = [similar.Person(id_number="11010519491231002X")]
    assert numbers(similar.candidates(unit_officer, draft(WAGES_AGAIN, petitioners=person))) == [mine.number]
    assert secret.number not in numbers(similar.candidates(clerk, draft(WAGES_AGAIN, petitioners=person)))
    assert theirs.number in numbers(similar.candidates(clerk, draft(WAGES_AGAIN, petitioners=person)))


# --- the clerk's choice -------------------------------------------------------------------------------


def repeat(clerk, original, disposition, reason="同一证件号，内容相同"):
    return services.register_petition(
        factories.petition_input(repeat_of=original.number, disposition=disposition, repeat_reason=reason),
        by=clerk,
    )


def test_repeat_of_an_open_matter_joins_it_and_records_the_reason(clerk, in_state):
    original = in_state(workflow.ACCEPTED)
    assert similar.choices(original) == ["repeat", "pending"]
    reg = repeat(clerk, original, "repeat")
    assert reg.matter == original and reg.disposition == Registration.Disposition.REPEAT
    event = Event.objects.get(matter=original, kind="registration:repeat")
    assert event.note == "同一证件号，内容相同" and event.data["disposition"] == "repeat"


def test_repeat_of_a_matter_terminated_after_recheck_is_no_longer_accepted(clerk, in_state):
    original = in_state(workflow.TERMINATED)
    assert similar.choices(original) == ["no_longer"]
    reg = repeat(clerk, original, "no_longer")
    assert reg.disposition == Registration.Disposition.NO_LONGER
    event = Event.objects.get(matter=original, kind="registration:no_longer_accepted")
    assert event.document.kind == "no_longer_notice" and "第三十六条第三款" in event.document.body


def test_repeat_of_a_matter_accepted_and_in_its_period_is_not_accepted(clerk, in_state):
    original = in_state(workflow.INVESTIGATING)
    reg = repeat(clerk, original, "pending")
    assert reg.disposition == Registration.Disposition.PENDING_ELSEWHERE
    event = Event.objects.get(matter=original, kind="registration:not_accepted")
    assert event.document.kind == "non_acceptance_notice"
    assert "已经受理或者正在办理" in event.document.body and "不予受理" in event.document.body


@pytest.mark.parametrize(
    "state, disposition, message",
    [
        (workflow.REGISTERED, "no_longer", "尚未经复核终结"),
        (workflow.REGISTERED, "pending", "未被受理或已超过办理期限"),
        (workflow.TERMINATED, "repeat", "原事项已办结"),
    ],
)
def test_a_choice_the_original_does_not_allow_saves_nothing(clerk, in_state, state, disposition, message):
    original = in_state(state)
    registrations = Registration.objects.count()
    with pytest.raises(ValidationError) as e:
        repeat(clerk, original, disposition)
    assert message in " ".join(e.value.message_dict["disposition"])
    assert Registration.objects.count() == registrations


def test_a_pending_choice_after_the_period_ran_out_is_refused(clerk, in_state):
    original = in_state(workflow.ACCEPTED)
    Matter.objects.filter(pk=original.pk).update(handle_due=services.today().replace(year=2000))
    with pytest.raises(ValidationError):
        repeat(clerk, Matter.objects.get(pk=original.pk), "pending")
