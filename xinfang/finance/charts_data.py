"""The data of the report's charts (pure)."""

from xinfang.finance.data_types import Disclosure
from xinfang.finance.render.charts import ChartData


def chart_data(d: Disclosure) -> list[ChartData]:
    classes = d.class_totals
    tp = d.three_public_total
    return [
        ChartData(
            "general_budget",
            f"一般公共预算拨款数（{d.year - 1}年度与{d.year}年度）",
            (f"{d.year - 1}年度", f"{d.year}年度"),
            (d.prior_general_budget, d.expenditure_total),  # spending, as the prior year's figure
            "bar",
        ),
        ChartData(
            "structure",
            f"{d.year}年度一般公共预算财政拨款支出结构（按类）",
            tuple(d.class_names[c] for c in classes),
            tuple(classes.values()),
            "pie",
        ),
        ChartData(
            "three_public",
            f"{d.year}年度“三公”经费构成（决算{tp.actual:f}万元）",
            ("因公出国（境）", "公务用车购置及运行维护费", "公务接待费"),
            (d.tp("abroad").actual, d.vehicle_cost.actual, d.tp("reception").actual),
            "pie",
        ),
    ]
