"""The checker on the published seed finds every inconsistency the team found, and nothing on the
corrected seed; each rule has a failing case (an error injected into the corrected seed) and a passing
case (the corrected seed itself)."""

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from xinfang.finance.checker import check_text

SEED_INCONSISTENCIES = [
    ("SAME", "基本支出", "317.42"),
    ("SHARE", "卫生健康", "4.4%"),
    ("SHARE", "住房保障", "6.4%"),
    ("COMPL-SHARE", "完成预算64%", ""),
    ("COMPL-SHARE", "完成预算36%", ""),
    ("COMPL", "10.17", "5.07"),
    ("XREF", "主要领导干部用车", ""),
    ("XREF", "下属单位数", ""),
    ("XREF", "化解信访积案资金", ""),
    ("NAME", "一般行政管理事务（款）", ""),
    ("NAME", "农林水（款）", ""),
    ("NAME-OFFICIAL", "其他共产党党事务支出", ""),
    ("TYPO", "一般公共预算", ""),
    ("RESIDUE", "出1.", ""),
    ("BRACKET", "括号不配对", ""),
    ("COUNT", "行政人员10", "19"),
    ("INDICATOR", "50人次→47人次", ""),
    ("DUP", "做到了做到", ""),
    ("MEASURE", "3项目", ""),
]


def _has(findings, rule, *needles):
    return any(f.rule == rule and all(n in f.message + f.excerpt for n in needles if n) for f in findings)


@pytest.fixture(scope="module")
def seed_findings(seed_text):
    return check_text(seed_text)


@pytest.mark.parametrize(("rule", "needle", "needle2"), SEED_INCONSISTENCIES)
def test_seed_inconsistency_found(seed_findings, rule, needle, needle2):
    assert _has(seed_findings, rule, needle, needle2), [f.message for f in seed_findings]


def test_seed_bracket_lines_all_reported(seed_findings):
    assert sum(f.rule == "BRACKET" for f in seed_findings) == 7


def test_seed_correct_figures_not_reported(seed_findings):
    """YoY 23%/60%/41%/15% and the 79/9.6/0.1/0.5% shares are correct: no finding about them."""
    messages = " ".join(f.message for f in seed_findings)
    for ok in ("23%", "60%", "41%", "15%", "79%", "9.6%", "文中为0.1%", "文中为0.5%", "SHARE-SUM"):
        assert ok not in messages
    assert not any(f.rule in ("YOY", "YOY-DIR", "SHARE-SUM") for f in seed_findings)


def test_corrected_seed_has_no_errors_or_warnings(corrected_text):
    findings = check_text(corrected_text)
    assert [f for f in findings if f.severity != "info"] == []


INJECTIONS = [
    # rule, old text in the corrected seed, replacement
    ("SUM", "其中：政府采购货物支出23万元", "其中：政府采购货物支出21万元"),
    ("SUM", "社会保障和就业支出：36.58万元", "社会保障和就业支出：38.58万元"),
    ("SHARE", "基本支出317.41万元，占83%", "基本支出317.41万元，占85%"),
    ("SHARE", "占政府采购支出总额的10%", "占政府采购支出总额的12%"),
    ("SHARE-SUM", "项目支出64.90万元，占17%", "项目支出64.90万元，占27%"),
    ("YOY", "减少4.92万元，下降60%", "减少4.92万元，下降50%"),
    ("YOY", "各增加72.14万元，增长23%", "各增加72.14万元，增长30%"),
    ("YOY-DIR", "减少7.82万元，下降15%", "减少7.82万元，增长15%"),
    ("COMPL", "执行数为25万元，完成预算的100%", "执行数为25万元，完成预算的90%"),
    ("SUM", "支出决算为5.07万元", "支出决算为5.70万元"),
    ("COMPL", "决算为5.07万元，完成预算100%", "决算为5.07万元，完成预算90%"),
    ("SUM", "支出决算为173.67万元", "支出决算为137.67万元"),
    ("COUNT", "李某某3件4人次", "李某某3件3人次"),
    ("SAME", "预算数:\n\t23", "预算数:\n\t25"),
    ("COMPL-SHARE", "公务接待费支出1.85万元，完成预算100%", "公务接待费支出1.85万元，完成预算36%"),
    ("SAME", "2.公务用车购置及运行维护费支出3.22万元", "2.公务用车购置及运行维护费支出3.12万元"),
    ("SAME", "国内公务接待支出1.85万元", "国内公务接待支出1.58万元"),
    ("SUM", "外事接待支出0万元", "外事接待支出0.5万元"),
    ("SAME", "\t\t2019年度\t\t302.75", "\t\t2019年度\t\t320.75"),
    ("SAME", "项目全年预算数16.5万元", "项目全年预算数15.5万元"),
    ("PERS", "人员经费274.25万元", "人员经费270.25万元"),
    ("PARTS", "项目支出64.90万元，占17%", "项目支出60.90万元，占17%"),
    ("COUNT", "总编制13名", "总编制14名"),
    ("COUNT", "二级单位1个，其中行政单位0个", "二级单位2个，其中行政单位0个"),
    ("XREF", "共有车辆1辆", "共有车辆2辆"),
    ("XREF", "“信访维稳工作经费”3个项目", "“信访维稳专项经费”3个项目"),
    ("NAME", "12.公共安全支出（类）公安（款）", "12.公共安全支出（类）司法（款）"),
    (
        "NAME-OFFICIAL",
        "卫生健康（类）行政事业单位医疗（款）行政单位医疗（项）:支出",
        "卫生健康（类）行政单位医疗（款）行政单位医疗（项）:支出",
    ),
    ("INDICATOR", "，远程接访群众50人次", "，远程接访群众45人次"),
    ("RESIDUE", "比2018年减少7.82万元", "比2018年减增加7.82万元，XX"),
    ("DUP", "切实抓好信访法规", "切实抓好抓好信访法规"),
    ("BRACKET", "行政事业单位医疗（款）事业单位医疗（项）", "行政事业单位医疗（款））事业单位医疗（项）"),
    ("TYPO", "2019年一般公共预算财政拨款支出382.31", "2019年般公共预算财政拨款支出382.31"),
    ("MEASURE", "对3个项目编制了绩效目标", "对3项目编制了绩效目标"),
]


@pytest.mark.parametrize(("rule", "old", "new"), INJECTIONS)
def test_rule_fails_on_injected_error_and_passes_on_corrected(corrected_text, rule, old, new):
    assert old in corrected_text, old
    assert not any(f.rule == rule and f.severity != "info" for f in check_text(corrected_text))
    findings = check_text(corrected_text.replace(old, new, 1))
    assert any(f.rule == rule and f.severity != "info" for f in findings), [
        (f.rule, f.message) for f in findings
    ]


def test_json_output_of_command(tmp_path, capsys):
    call_command("check_disclosure", str(Path(__file__).parent / "fixtures" / "seed_2019.txt"), "--json")
    data = json.loads(capsys.readouterr().out)
    assert data and set(data[0]) == {"rule", "severity", "message", "section", "excerpt"}
