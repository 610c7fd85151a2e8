"""Batch 签收 on the worklist and the guided triage, in real Chromium (issue 12)."""

from tests import factories
from tests.browser import BROWSER, login
from xinfang.petitions import workflow
from xinfang.petitions.models import Matter

pytestmark = BROWSER


def test_unit_officer_ticks_two_matters_and_signs_them(browser_page, live_server, in_state, unit_officer):
    page, base = browser_page, live_server.url
    first, second, third = (in_state(workflow.FORWARDED) for _ in range(3))
    login(page, base, "unit1")
    page.goto(f"{base}/casework/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.check(f"input[name=numbers][value='{first.number}']")
    page.check(f"input[name=numbers][value='{second.number}']")
    page.wait_for_selector("#batch-bar >> text=已选 2 件")  # htmx counts the ticked matters
    page.click("#batch-bar button[value=acknowledge]")
    page.wait_for_url(f"{base}/casework/batch/")
    assert page.locator("#batch-allowed li").count() == 2
    page.click("#batch-confirm button[type=submit]")
    page.wait_for_selector("text=已完成 2 件，未办理 0 件。")
    assert set(page.locator("#batch-done a").all_inner_texts()) == {first.number, second.number}
    states = dict(Matter.objects.values_list("number", "state"))
    assert states[first.number] == states[second.number] == workflow.RECEIVED_BY_UNIT
    assert states[third.number] == workflow.FORWARDED


def test_clerk_answers_the_triage_questions_and_forwards(browser_page, live_server, clerk, units):
    page, base = browser_page, live_server.url
    matter = factories.register(clerk)
    login(page, base, "clerk1")
    page.goto(f"{base}/casework/matters/{matter.number}/")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("window.__same_page = true")
    steps = [("是，属于信访事项", "lawful"), ("否", "accusation"), ("否", "legal"), ("否", "elsewhere"),
             ("否", "major"), ("否，选择有权处理的单位", "unit"), ("否，转送", "forward")]  # fmt: skip
    for answer, key in steps:
        page.click(f"#triage-question a:text-is('{answer}')")
        page.wait_for_url(f"**.{key}")  # the step's address is pushed: each step can be linked to
    form = page.locator("#triage-form")
    assert form.get_attribute("action").endswith("/act/forward/")
    assert page.evaluate("window.__same_page === true")  # htmx swapped the section only
    form.locator("select[name=unit]").select_option(units["dept"].code)
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#matter-state >> text=已转送")
    matter.refresh_from_db()
    assert (matter.state, matter.handling_unit) == (workflow.FORWARDED, units["dept"])
