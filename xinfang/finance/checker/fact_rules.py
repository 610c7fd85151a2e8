"""Rules over the facts in the database (a Disclosure), complementing the text rules on the report."""

from decimal import Decimal

from xinfang.finance.checker.findings import ERROR, INFO, WARNING, Finding
from xinfang.finance.data_types import Disclosure


def f(rule, severity, message, section, excerpt="") -> Finding:
    return Finding(rule, severity, message, section, excerpt)


def econ(d: Disclosure, code: str) -> Decimal:
    return sum((a for c, _, a in d.economic if c == code), Decimal(0))


def check_facts(d: Disclosure) -> list[Finding]:
    out: list[Finding] = []
    if d.personnel + d.public != d.basic:
        out.append(
            f(
                "PERS",
                ERROR,
                f"经济分类人员经费{d.personnel}+公用经费{d.public}={d.personnel + d.public}万元，与功能分类基本支出{d.basic}万元不符",
                "六、基本支出",
            )
        )
    if not d.fiscal_start and d.income_total != d.spending_total:
        out.append(
            f(
                "SUM",
                WARNING,
                f"本年收入合计{d.income_total}万元与本年支出合计{d.spending_total}万元不等（无结转结余时应相等）",
                "一、总体情况",
            )
        )
    for fund in d.fiscal_funds:
        if fund.end < 0:
            out.append(
                f(
                    "FUND-SPEND",
                    ERROR,
                    f"{fund.label}本年支出{fund.spending}万元超过年初结转和结余{fund.start}万元与本年收入{fund.income}万元之和",
                    "四、财政拨款收支",
                    fund.label,
                )
            )
    for ln in d.lines:
        if ln.code not in d.official:
            out.append(
                f(
                    "NAME-OFFICIAL",
                    ERROR,
                    f"功能分类科目{ln.code}不在{d.year}年科目表中",
                    "五、（三）",
                    ln.code,
                )
            )
        if not ln.budget and ln.total:
            out.append(f("COMPL", INFO, f"科目{ln.code}无年初预算，不列示完成率", "五、（三）", ln.code))
    if d.operating_cost > d.public:
        out.append(
            f("JGYX", WARNING, f"机关运行经费{d.operating_cost}万元大于公用经费{d.public}万元", "十、（一）")
        )
    if d.procurement_sme > d.procurement_total or d.procurement_small > d.procurement_sme:
        out.append(
            f("PROC", ERROR, "授予中小企业（小微企业）合同金额超过政府采购总额（中小企业金额）", "十、（二）")
        )
    for code, item, label in (
        ("30212", d.tp("abroad"), "因公出国（境）费"),
        ("30217", d.tp("reception"), "公务接待费"),
        ("30231", d.tp("vehicle_operation"), "公务用车运行维护费"),
        ("31013", d.tp("vehicle_purchase"), "公务用车购置费"),
    ):
        if econ(d, code) > item.actual:
            out.append(
                f(
                    "SAN-ECON",
                    ERROR,
                    f"基本支出{label}（{code}）{econ(d, code)}万元大于“三公”{label}决算{item.actual}万元",
                    "七、“三公”经费",
                )
            )
    if bool(d.vehicles_bought) != bool(d.tp("vehicle_purchase").actual):
        out.append(
            f(
                "XREF",
                WARNING,
                f"购置公务用车{d.vehicles_bought}辆与购置费{d.tp('vehicle_purchase').actual}万元不相符",
                "七、（二）",
            )
        )
    if sum(p.budget for p in d.projects) > d.project:
        out.append(f("SUM", ERROR, "绩效项目预算合计超过项目支出", "十、（四）"))
    for p in d.projects:
        if p.executed > p.budget:
            out.append(
                f(
                    "COMPL",
                    WARNING,
                    f"项目“{p.name}”执行数{p.executed}大于预算数{p.budget}",
                    "十、（四）",
                    p.name,
                )
            )
        if p.fiscal_budget > p.budget or p.fiscal_executed > p.executed:
            out.append(f("SUM", ERROR, f"项目“{p.name}”财政拨款超过项目总额", "十、（四）", p.name))
    changes = [
        ("total", d.grand_total, d.prior_total, "收支总计"),
        ("general", d.expenditure_total, d.prior_general_budget, "一般公共预算财政拨款"),
        ("vehicle", d.vehicle_cost.actual, d.vehicle_cost.prior, "公务用车购置及运行维护费"),
        ("reception", d.tp("reception").actual, d.tp("reception").prior, "公务接待费"),
        ("operating", d.operating_cost, d.prior_operating_cost, "机关运行经费"),
    ]
    for key, cur, prior, label in changes:
        if cur != prior and not d.reasons.get(key, "").strip():
            out.append(f("REASON", WARNING, f"{label}比上年有增减，但未填写变动原因", label))
    return out + check_casework(d)


def check_casework(d: Disclosure) -> list[Finding]:
    """The ledger against the casework records of the year (only when there are such records)."""
    c = d.casework
    if c is None:
        return []
    out: list[Finding] = []
    if c.fund_paid_cases:
        for p in d.projects:
            if p.casework == "fund" and p.executed != c.fund_paid:
                out.append(
                    f(
                        "FUND",
                        WARNING,
                        f"项目“{p.name}”执行数{p.executed}万元，与业务记录中{d.year}年已拨付专项资金救助"
                        f"{c.fund_paid_cases}件合计{c.fund_paid}万元不一致",
                        "十、（四）",
                        p.name,
                    )
                )
    if not c.stats["improving"] and any("三下降一好转" in a for a in d.achievements):
        down = "、".join(k for k, v in c.stats["three_down"].items() if not v)
        out.append(
            f(
                "CASEWORK",
                WARNING,
                f"重点工作完成情况称“三下降一好转”，但业务记录中{d.year}年{down}未比上年下降",
                "第一部分 重点工作完成情况",
                "三下降一好转",
            )
        )
    return out
