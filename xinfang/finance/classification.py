"""The official 支出功能分类 list per year, shipped as CSV in finance/data (pure: no ORM)."""

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"


@cache
def official_names(year: int) -> dict[str, str]:
    """code → official name for `year` (the nearest earlier shipped list when the year is missing)."""
    years = sorted(int(p.stem.split("_")[1]) for p in DATA.glob("functional_*.csv"))
    usable = [y for y in years if y <= year] or years[:1]
    with open(DATA / f"functional_{usable[-1]}.csv", encoding="utf-8") as fh:
        return {row["code"]: row["name"] for row in csv.DictReader(fh)}


@cache
def aliases() -> dict[str, set[str]]:
    """code → locally used names that are accepted with an info finding."""
    result: dict[str, set[str]] = {}
    with open(DATA / "aliases.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            result.setdefault(row["code"], set()).add(row["name"])
    return result
