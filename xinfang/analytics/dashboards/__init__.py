"""Dashboard queries (督查督办 and leaders' screens): aggregate ORM queries returning plain dataclasses.

Each function takes `Filters` (a `kpis.Period`, 问题属地 township, 有权处理机关 unit and 内容分类 code; a
content class includes its sub-classes) and groups in the database (`values().annotate()`); no Python loop
over matters. A figure reads the summary tables (`tallies.py`) when its filters and grouping fit one
roll-up, and the records otherwise; tests check both give the same figures. The populations are those of
`populations.py`, shared with `kpis.py`, the summary tables and the public page.

One module per concern; the public names are importable from here:

- `filters`     Filters, who may apply which (`dashboard_filters`), the form's choices
- `comparison`  the KPI table with 同比 / 环比 (`kpi_table`, `year_ago`, `previous`)
- `intake`      信访总量 by class / township / channel, overview, average handling days
- `trend`       信访总量 by month × 信访形式
- `clocks`      clock status of open matters, now
- `leagues`     league tables of units and townships (tests hold a row equal to `kpis.*(scope=…)`)
- `drill`       the matters behind a figure, always through `access.visible_matters`
"""

from xinfang.analytics.dashboards.clocks import PETITIONER_CLOCKS, ClockRow, _soon, clock_status
from xinfang.analytics.dashboards.comparison import KPI_LABELS, KpiRow, kpi_table, previous, year_ago
from xinfang.analytics.dashboards.drill import DRILL_FIGURES, drill_down
from xinfang.analytics.dashboards.filters import (
    Filters,
    dashboard_filters,
    describe,
    filter_choices,
    is_county_wide,
)
from xinfang.analytics.dashboards.intake import CountRow, Overview, average_handling_days, intake_by, overview
from xinfang.analytics.dashboards.leagues import LEAGUES, LeagueRow, _league_tallied, league
from xinfang.analytics.dashboards.trend import LocalMonth, TrendRow, _local_month, intake_trend
from xinfang.analytics.tallies import STAFF_CLOCKS

__all__ = [
    "DRILL_FIGURES", "KPI_LABELS", "LEAGUES", "PETITIONER_CLOCKS", "STAFF_CLOCKS", "ClockRow", "CountRow",
    "Filters", "KpiRow", "LeagueRow", "LocalMonth", "Overview", "TrendRow", "_league_tallied", "_local_month",
    "_soon", "average_handling_days", "clock_status", "dashboard_filters", "describe", "drill_down", "filter_choices",
    "intake_by", "intake_trend", "is_county_wide", "kpi_table", "league", "overview", "previous", "year_ago",
]  # fmt: skip
