"""Import of the standard tables workbook: all or nothing, each unreadable row reported."""

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from xinfang.finance.demo import load_finance_demo
from xinfang.finance.queries import disclosure_data
from xinfang.finance.render.xlsx import build_tables, render_xlsx
from xinfang.finance.services import import_standard_tables


@pytest.fixture
def accounts(db):
    return load_finance_demo()


@pytest.fixture
def workbook_bytes(accounts, tmp_path):
    d = disclosure_data(accounts)
    path = render_xlsx(build_tables(d), unit_name=d.unit_name, year=d.year, path=tmp_path / "t.xlsx")
    return path.read_bytes()


def test_round_trip_import_saves(accounts, workbook_bytes):
    accounts.expenditures.filter(code="2010301").update(basic=Decimal("1"))
    errors = import_standard_tables(accounts, file=BytesIO(workbook_bytes), by=None)
    assert errors == []
    assert accounts.expenditures.get(code="2010301").basic == Decimal("173.67")
    assert disclosure_data(accounts).expenditure_total == Decimal("382.31")


def test_bad_rows_reported_and_nothing_saved(accounts, workbook_bytes):
    wb = load_workbook(BytesIO(workbook_bytes))
    ws = wb["公开05表"]
    for row in ws.iter_rows(min_row=4):
        if row[0].value == "2010301":
            row[4].value = "abc"
        if row[0].value == "2101101":
            row[0].value = "2109999"
    buf = BytesIO()
    wb.save(buf)
    before = list(accounts.expenditures.values_list("code", "basic"))
    errors = import_standard_tables(accounts, file=BytesIO(buf.getvalue()), by=None)
    messages = " ".join(e.message for e in errors)
    assert "不是金额" in messages and "2109999" in messages
    assert all(e.sheet == "公开05表" and e.row >= 4 for e in errors)
    assert list(accounts.expenditures.values_list("code", "basic")) == before


def test_not_a_workbook(accounts):
    errors = import_standard_tables(accounts, file=BytesIO(b"not xlsx"), by=None)
    assert errors and "xlsx" in errors[0].message
