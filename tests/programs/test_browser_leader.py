"""Leader reception and 包案 in real Chromium: a clerk schedules the leader's reception day and records three
petitioners received, a case officer makes the leader owner of one of the matters, and the leader's dashboard
shows the owned matter and the day's 3 批.

Runs against pytest-django's live_server (a thread of this process, so time-machine applies to it too).
Chinese text is rendered with the Noto Sans CJK font of the mplfonts package through a private fontconfig."""

from datetime import datetime

from django.utils import timezone

from tests import factories
from tests.browser import BROWSER, login, logout, screenshot
from xinfang.petitions.models import Matter, Registration

pytestmark = BROWSER


def success(page):
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 0, page.locator(".error-summary").inner_text()
    assert page.locator(".msg-success").count() == 1


def test_leader_reception_ownership_and_dashboard(browser_page, live_server, time_machine):
    page = browser_page
    time_machine.move_to(timezone.make_aware(datetime(2026, 3, 10, 9, 30)))
    units = factories.make_units()
    factories.make_user("clerk1", "clerk", unit=units["bureau"], full_name="接待员甲")
    factories.make_user("officer1", "case_officer", unit=units["bureau"], full_name="办案员乙")
    leader = factories.make_user("leader1", "leader", unit=units["county_gov"], full_name="王县长")
    base = live_server.url

    # The clerk schedules the leader's reception day for today.
    login(page, base, "clerk1")
    page.goto(f"{base}/casework/programs/reception/")
    page.get_by_label("接访领导").select_option(label="王县长")
    page.get_by_label("接访日期").fill("2026-03-10")
    page.get_by_label("接访地点").fill("县群众接待中心")
    page.get_by_label("接访主题").fill("劳动保障和征地拆迁")
    page.get_by_role("button", name="安排").click()
    success(page)
    assert "2026-03-10 王县长接访" in page.locator("h1").inner_text()

    # Three petitioners are received that day, each registered through the day's page.
    for name, title, outcome in (("赵某某", "拖欠工资问题", "当场解决"), ("钱某某", "征地补偿问题", "交办处理"),
                                 ("孙某某", "低保申请问题", "解释疏导")):  # fmt: skip
        form = page.locator("#form-receptionform")
        form.get_by_label("事项摘要").fill(title)
        form.get_by_label("信访目的").select_option(value="04")
        form.get_by_label("问题属地（乡镇）").select_option(label="凤仪镇")
        form.get_by_label("反映内容").fill(f"{name}反映{title}。")
        form.get_by_label("接访结果").select_option(label=outcome)
        form.locator("#id_p-0-name").fill(name)
        form.get_by_role("button", name="登记").click()
        success(page)  # the result page: the 查询码 once, the 登记回执, the way back to the day (ADR 0007)
        assert len(page.locator("#query-code").inner_text()) == 12
        assert page.get_by_role("link", name="打印登记回执（Word 文档）").count() == 1
        page.get_by_role("link", name="返回领导接访日").click()
    assert page.locator("#day-batches").inner_text() == "3"
    assert page.locator("#day-persons").inner_text() == "3"
    assert page.locator("#received tbody tr").count() == 3
    screenshot(page, "reception_day.png")
    logout(page)

    # The case officer makes the leader owner (包案) of the wage matter.
    matter = Matter.objects.get(title="拖欠工资问题")
    login(page, base, "officer1")
    page.goto(f"{base}/casework/programs/reception/")
    page.get_by_role("link", name="2026-03-10").click()
    page.locator("#received tr", has_text="赵某某").get_by_role("link", name="包案").click()
    page.get_by_role("combobox", name="包案领导").select_option(label="王县长")
    page.get_by_role("button", name="确定包案领导").click()
    success(page)
    assert "王县长" in page.locator("#owner").inner_text()
    logout(page)

    # The leader sees the owned matter and the day's counts on the dashboard.
    login(page, base, "leader1")
    page.goto(f"{base}/casework/programs/leader/")
    owned = page.locator("#owned tbody")
    assert matter.number in owned.inner_text() and "拖欠工资问题" in owned.inner_text()
    assert owned.locator(".badge").count() == 1  # the running clock of the matter
    day_row = page.locator("#days tbody tr", has_text="2026-03-10")
    assert day_row.locator("td.num").all_inner_texts() == ["3", "3"]
    assert page.locator("#year-batches").inner_text() == "3"
    assert page.locator("#year-resolved").inner_text() == "1"
    assert Registration.objects.filter(reception_day__leader=leader).count() == 3
    screenshot(page, "leader.png")
