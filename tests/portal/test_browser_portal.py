"""The citizen's journey in real Chromium (Playwright) against the live server, with an axe-core scan."""

import io
from pathlib import Path

import pytest
from docx import Document as DocxDocument

from tests.browser import BROWSER, screenshot
from tests.portal.helpers import advance, png_bytes
from xinfang.petitions import workflow
from xinfang.petitions.models import Registration

AXE = "/static/vendor/axe.min.js"  # loaded from the site itself: the CSP refuses an inline script

pytestmark = BROWSER


@pytest.fixture
def page(browser_page):
    return browser_page


def serious_violations(page) -> list[str]:
    page.add_script_tag(url=AXE)
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {[(n['target'], n.get('failureSummary', '')[:200]) for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def fill_petition(page, png: Path) -> None:
    page.goto("/portal/submit/")
    page.select_option("#id_purpose", "04")
    page.select_option("#id_content_class", "03")
    page.select_option("#id_township", "513223100")
    page.fill("#id_title", "拖欠工资问题")
    page.fill("#id_facts", "2019年6月至8月某公司未发工资。")
    page.fill("#id_request", "请求支付拖欠的工资。")
    page.set_input_files("#id_attachments", str(png))
    page.fill("#id_name", "张三")
    page.fill("#id_id_number", "11010519491231002X")
    page.fill("#id_mobile", "13912345678")


def test_citizen_submits_tracks_rates_and_appeals(page, units, people, tmp_path):
    png = tmp_path / "工资条.png"
    png.write_bytes(png_bytes())
    fill_petition(page, png)
    page.click("button:has-text('提交')")
    page.wait_for_url("**/portal/submit/receipt/")
    number = page.inner_text("#reg-number").strip()
    code = page.inner_text("#query-code").strip()
    assert len(code) == 12
    with page.expect_download() as receipt:
        page.click("text=下载回执")
    assert receipt.value.suggested_filename.endswith(".docx")

    # staff take it to a reply through the services
    matter = Registration.objects.get(number=number).matter
    matter = advance(
        matter, people, units, "forward", "acknowledge", "accept", "investigate", "reply", "deliver"
    )

    # the citizen tracks it with number + 查询码
    page.context.clear_cookies()
    page.goto("/portal/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", code.lower())
    page.click("button:has-text('查询')")
    page.wait_for_url("**/portal/track/case/")
    assert page.inner_text("#state") == "已答复送达"
    assert "工资条.png" in page.inner_text("#uploads")
    with page.expect_download() as reply:
        page.click("#documents a:has-text('信访事项处理意见书')")
    path = reply.value.path()
    text = "\n".join(p.text for p in DocxDocument(io.BytesIO(Path(path).read_bytes())).paragraphs)
    assert "责令公司支付工资" in text

    # rate the unit 不满意, then request a review
    page.check("#eval-unit label:has-text('不满意') input")
    page.select_option("#id_unit-reason", "诉求未得到解决")
    page.fill("#id_unit-text", "工资至今未发。")
    page.click("#eval-unit button:has-text('提交评价')")
    assert "评价已提交" in page.inner_text(".messages")
    assert "第三十五条" in page.inner_text("#eval-unit")
    page.fill("#appeal textarea", "处理意见未落实。")
    page.click("#appeal button:has-text('申请复查')")
    assert "复查申请已提交" in page.inner_text(".messages")
    matter.refresh_from_db()
    assert matter.state == workflow.UNDER_REVIEW

    # the review is decided by a case officer; the citizen reloads and downloads it
    advance(matter, people, units, "decide_review")
    page.reload()
    assert page.inner_text("#state") == "已作出复查意见"
    assert "作出复查意见" in page.inner_text("#milestones")
    with page.expect_download() as review:
        page.click("#documents a:has-text('信访事项复查意见书')")
    assert review.value.suggested_filename.endswith(".docx")
    screenshot(page, "portal-track.png")
    assert serious_violations(page) == []


def test_axe_finds_no_serious_violations_on_portal_pages(page, units, people, tmp_path):
    png = tmp_path / "a.png"
    png.write_bytes(png_bytes())
    page.goto("/portal/submit/")
    assert serious_violations(page) == []
    page.click("button:has-text('提交')")  # empty form: the error summary
    assert page.is_visible("#error-summary")
    assert serious_violations(page) == []
    fill_petition(page, png)
    page.click("button:has-text('提交')")
    page.wait_for_url("**/portal/submit/receipt/")
    assert serious_violations(page) == []
    advance(Registration.objects.get().matter, people, units, "forward", "acknowledge", "accept")
    page.goto("/portal/track/case/")
    assert serious_violations(page) == []
    page.goto("/portal/track/")
    assert serious_violations(page) == []
    page.goto("/portal/stats/")
    page.wait_for_selector("#chart-channel svg")
    assert serious_violations(page) == []
    page.set_viewport_size({"width": 375, "height": 800})  # a phone
    page.goto("/portal/")
    assert serious_violations(page) == []
