"""The dashboard page, chart JSON, drill-down list and .xlsx exports over HTTP."""

import io

import pytest
from openpyxl import load_workbook

from tests import factories
from xinfang.analytics import dashboards as D
from xinfang.analytics.kpis import Period

from .test_queries import TODAY

pytestmark = pytest.mark.usefixtures("both_paths")

Q = "start=2025-01-01&end=2025-04-08"
P = Period.year(2025)
HEADER = 7  # a sheet: the filters (rows 1–4), a blank row, the table's title, its header, its rows


def filters_block(ws) -> dict:
    return {r[0]: r[1] for r in ws.iter_rows(min_row=1, max_row=4, values_only=True)}


def test_supervisor_sees_the_county_with_links(login, world, supervisor):
    page = login(supervisor).get(f"/analytics/?{Q}").content.decode()
    assert "全县信访态势" in page and "责任单位排名" in page and "乡镇（问题属地）排名" in page
    assert "茂县人力资源和社会保障局" in page and "凤仪镇" in page
    assert "/analytics/matters/?" in page and "figure=overdue" in page
    assert 'data-url="/analytics/data/trend.json?' in page and "vendor/echarts.min.js" in page


def test_htmx_refresh_returns_the_body_only(login, world, supervisor):
    r = login(supervisor).get(f"/analytics/?{Q}&township=513223101", headers={"HX-Request": "true"})
    body = r.content.decode()
    assert body.startswith('<div id="dashboard-body"') and "<html" not in body
    assert "南新镇" in body


def test_unit_officer_sees_only_own_unit(login, world, unit_officer):
    page = login(unit_officer).get(f"/analytics/?{Q}&unit=513223100").content.decode()
    assert "茂县人力资源和社会保障局信访态势" in page
    assert "责任单位排名" not in page  # no other unit's figures
    data = login(unit_officer).get(f"/analytics/data/clocks.json?{Q}").json()
    overdue = dict(
        zip(data["categories"], next(s["data"] for s in data["series"] if s["name"] == "超期"), strict=True)
    )
    assert overdue == {
        "受理告知": 1,
        "办理": 0,
    }  # B only; the township's D and the bureau's C are not counted


def test_roles_without_dashboard_get_403(login, world, units):
    finance = factories.make_user("fin1", "finance", unit=units["bureau"])
    c = login(finance)
    for url in ("/analytics/", "/analytics/matters/?figure=overdue", "/analytics/export/kpis.xlsx"):
        r = c.get(url)
        assert r.status_code == 403 and "无权查看统计分析" in r.content.decode()
    assert c.get("/analytics/data/trend.json").status_code == 403


def test_chart_json(login, world, supervisor):
    c = login(supervisor)
    trend = c.get(f"/analytics/data/trend.json?{Q}").json()
    assert trend["categories"] == ["2025-03", "2025-04"]
    assert {s["name"]: s["data"] for s in trend["series"]} == {"来信": [4, 0], "来电": [1, 0], "来访": [0, 1]}
    assert all(link.startswith("/analytics/matters/?") for s in trend["series"] for link in s["links"])
    towns = c.get(f"/analytics/data/townships.json?{Q}").json()
    assert towns["categories"] == ["凤仪镇", "南新镇"] and towns["series"][0]["data"] == [4, 2]
    assert c.get("/analytics/data/nope.json").status_code == 404


def test_drill_down_lists_the_matters_and_offers_supervision(login, world, supervisor, unit_officer):
    url = f"/analytics/matters/?{Q}&figure=clock&clock=NOTIFY&status=overdue"
    page = login(supervisor).get(url).content.decode()
    assert world["B"].number in page and world["D"].number in page and world["A"].number not in page
    assert 'action="/casework/supervision/new/"' in page and f'value="{world["B"].number}"' in page
    page = login(unit_officer).get(url).content.decode()
    assert world["B"].number in page and world["D"].number not in page
    assert 'id="issue-selected"' not in page
    assert login(supervisor).get(f"/analytics/matters/?{Q}&figure=bogus").status_code == 404


def test_xlsx_export_has_the_page_numbers(login, world, supervisor):
    r = login(supervisor).get(f"/analytics/export/all.xlsx?{Q}")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert "责任单位排名" in wb.sheetnames and "时限状态（当前在办事项）" in wb.sheetnames
    units = wb["责任单位排名"]
    header = [c.value for c in units[HEADER]]
    rows = {
        r[0]: dict(zip(header, r, strict=True)) for r in units.iter_rows(min_row=HEADER + 1, values_only=True)
    }
    league = {r.label: r for r in D.league(D.Filters(Period(P.start, TODAY)), by="unit", today=TODAY)}
    for label, row in league.items():
        assert rows[label]["登记事项"] == row.registered and rows[label]["当前超期"] == row.overdue_now
        assert rows[label]["及时受理率"] == row.acceptance_rate
    clocks = {
        r[0]: r[1:] for r in wb["时限状态（当前在办事项）"].iter_rows(min_row=HEADER + 1, values_only=True)
    }
    assert clocks == {"转送交办": (0, 0, 1, 1), "受理告知": (1, 0, 2, 3), "办理": (1, 0, 0, 1)}
    kpis = {r[0]: r for r in wb["主要指标（同比、环比）"].iter_rows(min_row=HEADER + 1, values_only=True)}
    assert abs(kpis["重复信访率"][1] - 1 / 6) < 1e-9
    days = next(
        r
        for r in wb["主要指标（同比、环比）"].iter_rows(min_row=HEADER + 1)
        if r[0].value.startswith("平均办理时长")
    )
    assert days[1].number_format == "0.0" and days[4].number_format == "0.0"  # days, not a percentage


def test_average_days_read_as_days_not_percent(login, world, people, supervisor):
    a = world["A"]
    for action in ("investigate", "reply"):
        a = factories.do(action, a, people=people, units=world)
    page = login(supervisor).get(f"/analytics/?{Q}").content.decode()
    days = (a.replied_on - a.accepted_on).days
    row = page[page.index("平均办理时长") :].split("</tr>")[0]
    assert f">{days:.1f}<" in row and "%" not in row


def test_xlsx_export_of_a_drill_down(login, world, supervisor):
    r = login(supervisor).get(f"/analytics/export/matters.xlsx?{Q}&figure=overdue")
    ws = load_workbook(io.BytesIO(r.content)).active
    numbers = sorted(row[0] for row in ws.iter_rows(min_row=HEADER + 1, values_only=True))
    assert numbers == sorted(world[k].number for k in "BCD")
    assert filters_block(ws) == {"统计期间": "2025-01-01 至 2025-04-08", "乡镇（问题属地）": "全部",
                                 "责任单位": "全部", "内容分类": "全部"}  # fmt: skip


def test_every_xlsx_sheet_states_its_filters(login, world, supervisor, unit_officer):
    q = f"{Q}&township=513223101&content_class=01"
    wb = load_workbook(io.BytesIO(login(supervisor).get(f"/analytics/export/all.xlsx?{q}").content))
    want = {"统计期间": "2025-01-01 至 2025-04-08", "乡镇（问题属地）": "南新镇（513223101）", "责任单位": "全部",
            "内容分类": "城乡建设（01）（含下级分类）"}  # fmt: skip
    assert len(wb.worksheets) >= 8 and all(filters_block(ws) == want for ws in wb.worksheets)
    assert all(ws.cell(HEADER - 1, 1).font.bold and ws.cell(HEADER, 1).value for ws in wb.worksheets)
    ws = load_workbook(
        io.BytesIO(login(supervisor).get(f"/analytics/export/matters.xlsx?{q}&figure=intake").content)
    ).active
    assert filters_block(ws) == want and ws.cell(HEADER - 1, 1).value == "登记的信访事项"
    # a unit officer's export states the unit the figures are limited to, whatever was asked for
    r = login(unit_officer).get(f"/analytics/export/kpis.xlsx?{Q}&unit=513223100")
    assert (
        filters_block(load_workbook(io.BytesIO(r.content)).active)["责任单位"]
        == "茂县人力资源和社会保障局（513223RSJ）"
    )


def test_end_before_start_is_refused_in_chinese_without_figures(login, world, supervisor):
    c = login(supervisor)
    bad = "start=2025-04-08&end=2025-01-01"
    r = c.get(f"/analytics/?{bad}")
    page = r.content.decode()
    assert r.status_code == 400 and "截止日期不能早于起始日期" in page and "筛选条件有误" in page
    assert "主要指标" not in page  # no figures for other dates than those asked for (no swap, no default)
    assert 'value="2025-04-08"' in page and 'value="2025-01-01"' in page  # the input is kept to correct it
    r = c.get(f"/analytics/?{bad}", headers={"HX-Request": "true"})  # the filter form refreshes through htmx
    assert (
        r.status_code == 200
        and "截止日期不能早于起始日期" in r.content.decode()
        and "主要指标" not in r.content.decode()
    )
    for url in (f"/analytics/export/all.xlsx?{bad}", f"/analytics/matters/?figure=overdue&{bad}"):
        r = c.get(url)
        assert r.status_code == 400 and "截止日期不能早于起始日期" in r.content.decode()
    r = c.get(f"/analytics/data/trend.json?{bad}")
    assert r.status_code == 400 and "截止日期不能早于起始日期" in r.json()["error"]
