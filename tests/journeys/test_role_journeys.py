"""Issue 12: a journey per role through the real UI in Chromium (Playwright against the live server).

The step a journey is about goes through the pages; the state around it (other matters, the steps of other
people) is made through the services (tests/factories.py), so the file stays quick. Screenshots go to the
test's tmp_path only."""

import io
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from docx import Document as DocxDocument
from docx.shared import Mm
from openpyxl import load_workbook

from tests import factories
from tests.browser import BROWSER, login, logout
from tests.portal.helpers import png_bytes
from xinfang.petitions import programs, supervision, workflow
from xinfang.petitions.models import ExtensionRequest, Matter, Registration

pytestmark = BROWSER

NAME, ID_NUMBER, MOBILE = "欧阳明辉", "51010719800315001X", "13700001234"
# The smallest PDF that a browser's viewer opens: a catalogue, one empty A4 page, no content stream.
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


def people_and_units():
    units = factories.make_units()
    people = {
        "clerk": factories.make_user("clerk1", "clerk", unit=units["bureau"], full_name="接待员甲"),
        "case_officer": factories.make_user("officer1", "case_officer", unit=units["bureau"], full_name="办案员乙"),
        "unit_officer": factories.make_user("unit1", "unit_officer", unit=units["dept"], full_name="经办人丙"),
        "unit_head": factories.make_user("unithead", "unit_officer", "unit_head", unit=units["dept"],
                                         full_name="负责人丁"),
    }  # fmt: skip
    return people, units


def done(page):
    page.wait_for_load_state()
    assert page.locator(".msg-error, .error-summary").count() == 0, page.locator("main").inner_text()[:500]
    assert page.locator(".msg-success").count() == 1


def search(page, text: str) -> str:
    """Type `text` in the worklist's one search box: the table refreshes in place (htmx, after a pause)."""
    page.fill("#id_q", text)
    with page.expect_response(lambda r: parse_qs(urlparse(r.url).query).get("q") == [text] and r.ok):
        page.press("#id_q", "End")  # the key's keyup, as typing ends
    page.wait_for_load_state()
    return page.locator("#worklist-results").inner_text()


def test_clerk_registers_a_visit_with_scans_and_the_citizen_tracks_it(browser_page, live_server, tmp_path):
    page = browser_page
    people, units = people_and_units()
    other = factories.register(people["clerk"], title="宅基地纠纷", petitioners=[factories.petitioner_input(
        name="明辉", id_number="11010519491231002X", mobile="13912345678")])  # fmt: skip
    png, pdf = tmp_path / "来访材料.png", tmp_path / "身份证复印件.pdf"
    png.write_bytes(png_bytes())
    pdf.write_bytes(PDF)

    # The clerk registers a visit with the materials scanned at the desk.
    login(page, live_server.url, "clerk1")
    page.goto("/casework/register/visit/")
    page.fill("#id_title", "反映拖欠工程款问题")
    page.select_option("#id_purpose", "04")
    page.select_option("#id_content_class", "0303")
    page.select_option("#id_township", "513223100")
    page.fill("#id_content", "某建筑公司拖欠工程款八万元。")
    page.fill("#id_request", "请求支付拖欠的工程款。")
    page.fill("#id_place", "县群众接待中心")
    page.fill("#id_p-0-name", NAME)
    page.fill("#id_p-0-id_number", ID_NUMBER)
    page.fill("#id_p-0-mobile", MOBILE)
    page.set_input_files("#id_attachments", [str(png), str(pdf)])
    with page.expect_navigation():
        page.click("#intake-form button[type=submit] >> text=登记")
    assert page.url.endswith("/casework/register/done/"), page.locator(
        ".error-summary, .field-error"
    ).all_inner_texts()
    number = page.inner_text("#reg-number").strip()
    code = page.inner_text("#query-code").strip()
    assert number.startswith("DJ") and len(code) == 12, (number, code)
    assert "2 个文件已保存" in page.locator("main").inner_text()
    matter = Registration.objects.get(number=number).matter

    # The 登记回执 is a Word document on A4.
    with page.expect_download() as receipt:
        page.click("text=打印登记回执（Word 文档）")
    assert receipt.value.suggested_filename.endswith(".docx")
    doc = DocxDocument(io.BytesIO(Path(receipt.value.path()).read_bytes()))
    for section in doc.sections:
        assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    assert number in "\n".join(p.text for p in doc.paragraphs) + "".join(
        c.text for t in doc.tables for row in t.rows for c in row.cells
    )

    # The worklist's one search box finds it by 登记编号, part of the name, ID number and mobile.
    page.goto("/casework/")
    page.wait_for_function("() => window.htmx !== undefined")
    for text in (number, "欧阳", ID_NUMBER, MOBILE):
        found = search(page, text)
        assert matter.number in found and other.number not in found, (text, found)
    assert other.number in search(page, "明辉")  # the other petitioner, whose whole name this is

    # The matter page: the scans preview inline, and the page prints without the navigation.
    page.click(f"#worklist-results >> text={matter.number}")
    page.wait_for_url(f"**/casework/matters/{matter.number}/")
    previews = page.locator("#attachments li")
    assert previews.locator("details.preview").count() == 2
    with page.expect_response(lambda r: "/attachments/" in r.url and r.status == 200) as image:
        previews.filter(has_text="来访材料.png").locator("summary").click()
    assert image.value.headers["content-type"] == "image/png"
    page.wait_for_function("() => { const i = document.querySelector('details.preview[open] img');"
                           " return i && i.complete && i.naturalWidth > 0; }")  # fmt: skip
    with page.expect_response(lambda r: "/attachments/" in r.url and r.status == 200) as frame:
        previews.filter(has_text="身份证复印件.pdf").locator("summary").click()
    assert frame.value.headers["content-type"] == "application/pdf"
    assert "inline" in frame.value.headers.get("content-disposition", "inline")
    pdf_frame = page.locator("details.preview iframe").element_handle().content_frame()
    pdf_frame.wait_for_load_state()
    assert pdf_frame.url == frame.value.url
    assert page.get_by_role("button", name="打印").is_visible()
    page.emulate_media(media="print")
    for hidden in ("header.topbar", "nav", "[data-print]"):
        assert not page.locator(hidden).first.is_visible(), hidden
    assert page.locator("#h-summary").is_visible()
    page.screenshot(path=str(tmp_path / "matter-print.png"), full_page=True)
    page.emulate_media(media="screen")
    logout(page)

    # The bureau forwards it (through the service); the citizen tracks it with 登记编号 + 查询码.
    factories.do("forward", matter, people=people, units=units)
    page.goto("/portal/track/")
    page.fill("#id_number", number)
    page.fill("#id_code", code)
    page.click("button:has-text('查询')")
    page.wait_for_url("**/portal/track/case/")
    assert page.inner_text("#state") == "已转送"
    milestones = page.locator("#milestones .what").all_inner_texts()
    assert len(milestones) >= 2 and any("登记" in m for m in milestones), milestones
    assert any("转送" in m for m in milestones), milestones
    assert "茂县人力资源和社会保障局" in page.inner_text("#milestones")


def test_unit_officer_requests_extensions_and_the_unit_head_decides_them(browser_page, live_server):
    page = browser_page
    people, units = people_and_units()
    first = factories.matter_in_state(workflow.ACCEPTED, people=people, units=units)
    second = factories.matter_in_state(
        workflow.INVESTIGATING, people=people, units=units, title="征地补偿问题"
    )
    due_before = first.handle_due

    # The unit's officer handles the first matter and asks for 20 more days on both.
    login(page, live_server.url, "unit1")
    for matter, reason in ((first, "需要调取银行流水"), (second, "需要组织现场勘查")):
        page.goto(f"/casework/matters/{matter.number}/")
        if matter is first:
            page.locator("form[action$='/act/investigate/'] button[type=submit]").click()
            done(page)
            assert page.inner_text("#matter-state") == "调查核实中"
        form = page.locator("form[action$='/request/extend/']")
        form.locator("input[name=days]").fill("20")
        form.locator("textarea[name=reason]").fill(reason)
        form.locator("button[type=submit]").click()
        done(page)
        assert reason in page.locator("section[aria-labelledby='h-actions']").inner_text()
    logout(page)

    # The unit head finds both under 待审批延期 in the worklist: approves one, refuses the other.
    login(page, live_server.url, "unithead")
    pending = page.locator("#pending-requests")
    assert "需要调取银行流水" in pending.inner_text() and "需要组织现场勘查" in pending.inner_text()
    approve = pending.locator("form", has_text=first.number)
    approve.get_by_label("批准延期").check()
    approve.get_by_role("button", name="提交审批意见").click()
    done(page)  # on the matter's page, which shows the extended period
    page.goto("/casework/")
    refuse = page.locator("#pending-requests form", has_text=second.number)
    refuse.get_by_label("不予批准", exact=True).check()
    refuse.locator("textarea[name=reason]").fill("现有材料足以作出处理意见")
    refuse.get_by_role("button", name="提交审批意见").click()
    done(page)
    assert page.locator("#pending-requests").count() == 0

    first.refresh_from_db()
    assert first.state == workflow.EXTENDED and first.extension_days == 20 and first.handle_due > due_before
    page.goto(f"/casework/matters/{first.number}/")
    assert first.handle_due.isoformat() in page.locator("#h-dates + dl").inner_text()
    refused = ExtensionRequest.objects.get(matter=second)
    assert (
        refused.state == ExtensionRequest.State.REFUSED
        and refused.refusal_reason == "现有材料足以作出处理意见"
    )
    page.goto(f"/casework/matters/{second.number}/")
    assert "现有材料足以作出处理意见" in page.inner_text("#timeline")
    assert Matter.objects.get(pk=second.pk).state == workflow.INVESTIGATING


def test_each_other_role_lands_on_its_work(browser_page, live_server, tmp_path):
    page = browser_page
    base = live_server.url
    people, units = people_and_units()
    supervisor = factories.make_user("super1", "supervisor", unit=units["bureau"], full_name="督查员")
    leader = factories.make_user("leader1", "leader", unit=units["county_gov"], full_name="王县长")
    factories.make_user("caiwu1", "finance", unit=units["bureau"], full_name="财务员")
    factories.make_user("audit1", "auditor", unit=units["bureau"], full_name="审计员")
    admin = factories.make_user("admin1", "admin", unit=units["bureau"], full_name="管理员")
    admin.is_staff = True
    admin.save(update_fields=["is_staff"])
    matter = factories.matter_in_state(workflow.INVESTIGATING, people=people, units=units)
    factories.matter_in_state(workflow.FORWARDED, people=people, units=units, title="道路维修问题")
    order = supervision.issue_order(by=supervisor, level="supervise", reason="办理进度缓慢，请加快办理。",
                                    unit=units["dept"], matters=[matter])  # fmt: skip
    programs.take_ownership(matter, by=people["case_officer"], leader=leader)

    # 督查督办: the dashboard draws its charts; the 督办 page lists the order.
    login(page, base, "super1")
    page.goto("/analytics/")
    for chart in ("trend", "clocks", "classes", "townships"):
        page.wait_for_selector(f"#chart-{chart}[data-drawn]", state="attached")
    page.goto("/casework/supervision/")
    assert order.number in page.locator("main").inner_text()
    page.click(f"text={order.number}")
    assert page.inner_text("#order-status") == "已下达" and matter.number in page.locator("main").inner_text()
    page.screenshot(path=str(tmp_path / "supervision.png"), full_page=True)
    logout(page)

    # The leader lands on the workbench, with the open matter they own (包案).
    login(page, base, "leader1", "/casework/programs/leader/")
    owned = page.locator("#owned tbody").inner_text()
    assert matter.number in owned and "调查核实中" in owned
    logout(page)

    # 财务人员 lands on 部门决算; 系统管理员 on 系统管理.
    login(page, base, "caiwu1", "/finance/")
    assert page.locator("h1").inner_text() == "部门决算与年度公开"
    logout(page)
    login(page, base, "admin1", "/admin/")
    assert page.locator("#site-name, #content h1").first.is_visible()
    assert page.get_by_role("link", name="用户").first.is_visible()
    page.locator("#logout-form button, form[action$='/logout/'] button").first.click()
    page.wait_for_load_state()

    # 审计管理员: the audit log, filtered by user and action, exported as .xlsx with the same rows.
    login(page, base, "audit1", "/casework/audit/**")
    page.fill("#id_username", "super1")
    page.select_option("#id_action", "login")
    page.click("form[role=search] button[type=submit]")
    page.wait_for_url("**username=super1**")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and "super1" in rows.first.inner_text()
    with page.expect_download() as export:
        page.click("text=导出 Excel")
    assert export.value.suggested_filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(Path(export.value.path()).read_bytes())).active
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any("super1" == c for c in cells) and not any(c in ("leader1", "caiwu1") for c in cells), cells
