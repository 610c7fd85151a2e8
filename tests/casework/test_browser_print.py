"""打印 in Chromium: the button is shown and prints; in print media the navigation, the action forms and the
button are hidden while the matter's facts, timeline and documents stay."""

from tests import factories
from tests.browser import BROWSER, login
from xinfang.petitions import workflow

pytestmark = BROWSER


def test_matter_page_prints_facts_timeline_and_documents_without_navigation(browser_page, live_server):
    page = browser_page
    units = factories.make_units()
    people = {
        "clerk": factories.make_user("clerk1", "clerk", unit=units["bureau"], full_name="接待员甲"),
        "case_officer": factories.make_user("officer1", "case_officer", unit=units["bureau"]),
        "unit_officer": factories.make_user("unit1", "unit_officer", unit=units["dept"]),
        "unit_head": factories.make_user("unithead", "unit_officer", "unit_head", unit=units["dept"]),
    }
    matter = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    login(page, live_server.url, "clerk1")
    page.goto(f"/casework/matters/{matter.number}/")
    button = page.get_by_role("button", name="打印")
    assert button.is_visible()
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    button.click()
    assert page.evaluate("window.__printed") == 1

    page.emulate_media(media="print")
    for hidden in ("header.topbar", "nav", "section[aria-labelledby='h-actions']", "[data-print]"):
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in ("#h-summary", "#timeline", "#h-docs"):
        assert page.locator(shown).is_visible(), shown
    assert page.locator("#main").get_by_text("受理告知书").first.is_visible()
