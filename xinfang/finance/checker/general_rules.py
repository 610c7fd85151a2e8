"""Text rules derived from the identities and definitions of a 部门决算 (docs/finance.md, 检查规则), for any
unit, year and template: the totals, the 公务用车 subtotal, government procurement, fund spending, shares
above 100 %, the years a report may name, doubled characters and near-misses of the template's phrases.

No figure, year or unit name of any document is written here: the report year comes from the caller.
Amounts are compared in 万元 (document.parse converts 元 and 亿元).
"""

import re
from decimal import Decimal

from xinfang.finance.checker.document import Document
from xinfang.finance.checker.findings import ERROR, WARNING, Finding

NUM = r"(\d+(?:\.\d+)?)"
CENT = Decimal("0.01")
# what may stand between a label and its amount: "支出决算数为", "决算：", "费用" …
TAIL = r"(?:费用|费)?(?:支出决算数|支出决算|支出|决算数|决算)?(?:为|是|：|:)?\s*"


def finding(doc: Document, rule: str, severity: str, message: str, start: int, end: int) -> Finding:
    return Finding(rule, severity, message, doc.section_at(start), doc.excerpt(start, end))


def quoted(doc: Document, label: str, *, after: str = "") -> list[tuple[Decimal, int, int]]:
    """Every 'label … N万元' (label a regex; `after` a negative lookbehind set of words that make it
    another figure, e.g. 财政拨款 before 收支总计)."""
    guard = "".join(f"(?<!{w})" for w in after.split("|") if w)
    return [
        (Decimal(m.group(1)), m.start(), m.end())
        for m in re.finditer(rf"{guard}(?:{label}){TAIL}{NUM}\s*万元", doc.text)
    ]


def first(doc: Document, label: str, *, after: str = "") -> tuple[Decimal, int, int] | None:
    found = quoted(doc, label, after=after)
    return found[0] if found else None


# ---------------------------------------------------------------- 收支总计 = its parts

INCOME_PARTS = (r"使用非财政拨款结余(?:（含专用结余）)?|用事业基金弥补收支差额", r"年初结转和结余")
EXPENSE_PARTS = (r"结余分配", r"年末结转和结余")
NOT_ALL_FUNDS = "财政拨款|拨款收、|拨款收|经费|“三公”"


def check_grand_totals(doc: Document) -> list[Finding]:
    """收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余; 支出总计 = 本年支出合计 + 结余分配 +
    年末结转和结余 (fiscal-rules §2 T1). Parts the text does not quote count as 0 only for the bound
    总计 ≥ 合计; a difference that no quoted part explains is a warning, a contradiction an error."""
    out = []
    for side, grand, current, parts in (
        ("收入", r"收入总计|收、支总计|收支总计", r"本年收入合计|收入合计", INCOME_PARTS),
        ("支出", r"支出总计|收、支总计|收支总计", r"本年支出合计|支出合计", EXPENSE_PARTS),
    ):
        g = first(doc, grand, after=NOT_ALL_FUNDS)
        c = first(doc, current, after=NOT_ALL_FUNDS + "|本年")
        if g is None or c is None:
            continue
        present = [(p, v) for p in parts if (v := first(doc, p, after="财政拨款"))]
        total = c[0] + sum(v[0] for _, v in present)
        if abs(total - g[0]) <= CENT:
            continue
        named = "＋".join(
            [f"{side}合计{c[0]}"] + [f"{re.sub(r'[（(].*', '', p.split('|')[0])}{v[0]}" for p, v in present]
        )
        if present or g[0] < c[0]:
            out.append(
                finding(
                    doc,
                    "SUM",
                    ERROR,
                    f"{side}总计{g[0]}万元与其组成不符：{named}＝{total}万元",
                    g[1],
                    g[2],
                )
            )
        else:
            out.append(
                finding(
                    doc,
                    "SUM",
                    WARNING,
                    f"{side}总计{g[0]}万元与本年{side}合计{c[0]}万元不等，文中未列结转和结余，无法核对",
                    g[1],
                    g[2],
                )
            )
    return out


# ---------------------------------------------------------------- 公务用车, procurement, fund spending

VEHICLE_TOTAL = r"公务用车购置及运行维护费|公务用车购置及运行费"
VEHICLE_PURCHASE = r"公务用车购置(?!及)"
VEHICLE_RUNNING = r"(?<!购置及)公务用车运行维护费|(?<!购置及)公务用车运行费|(?<!购置及)公务用车运行(?!维护)"


def check_vehicle_subtotal(doc: Document) -> list[Finding]:
    """公务用车购置及运行维护费 = 公务用车购置费 + 公务用车运行维护费 (fiscal-rules §2 T7): each subtotal
    with the first purchase and running figures quoted after it, before the next subtotal."""
    out = []
    totals = quoted(doc, VEHICLE_TOTAL, after="预算|年初")
    for n, (value, a, _) in enumerate(totals):
        stop = totals[n + 1][1] if n + 1 < len(totals) else len(doc.text)
        purchase = [v for v in quoted(doc, VEHICLE_PURCHASE, after="预算") if a < v[1] < stop]
        running = [v for v in quoted(doc, VEHICLE_RUNNING, after="预算") if a < v[1] < stop]
        if purchase and running and abs(purchase[0][0] + running[0][0] - value) > CENT:
            out.append(
                finding(
                    doc,
                    "SUM",
                    ERROR,
                    f"公务用车购置费{purchase[0][0]}＋运行维护费{running[0][0]}＝{purchase[0][0] + running[0][0]}万元，"
                    f"与公务用车购置及运行维护费{value}万元不符",
                    a,
                    max(running[0][2], purchase[0][2]),
                )
            )
    return out


THREE_PUBLIC_TOTAL = re.compile(rf"“三公”经费[^。\n]{{0,24}}?决算数?为?\s*{NUM}\s*万元")
THREE_PUBLIC_ITEMS = (r"因公出国（境）(?:经)?", VEHICLE_TOTAL, r"公务接待")


def check_three_public_sum(doc: Document) -> list[Finding]:
    """“三公”经费 = 因公出国（境）费 + 公务用车购置及运行维护费 + 公务接待费 (fiscal-rules §2 T7): the total's
    决算 and the first figure of each item quoted after it in the same chapter."""
    out = []
    for t in THREE_PUBLIC_TOTAL.finditer(doc.text):
        chapter = doc.section_at(t.start()).split("（")[0]
        items = []
        for label in THREE_PUBLIC_ITEMS:
            after = [
                v
                for v in quoted(doc, rf"(?:{label})费?", after="预算|年初")
                if v[1] > t.end() and doc.section_at(v[1]).startswith(chapter)
            ]
            items.append(after[0] if after else None)
        if None in items:
            continue
        parts = sum(v[0] for v in items)
        if abs(parts - Decimal(t.group(1))) > CENT:
            out.append(
                finding(
                    doc,
                    "SUM",
                    ERROR,
                    f"因公出国（境）费{items[0][0]}＋公务用车购置及运行维护费{items[1][0]}＋公务接待费{items[2][0]}"
                    f"＝{parts}万元，与“三公”经费决算{t.group(1)}万元不符",
                    t.start(),
                    t.end(),
                )
            )
        break  # the first total: the 决算 of the year
    return out


BUDGET_ACTUAL = re.compile(rf"预算数?为?\s*{NUM}\s*万元[，,]\s*(?:执行数|(?:支出)?决算数?)为?\s*{NUM}\s*万元")
DIRECTION = re.compile(r"决算数?(大于|多于|超过|高于|小于|少于|低于|等于|与)(?:年初)?预算数?(持平)?")


def check_budget_direction(doc: Document) -> list[Finding]:
    """“决算数大于/小于/等于预算数” agrees with the budget and the actual quoted before it (fiscal-rules C-DIR)."""
    out = []
    for m in BUDGET_ACTUAL.finditer(doc.text):
        budget, actual = Decimal(m.group(1)), Decimal(m.group(2))
        end = doc.text.find("\n", m.end())
        d = DIRECTION.search(doc.text, m.end(), end if end != -1 else len(doc.text))
        if not d or d.start() - m.end() > 60:
            continue
        said = {
            "大于": 1,
            "多于": 1,
            "超过": 1,
            "高于": 1,
            "小于": -1,
            "少于": -1,
            "低于": -1,
            "等于": 0,
        }.get(d.group(1), 0 if d.group(2) else None)
        true = (actual > budget) - (actual < budget)
        if said is not None and said != true:
            out.append(
                finding(
                    doc,
                    "COMPL",
                    ERROR,
                    f"“{d.group(0)}”与数字不符：预算数{budget}万元，决算数{actual}万元",
                    m.start(),
                    d.end(),
                )
            )
    return out


PROC_TOTAL = r"政府采购支出总额|政府采购(?:合同)?总额|政府采购支出"
SME = r"授予中小企业合同金额|中小企业合同金额"
SMALL = r"授予小微企业合同金额|小微企业合同金额"


def check_procurement(doc: Document) -> list[Finding]:
    """授予中小企业合同金额 ≤ 政府采购总额; 其中小微企业 ≤ 中小企业 (a part never exceeds its whole)."""
    out = []
    total, sme, small = first(doc, PROC_TOTAL), first(doc, SME), first(doc, SMALL)
    for part, whole, what in ((sme, total, "政府采购支出总额"), (small, sme, "授予中小企业合同金额")):
        if part and whole and part[0] > whole[0] + CENT:
            out.append(
                finding(
                    doc, "PROC", ERROR, f"合同金额{part[0]}万元大于{what}{whole[0]}万元", part[1], part[2]
                )
            )
    return out


FUNDS = (
    ("政府性基金预算", r"政府性基金预算财政拨款收入", r"政府性基金预算(?:财政)?拨款支出|政府性基金预算支出"),
    (
        "国有资本经营预算",
        r"国有资本经营预算财政拨款收入",
        r"国有资本经营预算(?:财政)?拨款支出|国有资本经营预算支出",
    ),
)


def check_fund_spending(doc: Document) -> list[Finding]:
    """A fund spends only what it received this year plus its carry-over (fiscal-rules §2 T4/T8):
    spending above the year's income needs a quoted carry-over that covers it."""
    out = []
    for name, income_label, spending_label in FUNDS:
        income, spending = first(doc, income_label), first(doc, spending_label)
        if income is None or spending is None or spending[0] <= income[0] + CENT:
            continue
        carry = first(doc, rf"年初(?:财政拨款)?结转和结余中{name}|{name}(?:财政拨款)?年初结转和结余")
        if carry is not None and spending[0] <= income[0] + carry[0] + CENT:
            continue
        out.append(
            finding(
                doc,
                "FUND-SPEND",
                ERROR,
                f"{name}财政拨款支出{spending[0]}万元大于本年收入{income[0]}万元"
                + (f"与年初结转和结余{carry[0]}万元之和" if carry else "，文中也没有相应的年初结转和结余"),
                spending[1],
                spending[2],
            )
        )
    return out


SHARE_ABOVE = re.compile(r"占[^，,。；;%\d]{0,20}?的?(?:比重|比例)?为?\s*(\d{3,}(?:\.\d+)?)%")


def check_share_range(doc: Document) -> list[Finding]:
    """A share ('占…的P%') is a part of its whole: P ≤ 100."""
    return [
        finding(doc, "SHARE", ERROR, f"占比{m.group(1)}%超过100%：部分不能大于整体", m.start(), m.end())
        for m in SHARE_ABOVE.finditer(doc.text)
        if Decimal(m.group(1)) > 100
    ]


NO_PERCENT = re.compile(
    r"(?:增长|下降|增幅为?|降幅为?|占比?为?|完成(?:年初|全年)?预算的?)\s*(\d+(?:\.\d+)?)(?=[。，,；;])"
)


def check_percent_sign(doc: Document) -> list[Finding]:
    """A rate or a share printed without its “%” (“增长13.95。”)."""
    return [
        finding(doc, "PCT-SIGN", WARNING, f"百分比缺少“%”：“{m.group(0)}”", m.start(), m.end())
        for m in NO_PERCENT.finditer(doc.text)
    ]


# ---------------------------------------------------------------- years

YEAR = re.compile(r"(?<![\d.])([12]\d{3})(?=\s*年)")
AS_OF = re.compile(r"截[至止](?:到)?\s*((?:19|20)\d\d)\s*年\s*12\s*月")
COMPARED = re.compile(r"(?:比|较|与|同)\s*((?:19|20)\d\d)\s*年度?(?:决算数?)?(?:相比|比较|同期)?")


PLANNED = re.compile(r"(?:到|至|于|在|计划|力争|预计|规划|展望)\s*$")
NEAR_FUTURE = 10  # a target year up to ten years ahead may be a plan ("力争到X年"); further is a typo


def same_sentence_money(doc: Document, start: int) -> bool:
    a = max(doc.text.rfind("。", 0, start), doc.text.rfind("\n", 0, start)) + 1
    ends = [i for i in (doc.text.find("。", start), doc.text.find("\n", start)) if i != -1]
    return "万元" in doc.text[a : min(ends) if ends else len(doc.text)]


def check_years(doc: Document, *, year: int | None) -> list[Finding]:
    """The years a report may name: none after its publication year (report year + 1) — a warning for a
    near year after 到/力争/计划 (a target), an error otherwise; the year-end position is the report
    year's; year-on-year figures (a sentence with an amount) compare with the year before."""
    if not year:
        return []
    out = []
    for m in YEAR.finditer(doc.text):
        named = int(m.group(1))
        if named > year + 1:
            planned = named <= year + NEAR_FUTURE and PLANNED.search(
                doc.text[max(0, m.start() - 4) : m.start()]
            )
            out.append(
                finding(
                    doc,
                    "YEAR",
                    WARNING if planned else ERROR,
                    f"年份{named}年晚于{year}年度报告的公开年份"
                    + ("，请核对是否为规划目标年份" if planned else ""),
                    m.start(),
                    m.end(),
                )
            )
    for m in AS_OF.finditer(doc.text):
        if int(m.group(1)) != year and int(m.group(1)) <= year + 1:
            out.append(
                finding(
                    doc, "YEAR", ERROR, f"年末数应截至{year}年12月，文中为{m.group(1)}年", m.start(), m.end()
                )
            )
    for m in COMPARED.finditer(doc.text):
        if int(m.group(1)) not in (year - 1, year) and int(m.group(1)) <= year + 1:
            if same_sentence_money(doc, m.start()):
                out.append(
                    finding(
                        doc,
                        "YEAR",
                        ERROR,
                        f"{year}年度决算应与上年（{year - 1}年）比较，文中为{m.group(1)}年",
                        m.start(),
                        m.end(),
                    )
                )
    return out


# ---------------------------------------------------------------- doubled characters, near-miss phrases

# characters whose doubling is a word (常常, 人人, 年年, 万万, 看看 …)
REDUPLICATED = set("某常人天年个一渐刚仅往纷层处事时步点严实谢看想试多少慢好万家户项条件样声匆款偏稍高轻")
# function characters: doubled, never two words ("的的", "了了" …), except these reduplicated phrases
FUNCTION = set("的了是在和与及对为将把被从向并也都就而或之其该此于以")
FUNCTION_OK = ("的的确确", "是是非非")
DOUBLED = re.compile(r"([\u4e00-\u9fff])\1")
# words that commonly end right before a word starting with the same character ("专业业务", "工作作风")
WORD_ENDS = set(
    "专业 事业 行业 企业 就业 产业 农业 作业 营业 物业 职业 用车 公车 工作 合作 协作 发展 开展 进展 卫生 发生 "
    "学生 医生 国家 大家 专家 人员 成员 会议 建议 审议 计划 规划 管理 办理 处理 经费 收费 服务 任务 业务".split()
)


def check_doubled(doc: Document) -> list[Finding]:
    """A doubled character: a typo unless it is a reduplicated word, or the doubling joins two words —
    told by the document itself, which uses both words (前字+X and X+后字) elsewhere ("专业业务", "用车车辆")."""
    out = []
    text = doc.text
    for m in DOUBLED.finditer(text):
        ch, a, b = m.group(1), m.start(), m.end()
        if ch in REDUPLICATED or any(w in text[max(0, a - 3) : b + 3] for w in FUNCTION_OK):
            continue
        if ch not in FUNCTION:
            left, right = text[a - 1 : a + 1] if a else "", text[b - 1 : b + 1]
            elsewhere = text[: a - 1] + "\n" + text[b + 1 :]
            if len(left) == 2 and (left in elsewhere or left in WORD_ENDS) and right in elsewhere:
                continue
        out.append(finding(doc, "DUP", WARNING, f"重复字：“{m.group(0)}”", a, b))
    return out


# the template's fixed phrases; a string one edit away from one of them (a character missing, wrong or
# swapped) is a typo — unless it is another phrase of the list
PHRASES = (
    "一般公共预算",
    "政府性基金预算",
    "国有资本经营预算",
    "财政拨款收入",
    "上级补助收入",
    "附属单位上缴收入",
    "年初结转和结余",
    "年末结转和结余",
    "本年收入合计",
    "本年支出合计",
    "对附属单位补助支出",
    "机关运行经费",
    "政府采购支出总额",
    "公务用车购置及运行维护费",
    "公务用车运行维护费",
    "公务接待费",
    "因公出国（境）",
    "预算绩效管理",
    "部门整体支出",
    "授予中小企业合同金额",
    "名词解释",
)


def near_misses(phrase: str) -> set[str]:
    """One character missing (not the last: a phrase's prefix is often a word of its own, nor a first
    that leaves a leading 年, which joins the date before it) or two neighbours swapped."""
    n = len(phrase)
    out = {phrase[:i] + phrase[i + 1 :] for i in range(n - 1) if not (i == 0 and phrase[1] == "年")}
    out |= {phrase[:i] + phrase[i + 1] + phrase[i] + phrase[i + 2 :] for i in range(n - 1)}  # swapped
    return {v for v in out if len(v) >= 4 and v != phrase}


def substitution(phrase: str) -> re.Pattern:
    """One interior character replaced (phrases of 6+ characters, where a wrong character stands out)."""
    alts = [
        re.escape(phrase[:i]) + rf"(?!{re.escape(phrase[i])})[\u4e00-\u9fff]" + re.escape(phrase[i + 1 :])
        for i in range(1, len(phrase) - 1)
    ]
    return re.compile("|".join(alts))


NEAR = [(p, v) for p in PHRASES for v in sorted(near_misses(p))]
SUBSTITUTED = [(p, substitution(p)) for p in PHRASES if len(p) >= 6]
LEGIT = set(PHRASES) | {
    "年初结转结余",
    "年末结转结余",
    "机关运行费",
    "公务用车购置运行维护费",
    "附属单位补助支出",
    "一般公共预算财政",
    "本年收入",
    "本年支出",
    "因公出国",
}


BOUNDARY = set("年度的和及与了在是为中其、")


def check_near_phrases(doc: Document) -> list[Finding]:
    out = []
    text = doc.text
    exact = [(m.start(), m.end()) for p in PHRASES for m in re.finditer(re.escape(p), text)]

    def inside_exact(a: int, b: int) -> bool:
        return any(s <= a and b <= e for s, e in exact)

    hits = []
    for phrase, variant in NEAR:
        if variant in LEGIT or any(variant in p for p in PHRASES if p != phrase):
            continue
        first_missing = variant == phrase[1:]
        for m in re.finditer(re.escape(variant), text):
            # a missing first character is a slip only after a word boundary ("2019年般公共预算"), not when
            # another word's character stands there ("省级补助收入" is not "上级补助收入" without 上)
            before = text[m.start() - 1 : m.start()]
            if before == "\n":  # a line broken by the page width: the character before the break
                before = text[m.start() - 2 : m.start() - 1]
                if first_missing and before == phrase[0]:
                    continue
            if first_missing and re.fullmatch(r"[\u4e00-\u9fff]", before or "。") and before not in BOUNDARY:
                continue
            if not inside_exact(m.start(), m.end()):
                hits.append((m.start(), m.end(), phrase))
    for phrase, rx in SUBSTITUTED:
        for m in rx.finditer(text):
            if m.group(0) not in LEGIT and not inside_exact(m.start(), m.end()):
                hits.append((m.start(), m.end(), phrase))
    seen = set()
    for a, b, phrase in sorted(hits):
        if a in seen:
            continue
        seen.add(a)
        out.append(finding(doc, "TYPO", ERROR, f"疑似错字：“{text[a:b]}”应为“{phrase}”", a, b))
    return out


def check_general(doc: Document, *, year: int | None) -> list[Finding]:
    return [
        *check_grand_totals(doc),
        *check_vehicle_subtotal(doc),
        *check_three_public_sum(doc),
        *check_budget_direction(doc),
        *check_procurement(doc),
        *check_fund_spending(doc),
        *check_share_range(doc),
        *check_percent_sign(doc),
        *check_years(doc, year=year),
        *check_doubled(doc),
        *check_near_phrases(doc),
    ]
