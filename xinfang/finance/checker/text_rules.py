"""Rules over the text of a published disclosure (the Sichuan 部门决算 template, as the seed).

The narrative is parsed generically with regexes over the template's sentence patterns; no figure of
any particular disclosure is hard-coded. Each rule is a pure function Document → list[Finding].
"""

import re
from collections import defaultdict
from decimal import Decimal
from functools import cache

from xinfang.finance.checker import classification_rules
from xinfang.finance.checker.document import Document, is_heading
from xinfang.finance.checker.findings import (
    ERROR,
    INFO,
    WARNING,
    Finding,
    decimals_of,
    fmt_pct,
    pct,
    pct_matches,
)
from xinfang.finance.checker.general_rules import check_general
from xinfang.finance.classification import class_codes

NUM = r"(\d+(?:\.\d+)?)"
CENT = Decimal("0.01")
SEP = "，,；;、"
MARKER = re.compile(r"(?:其中|主要用于以下方面|主要用于(?=[：:])|决算中)[：:，,]?\s*")
# "占p%", "占比p%", "所占比重为p%", "占<den>的p%", "占<den>的比重为p%"
SHARE_OF = (
    r"(?:占比为?|所占比重为?|所占比例为?|占(?P<den>[^，,。；;%\d]{0,16}?)的?(?:比重|比例)?为?)\s*"
    r"(?P<pct>\d+(?:\.\d+)?)%"
)
ITEM = re.compile(
    r"(?P<name>[^，,。；;：:、\d\n]{1,40}?)[：:]?\s*(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>万元|名|个|辆)"
    rf"(?:[，,]\s*{SHARE_OF})?"
)
# "增加A万元，增长B%" and its variants: 增长/下降/增加/减少, "、" or "，", 增幅/降幅, "了"
UP, DOWN = ("增加", "增长", "增幅"), ("减少", "下降", "降幅")
YOY = re.compile(
    rf"(增加|减少|增长|下降)了?\s*{NUM}\s*万元[，,、]\s*(?:同比)?(增长|下降|增加|减少|增幅|降幅)了?为?\s*{NUM}\s*%"
)
CARRY = re.compile(r"结转|结余")
# an amount that states a change, not a level: "较上年减少90.91万元"
CHANGE_BEFORE = re.compile(r"(?:增加|减少|增长|下降|增|减|上年|同比|相比)了?\s*$")
MONEY = re.compile(rf"{NUM}\s*万元")
CLASS_PATH = re.compile(
    r"(?P<l>[^（）()\s\d.、:：，。]+?)[（(]类[）)](?P<k>.+?)[（(]款[）)](?P<x>.+?)[（(]项[）)]"
)
CLASS_AMOUNT = re.compile(rf"(?P<l>[^（）()\s\d.、:：，,。；;]+?)[（(]类[）)]支出\s*{NUM}万元")


def D(s: str) -> Decimal:
    return Decimal(s)


def finding(doc: Document, rule: str, severity: str, message: str, start: int, end: int) -> Finding:
    return Finding(rule, severity, message, doc.section_at(start), doc.excerpt(start, end))


def norm_class(name: str) -> str:
    name = re.sub(r"[（(]类[）)]", "", name).strip()
    return name[:-2] if name.endswith("支出") else name


def strip_unbalanced(name: str) -> str:
    out, depth = [], 0
    for ch in name:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            if depth == 0:
                continue
            depth -= 1
        out.append(ch)
    return "".join(out)


def sentence_bounds(text: str, pos: int) -> tuple[int, int]:
    a = max(text.rfind("。", 0, pos), text.rfind("\n", 0, pos)) + 1
    ends = [i for i in (text.find("。", pos), text.find("\n", pos)) if i != -1]
    return a, (min(ends) if ends else len(text))


# ---------------------------------------------------------------- enumerations (其中 …)


def enumerations(doc: Document):
    """Yield (total, total_span, items) for every '… N万元，其中：A x万元，占p%；B …' enumeration."""
    text = doc.text
    for m in MARKER.finditer(text):
        start = m.end()
        s_start, s_end = sentence_bounds(text, start)
        items = []
        pos = start
        while True:
            im = ITEM.match(text, pos)
            if not im or im.start() >= s_end:
                break
            items.append(im)
            pos = im.end()
            nxt = text[pos : pos + 1]
            if nxt and nxt in SEP:
                pos += 1
            else:
                break
        if not items:
            continue
        before = text[s_start : m.start()]
        total = None
        total_span = None
        prefix = before
        if not before.strip() and s_start > 1 and text[s_start - 1] == "。":
            p_start, _ = sentence_bounds(text, s_start - 2)
            prefix = text[p_start : s_start - 1]
            offset = p_start
        else:
            offset = s_start
        unit = items[0].group("unit")
        totals = [
            t
            for t in re.finditer(rf"{NUM}\s*{unit}", prefix)
            if not CHANGE_BEFORE.search(prefix[max(0, t.start() - 8) : t.start()])
        ]
        if totals:
            t = totals[-1]
            total, total_span = D(t.group(1)), (offset + t.start(), offset + t.end())
        elif m.group(0).startswith("决算中"):
            label = re.sub(r"^\d{4}年度?", "", before).strip()
            lm = (
                re.search(re.escape(label) + rf"(?:决算数?)?(?:为|：|:)?\s*{NUM}\s*万元", text)
                if label
                else None
            )
            if lm:
                total, total_span = D(lm.group(1)), lm.span()
        if (
            "总计" not in prefix
        ):  # 结转和结余 are outside a 合计 (only a 总计 includes them): the list ends there
            carry = [i for i, item in enumerate(items) if CARRY.search(item.group("name"))]
            items = items[: carry[0]] if carry else items
            if not items:
                continue
        yield total, total_span, items, m


def check_enumerations(doc: Document) -> list[Finding]:
    out = []
    for total, span, items, _marker in enumerations(doc):
        unit = items[0].group("unit")
        same = [i for i in items if i.group("unit") == unit and not i.group("den")]
        if unit == "个":
            same = [i for i in same if i.group("name").strip().endswith("单位")]
        if unit == "辆":
            same = [i for i in same if i.group("name").strip().endswith("用车")]
        parts = [D(i.group("num")) for i in same]
        a, b = items[0].start(), items[-1].end()
        if len(same) >= 2 and total is not None:
            diff = abs(sum(parts) - total)
            exhaustive = unit != "辆" or any("其他" in i.group("name") for i in same)
            if diff and (exhaustive or sum(parts) > total):
                rule = "COUNT" if unit in ("名", "个", "辆") else "SUM"
                sev = INFO if (unit == "万元" and diff <= CENT) else ERROR
                names = "+".join(f"{i.group('name').strip()}{i.group('num')}" for i in same)
                out.append(
                    finding(
                        doc,
                        rule if sev == ERROR else "ROUND",
                        sev,
                        f"分项之和与合计不符：{names}={sum(parts)}{unit}，合计为{total}{unit}",
                        span[0] if span else a,
                        b,
                    )
                )
            elif diff and unit == "辆":
                out.append(
                    finding(doc, "COUNT", INFO, f"车辆分类未列全：所列{sum(parts)}辆，合计{total}辆", a, b)
                )
        shares = [i for i in same if i.group("pct") is not None]
        denominator = total if total is not None else (sum(parts) if len(same) >= 2 else None)
        for i in shares:
            true = pct(D(i.group("num")), denominator) if denominator is not None else None
            if true is not None and not pct_matches(i.group("pct"), true):
                out.append(
                    finding(
                        doc,
                        "SHARE",
                        ERROR,
                        f"占比不符：{i.group('name').strip()}{i.group('num')}万元÷{denominator}万元="
                        f"{fmt_pct(true)}，文中为{i.group('pct')}%",
                        i.start(),
                        i.end(),
                    )
                )
        if len(shares) >= 2 and len(shares) == len(same) and denominator and sum(parts) == denominator:
            printed = sum(D(i.group("pct")) for i in shares)
            slack = sum(Decimal(5).scaleb(-len(i.group("pct").partition(".")[2]) - 1) for i in shares)
            if abs(printed - 100) > slack + CENT:
                out.append(
                    finding(doc, "SHARE-SUM", ERROR, f"同一列举的占比合计为{printed}%，不等于100%", a, b)
                )
    for m in NAMED_SHARE.finditer(doc.text):
        out.extend(check_named_share(doc, m))
    return out


NAMED_SHARE = re.compile(
    r"(?P<num>\d+(?:\.\d+)?)\s*万元[，,]\s*占(?P<den>[^，,。；;%\d]{1,16}?)的(?:比重|比例)?为?(?P<pct>\d+(?:\.\d+)?)%"
)


def check_named_share(doc: Document, i: re.Match) -> list[Finding]:
    """'X万元，占<label>的p%': find '<label>…N万元' elsewhere and recompute."""
    label = i.group("den").strip()
    lm = re.search(re.escape(label) + rf"(?:为|：|:)?\s*{NUM}\s*万元", doc.text)
    if not lm:
        return []
    true = pct(D(i.group("num")), D(lm.group(1)))
    if true is None or pct_matches(i.group("pct"), true):
        return []
    return [
        finding(
            doc,
            "SHARE",
            ERROR,
            f"占比不符：{i.group('num')}万元÷{label}{lm.group(1)}万元={fmt_pct(true)}，文中为{i.group('pct')}%",
            i.start(),
            i.end(),
        )
    ]


# ---------------------------------------------------------------- year on year


def truncated(printed: str, true: Decimal) -> bool:
    """The printed rate is the true one cut (not rounded) at its printed decimals: a rounding slip."""
    step = Decimal(1).scaleb(-decimals_of(printed))
    return abs(true) >= abs(D(printed)) and abs(true) - abs(D(printed)) < step


def yoy_statements(doc: Document):
    """(match, current, prior, amount, up) of each '增加/减少A万元，增长/下降B%' with a figure before it."""
    text = doc.text
    for m in YOY.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        previous = [
            p
            for p in MONEY.finditer(text, line_start, m.start())
            if not CHANGE_BEFORE.search(text[max(line_start, p.start() - 8) : p.start()])
        ]
        if previous:
            current, amount, up = D(previous[-1].group(1)), D(m.group(2)), m.group(1) in UP
            yield m, current, current - amount if up else current + amount, amount, up


def check_yoy(doc: Document) -> list[Finding]:
    out = []
    for m, current, prior, amount, up in yoy_statements(doc):
        direction, word, printed = m.group(1), m.group(3), m.group(4)
        if word not in (UP if up else DOWN):
            out.append(
                finding(doc, "YOY-DIR", ERROR, f"增减方向矛盾：“{direction}”与“{word}”", m.start(), m.end())
            )
        if prior < 0:
            out.append(
                finding(
                    doc, "YOY", ERROR, f"上年数为负（{current}−{amount}），增减额有误", m.start(), m.end()
                )
            )
            continue
        true = pct(amount, prior)
        if true is None:
            out.append(finding(doc, "YOY", ERROR, "上年数为0，不应列示增减百分比", m.start(), m.end()))
        elif not pct_matches(printed, true):
            cut = truncated(printed, true)
            out.append(
                finding(
                    doc,
                    "YOY",
                    WARNING if cut else ERROR,
                    f"增减幅度不符：{amount}÷上年{prior}={fmt_pct(true)}，文中为{printed}%"
                    + ("（截尾而非四舍五入）" if cut else ""),
                    m.start(),
                    m.end(),
                )
            )
    return out


def yoy_priors(doc: Document) -> list[tuple[Decimal, Decimal, int]]:
    """(current, prior, position) of each year-on-year statement."""
    return [(current, prior, m.start()) for m, current, prior, _, _ in yoy_statements(doc)]


# ---------------------------------------------------------------- completion rates

RATE = rf"完成(?:年初|全年)?预算的?\s*{NUM}%"
# "预算数A万元，执行数为B万元，完成预算的C%", "年初预算为A万元，支出决算为B万元，完成年初预算的C%"
COMPLETION = re.compile(
    rf"预算数?为?\s*{NUM}\s*万元[，,]\s*(?:执行数|(?:支出)?决算数?)为?\s*{NUM}\s*万元[，,]\s*{RATE}"
)
ITEM_COMPLETION = re.compile(rf"(?P<name>[^，,。；;\d\n]{{2,30}}?)支出\s*{NUM}\s*万元\s*[，,]\s*{RATE}")
TOTAL_COMPLETION = re.compile(rf"决算数?为?\s*{NUM}\s*万元[，,]\s*{RATE}")


def check_completion(doc: Document) -> list[Finding]:
    out = []
    for m in COMPLETION.finditer(doc.text):
        true = pct(D(m.group(2)), D(m.group(1)))
        if true is not None and not pct_matches(m.group(3), true):
            out.append(
                finding(
                    doc,
                    "COMPL",
                    ERROR,
                    f"完成率不符：执行数{m.group(2)}÷预算数{m.group(1)}={fmt_pct(true)}，文中为{m.group(3)}%",
                    m.start(),
                    m.end(),
                )
            )
    out.extend(check_implied_budgets(doc))
    shares = []
    for total, _span, items, _m in enumerations(doc):
        same = [i for i in items if i.group("unit") == "万元" and not i.group("den")]
        den = total if total is not None else sum(D(i.group("num")) for i in same)
        for i in same:
            if i.group("pct") is not None:
                shares.append((i.group("name"), D(i.group("num")), pct(D(i.group("num")), den)))
    for m in ITEM_COMPLETION.finditer(doc.text):
        name, amount, printed = m.group("name"), D(m.group(2)), m.group(3)
        if not amount or D(printed) in (0, 100):
            continue
        for sname, samount, share in shares:
            if (
                samount == amount
                and share is not None
                and pct_matches(printed, share)
                and (sname.strip().startswith(name.strip()[:4]) or name.strip()[-4:] in sname)
            ):
                out.append(
                    finding(
                        doc,
                        "COMPL-SHARE",
                        ERROR,
                        f"“完成预算{printed}%”实为该项占合计的比重（{fmt_pct(share)}），不是预算完成率",
                        m.start(),
                        m.end(),
                    )
                )
                break
    return out


def half_unit(printed: str) -> Decimal:
    """Half a unit in the last printed digit: the rounding error of a printed figure."""
    return Decimal(5).scaleb(-decimals_of(printed) - 1)


def budget_bounds(amount: str, rate: str) -> tuple[Decimal, Decimal | None]:
    """The budget B with amount ÷ B = rate, given both as printed (rounded): (lowest, highest or None = ∞)."""
    a, r, ha, hr = D(amount), D(rate), half_unit(amount), half_unit(rate)
    if not a:  # "支出0万元，完成预算0%": the template's wording for an item without a budget
        return Decimal(0), Decimal(0)
    low = max(a - ha, Decimal(0)) * 100 / (r + hr)
    return low, ((a + ha) * 100 / (r - hr) if r - hr > 0 else None)


def check_implied_budgets(doc: Document) -> list[Finding]:
    """Item completion rates must be compatible with the total's: the items' budgets add up to the total's
    budget, so Σ actual_i / rate_i and total / rate must overlap, each figure taken at its printed precision."""
    out = []
    for t in TOTAL_COMPLETION.finditer(doc.text):
        chapter = doc.section_at(t.start()).split("（")[0]
        items = [
            m
            for m in ITEM_COMPLETION.finditer(doc.text)
            if doc.section_at(m.start()).startswith(chapter) and m.start() > t.end()
        ]
        if len(items) < 2 or abs(sum(D(m.group(2)) for m in items) - D(t.group(1))) > CENT:
            continue
        bounds = [budget_bounds(m.group(2), m.group(3)) for m in items]
        low = sum(lo for lo, _ in bounds)
        high = None if any(hi is None for _, hi in bounds) else sum(hi for _, hi in bounds)
        t_low, t_high = budget_bounds(t.group(1), t.group(2))
        slack = CENT * len(items)  # budgets themselves are rounded to the cent
        if low > (t_high if t_high is not None else low) + slack or (
            high is not None and high < t_low - slack
        ):
            implied = sum(D(m.group(2)) * 100 / D(m.group(3)) for m in items if D(m.group(3)))
            stated = D(t.group(1)) * 100 / D(t.group(2)) if D(t.group(2)) else None
            out.append(
                finding(
                    doc,
                    "COMPL",
                    ERROR,
                    f"各项完成率与总完成率{t.group(2)}%矛盾：按各项完成率推算预算合计{implied.quantize(CENT)}万元"
                    + (f"，按总数推算为{stated.quantize(CENT)}万元" if stated is not None else ""),
                    t.start(),
                    t.end(),
                )
            )
    return out


# ---------------------------------------------------------------- the same figure in two places

LABELS = [
    "本年收入合计",
    "本年支出合计",
    "一般公共预算财政拨款收入",
    "基本支出",
    "项目支出",
    "人员经费",
    "日常公用经费",
    "机关运行经费支出",
    "政府采购支出总额",
    "公务用车购置及运行维护费",
    "公务用车运行维护费",
    "公务用车购置",
    "公务接待费",
    "国内公务接待",
    "外事接待",
    "“三公”经费财政拨款支出决算",
]
LABELLED = re.compile(
    r"(?<![\u4e00-\u9fff])?(?P<label>"
    + "|".join(sorted(map(re.escape, LABELS), key=len, reverse=True))
    + rf")(?:支出决算数|支出决算|支出|决算数|决算)?(?:为|：|:)?\s*{NUM}\s*万元"
)


# figures quoted for all funds ("基本支出") and for the 一般公共预算 grant alone ("…财政拨款基本支出")
SCOPED = ("基本支出", "项目支出")
FISCAL = "财政拨款"


def labelled_figures(doc: Document) -> dict[str, list[tuple[Decimal, int, int]]]:
    """label → (value, start, end) of each quoted figure. 基本支出/项目支出 of the 财政拨款 alone are kept apart
    from those of all funds when the unit has other income (本年收入合计 ≠ 一般公共预算财政拨款收入)."""
    found = defaultdict(list)
    for m in LABELLED.finditer(doc.text):
        label = m.group("label")
        if label in SCOPED and "拨款" in doc.text[max(0, m.start() - 6) : m.start()]:
            label = FISCAL + label
        found[label].append((D(m.group(2)), m.start(), m.end()))
    total, general = found.get("本年收入合计"), found.get("一般公共预算财政拨款收入")
    if not (total and general and total[0][0] != general[0][0]):  # one fund: the two scopes are one
        for label in SCOPED:
            if FISCAL + label in found:
                found[label] = sorted(found[label] + found.pop(FISCAL + label), key=lambda v: v[1])
    for m in re.finditer(rf"国内公务接待\d+批次[^。]*?共计支出\s*{NUM}\s*万元", doc.text):
        found["国内公务接待"].append((D(m.group(1)), m.start(), m.end()))
    return found


def check_same_figure(doc: Document) -> list[Finding]:
    out = []
    for label, values in labelled_figures(doc).items():
        first = values[0]
        for value, a, b in values[1:]:
            if value != first[0]:
                out.append(
                    finding(
                        doc,
                        "SAME",
                        ERROR,
                        f"同一数字前后不一致：“{label}”在{doc.section_at(first[1])}为{first[0]}万元，"
                        f"此处为{value}万元",
                        a,
                        b,
                    )
                )
    return out


def check_identities(doc: Document) -> list[Finding]:
    """basic + project = total; personnel + public = basic (each basic figure quoted)."""
    out = []
    figs = labelled_figures(doc)

    def values(label):
        return {v for v, _, _ in figs.get(label, [])}

    for person in values("人员经费"):
        for public in values("日常公用经费"):
            for label in (FISCAL + "基本支出" if FISCAL + "基本支出" in figs else "基本支出",):
                for value, a, b in figs.get(label, []):
                    diff = abs(person + public - value)
                    if diff:
                        sev = INFO if diff <= CENT else ERROR
                        out.append(
                            finding(
                                doc,
                                "PERS" if sev == ERROR else "ROUND",
                                sev,
                                f"人员经费{person}+公用经费{public}={person + public}万元，与基本支出{value}万元不符",
                                a,
                                b,
                            )
                        )
    totals = values("本年支出合计")
    for total in totals:
        for basic in values("基本支出"):
            for project in values("项目支出"):
                diff = abs(basic + project - total)
                if diff:
                    m = figs["基本支出"][0]
                    out.append(
                        finding(
                            doc,
                            "PARTS" if diff > CENT else "ROUND",
                            ERROR if diff > CENT else INFO,
                            f"基本支出{basic}+项目支出{project}={basic + project}万元，与本年支出合计{total}万元不符",
                            m[1],
                            m[2],
                        )
                    )
    for value, a, b in figs.get("公务接待费", [])[:1]:
        parts = [figs[k][0][0] for k in ("国内公务接待", "外事接待") if figs.get(k)]
        if len(parts) == 2 and sum(parts) != value:
            out.append(
                finding(
                    doc,
                    "SUM",
                    ERROR,
                    f"国内公务接待{parts[0]}+外事接待{parts[1]}万元与公务接待费{value}万元不符",
                    a,
                    b,
                )
            )
    for value, a, b in figs.get("机关运行经费支出", []):
        for public in values("日常公用经费"):
            if value > public:
                out.append(
                    finding(
                        doc, "JGYX", WARNING, f"机关运行经费{value}万元大于日常公用经费{public}万元", a, b
                    )
                )
    return out


# ---------------------------------------------------------------- classification


def class_paths(doc: Document) -> list[dict]:
    out = []
    for m in CLASS_PATH.finditer(doc.text):
        line_start = doc.text.rfind("\n", 0, m.start()) + 1
        amount = MONEY.search(
            doc.text, m.end(), doc.text.find("\n", m.end()) if "\n" in doc.text[m.end() :] else len(doc.text)
        )
        out.append(
            dict(
                l=m.group("l").strip(),
                k=m.group("k").strip(),
                x=m.group("x").strip(),
                start=m.start(),
                end=m.end(),
                glossary=doc.section_at(m.start()).startswith("第三部分"),
                amount=D(amount.group(1))
                if amount and not doc.section_at(m.start()).startswith("第三部分")
                else None,
                line_start=line_start,
            )
        )
    return out


def class_amounts(doc: Document) -> dict[str, list[tuple[Decimal, int, int]]]:
    """类 amounts quoted as 'X（类）支出N万元' or in the appendix 'X支出N万元' lists."""
    found = defaultdict(list)
    for m in CLASS_AMOUNT.finditer(doc.text):
        found[norm_class(m.group("l"))].append((D(m.group(2)), m.start(), m.end()))
    for m in class_name_amount().finditer(doc.text):
        found[m.group("c")].append((D(m.group(2)), m.start(), m.end()))
    return found


@cache
def class_name_amount() -> re.Pattern:
    """'X支出N万元' for every 类 name of every year but “其他” (“其他支出” is too common a phrase)."""
    names = sorted(class_codes().keys() - {"其他"}, key=len, reverse=True)
    alternatives = "|".join(map(re.escape, names))
    return re.compile(rf"(?<![（(类])(?<![\u4e00-\u9fff])(?P<c>{alternatives})支出[：:]?\s*{NUM}\s*万元")


def check_class_amounts(doc: Document) -> list[Finding]:
    out = []
    amounts = class_amounts(doc)
    for cname, values in amounts.items():
        for value, a, b in values[1:]:
            if value != values[0][0]:
                out.append(
                    finding(
                        doc,
                        "SAME",
                        ERROR,
                        f"“{cname}”类支出前后不一致：{values[0][0]}万元与{value}万元",
                        a,
                        b,
                    )
                )
    # 项 amounts grouped by 类 must add up to the 类 amount quoted in the structure paragraph
    by_class = defaultdict(list)
    for p in class_paths(doc):
        if p["amount"] is not None:
            by_class[norm_class(p["l"])].append(p)
    for cname, items in by_class.items():
        if cname in amounts:
            total = amounts[cname][0][0]
            s = sum(p["amount"] for p in items)
            if s != total:
                out.append(
                    finding(
                        doc,
                        "SUM" if abs(s - total) > CENT else "ROUND",
                        ERROR if abs(s - total) > CENT else INFO,
                        f"“{cname}”类下各项之和{s}万元与类支出{total}万元不符",
                        items[0]["start"],
                        items[-1]["end"],
                    )
                )
    if by_class:
        grand = sum(p["amount"] for items in by_class.values() for p in items)
        m = re.search(rf"预算支出决算数为\s*{NUM}\s*万元", doc.text)
        if m and abs(D(m.group(1)) - grand) > 0:
            out.append(
                finding(
                    doc,
                    "SUM",
                    ERROR,
                    f"各项级科目之和{grand}万元与一般公共预算支出{m.group(1)}万元不符",
                    m.start(),
                    m.end(),
                )
            )
    return out


# ---------------------------------------------------------------- cross-section facts

VEHICLE_KIND = re.compile(r"(?P<kind>[\u4e00-\u9fff]{2,8}用车)(?P<n>\d+)辆")
SUBUNITS = re.compile(r"下属二级(?:预算)?单位(\d+)个")


def check_cross_facts(doc: Document) -> list[Finding]:
    out = []
    kinds = defaultdict(list)
    for m in VEHICLE_KIND.finditer(doc.text):
        if m.group("kind") == "公务用车":
            continue
        kinds[m.group("kind")].append((int(m.group("n")), m.start(), m.end()))
    for kind, values in kinds.items():
        for n, a, b in values[1:]:
            if n != values[0][0]:
                out.append(
                    finding(
                        doc,
                        "XREF",
                        ERROR,
                        f"车辆数前后矛盾：“{kind}”在{doc.section_at(values[0][1])}为{values[0][0]}辆，此处为{n}辆",
                        a,
                        b,
                    )
                )
    fleet = [
        (int(m.group(2)), m.start(), m.end()) for m in re.finditer(r"共有(公务用车|车辆)(\d+)辆", doc.text)
    ]
    for n, a, b in fleet[1:]:
        if n != fleet[0][0]:
            out.append(finding(doc, "XREF", ERROR, f"车辆总数前后矛盾：{fleet[0][0]}辆与{n}辆", a, b))
    subs = [(int(m.group(1)), m.start(), m.end()) for m in SUBUNITS.finditer(doc.text)]
    for n, a, b in subs[1:]:
        if n != subs[0][0]:
            out.append(
                finding(
                    doc,
                    "XREF",
                    ERROR,
                    f"下属单位数前后矛盾：{doc.section_at(subs[0][1])}为{subs[0][0]}个，此处为{n}个",
                    a,
                    b,
                )
            )
    out.extend(check_projects(doc))
    out.extend(check_chart_data(doc))
    return out


def project_lists(doc: Document) -> list[tuple[list[str], int, int, int | None]]:
    """(names, start, end, claimed count) of each place that lists the projects."""
    text = doc.text
    lists = []
    for m in re.finditer(r"组织对(\d+)个?项目[（(]([^）)]+)[）)]", text):
        names = [n.strip('“”" ') for n in re.split(r"[、，,]", m.group(2)) if n.strip()]
        lists.append((names, m.start(), m.end(), int(m.group(1))))
    for m in re.finditer(r"反映((?:“[^”]+”[、，,]?)+)\s*(\d+)个项目", text):
        names = re.findall(r"“([^”]+)”", m.group(1))
        lists.append((names, m.start(), m.end(), int(m.group(2))))
    narr = list(re.finditer(r"[（(]\d+[）)]([^（(。\n]{2,40}?)项目绩效目标完成情况综述", text))
    if narr:
        lists.append(([m.group(1) for m in narr], narr[0].start(), narr[-1].end(), None))
    tables = list(re.finditer(r"(?:^|\n)项目名称\n([^\n]+)", text))
    if tables:
        lists.append(([m.group(1).strip() for m in tables], tables[0].start() + 1, tables[-1].end(), None))
    return lists


def check_projects(doc: Document) -> list[Finding]:
    out = []
    lists = project_lists(doc)
    if not lists:
        return out
    reference = lists[-1][0]
    for names, a, b, claimed in lists:
        if claimed is not None and claimed != len(names):
            out.append(finding(doc, "COUNT", ERROR, f"称{claimed}个项目，实际列出{len(names)}个", a, b))
        for name in names:
            if name not in reference:
                out.append(
                    finding(
                        doc,
                        "XREF",
                        ERROR,
                        f"项目名称前后不一致：“{name}”不在项目绩效目标表的项目（{'、'.join(reference)}）中",
                        a,
                        b,
                    )
                )
    for m in re.finditer(
        r"对(\d+)个项目(?:编制了绩效目标|开展绩效监控|开展了绩效目标完成情况自评)|自行组织了(\d+)个项目",
        doc.text,
    ):
        n = int(m.group(1) or m.group(2))
        if n > len(reference):
            out.append(
                finding(doc, "COUNT", ERROR, f"称{n}个项目，项目表只有{len(reference)}个", m.start(), m.end())
            )
    # narrative figures vs the project tables
    narr = {
        m.group(1): (D(m.group(2)), D(m.group(3)), m.start(), m.end())
        for m in re.finditer(
            rf"[（(]\d+[）)]([^（(。\n]{{2,40}}?)项目绩效目标完成情况综述。项目全年预算数\s*{NUM}\s*万元[，,]\s*执行数为?\s*{NUM}",
            doc.text,
        )
    }
    for m in re.finditer(
        rf"(?:^|\n)项目名称\n([^\n]+)\n(?:[^\n]*\n){{0,6}}?预算数[:：]\s*{NUM}\s*执行数[:：]\s*{NUM}",
        doc.text,
    ):
        name = m.group(1).strip()
        if name in narr:
            budget, executed, a, b = narr[name]
            if (budget, executed) != (D(m.group(2)), D(m.group(3))):
                out.append(
                    finding(
                        doc,
                        "SAME",
                        ERROR,
                        f"项目“{name}”预算数/执行数与绩效目标表（{m.group(2)}/{m.group(3)}）不一致",
                        a,
                        b,
                    )
                )
    # names listed vs 人次
    for m in re.finditer(r"((?:[\u4e00-\u9fff]某某[、，,]?){2,})(\d+)件(\d+)人次", doc.text):
        names = len(re.findall(r"某某", m.group(1)))
        if names > int(m.group(3)):
            out.append(
                finding(doc, "COUNT", ERROR, f"列出{names}人，但称{m.group(3)}人次", m.start(), m.end())
            )
    return out


def check_chart_data(doc: Document) -> list[Finding]:
    """Chart source data printed at the end (a 'YYYY年度' row of figures under a row of labels) must match the text."""
    out = []
    lines = doc.text.split("\n")
    offsets = [s for s in doc.starts]
    amounts = class_amounts(doc)
    figs = labelled_figures(doc)
    priors = yoy_priors(doc)
    for i, line in enumerate(lines[:-1]):
        m = re.match(r"^(\d{4})年度(?:三公经费)?\s+([\d.\s]+)$", lines[i + 1])
        if not m:
            continue
        labels = line.split()
        values = [D(v) for v in m.group(2).split()]
        if len(labels) == len(values) and all(not re.fullmatch(r"[\d.]+", x) for x in labels):
            for label, value in zip(labels, values, strict=True):
                known = amounts.get(norm_class(label)) or figs.get(label)
                if known and known[0][0] != value:
                    out.append(
                        Finding(
                            "SAME",
                            ERROR,
                            f"图表数据“{label}”为{value}，正文为{known[0][0]}万元",
                            doc.sections[i + 1],
                            f"{line} / {lines[i + 1]}",
                        )
                    )
        elif len(values) == 1 and "一般公共预算" in "".join(lines[max(0, i - 3) : i + 1]):
            year = int(m.group(1))
            gp = [p for p in figs.get("一般公共预算财政拨款收入", [])]
            if gp and year == max(int(y) for y in re.findall(r"(\d{4})年度", doc.text[offsets[i] :][:200])):
                if values[0] != gp[0][0]:
                    out.append(
                        Finding(
                            "SAME",
                            ERROR,
                            f"图表{year}年一般公共预算拨款数{values[0]}与正文{gp[0][0]}万元不符",
                            doc.sections[i + 1],
                            lines[i + 1],
                        )
                    )
            elif gp:
                cur = gp[0][0]
                prior = [p for c, p, _ in priors if c == cur]
                if prior and prior[0] != values[0]:
                    out.append(
                        Finding(
                            "SAME",
                            ERROR,
                            f"图表{year}年一般公共预算拨款数{values[0]}与正文推算的上年数{prior[0]}万元不符",
                            doc.sections[i + 1],
                            lines[i + 1],
                        )
                    )
    return out


# ---------------------------------------------------------------- performance indicators

LEVEL_WORDS = {
    "项目完成指标",
    "产出指标",
    "效益指标",
    "满意度指标",
    "数量指标",
    "质量指标",
    "时效指标",
    "成本指标",
    "经济效益指标",
    "社会效益指标",
    "生态效益指标",
    "可持续影响指标",
    "服务对象满意度指标",
    "一级",
    "二级",
}
QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(人次|次|件|批|个|户|人|篇|期|项|台|套|%)")


def check_indicators(doc: Document) -> list[Finding]:
    out = []
    text = doc.text
    blocks = [m.start() for m in re.finditer(r"(?:^|\n)项目名称\n", text)]
    for n, start in enumerate(blocks):
        end = blocks[n + 1] if n + 1 < len(blocks) else len(text)
        block = text[start:end]
        lines = block.split("\n")
        name = lines[2].strip() if len(lines) > 2 else ""
        if "实际完成指标值" not in block:
            continue
        rows = lines[next(i for i, ln in enumerate(lines) if "实际完成指标值" in ln) + 1 :]
        i = 0
        while i < len(rows):
            if rows[i].strip() == "数量指标" or rows[i].strip().endswith("数量指标"):
                cells = [r for r in rows[i + 1 :] if r.strip() and r.strip() not in LEVEL_WORDS][:3]
                if len(cells) == 3:
                    out.extend(compare_indicator(doc, name, cells, block, start + block.find(cells[1])))
            i += 1
    return out


def compare_indicator(doc: Document, project: str, cells: list[str], block: str, pos: int) -> list[Finding]:
    indicator, target, actual = cells
    tq, aq = QUANTITY.findall(target), QUANTITY.findall(actual)
    shortfalls = []
    for unit in dict.fromkeys(u for _, u in tq):
        tv = [D(v) for v, u in tq if u == unit]
        av = [D(v) for v, u in aq if u == unit]
        for t, a in zip(tv, av, strict=False):
            if a < t and "≤" not in target:
                shortfalls.append(f"{t}{unit}→{a}{unit}")
    if not shortfalls:
        return []
    acknowledged = re.search(r"未达|未完成|未能|偏差|差距|低于|不足", block)
    claims = re.search(r"完成", block.split("实际完成指标值", 1)[-1].replace(actual, ""))
    severity = INFO if acknowledged else (ERROR if claims else WARNING)
    return [
        Finding(
            "INDICATOR",
            severity,
            f"项目“{project}”指标“{indicator.strip()}”实际值低于目标（{'，'.join(shortfalls)}）"
            + ("，而文字称已完成" if severity == ERROR else ""),
            doc.section_at(pos),
            f"{target.strip()} / {actual.strip()}",
        )
    ]


# ---------------------------------------------------------------- wording

PAIRED = "增加|减少|增长|下降|大于|小于|高于|低于"  # "增加（减少）": both words of the template left in
RESIDUE = [
    (re.compile(r"[\u4e00-\u9fff]\d{1,2}[.．](?=[\u4e00-\u9fff])"), "编号残留：正文中夹有序号"),
    (re.compile(r"X{2,}|×{2,}|＊{2,}|\*{2,}"), "模板占位符未替换"),
    (re.compile(rf"({PAIRED})[（(](?:{PAIRED})[）)]|减增加|增减少|待补充|TODO"), "模板残留"),
]
REDUP_OK = set("某常人天年个一渐刚仅往纷层处事时步点严实谢看想试多少慢好")
DUP_WORD = re.compile(r"([\u4e00-\u9fff]{2,4})[了的地]?\1")
DUP_CHAR = re.compile(r"([\u4e00-\u9fff])\1")
BRACKETS = [("（", "）"), ("(", ")"), ("《", "》"), ("“", "”"), ("【", "】")]


PARAGRAPH_END = ("。", "；", ";", "：", ":", "！", "？")
RUN_ON = 10  # lines a bracket left open may run on before the paragraph is cut


def open_brackets(text: str) -> bool:
    return any(text.count(left) > text.count(right) for left, right in BRACKETS)


def paragraphs(doc: Document) -> list[tuple[str, int]]:
    """(text, start) of each paragraph: lines run on until one ends a sentence outside brackets, so that a
    line broken by the page width (text taken from a PDF) is read with its continuation; headings and
    table cells with balanced brackets stand alone."""
    out, current, start, pos, lines = [], "", 0, 0, 0
    for line in doc.text.split("\n"):
        alone = line.startswith("\t") or (is_heading(line) and not open_brackets(line))
        if current and alone:
            out.append((current, start))
            current, lines = "", 0
        if not current:
            start = pos
        current, lines = current + line, lines + 1
        if alone or (line.endswith(PARAGRAPH_END) and (not open_brackets(current) or lines >= RUN_ON)):
            out.append((current, start))
            current, lines = "", 0
        pos += len(line) + 1
    if current:
        out.append((current, start))
    return out


def check_wording(doc: Document) -> list[Finding]:
    out = []
    text = doc.text
    for rx, message in RESIDUE:
        for m in rx.finditer(text):
            out.append(finding(doc, "RESIDUE", ERROR, f"{message}：“{m.group(0)}”", m.start(), m.end()))
    for m in DUP_WORD.finditer(text):
        if len(set(m.group(1))) > 1 or m.group(1)[0] not in REDUP_OK:
            out.append(finding(doc, "DUP", WARNING, f"重复字词：“{m.group(0)}”", m.start(), m.end()))
    for m in re.finditer(r"\d+项目", text):
        out.append(
            finding(
                doc,
                "MEASURE",
                WARNING,
                f"缺量词：“{m.group(0)}”应为“{m.group(0)[:-2]}个项目”",
                m.start(),
                m.end(),
            )
        )
    for para, pos in paragraphs(doc):
        for left, right in BRACKETS:
            depth, bad = 0, False
            for ch in para:
                depth += (ch == left) - (ch == right)
                bad = bad or depth < 0
            if bad or depth:
                out.append(
                    Finding(
                        "BRACKET",
                        ERROR,
                        f"括号不配对：“{left}”{para.count(left)}个、“{right}”{para.count(right)}个",
                        doc.section_at(pos),
                        para[:80],
                    )
                )
    pos = 0
    for line in text.split("\n"):
        mixed = re.search(r"[\u4e00-\u9fff]\([类款项]\)", line)
        if mixed:
            out.append(
                Finding(
                    "PUNCT", INFO, f"中文中混用半角括号：“{mixed.group(0)}”", doc.section_at(pos), line[:80]
                )
            )
        pos += len(line) + 1
    for heading, section in doc.numbered_headings:
        out.append(
            Finding("HEADING", INFO, f"标题序号格式不统一：“{heading}”应使用汉字序号", section, heading)
        )
    return out


RULES = (
    check_enumerations,
    check_yoy,
    check_completion,
    check_same_figure,
    check_identities,
    check_class_amounts,
    check_cross_facts,
    check_indicators,
    check_wording,
)


def check_document(doc: Document, *, year: int) -> list[Finding]:
    findings = []
    for rule in RULES:
        findings.extend(rule(doc))
    findings.extend(classification_rules.check_classification(doc, year=year))
    findings.extend(check_general(doc, year=year))
    return findings
