"""In real Chromium: a supervisor filters the dashboard by township, drills into an overdue figure and issues a
supervision order on a listed matter; the unit officer finds it under 督办件 and replies in writing; the
supervisor sees the feedback. Saves var/screenshots/dashboard.png."""

from tests.browser import BROWSER, login, logout, screenshot
from xinfang.petitions.models import SupervisionOrder

pytestmark = BROWSER


def test_dashboard_drill_down_to_supervision_and_feedback(
    browser_page, live_server, world, supervisor, unit_officer
):
    page = browser_page
    base = live_server.url
    b, d = world["B"], world["D"]

    login(page, base, "super1")
    page.goto(f"{base}/analytics/?start=2025-01-01&end=2025-04-08")
    for chart in ("trend", "clocks", "classes", "townships"):
        page.wait_for_selector(f"#chart-{chart}[data-drawn]", state="attached")
    screenshot(page, "dashboard.png")

    # Filter by township: htmx refreshes the figures in place and keeps the URL shareable.
    page.evaluate("window.__same_page = true")
    page.select_option("#id_township", "513223100")
    page.wait_for_url("**township=513223100**")
    for chart in ("trend", "clocks", "classes", "townships"):
        page.wait_for_selector(f"#chart-{chart}[data-drawn]", state="attached")
    assert page.evaluate("window.__same_page === true")
    assert "南新镇" not in page.locator("#table-townships").inner_text()

    # Drill into the overdue 受理告知 figure of the clock table: B (dept) and D (township unit).
    page.click("#table-clocks tr:has(th:text('受理告知')) td:nth-child(4) a")
    page.wait_for_url("**/analytics/matters/**figure=clock**")
    listed = page.locator("#drill-table").inner_text()
    assert b.number in listed and d.number in listed and world["C"].number not in listed

    # Issue a supervision order on B.
    page.check(f"#pick-{b.number}")
    page.click("#issue-selected")
    page.wait_for_url("**/casework/supervision/new/**")
    assert b.number in page.input_value("#id_matters")
    page.select_option("#id_level", "supervise")
    page.fill("#id_reason", "受理告知超过法定时限，请立即办理并书面反馈。")
    page.click("#new-order-form button[type=submit]")
    page.wait_for_url("**/casework/supervision/*/")
    order = SupervisionOrder.objects.get()
    assert (
        order.status == "issued" and order.target_unit == world["dept"] and list(order.matters.all()) == [b]
    )
    assert page.locator("#order-status").inner_text() == "已下达"
    logout(page)

    # The unit officer finds it under 督办件 and replies in writing.
    login(page, base, "unit1")
    page.goto(f"{base}/casework/supervision/")
    page.wait_for_url("**/casework/supervision/unit/")
    page.click(f"text={order.number}")
    page.fill("#id_feedback", "已签收并受理，书面告知已送达信访人。")
    page.click("#answer-form button[type=submit]")
    page.wait_for_selector(".msg-success")
    assert page.locator("#order-status").inner_text() == "已书面反馈"
    logout(page)

    # The supervisor sees the feedback.
    login(page, base, "super1")
    page.goto(f"{base}/casework/supervision/")
    page.click(f"text={order.number}")
    assert "已签收并受理，书面告知已送达信访人。" in page.locator("#order-feedback").inner_text()
    order.refresh_from_db()
    assert order.status == "answered" and order.feedback_by == unit_officer
