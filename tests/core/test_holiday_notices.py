"""Reading a year's holiday notice: the real 2025 and 2026 texts, a 2027-style sample, and the checks."""

import json
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from xinfang.core.holiday_notices import (
    Holiday,
    Notice,
    NoticeError,
    check_notice,
    notice_from_entry,
    parse_notice,
    parse_text,
)

D = date
FIXTURES = Path(__file__).parent / "fixtures"


def seed_entry(year: int) -> dict:
    raw = json.loads(resources.files("xinfang.core").joinpath("data", "cn_holidays.json").read_text("utf-8"))
    return raw["years"][str(year)]


@pytest.mark.parametrize("year", [2025, 2026])
def test_real_notice_text_gives_the_transcribed_schedule(year):
    [parsed] = parse_notice((FIXTURES / f"holiday_notice_{year}.txt").read_text("utf-8"))
    expected = notice_from_entry(year, seed_entry(year))
    assert parsed.year == year
    assert (parsed.source, parsed.title, parsed.published) == (
        expected.source,
        expected.title,
        expected.published,
    )
    assert parsed.holidays == expected.holidays
    check_notice(parsed)


def test_2027_style_sample():
    [n] = parse_notice((FIXTURES / "holiday_notice_2027_sample.txt").read_text("utf-8"))
    assert (n.year, n.source, n.published) == (2027, "国办发明电〔2026〕99号", D(2026, 11, 10))
    by_name = {h.name: h for h in n.holidays}
    assert list(by_name) == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    assert (
        by_name["元旦"].rest == (D(2027, 1, 1), D(2027, 1, 2), D(2027, 1, 3)) and by_name["元旦"].work == ()
    )
    assert by_name["春节"].rest[0] == D(2027, 2, 5) and by_name["春节"].rest[-1] == D(2027, 2, 13)
    assert by_name["春节"].work == (D(2027, 2, 14),)
    # "4月5日放假，与周末连休": the Saturday and Sunday before are off too
    assert by_name["清明节"].rest == (D(2027, 4, 3), D(2027, 4, 4), D(2027, 4, 5))
    assert by_name["劳动节"].work == (D(2027, 4, 25), D(2027, 5, 8))
    assert by_name["端午节"].rest == (D(2027, 6, 9),)  # "放假1天"
    assert by_name["中秋节"].rest == (D(2027, 9, 15),)  # "9月15日放假"
    # a range across the end of a month: 9月30日至10月7日
    assert len(by_name["国庆节"].rest) == 8 and by_name["国庆节"].rest[1] == D(2027, 10, 1)
    assert by_name["国庆节"].work == (D(2027, 9, 26), D(2027, 10, 9))
    check_notice(n)


def test_new_year_block_in_the_previous_december():
    text = "国办发明电〔2018〕15号\n一、元旦：12月30日至1月1日放假调休，共3天。12月29日（星期六）上班。\n"
    n = parse_text(text, year=2019)
    assert n.holidays == (
        Holiday("元旦", (D(2018, 12, 30), D(2018, 12, 31), D(2019, 1, 1)), (D(2018, 12, 29),)),
    )
    with_years = "国办发明电〔2018〕15号\n一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。"
    assert parse_text(with_years, year=2019).holidays == n.holidays


def test_year_from_the_title_or_the_option():
    text = (FIXTURES / "holiday_notice_2026.txt").read_text("utf-8")
    assert parse_text(text).year == parse_text(text, year=2026).year == 2026
    with pytest.raises(NoticeError, match="与通知标题中的2026年不一致"):
        parse_text(text, year=2027)
    untitled = "国办发明电〔2025〕7号\n一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。"
    with pytest.raises(NoticeError, match="--year"):
        parse_text(untitled)
    assert parse_text(untitled, year=2026).holidays[0].rest[-1] == D(2026, 1, 3)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("一、元旦：1月1日（周四）至3日（周六）放假调休，共4天。", "共3天，与通知所写“共4天”不符"),
        ("一、春节：5日至9日放假。", "缺少月份"),
        ("一、春节：2月30日放假。", "日期无效"),
        ("一、春节：2月9日至2月5日放假。", "结束日期早于开始日期"),
        ("一、春节：1月1日至2月15日放假。", "连续放假超过31天"),
    ],
)
def test_text_errors_are_reported_in_chinese(line, message):
    with pytest.raises(NoticeError, match=message):
        parse_text(f"关于2026年部分节假日安排的通知\n国办发明电〔2025〕7号\n{line}\n")


def test_every_error_is_reported_at_once():
    text = "关于2026年部分节假日安排的通知\n一、元旦：1月1日至3日放假，共4天。\n二、春节：5日放假。"
    with pytest.raises(NoticeError) as e:
        parse_text(text)
    assert len(e.value.errors) == 3  # 共N天, 缺少月份, 文号
    assert any("文号" in m for m in e.value.errors)


def _notice(*holidays, year=2027):
    return Notice(year=year, source="国办发明电〔2026〕1号", holidays=holidays)


@pytest.mark.parametrize(
    ("notice", "message"),
    [
        (
            _notice(Holiday("春节", (D(2027, 2, 6), D(2027, 2, 7)), (D(2027, 2, 7),))),
            "既是放假日又是调休上班日",
        ),
        (_notice(Holiday("春节", (D(2027, 2, 6),), (D(2027, 2, 8),))), "2027-02-08不是周六或周日"),
        (
            _notice(
                Holiday(
                    "春节", tuple(D(2027, 1, 1).replace(day=d) for d in range(1, 32)) + (D(2027, 2, 1),), ()
                )
            ),
            "连续放假超过31天",
        ),  # fmt: skip
        (_notice(Holiday("春节", (D(2027, 2, 6), D(2027, 2, 8)), ())), "放假日期不连续"),
        (_notice(Holiday("元旦", (D(2026, 11, 30),), ())), "不在该年度"),
        (_notice(), "没有任何放假安排"),
    ],
)
def test_checks(notice, message):
    with pytest.raises(NoticeError, match=message):
        check_notice(notice)


def test_json_whole_file_one_year_and_errors():
    whole = resources.files("xinfang.core").joinpath("data", "cn_holidays.json").read_text("utf-8")
    assert [n.year for n in parse_notice(whole)] == list(range(2018, 2027))
    assert [n.year for n in parse_notice(whole, year=2019)] == [2019]
    one = json.dumps(seed_entry(2026), ensure_ascii=False)
    [n] = parse_notice(one, year=2026)
    assert n.holidays == notice_from_entry(2026, seed_entry(2026)).holidays
    with pytest.raises(NoticeError, match="--year"):
        parse_notice(one)
    with pytest.raises(NoticeError, match="没有2030年"):
        parse_notice(whole, year=2030)
    with pytest.raises(NoticeError, match="JSON格式错误"):
        parse_notice("{oops")
    with pytest.raises(NoticeError, match="缺少字段"):
        parse_notice('{"holidays": []}', year=2027)
