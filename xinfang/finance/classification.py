"""The official classifications as data (pure: no ORM), shipped in finance/data with their sources (sources.md).

- functional.csv: 《政府收支分类科目》支出功能分类 类/款/项 (3/5/7-digit codes), each name with the years it
  applies to (first/last, blank = 2016 / today);
- economic.csv: 支出经济分类 (2016–2017), 部门预算支出经济分类 (3xx, 2018–) and 政府预算支出经济分类 (5xx,
  2018–) 类/款, the same layout;
- renames.csv: subjects renamed or moved from one year to the next (old code/name → new code/name);
- aliases.csv: names used locally for an official subject.

`confirm(code, name, year)` says how far a (code, name) pair printed in a disclosure of `year` can be confirmed.
"""

import csv
import re
from collections import defaultdict
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data"
FIRST_YEAR, LAST_YEAR = 2016, 2025

OFFICIAL = "official"  # the year's official name of the code
RENAMED = "renamed"  # the code's name in another year, or the other side of a rename/move
ALIAS = "alias"  # a locally used name of the code (aliases.csv)
NAME_DIFFERS = "name-differs"  # the code is in the year's list under another name
CODE_UNKNOWN = "code-unknown"  # the code is in no year's list
PLAUSIBLE = "plausible"  # no code, and a name the lists do not hold: cannot be confirmed either way


@dataclass(frozen=True)
class Confirmation:
    status: str
    code: str | None  # the code the name belongs to (the given one, or the one found by name)
    official: str | None  # the official name of that code in the year
    note: str  # one sentence in Chinese for a finding
    name: str  # the name as printed
    year: int  # the year it was confirmed for

    @property
    def near(self) -> bool:
        """A differing name near the official one, or part of it (a variant, a slip, a cut table cell)."""
        if self.official is None:
            return False
        return similar(self.name, self.official) or normalize(self.name) in normalize(self.official)

    @property
    def close(self) -> bool:
        """The name differs without proving another subject: near the official name, or a name that is no
        subject of the lists at all. Only a name that is not close is an error."""
        if self.official is None or self.near:
            return self.official is not None
        return confirm_name(normalize(self.name), self.name, self.year).status == PLAUSIBLE


def clamp(year: int) -> int:
    return min(max(year, FIRST_YEAR), LAST_YEAR)


def normalize(name: str) -> str:
    """Spelling-neutral form: full-width brackets and quotes, no spaces."""
    name = re.sub(r"\s+", "", name or "")
    name = name.replace("(", "（").replace(")", "）").replace('"', "“")
    return name.replace("“", "").replace("”", "").replace("‘", "").replace("’", "")


def similar(a: str, b: str) -> bool:
    a, b = normalize(a), normalize(b)
    return SequenceMatcher(None, a, b).ratio() >= 0.6


def read_rows(filename: str) -> list[dict]:
    with open(DATA / filename, encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


@cache
def versioned(filename: str) -> dict[int, dict[str, str]]:
    """year → code → name, for every supported year."""
    years: dict[int, dict[str, str]] = {y: {} for y in range(FIRST_YEAR, LAST_YEAR + 1)}
    for row in read_rows(filename):
        first, last = int(row["first"] or FIRST_YEAR), int(row["last"] or LAST_YEAR)
        for year in range(first, last + 1):
            years[year][row["code"]] = row["name"]
    return years


@cache
def official_names(year: int) -> dict[str, str]:
    """code → official 支出功能分类 name for `year` (years outside 2016–2025 use the nearest one)."""
    return dict(versioned("functional.csv")[clamp(year)])


@cache
def economic_names(year: int) -> dict[str, str]:
    """code → official 支出经济分类 name for `year` (部门预算支出经济分类 from 2018)."""
    return dict(versioned("economic.csv")[clamp(year)])


@cache
def aliases() -> dict[str, set[str]]:
    """code → locally used names that are accepted with an info finding."""
    result: dict[str, set[str]] = {}
    for row in read_rows("aliases.csv"):
        result.setdefault(row["code"], set()).add(row["name"])
    return result


@cache
def renames() -> list[dict]:
    return [dict(row, year=int(row["year"])) for row in read_rows("renames.csv")]


@cache
def other_names(economic: bool = False) -> dict[str, dict[str, list[int]]]:
    """code → normalized name → the years it is that code's name."""
    result: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for year, names in versioned("economic.csv" if economic else "functional.csv").items():
        for code, name in names.items():
            result[code][normalize(name)].append(year)
    return result


def moved(code: str, key: str) -> str | None:
    """A note when (code, normalized name) is one side of a move in renames.csv with the other code."""
    for r in renames():
        if r["old_code"] == r["new_code"]:
            continue
        if r["new_code"] == code and normalize(r["old_name"]) == key:
            return f"“{r['old_name']}”在{r['year'] - 1}年及以前为编码{r['old_code']}，{r['year']}年起为编码{code}"
        if r["old_code"] == code and normalize(r["new_name"]) == key:
            return f"{r['year']}年起“{r['new_name']}”的编码为{r['new_code']}（原{code}“{r['old_name']}”）"
    return None


def is_economic(code: str) -> bool:
    """3xx 部门预算支出经济分类, 5xx 政府预算支出经济分类; 2xx is the 功能分类."""
    return code[:1] in ("3", "5")


def names_for(code: str, year: int) -> dict[str, str]:
    return economic_names(year) if is_economic(code) else official_names(year)


def years_text(years: list[int]) -> str:
    years = sorted(set(years))
    return f"{years[0]}年" if len(years) == 1 else f"{years[0]}–{years[-1]}年"


def confirm(code: str | None, name: str, year: int) -> Confirmation:
    """How far `name` (printed with `code`, or without one) is confirmed as an official subject of `year`."""
    key = normalize(name)
    if code is None:
        return confirm_name(key, name, year)
    names = names_for(code, year)
    economic = is_economic(code)
    official = names.get(code)
    if official is not None and normalize(official) == key:
        return Confirmation(OFFICIAL, code, official, f"“{code} {name}”为{year}年度官方科目", name, year)
    if name in aliases().get(code, set()):
        return Confirmation(
            ALIAS, code, official, f"“{name}”为地方常用名称，{year}年度官方名称为“{official}”", name, year
        )
    elsewhere = other_names(economic).get(code, {}).get(key)
    if elsewhere:
        now = f"，{year}年度名称为“{official}”" if official else f"，{year}年度科目表中无此编码"
        return Confirmation(
            RENAMED, code, official, f"“{code} {name}”为{years_text(elsewhere)}的科目名称{now}", name, year
        )
    if note := moved(code, key):
        return Confirmation(RENAMED, code, official, note, name, year)
    if official is not None:
        return Confirmation(
            NAME_DIFFERS,
            code,
            official,
            f"编码{code}在{year}年度的官方名称为“{official}”，文中为“{name}”",
            name,
            year,
        )
    return Confirmation(
        CODE_UNKNOWN, code, None, f"编码{code}不在{FIRST_YEAR}–{LAST_YEAR}年度的科目表中", name, year
    )


def confirm_name(key: str, name: str, year: int) -> Confirmation:
    for names in (official_names(year), economic_names(year)):
        codes = [c for c, n in names.items() if normalize(n) == key]
        if codes:
            return Confirmation(
                OFFICIAL, codes[0], names[codes[0]], f"“{name}”为{year}年度官方科目名称", name, year
            )
    for economic in (False, True):
        for code, variants in other_names(economic).items():
            if key in variants:
                official = names_for(code, year).get(code)
                return Confirmation(
                    RENAMED,
                    code,
                    official,
                    f"“{name}”为{years_text(variants[key])}的科目名称"
                    + (f"，{year}年度为“{official}”" if official else ""),
                    name,
                    year,
                )
    for code, local in aliases().items():
        if name in local:
            official = official_names(year).get(code)
            return Confirmation(
                ALIAS, code, official, f"“{name}”为地方常用名称，官方名称为“{official}”", name, year
            )
    return Confirmation(PLAUSIBLE, None, None, f"“{name}”无法在{year}年度科目表中确认", name, year)


# ---------------------------------------------------------------- the tree, for names printed without codes


def children(code: str, year: int, *, any_year: bool = False) -> dict[str, set[str]]:
    """Direct subjects under `code` (a 类 or 款): normalized name → codes, in `year` or in any year (read-only)."""
    return tree(None if any_year else clamp(year), is_economic(code)).get(code, {})


@cache
def tree(year: int | None, economic: bool) -> dict[str, dict[str, set[str]]]:
    """parent code → normalized name → child codes, for one year or (None) over every year."""
    result: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    if year is None:
        for code, variants in other_names(economic).items():
            for name in variants:
                result[code[:-2]][name].add(code)
    else:
        for code, name in (economic_names(year) if economic else official_names(year)).items():
            result[code[:-2]][normalize(name)].add(code)
    return result


def class_key(name: str) -> str:
    """A 类 name as printed in narratives: with or without “支出”, “（类）”."""
    name = normalize(re.sub(r"[（(]类[）)]", "", name))
    return name[:-2] if name.endswith("支出") else name


@cache
def class_codes() -> dict[str, dict[str, list[int]]]:
    """class_key(name) → 功能分类 类 code → the years that name is the class's."""
    result: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for year, names in versioned("functional.csv").items():
        for code, name in names.items():
            if len(code) == 3:
                result[class_key(name)][code].append(year)
    return result
