"""In real Chromium: the supervisor's dashboard shows the 苗头性问题 panel; its link lists the cluster's matters.
Saves var/screenshots/clusters.png."""

from tests.browser import BROWSER, login, screenshot
from tests.petitions.test_clusters import land_cluster

pytestmark = BROWSER


def test_the_panel_shows_on_the_dashboard_and_drills_down(
    browser_page, live_server, clerk, supervisor, time_machine
):
    land = land_cluster(clerk, time_machine)
    page = browser_page
    base = live_server.url
    login(page, base, "super1")
    page.goto(f"{base}/analytics/")
    panel = page.locator("#table-clusters")
    assert "凤仪镇、南新镇、叠溪镇" in panel.inner_text() and "上升（1→3）" in panel.inner_text()
    screenshot(page, "clusters.png")
    panel.locator("a").first.click()
    page.wait_for_url(f"**/analytics/clusters/{land[0].number}/")
    listed = page.locator("#cluster-table").inner_text()
    assert all(m.number in listed for m in land) and "其他问题" not in listed
    assert page.locator("#h-campaign").is_visible() and page.locator("#h-meeting").is_visible()
