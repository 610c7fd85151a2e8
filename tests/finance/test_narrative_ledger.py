"""The builder prints only what the ledger holds (issue 15): 因公出国（境）, 外事接待 and the spending of
the government fund and of the state capital fund come from the ledger, not from literals or from the
income figures."""

from decimal import Decimal

import pytest

from xinfang.finance.checker import check_text
from xinfang.finance.demo import load_finance_demo
from xinfang.finance.models import Income, ThreePublic
from xinfang.finance.narrative import build_blocks, plain_text
from xinfang.finance.queries import disclosure_data

D = Decimal


@pytest.mark.django_db
def test_ledger_with_foreign_travel_foreign_guests_and_fund_spending():
    accounts = load_finance_demo()
    accounts.three_public.update_or_create(
        item=ThreePublic.Item.ABROAD, defaults={"budget": D("2.40"), "actual": D("2.40"), "prior_actual": 0}
    )
    accounts.incomes.update_or_create(source=Income.Source.FUND, defaults={"amount": D("12.50")})
    accounts.abroad_groups, accounts.abroad_persons = 1, 3
    accounts.fund_expenditure = D("9.80")
    accounts.state_capital_expenditure = D("0")
    accounts.foreign_reception_cost = D("0.35")
    accounts.foreign_reception_batches, accounts.foreign_reception_persons = 1, 4
    accounts.save()
    text = plain_text(build_blocks(disclosure_data(accounts)))

    assert "因公出国（境）经费支出2.4万元" in text
    assert "全年安排因公出国（境）团组1次，出国（境）3人" in text
    assert "政府性基金预算拨款支出9.8万元" in text  # the spending, not the income 12.50
    assert "政府性基金预算拨款支出12.5万元" not in text
    assert "国内公务接待支出1.5万元" in text  # 1.85 − 0.35
    assert "外事接待支出0.35万元，外事接待1批次，4人，共计支出0.35万元" in text
    # the text reads consistently: 国内 + 外事 = 公务接待费, the fund spends no more than it received
    assert not [f for f in check_text(text) if f.rule in ("SUM", "FUND-SPEND") and f.severity == "error"]


@pytest.mark.django_db
def test_fund_spending_above_income_and_carry_over_is_found_in_the_built_text():
    accounts = load_finance_demo()
    accounts.fund_expenditure = D("5")  # no fund income in the demo ledger
    accounts.save()
    text = plain_text(build_blocks(disclosure_data(accounts)))
    assert "政府性基金预算拨款支出5万元" in text
    assert any(f.rule == "FUND-SPEND" for f in check_text(text))
