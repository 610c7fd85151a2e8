"""The classification as data (finance/data/*.csv) and the subject-name rule built on it
(checker/classification_rules.py): every year loads, codes are unique and nested, renames apply, confirm()
statuses, real subjects of other departments are no error, and what is provable is one."""

import csv
from collections import Counter
from pathlib import Path

import pytest

from xinfang.finance import classification as C
from xinfang.finance.checker import check_text
from xinfang.finance.checker.classification_rules import check_code_name

YEARS = range(C.FIRST_YEAR, C.LAST_YEAR + 1)


def rows(filename):
    with open(C.DATA / filename, encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def names_in(filename, year):
    """(code, name) rows in force in `year`, read straight from the file (duplicates kept)."""
    return [
        (r["code"], r["name"])
        for r in rows(filename)
        if int(r["first"] or C.FIRST_YEAR) <= year <= int(r["last"] or C.LAST_YEAR)
    ]


@pytest.mark.parametrize("year", YEARS)
def test_every_year_loads_with_every_class(year):
    names = C.official_names(year)
    classes = {c for c in names if len(c) == 3}
    assert {"201", "204", "205", "206", "207", "208", "210", "211", "212", "213", "221"} <= classes
    assert sum(len(c) == 5 for c in names) > 150 and sum(len(c) == 7 for c in names) > 400
    assert {"301", "302", "303", "310"} <= set(C.economic_names(year))


@pytest.mark.parametrize("filename", ["functional.csv", "economic.csv"])
@pytest.mark.parametrize("year", YEARS)
def test_codes_unique_and_nested_each_year(filename, year):
    pairs = names_in(filename, year)
    assert [c for c, n in Counter(c for c, _ in pairs).items() if n > 1] == []
    codes = {c for c, _ in pairs}
    assert all(len(c) in (3, 5, 7) and c.isdigit() for c in codes)
    orphans = [c for c in codes if len(c) > 3 and c[:-2] not in codes]  # 项 under its 款 under its 类
    assert orphans == []


def test_files_name_their_source():
    for filename in ("functional.csv", "economic.csv", "renames.csv"):
        assert (C.DATA / filename).read_text(encoding="utf-8").startswith("# ")
    assert "Coverage" in (C.DATA / "sources.md").read_text(encoding="utf-8")


def test_renames_apply_and_both_sides_exist():
    assert C.official_names(2018)["210"] == "医疗卫生与计划生育支出"
    assert C.official_names(2019)["210"] == "卫生健康支出"
    assert C.official_names(2019)["207"] == "文化旅游体育与传媒支出"
    assert C.economic_names(2017)["30311"] == "住房公积金" and C.economic_names(2018)["30113"] == "住房公积金"
    renames = C.renames()
    assert any(r["year"] == 2019 and r["old_name"] == "医疗卫生与计划生育支出" for r in renames)
    for r in renames:
        names = C.economic_names if r["old_code"].startswith("3") else C.official_names
        assert names(r["year"] - 1)[r["old_code"]] == r["old_name"], r
        assert names(r["year"])[r["new_code"]] == r["new_name"], r


def test_the_demo_ledger_codes_resolve():
    from xinfang.finance.demo import ECONOMIC, EXPENDITURES

    for year in (2018, 2019):
        names = C.official_names(year)
        assert all(line[0] in names and line[0][:5] in names for line in EXPENDITURES)
    assert all(C.economic_names(2019)[code] == name for code, name, _ in ECONOMIC)


@pytest.mark.parametrize(
    ("code", "name", "year", "status"),
    [
        ("2010301", "行政运行", 2019, C.OFFICIAL),
        ("201 03 01", "行政运行", 2019, C.OFFICIAL),
        ("2080505", "机关事业单位基本养老保险缴费支出", 2024, C.OFFICIAL),
        ("210", "医疗卫生与计划生育支出", 2020, C.RENAMED),
        ("210", "卫生健康支出", 2016, C.RENAMED),
        ("2100501", "行政单位医疗", 2020, C.RENAMED),  # moved to 2101101
        ("20138", "工商行政管理事务", 2020, C.RENAMED),  # 20115 merged into 20138
        ("30311", "住房公积金", 2019, C.RENAMED),
        ("2210203", "住房补贴", 2019, C.ALIAS),
        ("2010301", "一般行政管理事务", 2019, C.NAME_DIFFERS),
        ("2999999", "行政运行", 2019, C.CODE_UNKNOWN),
        (None, "卫生健康支出", 2022, C.OFFICIAL),
        (None, "医疗卫生与计划生育支出", 2022, C.RENAMED),
        (None, "信访维稳专项", 2019, C.PLAUSIBLE),
    ],
)
def test_confirm_statuses(code, name, year, status):
    c = C.confirm(code.replace(" ", "") if code else None, name, year)
    assert c.status == status, c
    assert c.note


def test_confirm_gives_the_official_name():
    c = C.confirm("210", "医疗卫生与计划生育支出", 2020)
    assert c.official == "卫生健康支出" and "2016–2018" in c.note


@pytest.mark.parametrize(
    ("name", "near", "close"),
    [
        ("城管执法", False, False),  # another subject's name: the only provable difference
        ("随便什么名称", False, True),  # no subject the lists know
        ("行政单位医", True, True),  # part of the official name (a cut table cell)
        ("行政单位医疗支出", True, True),  # a variant
    ],
)
def test_a_differing_name_is_close_unless_it_is_another_subject(name, near, close):
    c = C.confirm("2101101", name, 2020)
    assert (c.status, c.near, c.close) == (C.NAME_DIFFERS, near, close)


@pytest.mark.parametrize(
    ("code", "name", "year", "severity"),
    [
        ("2010301", "行政运行", 2019, None),
        ("201 03 08", "信访事务", 2019, None),
        ("2010302", "信访事务", 2019, "error"),  # another 项 of the same 款
        ("2101101", "城管执法", 2020, "error"),  # the name of another subject
        ("2101101", "随便什么名称", 2020, "warning"),  # clearly different, but no subject the lists know
        ("20136", "其他共产党党事务支出", 2019, "error"),  # doubled character
        ("2080501", "归口管理的行政单位离退休", 2024, "warning"),  # the name before 2020
        ("2120199", "其他社区城乡管理事务支出", 2022, "warning"),  # near the official name
        ("2080505", "基本养老保险", 2024, None),  # a name cut by a wrapped table cell
        ("2999999", "行政运行", 2019, "warning"),
        ("2999999", "人次", 2019, None),  # a number before a word, not a subject
        ("2210203", "住房补贴", 2019, "info"),
    ],
)
def test_code_name_severity(code, name, year, severity):
    result = check_code_name(code, name, year)
    assert (result[0] if result else None) == severity, result


def name_findings(text):
    return [f for f in check_text(text) if f.rule in ("NAME-OFFICIAL", "NAME")]


EDUCATION_2021 = """某县教育局2021年度部门决算
五、一般公共预算财政拨款支出决算情况说明
1.教育支出（类）教育管理事务（款）行政运行（项）：支出决算为120.50万元。
2.教育支出（类）普通教育（款）小学教育（项）：支出决算为3000.00万元。
3.教育支出（类）普通教育（款）学前教育（项）：支出决算为500.00万元。
4.教育支出（类）职业教育（款）中专教育（项）：支出决算为200.00万元。
5.社会保障和就业支出（类）行政事业单位养老支出（款）机关事业单位职业年金缴费支出（项）：支出决算为30.00万元。
6.卫生健康支出（类）行政事业单位医疗（款）事业单位医疗（项）：支出决算为150.00万元。
7.住房保障支出（类）住房改革支出（款）住房公积金（项）：支出决算为220.00万元。
8.城乡社区支出（类）城乡社区管理事务（款）城管执法（项）：支出决算为10.00万元。
9.农林水支出（类）巩固脱贫衔接乡村振兴（款）其他巩固脱贫衔接乡村振兴支出（项）：支出决算为5.00万元。"""

AGRICULTURE_2023 = """某县农业农村局2023年度部门决算
1.农林水支出（类）农业农村（款）行政运行（项）：支出决算为100万元。
2.农林水支出（类）农业农村（款）病虫害控制（项）：支出决算为20万元。
3.农林水支出（类）水利（款）水土保持（项）：支出决算为30万元。
4.农林水支出（类）农村综合改革（款）对村民委员会和村党支部的补助（项）：支出决算为40万元。
5.文化旅游体育与传媒支出（类）文化和旅游（款）群众文化（项）：支出决算为4万元。
6.灾害防治及应急管理支出（类）应急管理事务（款）行政运行（项）：支出决算为4万元。
2130101\t行政运行\t100.00
2130310\t水土保持\t30.00
30113\t住房公积金\t12.00"""

# an excerpt of a hospital's 2020 disclosure whose last line is a 类/款/项 line (crashed the checker)
HOSPITAL_2020 = """某县人民医院2020年度部门决算
主要用于以下方面：卫生健康（类）支出1500万元。
1.卫生健康支出（类）公立医院（款）综合医院（项）：支出决算为1200万元。
2.卫生健康支出（类）公共卫生（款）重大公共卫生专项（项）：支出决算为300万元"""


@pytest.mark.parametrize("text", [EDUCATION_2021, AGRICULTURE_2023, HOSPITAL_2020])
def test_real_subjects_of_other_departments_are_no_finding(text):
    assert name_findings(text) == []


@pytest.mark.parametrize(
    "path", sorted((Path(__file__).parent / "corpus").glob("*.txt")), ids=lambda p: p.stem
)
def test_the_constructed_corpus_names_are_confirmed(path):
    """The disclosures of other units and years in tests/finance/corpus: no name finding but info."""
    findings = name_findings(path.read_text(encoding="utf-8"))
    assert [f.message for f in findings if f.severity != "info"] == []


def test_hospital_excerpt_ending_with_a_class_line_is_checked():
    findings = check_text(HOSPITAL_2020)
    assert not [f for f in findings if f.severity != "info"]
    wrong = check_text(HOSPITAL_2020.replace("支出1500万元", "支出1600万元"))
    assert any(f.rule == "SUM" and "1500" in f.message for f in wrong), [f.message for f in wrong]


def test_the_year_comes_from_the_document():
    old_name = "医疗卫生与计划生育支出（类）公立医院（款）综合医院（项）：支出决算为1万元。"
    assert name_findings(f"某县医院2017年度部门决算\n{old_name}") == []
    findings = name_findings(f"某县医院2020年度部门决算\n{old_name}")
    assert [f.severity for f in findings] == ["warning"] and "2016–2018" in findings[0].message


@pytest.mark.parametrize(
    ("line", "severity", "needle"),
    [
        ("卫生健康支出（类）行政单位医疗（款）行政单位医疗（项）", "error", "项级科目（2101101）"),
        ("一般公共服务支出（类）其他共产党党事务支出（款）行政运行（项）", "error", "重复字"),
        ("农林水支出（类）农林水（款）其他扶贫支出（项）", "error", "类级科目名称"),
        ("一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）信访维稳专项（项）", "warning", "无法"),
        ("信访维稳支出（类）信访（款）信访（项）", "warning", "无法"),
        ("卫生健康支出（类）医疗保障（款）行政单位医疗（项）", "warning", "2016年"),
        ("住房保障支出（类）住房改革支出（款）住房补贴（项）", "info", "地方常用名称"),
    ],
)
def test_name_findings_only_what_is_provable_is_an_error(line, severity, needle):
    findings = name_findings(f"某县某局2020年度部门决算\n1.{line}：支出决算为1万元。")
    assert [f.severity for f in findings] == [severity], [f.message for f in findings]
    assert needle in findings[0].message


def test_codes_with_names_in_text_and_tables():
    head = "某县某局2020年度部门决算\n"
    assert name_findings(head + "201 名干部参加了培训") == []  # running text: a number and a word
    cells = name_findings(head + "2101101\t随便什么名称\t1.00")
    assert [f.severity for f in cells] == ["warning"]  # a table row: the name cannot be confirmed
    wrong = name_findings(head + "2101101\t城管执法\t1.00\n2010301\t行政运行\t2.00")
    assert [f.severity for f in wrong] == ["error"] and "城管执法" in wrong[0].message


# --- the fuller lists: real subjects of other departments and years are confirmed ----------------------------


@pytest.mark.parametrize(
    ("code", "name", "year"),
    [
        ("205", "教育支出", 2016),
        ("205", "教育支出", 2025),
        ("212", "城乡社区支出", 2017),
        ("210", "医疗卫生与计划生育支出", 2018),
        ("210", "卫生健康支出", 2019),
        ("21011", "行政事业单位医疗", 2018),
        ("2101101", "行政单位医疗", 2022),
        ("2210201", "住房公积金", 2016),
        ("2210201", "住房公积金", 2024),
        ("2011004", "政府特殊津贴", 2020),
        ("2050403", "成人高等教育", 2019),
        ("2080901", "退役士兵安置", 2021),
        ("2082602", "财政对城乡居民基本养老保险基金的补助", 2023),
        ("2101202", "财政对城乡居民基本医疗保险基金的补助", 2020),
        ("2120801", "征地和拆迁补偿支出", 2022),
        ("2121301", "城市公共设施", 2018),
        ("2130152", "对高校毕业生到基层任职补助", 2021),
        ("30113", "住房公积金", 2019),
        ("50101", "工资奖金津补贴", 2020),
        ("50502", "商品和服务支出", 2024),
        ("509", "对个人和家庭的补助", 2019),
    ],
)
def test_real_names_of_other_years_are_official(code, name, year):
    assert C.confirm(code, name, year).status == C.OFFICIAL
    assert check_code_name(code, name, year) is None


@pytest.mark.parametrize(("name", "year"), [("教育支出", 2017), ("城乡社区支出", 2023), ("行政事业单位医疗", 2019),
                                            ("住房公积金", 2021), ("医疗卫生与计划生育支出", 2018)])  # fmt: skip
def test_real_names_without_code_are_official(name, year):
    assert C.confirm(None, name, year).status == C.OFFICIAL


def test_government_economic_classification_5xx_is_economic_from_2018():
    assert C.economic_names(2018)["502"] == "机关商品和服务支出"
    assert "50101" not in C.economic_names(2017) and "50101" not in C.official_names(2019)
    assert C.confirm("50206", "公务接待费", 2021).status == C.OFFICIAL
    assert check_code_name("50206", "会议费", 2021)[0] == "error"  # 50202's name


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("2130135", "农业资源保护修复与利用"),  # a real 项 left out of the lists (not verified)
        ("2210108", "老旧小区改造"),
        ("31304", "对机关事业单位职业年金的补助"),
    ],
)
def test_a_subject_the_lists_lack_is_a_warning_never_an_error(code, name):
    assert check_code_name(code, name, 2022)[0] == "warning"
    findings = check_text(f"某单位2022年度部门决算\n{code}\t{name}\t12.00")
    assert [f.severity for f in findings if f.rule == "NAME-OFFICIAL"] in ([], ["warning"])
    assert not [f for f in findings if f.severity == "error"]
