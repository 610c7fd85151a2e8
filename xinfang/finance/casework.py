"""The bureau's work figures in the disclosure come from the casework records, not from typed text.

Part 1 (部门概况 → 重点工作完成情况) and the quantity indicators of the projects linked to casework
(`Project.casework`) keep the stored wording; the figures inside the known phrases (“办理网上信访N件次”,
“召开视频会议N次” …) are replaced by `xinfang.analytics.work_statistics.work_statistics(year)` when the
budget unit is linked to the bureau's casework `Unit` and that year has casework records. Otherwise the
stored text is used as it is. `Disclosure.sources` says which source each part used.

`load_casework` reads the database; everything else here is pure.
"""

import re
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from xinfang.finance.data_types import CASEWORK, STORED, CaseworkData, Disclosure, ProjectData

# Phrases of the Sichuan template: {field} / {field.batches} is a figure of WorkStatistics.as_dict(),
# {field~} also accepts the approximate form “20余”, {*} is free wording (no figures, no sentence break).
ACHIEVEMENT_PHRASES = (
    "办理网上信访{online_petitions}件次",
    "受理来访{bureau_visits.batches}批、{bureau_visits.persons}人次",
    "省州交办件{assigned_from_above}件",
    "群众接待中心接待群众来访{centre_visits.batches}批、{centre_visits.persons}人次",
    "县级领导接访群众{leader_receptions.batches}批、{leader_receptions.persons}人次",
    "协调解决群众诉求{leader_resolved}件",
    "化解省州交办{assigned_resolved}件，息诉息访{assigned_stopped}件",
    "梳理排查化解信访积案{backlog_resolved}件",
    "复查信访案件{reviews}件",
    "排查化解矛盾纠纷{disputes}件次",
    "召开协调会议{joint_meetings~}次",
    "协商研判重要信访案件{deliberated}件",
)
INDICATOR_PHRASES = {
    "video": ("视频会议{video_meetings}次", "远程接访群众{video_persons}人次"),
    "fund": ("息诉息访{fund_cases.batches}件{fund_cases.persons}人次",),
    "duty_station": ("接访劝返{*}{duty_station.batches}批{duty_station.persons}人次",),
}
QUANTITY = "数量指标"
ACHIEVEMENTS = "achievements"
TOKEN = re.compile(r"\{([\w.]+~?|\*)\}")


def compile_phrase(phrase: str) -> tuple[re.Pattern, list[str | None]]:
    """Regex of a phrase and the figure name of each group (None for free wording)."""
    parts, names, pos = [], [], 0
    for m in TOKEN.finditer(phrase):
        parts.append(re.escape(phrase[pos : m.start()]))
        name = m.group(1)
        if name == "*":
            parts.append(r"([^，。；！？\d]*?)")
            names.append(None)
        else:
            parts.append(r"(\d+余?)" if name.endswith("~") else r"(\d+)")
            names.append(name)
        pos = m.end()
    parts.append(re.escape(phrase[pos:]))
    return re.compile("".join(parts)), names


def figure(stats: dict, name: str) -> int:
    value = stats
    for key in name.rstrip("~").split("."):
        value = value[key]
    return int(value)


def approximate(n: int) -> str:
    """“20余” for 21–29 (the template's wording for an approximate count), the exact figure otherwise."""
    return f"{n // 10 * 10}余" if n > 10 and n % 10 else str(n)


def substitute(text: str, phrases, stats: dict) -> tuple[str, int, list[tuple[str, str]]]:
    """Replace the figures of `phrases` in `text`: (new text, phrases matched, (old, new) that differ)."""
    matched, changes = 0, []
    for phrase in phrases:
        regex, names = compile_phrase(phrase)

        def render(m: re.Match, names=names) -> str:
            out, pos = [], m.start()
            for i, name in enumerate(names, 1):
                out.append(m.string[pos : m.start(i)])
                if name is None:
                    out.append(m.group(i))
                else:
                    n = figure(stats, name)
                    out.append(approximate(n) if m.group(i).endswith("余") else str(n))
                pos = m.end(i)
            out.append(m.string[pos : m.end()])
            new = "".join(out)
            if new != m.group(0):
                changes.append((m.group(0), new))
            return new

        text, count = regex.subn(render, text)
        matched += count
    return text, matched, changes


def with_casework(d: Disclosure, casework: CaseworkData | None) -> Disclosure:
    """The Disclosure with the casework figures in Part 1 and the linked projects' quantity indicators."""
    sources = {ACHIEVEMENTS: STORED}
    sources.update({f"indicators:{p.name}": STORED for p in d.projects if p.casework})
    if casework is None:
        return replace(d, casework=None, sources=sources, casework_changes=[])
    stats, changes = casework.stats, []
    achievements, matched = [], 0
    for line in d.achievements:
        line, n, ch = substitute(line, ACHIEVEMENT_PHRASES, stats)
        achievements.append(line)
        matched += n
        changes += [("第一部分 重点工作完成情况", old, new) for old, new in ch]
    if matched:
        sources[ACHIEVEMENTS] = CASEWORK
    projects = []
    for p in d.projects:
        phrases = INDICATOR_PHRASES.get(p.casework, ())
        indicators, matched = [], 0
        for ind in p.indicators:
            if phrases and ind.level2 == QUANTITY:
                actual, n, ch = substitute(ind.actual, phrases, stats)
                ind = replace(ind, actual=actual)
                matched += n
                changes += [(f"{p.name} 绩效指标", old, new) for old, new in ch]
            indicators.append(ind)
        if matched:
            sources[f"indicators:{p.name}"] = CASEWORK
        projects.append(replace(p, indicators=tuple(indicators)) if matched else p)
    return replace(
        d,
        achievements=achievements,
        projects=projects,
        casework=casework,
        sources=sources,
        casework_changes=changes,
    )


def fund_projects(d: Disclosure) -> list[ProjectData]:
    return [p for p in d.projects if p.casework == "fund"]


# ------------------------------------------------------------------ database


def has_records(stats: dict) -> bool:
    """Any casework figure of the year itself (not the previous year's comparison) is not zero."""
    for key, value in stats.items():
        if key in ("year", "three_down", "improving") or key.startswith("previous_"):
            continue
        if any(value.values()) if isinstance(value, dict) else value:
            return True
    return False


def load_casework(budget_unit, year: int) -> CaseworkData | None:
    """The year's casework figures, when the budget unit is the bureau's and the year has records."""
    from django.db.models import Count, Sum

    from xinfang.analytics.work_statistics import work_statistics
    from xinfang.petitions.models import AssistanceCase, Unit

    unit = budget_unit.unit
    if unit is None or unit.kind != Unit.Kind.BUREAU:
        return None
    stats = work_statistics(year).as_dict()
    if not has_records(stats):
        return None
    paid = AssistanceCase.objects.filter(
        status=AssistanceCase.Status.PAID, paid_on__range=(date(year, 1, 1), date(year, 12, 31))
    ).aggregate(n=Count("id"), total=Sum("amount_paid"))
    wan = (Decimal(paid["total"] or 0) / 10000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return CaseworkData(year=year, stats=stats, fund_paid=wan, fund_paid_cases=paid["n"])
