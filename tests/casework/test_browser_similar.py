"""Issue 16 in real Chromium: the clerk registers a letter that repeats a matter ended after 复核 — the list
shows that matter first with its reasons while the clerk types, the clerk chooses 不再受理, the notice is issued."""

from tests.browser import BROWSER, login
from tests.petitions.test_similar import WAGES, WAGES_AGAIN
from xinfang.petitions import workflow
from xinfang.petitions.models import Event, Registration

pytestmark = BROWSER


def test_a_letter_repeating_an_ended_matter_is_no_longer_accepted(browser_page, live_server, in_state):
    page = browser_page
    ended = in_state(workflow.TERMINATED, content=WAGES, title="拖欠农民工工资")
    other = in_state(workflow.ACCEPTED, content="村道年久失修，请求硬化。", title="村道失修")
    login(page, live_server.url, "clerk1")
    page.goto(f"{live_server.url}/casework/register/letter/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.fill("#id_title", "再次反映拖欠工资")
    page.select_option("#id_purpose", "04")
    page.fill("#id_content", WAGES_AGAIN)  # typing: the list refreshes after a pause
    first = page.locator("#similar ol.similar > li").first
    first.wait_for()
    assert first.get_attribute("data-candidate") == ended.number
    assert "内容相似" in first.inner_text() and other.number not in page.locator("#similar").inner_text()
    page.fill("#id_p-0-name", "张三")
    page.fill("#id_p-0-id_number", "11010519491231002X")
    page.locator("#id_p-0-id_number").dispatch_event("change")
    page.wait_for_selector("#similar li >> text=同一证件号")
    page.locator(f"#similar [data-repeat-of='{ended.number}'][data-disposition='no_longer']").click()
    assert page.input_value("#id_repeat_of") == ended.number
    assert page.is_checked("input[name='disposition'][value='no_longer']")
    assert "同一证件号" in page.input_value("#id_repeat_reason")
    page.click("#intake-form button[type=submit] >> text=登记")
    page.wait_for_url(f"{live_server.url}/casework/register/done/")
    assert "不再受理" in page.locator("main").inner_text()
    reg = Registration.objects.get(matter=ended, disposition="no_longer")
    event = Event.objects.get(matter=ended, kind="registration:no_longer_accepted")
    assert event.document.kind == "no_longer_notice" and "同一证件号" in event.note and reg.registered_by
