"""The general text rules (issue 15): the defects reported on the checker, each an injection into the
corrected seed that must be found (and the corrected seed stays clean), the Chongqing-template share that
was a false error, and the wording and unit variants of the templates."""

from decimal import Decimal
from pathlib import Path

import pytest

from xinfang.finance.checker import check_text

MISSED = [
    # rule, old text in the corrected seed, replacement — the 8 kinds the audit's injections got through
    ("SUM", "2019年本年收入合计382.31万元", "2019年本年收入合计392.31万元"),  # 收支总计 ≠ its parts
    ("SUM", "3.公务用车运行维护费支出3.22万元", "3.公务用车运行维护费支出3.02万元"),  # 购置 + 运行 ≠ subtotal
    (
        "PROC",
        "授予中小企业合同金额2.3万元，占政府采购支出总额的10%",
        "授予中小企业合同金额25万元，占政府采购支出总额的108.70%",
    ),
    ("SHARE", "占政府采购支出总额的10%", "占政府采购支出总额的108.70%"),
    ("FUND-SPEND", "2019年政府性基金预算拨款支出0万元", "2019年政府性基金预算拨款支出5万元"),
    ("COMPL", "决算为5.07万元，完成预算100%", "决算为5.07万元，完成预算120%"),
    ("COMPL", "公务接待费支出1.85万元，完成预算100%", "公务接待费支出1.85万元，完成预算95%"),
    ("DUP", "取得了良好的效果", "取得了良好的的效果"),
    ("YEAR", "截至2019年12月31日", "截至2109年12月31日"),
    ("YEAR", "截至2019年12月底", "截至2018年12月底"),
    ("YEAR", "比2018年减少7.82万元", "比2016年减少7.82万元"),
    ("TYPO", "政府采购支出总额23万元", "政府采构支出总额23万元"),
    ("TYPO", "年初结转和结余：指", "年初结和转结余：指"),
]


def problems(text: str, rule: str) -> list:
    return [f for f in check_text(text) if f.rule == rule and f.severity != "info"]


@pytest.mark.parametrize(("rule", "old", "new"), MISSED)
def test_missed_error_kinds_are_found(corrected_text, rule, old, new):
    assert old in corrected_text, old
    assert problems(corrected_text, rule) == []
    assert problems(corrected_text.replace(old, new, 1), rule), rule


def test_total_larger_than_its_quoted_parts_is_a_warning_only(corrected_text):
    """收、支总计 above 本年收入合计 with no 结转 quoted: the text cannot prove it wrong (a carry-over)."""
    found = check_text(corrected_text.replace("2019年度收、支总计382.31万元", "2019年度收、支总计392.31万元"))
    sums = [f for f in found if f.rule == "SUM" and "总计" in f.message]
    assert sums and {f.severity for f in sums} == {"warning"}


# a consistent excerpt of a Chongqing-template disclosure: shares of 本年收入合计, not of 收入总计
CHONGQING = """二、部门决算情况说明
（一）收入支出决算总体情况说明
1.总体情况。2019年度收入总计532.99万元，支出总计532.99万元。收支较上年决算数减少151.48万元、下降22.13%，主要原因是上年结转数较大。本部分的收入总计包括收入合计、年初结转和结余，支出总计包括本年支出合计、年末结转和结余。
2.收入情况。2019年度收入合计478.88万元，较上年决算数减少90.91万元，下降15.96%，主要原因是上年结转数较大，今年结转数大幅下降。其中：财政拨款收入478.88万元，占100.00%。年初结转和结余54.11万元。
3.支出情况。2019年度支出合计510.46万元，较上年决算数减少120.30万元，下降19.07%，主要原因是项目支出减少。其中：基本支出402.46万元，占78.84%；项目支出108.00万元，占21.16%。年末结转和结余22.53万元。
"""


def test_chongqing_share_against_the_right_base():
    assert [f for f in check_text(CHONGQING, year=2019) if f.severity == "error"] == []


@pytest.mark.parametrize(
    ("rule", "old", "new"),
    [
        ("SHARE", "占100.00%", "占90.00%"),
        ("SHARE", "占78.84%", "占80.84%"),
        ("SUM", "年初结转和结余54.11万元", "年初结转和结余45.11万元"),
        ("SUM", "年末结转和结余22.53万元", "年末结转和结余25.53万元"),
        ("YOY", "下降15.96%", "下降17.96%"),
        ("YOY-DIR", "减少151.48万元、下降22.13%", "减少151.48万元、增长22.13%"),
    ],
)
def test_chongqing_injected_errors_found(rule, old, new):
    assert old in CHONGQING
    assert any(
        f.rule == rule and f.severity == "error" for f in check_text(CHONGQING.replace(old, new), year=2019)
    )


@pytest.mark.parametrize(
    ("share", "change"),
    [
        ("占{p}%", "增加{a}，增长{r}%"),
        ("占比{p}%", "增长{a}、增幅{r}%"),
        ("所占比重为{p}%", "增加了{a}，同比增长{r}%"),
        ("占本年支出合计的比重为{p}%", "增加{a}，增长了{r}%"),
    ],
)
@pytest.mark.parametrize("unit", ["万元", "元", "亿元"])
def test_wording_and_unit_variants(share, change, unit):
    """The same consistent sentence in each template's wording and unit: clean; a wrong share or growth
    rate in it: found. Amounts in 元/亿元 are converted to 万元 before comparing."""
    digits = {"万元": (0, 2), "元": (4, 2), "亿元": (-4, 6)}[unit]

    def amount(wan: str) -> str:
        value = Decimal(wan).scaleb(digits[0])
        return f"{value:,.{digits[1]}f}{unit}"

    def text(p: str, r: str) -> str:
        return (
            f"2020年本年支出合计{amount('500.00')}，较上年{change.format(a=amount('100.00'), r=r)}。"
            f"其中：基本支出{amount('400.00')}，{share.format(p=p)}；"
            f"项目支出{amount('100.00')}，{share.format(p='20.00')}。"
        )

    clean = text("80.00", "25.00")
    assert [f for f in check_text(clean, year=2020) if f.severity == "error"] == [], clean
    assert any(f.rule == "SHARE" for f in check_text(text("82.00", "25.00"), year=2020))
    assert any(f.rule == "YOY" for f in check_text(text("80.00", "20.00"), year=2020))


@pytest.mark.parametrize("word", ["常常", "人人", "年年", "万万", "专业业务", "公务用车车辆", "的的确确"])
def test_legitimate_doublings_are_not_reported(word):
    text = f"2019年，本单位{word}坚持厉行节约。专业技术人员参加业务培训，公务用车、车辆管理规范。"
    assert not [f for f in check_text(text, year=2019) if f.rule == "DUP"]


def test_class_path_on_the_last_line_does_not_crash():
    """A 类/款/项 line as the last line of the text (the hospital excerpt crashed with a TypeError)."""
    check_text(
        "2020年一般公共预算财政拨款支出情况\n卫生健康支出（类）公立医院（款）综合医院（项）", year=2020
    )


def test_basic_spending_of_all_funds_and_of_the_grant_are_different_figures():
    """A unit with other income: 基本支出 of all funds (三) ≠ 一般公共预算财政拨款基本支出 (六) is no error; the
    grant's own figure is what 人员经费 + 公用经费 must equal."""
    text = (Path(__file__).parent / "corpus" / "county_education_2017.txt").read_text(encoding="utf-8")
    old = "基本支出7,210.00万元，占83.33%；项目支出1,442.40万元，占16.67%"
    assert old in text
    text = text.replace(old, "基本支出7,310.00万元，占84.49%；项目支出1,342.40万元，占15.51%")
    assert [(f.rule, f.message) for f in check_text(text) if f.severity == "error"] == []
    broken = text.replace("人员经费6,650.00万元", "人员经费6,750.00万元")
    assert any(f.rule == "PERS" for f in check_text(broken))


@pytest.mark.parametrize(
    ("text", "year"),
    [
        ("某县审计局2022年部门决算\n2022年本年收入合计100万元。比2021年增加10万元。", 2022),
        ("2016年度收、支总计50万元。2016年度本年收入合计50万元。与2015年相比……", 2016),
        ("2024年本年收入合计100万元。2024年本年支出合计100万元，比2023年减少5万元。", 2024),
    ],
)
def test_report_year_from_the_text(text, year):
    from xinfang.finance.checker import guess_year

    assert guess_year(text) == year
    assert not [f for f in check_text(text) if f.rule == "YEAR"]


def test_plans_and_other_comparisons_are_no_year_errors():
    text = (
        "2019年度部门决算\n力争到2025年实现信访事项网上办理全覆盖。与2016年相比，来访批次下降三成。"
        "2019年本年支出合计100万元，比2018年增加10万元，增长11.11%。"
    )
    years = [f for f in check_text(text) if f.rule == "YEAR"]
    assert [f.severity for f in years] == ["warning"]  # only the target year, as a question
    assert any(
        f.rule == "YEAR" and f.severity == "error" for f in check_text(text.replace("比2018年", "比2016年"))
    )


@pytest.mark.parametrize(
    "sentence",
    [
        "本年度取得省级补助收入20万元。",
        "机关运行费较上年下降。",
        "对下属单位的附属单位补助支出0万元。",
        "公务用车购置运行维护费3万元。",
        "年初结转结余和年末结转结余均为0万元。",
    ],
)
def test_legitimate_variants_of_template_phrases_are_not_typos(sentence):
    assert not [f for f in check_text("2019年度部门决算\n" + sentence) if f.rule == "TYPO"]


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        (
            "chongqing_xinfang_2019.txt",
            "公务接待费支出1.60万元，完成预算的80.00%",
            "公务接待费支出1.90万元，完成预算的95.00%",
        ),
        ("county_hospital_2020.txt", "因公出国（境）费支出0.00元", "因公出国（境）费支出30,000.00元"),
        ("province_transport_2024.txt", "公务接待费支出50.00万元", "公务接待费支出55.00万元"),
    ],
)
def test_three_public_total_is_the_sum_of_its_items(name, old, new):
    text = (Path(__file__).parent / "corpus" / name).read_text(encoding="utf-8")
    assert text.count(old) == 1
    assert not [f for f in check_text(text) if f.rule == "SUM"]
    assert any(f.rule == "SUM" and "三公" in f.message for f in check_text(text.replace(old, new)))


def test_both_template_words_left_in_and_change_amounts_are_no_base():
    text = (
        "2024年度“三公”经费财政拨款支出决算为0.39万元。2024年度“三公”经费财政拨款支出决算数比2023年度"
        "减少0.15万元，下降（增长）27.78%，其中：公务接待费支出决算减少0.15万元，下降27.78%。"
    )
    found = check_text(text)
    assert any(f.rule == "RESIDUE" and "下降（增长）" in f.message for f in found)
    assert not [f for f in found if f.rule == "YOY"]  # 0.15 ÷ (0.39 + 0.15), not ÷ (0.15 + 0.15)


TONGLIANG_STYLE = (
    "2020年度部门决算情况说明\n"
    "1.总体情况。2020年度收入总计1315.18万元,支出总计1315.18万元。收支较上年决算数减少135.91万元、下降9.4%,"
    "主要原因是专项经费减少。\n"
    "2.收入情况。2020年度收入合计1314.00万元,减少132.34万元、下降9.1%,主要原因是专项经费减少。"
    "其中:财政拨款收入1314.00万元,占100.0%;年初结转和结余1.18万元。"
)


def test_carry_over_after_the_list_is_not_a_part_of_the_total():
    """'其中：财政拨款收入…；年初结转和结余…' — the 结转 is outside 收入合计 (T1: 总计 = 合计 + 结转和结余)."""
    assert [(f.rule, f.message) for f in check_text(TONGLIANG_STYLE) if f.severity != "info"] == []
    assert any(f.rule == "SUM" for f in check_text(TONGLIANG_STYLE.replace("结余1.18万元", "结余2.18万元")))


def test_a_rate_cut_instead_of_rounded_is_a_warning():
    found = [f for f in check_text(TONGLIANG_STYLE.replace("下降9.4%", "下降9.3%")) if f.rule == "YOY"]
    assert [f.severity for f in found] == ["warning"] and "截尾" in found[0].message
    assert [
        f.severity for f in check_text(TONGLIANG_STYLE.replace("下降9.4%", "下降9.0%")) if f.rule == "YOY"
    ] == ["error"]
