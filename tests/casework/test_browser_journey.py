"""The main casework journey in real Chromium: a collective visit from intake to 办结.

Runs against pytest-django's live_server (another thread of this process, so time-machine's travel
applies to the server too). Chinese text is rendered with the Noto Sans CJK font that the mplfonts
package ships, through a private fontconfig file, so no system font package is needed.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from tests import factories
from tests.browser import BROWSER, login, logout, screenshot
from xinfang.petitions.models import Matter

pytestmark = BROWSER


def act(page, action, fill=None):
    """Submit the action form `action` on the matter page, after filling its fields."""
    form = page.locator(f"form[action$='/act/{action}/']")
    for selector, value in (fill or {}).items():
        field = form.locator(selector)
        if field.evaluate("e => e.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".msg-error").count() == 0, page.locator(".messages").inner_text()
    assert page.locator(".msg-success").count() == 1


def test_collective_visit_journey(browser_page, live_server, time_machine):
    page = browser_page
    time_machine.move_to(timezone.make_aware(datetime(2025, 3, 3, 9, 0)))  # a Monday, no holiday near
    units = factories.make_units()
    factories.make_user("clerk1", "clerk", unit=units["bureau"], full_name="接待员甲")
    factories.make_user("officer1", "case_officer", unit=units["bureau"], full_name="办案员乙")
    factories.make_user("unit1", "unit_officer", unit=units["dept"], full_name="经办人丙")
    base = live_server.url

    # The clerk registers a collective visit of 12 people with two representatives.
    login(page, base, "clerk1")
    page.click("nav >> text=登记")
    page.click("text=来访")
    page.fill("#id_title", "集体反映拖欠工资问题")
    page.select_option("#id_purpose", "04")
    page.select_option("#id_content_class", "0303")
    page.select_option("#id_township", "513223100")
    page.fill("#id_content", "某建筑公司拖欠12名农民工工资三个月。")
    page.fill("#id_request", "请求支付拖欠的工资。")
    page.fill("#id_head_count", "12")
    page.select_option("#id_is_collective", "yes")
    page.fill("#id_place", "县群众接待中心")
    page.fill("#id_p-0-name", "李四")
    page.fill("#id_p-0-id_number", "11010519491231002X")
    page.check("#id_p-0-is_representative")
    page.fill("#id_p-1-name", "王五")
    page.fill("#id_p-1-id_number", "440524188001010014")
    page.fill("#id_p-1-mobile", "13912345678")
    page.check("#id_p-1-is_representative")
    page.click("#intake-form button[type=submit] >> text=登记")
    page.wait_for_url(f"{base}/casework/register/done/")
    assert "已登记" in page.locator(".messages").inner_text()
    assert len(page.locator("#query-code").inner_text()) == 12  # shown once, printed on the 登记回执
    page.click("main >> text=查看事项")
    page.wait_for_url(f"{base}/casework/matters/**")
    matter = Matter.objects.get()
    reg = matter.registrations.get()
    assert reg.head_count == 12 and reg.is_collective and reg.petitioners.count() == 2
    assert "1101**********002X" in page.content() and "11010519491231002X" not in page.content()

    # The worklist filters refresh the table in place (htmx) and keep the URL shareable.
    with page.expect_navigation():
        page.click("nav >> text=待办工作")
    page.wait_for_function("() => window.htmx !== undefined")  # htmx has taken over the filter form
    page.evaluate("window.__same_page = true")
    page.select_option("#id_clock", "overdue")
    page.wait_for_url("**clock=overdue**")
    assert page.locator("#worklist-results").inner_text().count("没有符合条件") == 1
    assert page.evaluate("window.__same_page === true")  # no full reload
    page.select_option("#id_clock", "")
    page.wait_for_selector(f"#worklist-results >> text={matter.number}")
    page.click(f"text={matter.number}")
    page.click("#triage-direct summary:text-is('转送')")  # the guided triage's direct choice (issue 12)
    act(page, "forward", {"select[name=unit]": "513223RSJ", "textarea[name=note]": "请依法处理"})
    assert page.locator("#matter-state").inner_text() == "已转送"
    logout(page)

    # The department's officer works it through to the delivered reply.
    login(page, base, "unit1")
    page.click(f"text={matter.number}")
    act(page, "acknowledge")
    act(page, "accept")
    act(page, "investigate")
    act(
        page,
        "reply",
        {"select[name=outcome]": "support", "textarea[name=opinion]": "责令该公司限期支付工资。"},
    )
    act(page, "deliver", {"select[name=method]": "in_person"})
    assert page.locator("#matter-state").inner_text() == "已答复送达"
    logout(page)

    # The petitioners ask for a review; the bureau's case officer decides it.
    login(page, base, "clerk1")
    page.goto(f"{base}/casework/matters/{matter.number}/")
    act(page, "request_review", {"textarea[name=reason]": "对处理意见不服"})
    logout(page)
    login(page, base, "officer1")
    page.goto(f"{base}/casework/matters/{matter.number}/")
    act(
        page,
        "decide_review",
        {"select[name=outcome]": "support", "textarea[name=opinion]": "维持原处理意见。"},
    )
    logout(page)

    # No recheck is requested in time: after the window the case officer closes the matter.
    matter.refresh_from_db()
    time_machine.move_to(timezone.make_aware(datetime.combine(matter.recheck_request_due + timedelta(days=1),
                                                              datetime.min.time().replace(hour=9))))  # fmt: skip
    login(page, base, "officer1")
    page.goto(f"{base}/casework/matters/{matter.number}/")
    act(page, "close")

    assert page.locator("#matter-state").inner_text() == "已办结"
    steps = page.locator("#timeline .what").all_inner_texts()
    for label in (
        "登记",
        "转送",
        "签收",
        "受理",
        "出具处理意见书",
        "送达",
        "申请复查",
        "作出复查意见",
        "办结",
    ):
        assert any(label in step for step in steps), (label, steps)
    assert steps[0] == "登记" and steps[-1].startswith("办结")
    screenshot(page, "journey.png")
