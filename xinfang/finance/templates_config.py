"""Disclosure templates per region and year: the set of standard tables and number style.

A template names the tables it publishes (ids of xinfang.finance.render.xlsx.TABLES) in order. The
national 9-table set follows the Shanghai/MoF template; the Sichuan set adds the tables of the
Sichuan-style 13-table disclosures (fiscal-rules.md §2.11). Add a region or a year by adding an entry.
"""

from dataclasses import dataclass

NATIONAL_TABLES = ("T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9")
SICHUAN_TABLES = NATIONAL_TABLES + ("SC10", "SC11", "SC12", "SC13")


@dataclass(frozen=True)
class Template:
    region: str
    tables: tuple[str, ...]
    pct_style: str  # "sichuan": ≥10% whole percent, below one decimal; "2dp": two decimals


TEMPLATES = {
    "national": Template("national", NATIONAL_TABLES, "2dp"),
    "sichuan": Template("sichuan", SICHUAN_TABLES, "sichuan"),
}
# (region, first year it applies) → template key; the latest entry not after the year wins.
SCHEDULE = {("national", 2016): "national", ("sichuan", 2016): "sichuan"}


def template_for(region: str, year: int) -> Template:
    keys = sorted((y, key) for (r, y), key in SCHEDULE.items() if r == region and y <= year)
    return TEMPLATES[keys[-1][1]] if keys else TEMPLATES["national"]
