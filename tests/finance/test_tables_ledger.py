"""The built tables print what the ledger holds (issue 15): the spending of the 政府性基金 and 国有资本经营 funds,
the 年初 carry-overs and the 年末 balances (年初 + 本年收入 − 本年支出) in 公开01/03/04/08/09表, never the income
figure as spending or a literal 0; each table keeps its own identities and the checker finds no error."""

from dataclasses import replace
from decimal import Decimal

import pytest
from docx import Document
from openpyxl import load_workbook

from xinfang.finance.build import write_disclosure
from xinfang.finance.checker import ERROR, check_paths
from xinfang.finance.checker.fact_rules import check_facts
from xinfang.finance.demo import load_finance_demo
from xinfang.finance.models import BudgetUnit, Income
from xinfang.finance.queries import disclosure_data

D = Decimal
# pytest-django creates the test database only for a session with a django_db test
pytestmark = pytest.mark.django_db
GENERAL = 382.31  # the demo's 一般公共预算 income = its spending


@pytest.fixture(scope="module")
def built(tmp_path_factory, django_db_setup, django_db_blocker):
    out = tmp_path_factory.mktemp("ledger")
    with django_db_blocker.unblock():
        accounts = load_finance_demo()
        accounts.incomes.update_or_create(source=Income.Source.FUND, defaults={"amount": D("12.50")})
        accounts.incomes.update_or_create(source=Income.Source.STATE_CAPITAL, defaults={"amount": D("3.00")})
        accounts.fund_expenditure, accounts.fund_expenditure_code = D("9.80"), "2120801"
        accounts.state_capital_expenditure = D("2.50")  # no code: 其他支出
        accounts.general_carry_over, accounts.fund_carry_over = D("5.00"), D("1.20")
        accounts.save()
        data = disclosure_data(accounts)
        write_disclosure(data, out_dir=out)
        yield out, data
        BudgetUnit.objects.all().delete()


def sheet(wb, name) -> list[tuple]:
    return [r for r in wb[name].iter_rows(min_row=4, values_only=True) if any(v is not None for v in r)]


def test_fund_table_prints_the_ledgers_income_spending_and_carry_overs(built):
    out, _ = built
    wb = load_workbook(out / "tables.xlsx")
    t4 = sheet(wb, "公开04表")
    left = {r[0]: r[1] for r in t4 if r[0]}
    right = {r[2]: r[3:7] for r in t4 if r[2]}
    assert left["二、政府性基金预算财政拨款"] == pytest.approx(12.5)  # income
    assert left["三、国有资本经营预算财政拨款"] == pytest.approx(3)
    assert left["本年收入合计"] == pytest.approx(GENERAL + 15.5)
    assert left["年初财政拨款结转和结余"] == pytest.approx(6.2)
    assert (left["一般公共预算财政拨款"], left["政府性基金预算财政拨款"]) == pytest.approx((5, 1.2))
    assert left["总计"] == pytest.approx(GENERAL + 15.5 + 6.2)
    # spending: the ledger's 9.80 and 2.50, not the income 12.50 and 3.00
    assert right["本年支出合计"] == pytest.approx((GENERAL + 12.3, GENERAL, 9.8, 2.5))
    assert right["年末财政拨款结转和结余"] == pytest.approx((9.4, 5, 3.9, 0.5))
    assert right["总计"] == pytest.approx((GENERAL + 21.7, GENERAL + 5, 13.7, 3))
    assert right["城乡社区支出"] == pytest.approx((9.8, 0, 9.8, 0))  # 2120801 is a 212 code
    assert right["其他支出"] == pytest.approx((2.5, 0, 0, 2.5))
    assert right["一般公共服务支出"] == pytest.approx((302.75, 302.75, 0, 0))
    for name, (total, *funds) in right.items():
        assert total == pytest.approx(sum(funds)), name
    spend, end, grand = right["本年支出合计"], right["年末财政拨款结转和结余"], right["总计"]
    assert sum(right[n][0] for n in right if n not in ("本年支出合计", "年末财政拨款结转和结余", "总计")) == (
        pytest.approx(spend[0])
    )
    for col in range(4):
        assert spend[col] + end[col] == pytest.approx(grand[col])
    assert grand[0] == pytest.approx(left["总计"])


def test_fund_sheets_carry_the_fund_rows_and_balance(built):
    out, _ = built
    wb = load_workbook(out / "tables.xlsx")
    t8, t9 = sheet(wb, "公开08表"), sheet(wb, "公开09表")
    assert [r[0] for r in t8] == [None, "212", "21208", "2120801"]
    assert t8[0][1:] == ("合计", 1.2, 12.5, 9.8, 0, 9.8, pytest.approx(3.9))
    assert [(r[0], r[1]) for r in t9] == [
        (None, "合计"),
        ("229", "其他支出"),
        ("22999", "其他支出"),
        ("2299901", "其他支出"),
    ]
    assert t9[0][2:] == (0, 3, 2.5, 0, 2.5, pytest.approx(0.5))
    for _code, _name, start, income, spent, basic, project, end in t8 + t9:
        assert start + income - spent == pytest.approx(end) and basic + project == pytest.approx(spent)
    for name in ("公开08表", "公开09表"):
        assert not any("本表无数据" in str(r[0]) for r in wb[name].iter_rows(values_only=True))


def test_totals_table_and_expenditure_table_hold_every_funds_spending(built):
    out, _ = built
    wb = load_workbook(out / "tables.xlsx")
    t1 = sheet(wb, "公开01表")
    left = {r[0]: r[1] for r in t1 if r[0]}
    right = {r[2]: r[3] for r in t1 if r[2]}
    assert left["本年收入合计"] == pytest.approx(GENERAL + 15.5)
    assert left["年初结转和结余"] == pytest.approx(6.2)
    assert right["本年支出合计"] == pytest.approx(GENERAL + 12.3)
    assert right["年末结转和结余"] == pytest.approx(9.4)
    assert left["总计"] == pytest.approx(GENERAL + 21.7) == right["总计"]
    assert right["城乡社区支出"] == pytest.approx(9.8) and right["其他支出"] == pytest.approx(2.5)
    t3 = {r[0]: r[2:5] for r in sheet(wb, "公开03表")}
    assert t3[None] == pytest.approx((GENERAL + 12.3, 317.41, 64.9 + 12.3))
    assert t3["2120801"] == pytest.approx((9.8, 0, 9.8)) and t3["2299901"] == pytest.approx((2.5, 0, 2.5))
    t2 = {r[0]: r[2:5] for r in sheet(wb, "公开02表")}
    assert t2[None] == pytest.approx((GENERAL + 15.5, GENERAL + 15.5, 0))  # the income, by source
    assert t2["2120801"] == pytest.approx((12.5, 12.5, 0)) and t2["2299901"] == pytest.approx((3, 3, 0))
    assert t2["201"] == pytest.approx((302.75, 302.75, 0))
    t5 = {r[0]: r[3] for r in sheet(wb, "公开05表")}
    assert t5[None] == pytest.approx(GENERAL) and "2120801" not in t5  # 一般公共预算 only


def test_report_quotes_the_ledger_and_the_checker_finds_no_error(built):
    out, _ = built
    doc = Document(str(out / "report.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert f"收、支总计{D('404.01')}万元" in text  # 本年收入 397.81 + 年初结转和结余 6.2
    assert "本年支出合计394.61万元" in text and "项目支出77.2万元" in text
    assert "财政拨款收、支总计404.01万元" in text
    assert "一般公共预算财政拨款支出382.31万元" in text
    assert "政府性基金预算拨款支出9.8万元" in text and "国有资本经营预算拨款支出2.5万元" in text
    assert "全年总支出：394.61万元。其中，一般公共服务支出302.75万元" in text
    assert "城乡社区支出9.8万元，其他支出2.5万元。" in text
    findings = check_paths([out / "report.docx", out / "tables.xlsx"])
    assert [f.message for f in findings if f.severity == ERROR] == []


def test_ledger_check_accepts_the_carry_overs_and_finds_a_fund_overspent(built):
    _, data = built
    assert [f for f in check_facts(data) if f.severity == ERROR or f.rule == "SUM"] == []
    overspent = replace(data, fund_expenditure=D("14"))  # 年初 1.20 + 本年收入 12.50 = 13.70
    [finding] = [f for f in check_facts(overspent) if f.rule == "FUND-SPEND"]
    assert finding.severity == ERROR and "政府性基金预算财政拨款本年支出14万元" in finding.message
    # without any 年初 carry-over, income and spending of the year should agree
    assert any(f.rule == "SUM" for f in check_facts(replace(data, carry_over=(D(0), D(0), D(0)))))
