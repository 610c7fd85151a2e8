"""The 2019 disclosure built with the casework demo history loaded: Part 1 and the three project tables
carry the figures computed from the casework records, and the ledger's fund execution is checked against
the paid assistance cases. Loading the history replays ~800 matters through the services, so it runs once
per module, in a transaction rolled back at the end."""

from dataclasses import replace
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import load_demo_history
from xinfang.accounts.models import User
from xinfang.accounts.roles import FINANCE
from xinfang.analytics.work_statistics import work_statistics
from xinfang.finance.casework import approximate, load_casework, substitute
from xinfang.finance.checker import check_path, check_text
from xinfang.finance.checker.fact_rules import check_facts
from xinfang.finance.demo import load_finance_demo
from xinfang.finance.models import BudgetUnit, FinalAccounts
from xinfang.finance.narrative import build_blocks, plain_text
from xinfang.finance.queries import disclosure_data
from xinfang.finance.review import check_accounts

from .test_build import docx_text, finance_rows

PART1 = (
    "办理网上信访128件次，受理来访16批、28人次，省州交办件38件。群众接待中心接待群众来访109批、334人次。",
    "县级领导接访群众28批、65人次，协调解决群众诉求26件。",
    "化解省州交办2件，息诉息访1件。县级梳理排查化解信访积案5件，复查信访案件2件。",
    "排查化解矛盾纠纷56件次",
    "召开协调会议20余次，协商研判重要信访案件16件。",
)
INDICATORS = (
    "召开了视频会议4次，远程接访群众47人次",
    "息诉息访3件4人次",
    "接访劝返欲进京、赴省越级上访人员21批37人次",
)
CASEWORK_SOURCES = {
    "achievements": "casework",
    "indicators:信访视频会议系统技术服务费": "casework",
    "indicators:特殊疑难信访问题专项资金": "casework",
    "indicators:信访维稳工作经费": "casework",
}


@pytest.fixture(scope="module")
def world(tmp_path_factory, django_db_setup, django_db_blocker):
    out = tmp_path_factory.mktemp("casework")
    with django_db_blocker.unblock():
        with transaction.atomic():
            load_demo_history(current=False)
            accounts = load_finance_demo()
            call_command("build_disclosure", "--year", "2019", "--out", str(out))
            yield SimpleNamespace(out=out, accounts_id=accounts.pk)
            transaction.set_rollback(True)


@pytest.fixture
def accounts(world, db):
    return FinalAccounts.objects.get(pk=world.accounts_id)


def test_demo_links_the_bureau_and_reloads_without_writes(accounts):
    assert accounts.budget_unit.unit.code == "513223XFJ"
    before = finance_rows()
    with CaptureQueriesContext(connection) as queries:
        assert load_finance_demo().pk == accounts.pk
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == [] and finance_rows() == before


def test_report_carries_the_casework_figures_and_passes_the_checker(world, accounts):
    d = disclosure_data(accounts)
    assert d.sources == CASEWORK_SOURCES
    assert d.casework.stats["online_petitions"] == 128 and d.casework.stats["video_persons"] == 47
    assert (d.casework.fund_paid, d.casework.fund_paid_cases) == (Decimal("25.00"), 3)
    assert d.casework_changes == []  # the demo ledger's text already says what the records say
    text = docx_text(world.out / "report.docx")
    for phrase in PART1 + INDICATORS:
        assert phrase in text, phrase
    assert [f for f in check_path(world.out / "report.docx") if f.severity != "info"] == []
    assert [f for f in check_accounts(accounts) if f.severity != "info"] == []


def test_casework_figures_replace_the_stored_ones(accounts):
    accounts.achievements = (
        accounts.achievements.replace("网上信访128件次", "网上信访999件次")
        .replace("109批、334人次", "1批、2人次")
        .replace("召开协调会议20余次", "召开协调会议3次")
    )
    accounts.save()
    video, fund, duty = accounts.projects.order_by("order")
    video.indicators.filter(level2="数量指标").update(actual_text="召开了视频会议1次，远程接访群众0人次")
    fund.indicators.filter(level2="数量指标").update(actual_text="息诉息访9件9人次")
    duty.indicators.filter(level2="数量指标").update(actual_text="接访劝返越级上访人员0批0人次")
    d = disclosure_data(accounts)
    meetings = work_statistics(2019).joint_meetings
    text = plain_text(build_blocks(d))
    for phrase in (
        "办理网上信访128件次",
        "群众接待中心接待群众来访109批、334人次",
        f"召开协调会议{meetings}次",
        "召开了视频会议4次，远程接访群众47人次",
        "息诉息访3件4人次",
        "接访劝返越级上访人员21批37人次",
    ):
        assert phrase in text, phrase
    assert "999" not in text and "0批0人次" not in text
    assert ("第一部分 重点工作完成情况", "办理网上信访999件次", "办理网上信访128件次") in d.casework_changes
    assert (
        "信访维稳工作经费 绩效指标",
        "接访劝返越级上访人员0批0人次",
        "接访劝返越级上访人员21批37人次",
    ) in (d.casework_changes)
    assert len(d.casework_changes) == 7
    assert [f for f in check_text(text, year=2019) if f.severity != "info"] == []


def test_fund_execution_is_checked_against_the_paid_cases(accounts):
    fund = accounts.projects.get(casework="fund")
    assert not [f for f in check_accounts(accounts) if f.rule == "FUND"]
    fund.executed = fund.fiscal_executed = Decimal("24")
    fund.save()
    [finding] = [f for f in check_accounts(accounts) if f.rule == "FUND"]
    assert finding.severity == "warning" and "执行数24.00万元" in finding.message
    assert "已拨付专项资金救助3件合计25.00万元" in finding.message
    d = disclosure_data(accounts)
    # no payments recorded that year, or no casework at all: nothing to check against
    no_payments = replace(d.casework, fund_paid=Decimal(0), fund_paid_cases=0)
    assert not [f for f in check_facts(replace(d, casework=no_payments)) if f.rule == "FUND"]
    assert not [f for f in check_facts(replace(d, casework=None)) if f.rule == "FUND"]


def test_three_down_claim_is_checked_against_the_records(accounts):
    d = disclosure_data(accounts)
    assert not [f for f in check_facts(d) if f.rule == "CASEWORK"]
    stats = {
        **d.casework.stats,
        "improving": False,
        "three_down": {"信访总量": True, "集体访": False, "越级访": True},
    }
    [finding] = [
        f for f in check_facts(replace(d, casework=replace(d.casework, stats=stats))) if f.rule == "CASEWORK"
    ]
    assert "集体访" in finding.message and finding.severity == "warning"


def test_falls_back_to_the_stored_text(accounts):
    assert load_casework(accounts.budget_unit, 2017) is None  # no casework records that year
    BudgetUnit.objects.filter(pk=accounts.budget_unit_id).update(unit=None)
    accounts.refresh_from_db()
    d = disclosure_data(accounts)  # not linked to the bureau: the casework records are not its figures
    assert d.casework is None and set(d.sources.values()) == {"stored"}
    assert "办理网上信访128件次" in d.achievements[0]


def test_detail_page_says_where_the_figures_come_from(client, accounts):
    user = User.objects.create_user(username="u_fin", password="Xinfang#2019x")
    user.groups.add(Group.objects.get_or_create(name=FINANCE)[0])
    client.force_login(user)
    page = client.get(f"/finance/{accounts.pk}/").content.decode()
    assert "业务记录（2019年信访业务统计）" in page


# ------------------------------------------------------------------ pure


def test_substitute_keeps_the_wording():
    stats = {"joint_meetings": 23, "duty_station": {"batches": 21, "persons": 37}}
    text, n, changes = substitute(
        "召开协调会议30余次，召开协调会议5次。", ("召开协调会议{joint_meetings~}次",), stats
    )
    assert (text, n) == ("召开协调会议20余次，召开协调会议23次。", 2)
    assert changes == [("召开协调会议30余次", "召开协调会议20余次"), ("召开协调会议5次", "召开协调会议23次")]
    phrase = ("接访劝返{*}{duty_station.batches}批{duty_station.persons}人次",)
    assert substitute("接访劝返欲进京、赴省越级上访人员2批3人次", phrase, stats)[0].endswith("人员21批37人次")
    assert substitute("无相关数字。", phrase, stats) == ("无相关数字。", 0, [])
    assert [approximate(n) for n in (5, 10, 20, 21, 29, 30)] == ["5", "10", "20", "20余", "20余", "30"]
