"""The explanatory report (情况说明) as a list of blocks, every figure computed from the facts.

Pure: takes a Disclosure, returns blocks that the docx / html renderers lay out. The sentence patterns
are those of the Sichuan template (the seed), so the text checker can re-read what we publish.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from xinfang.finance.data_types import ZERO, Disclosure, ProjectData
from xinfang.finance.templates_config import template_for

CN = "一二三四五六七八九十"


@dataclass(frozen=True)
class Block:
    kind: str  # h1 | h2 | h3 | p | table | image
    text: str = ""
    rows: tuple = ()


def money(value: Decimal) -> str:
    """万元 amount as the template prints it: no trailing zeros."""
    return format(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize(), "f")


def percent(part: Decimal, whole: Decimal, *, style: str) -> str:
    if not whole:
        return "0"
    value = Decimal(part) * 100 / Decimal(whole)
    places = 2 if style == "2dp" else (0 if value >= 10 or value == 0 else 1)
    return format(value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP).normalize(), "f")


def change(current: Decimal, prior: Decimal, *, style: str, each: bool = False) -> str:
    """'增加A万元，增长B%' / '减少…下降…' / '持平' (no % when the prior year is zero)."""
    diff = current - prior
    if diff == 0:
        return "持平"
    verb, word = ("增加", "增长") if diff > 0 else ("减少", "下降")
    text = f"{'各' if each else ''}{verb}{money(abs(diff))}万元"
    return text + (f"，{word}{percent(abs(diff), prior, style=style)}%" if prior else "")


def build_blocks(d: Disclosure) -> list[Block]:
    style = template_for(d.region, d.year).pct_style
    y, py = d.year, d.year - 1
    pc = lambda part, whole: percent(part, whole, style=style)  # noqa: E731
    B: list[Block] = []
    h1, h2, h3 = (
        (lambda t: B.append(Block("h1", t))),
        (lambda t: B.append(Block("h2", t))),
        (lambda t: B.append(Block("h3", t))),
    )
    p = lambda t: B.append(Block("p", t))  # noqa: E731

    # ---------------- 第一部分
    h1("第一部分 部门概况")
    h2("一、基本职能及主要工作")
    h3("（一）主要职能")
    for i, f in enumerate(d.functions, 1):
        p(f"{i}.{f}")
    h3(f"（二）{y}年重点工作完成情况")
    for i, f in enumerate(d.achievements, 1):
        p(f"{i}.{f}")
    h2("二、机构设置")
    p(subunit_sentence(d, "下属二级单位"))

    # ---------------- 第二部分
    h1(f"第二部分 {y}年度部门决算情况说明")
    total, grand = d.income_total, d.grand_total
    h2("一、收入支出决算总体情况说明")
    p(
        f"{y}年度收、支总计{money(grand)}万元。与{py}年相比，收、支总计{change(grand, d.prior_total, style=style, each=True)}。"
        + reason(d.reasons["total"], grand != d.prior_total)
    )
    h2("二、收入决算情况说明")
    incomes = [(k, v) for k, v in d.incomes.items() if k != "国有资本经营预算财政拨款收入" or v]
    p(
        f"{y}年本年收入合计{money(total)}万元，其中："
        + "；".join(f"{k}{money(v)}万元，占{pc(v, total)}%" for k, v in incomes)
        + "。"
    )
    h2("三、支出决算情况说明")
    exp = d.spending_total
    parts = [
        ("基本支出", d.basic),
        ("项目支出", exp - d.basic),  # the other two funds' spending is 项目支出 (公开03、08、09表)
        ("上缴上级支出", ZERO),
        ("经营支出", ZERO),
        ("对附属单位补助支出", ZERO),
    ]
    p(
        f"{y}年本年支出合计{money(exp)}万元，其中："
        + "；".join(f"{k}{money(v)}万元，占{pc(v, exp)}%" for k, v in parts)
        + "。"
    )
    fiscal = d.fiscal_income + d.fiscal_start
    h2("四、财政拨款收入支出决算总体情况说明")
    p(
        f"{y}年财政拨款收、支总计{money(fiscal)}万元。与{py}年相比，财政拨款收、支总计"
        f"{change(fiscal, d.prior_fiscal_total, style=style, each=True)}。"
        + reason(d.reasons["fiscal"], fiscal != d.prior_fiscal_total)
    )
    h2("五、一般公共预算财政拨款支出决算情况说明")
    gb = d.expenditure_total  # the 一般公共预算 spending (its lines), not the income
    h3("（一）一般公共预算财政拨款支出决算总体情况")
    p(
        f"{y}年一般公共预算财政拨款支出{money(gb)}万元，占本年支出合计的{pc(gb, exp)}%。与{py}年相比，一般公共预算财政拨款"
        f"{change(gb, d.prior_general_budget, style=style)}。"
        + reason(d.reasons["general"], gb != d.prior_general_budget)
    )
    h3("（二）一般公共预算财政拨款支出决算结构情况")
    classes = d.class_totals
    p(
        f"{y}年一般公共预算财政拨款支出{money(gb)}万元，主要用于以下方面:"
        + "；".join(
            f"{d.class_names[c].removesuffix('支出')}（类）支出{money(v)}万元，占{pc(v, gb)}%"
            for c, v in classes.items()
        )
        + "。"
    )
    h3("（三）一般公共预算财政拨款支出决算具体情况")
    p(f"{y}年一般公共预算支出决算数为{money(gb)}万元，{completion(gb, d.budget_total, style)}。其中：")
    for i, ln in enumerate(d.lines, 1):
        p(
            f"{i}.{ln.class_name}（类）{ln.kuan_name}（款）{ln.name}（项）: 支出决算为{money(ln.total)}万元，{completion(ln.total, ln.budget, style)}。"
        )
    h2("六、一般公共预算财政拨款基本支出决算情况说明")
    person = [n for c, n, a in d.economic if c[:3] in ("301", "303") and a]
    public = [n for c, n, a in d.economic if c[:3] not in ("301", "303") and a]
    p(f"{y}年一般公共预算财政拨款基本支出{money(d.basic)}万元，其中：")
    p(f"人员经费{money(d.personnel)}万元，主要包括：{'、'.join(person)}。")
    p(f"日常公用经费{money(d.public)}万元，主要包括：{'、'.join(public)}。")
    three_public(d, B, style)
    h2("八、政府性基金预算支出决算情况说明")
    p(f"{y}年政府性基金预算拨款支出{money(d.fund_expenditure)}万元。")
    h2("九、国有资本经营预算支出决算情况说明")
    p(f"{y}年国有资本经营预算拨款支出{money(d.state_capital_expenditure)}万元。")
    h2("十、其他重要事项的情况说明")
    h3("（一）机关运行经费支出情况")
    p(
        f"{y}年，{d.short_name}机关运行经费支出{money(d.operating_cost)}万元，比{py}年"
        f"{change(d.operating_cost, d.prior_operating_cost, style=style)}。"
        + reason(d.reasons["operating"], d.operating_cost != d.prior_operating_cost)
    )
    h3("（二）政府采购支出情况")
    pt = d.procurement_total
    p(
        f"{y}年，{d.short_name}政府采购支出总额{money(pt)}万元，其中：政府采购货物支出{money(d.procurement_goods)}万元、"
        f"政府采购工程支出{money(d.procurement_works)}万元、政府采购服务支出{money(d.procurement_services)}万元。"
        f"授予中小企业合同金额{money(d.procurement_sme)}万元，占政府采购支出总额的{pc(d.procurement_sme, pt)}%，其中："
        f"授予小微企业合同金额{money(d.procurement_small)}万元，占政府采购支出总额的{pc(d.procurement_small, pt)}%。"
    )
    h3("（三）国有资产占有使用情况")
    kinds = "、".join(
        f"{k}{n}辆"
        for k, n in d.vehicles.items()
        if n or k in ("主要领导干部用车", "机要通信用车", "应急保障用车", "其他用车")
    )
    p(
        f"截至{y}年12月31日，{d.short_name}共有车辆{d.fleet}辆，其中：{kinds}，单价50万元以上通用设备{d.equipment_general}台（套），"
        f"单价100万元以上专用设备{d.equipment_special}台（套）。"
    )
    performance(d, B, style)
    glossary(d, B)
    appendix(d, B, style)
    B.append(Block("image", "general_budget", ()))
    B.append(Block("image", "structure", ()))
    B.append(Block("image", "three_public", ()))
    return B


def reason(text: str, changed: bool) -> str:
    return f"主要变动原因是{text}。" if changed and text else ""


def completion(actual: Decimal, budget: Decimal, style: str) -> str:
    if not budget:
        return "年初未安排预算"
    return f"完成预算{percent(actual, budget, style=style)}%"


def subunit_sentence(d: Disclosure, label: str) -> str:
    counts = [(k, sum(1 for _, kind in d.subunits if kind == k)) for k in d.subunit_kinds]
    return f"{d.unit_name}{label}{len(d.subunits)}个，其中" + "，".join(f"{k}{n}个" for k, n in counts) + "。"


def three_public(d: Disclosure, B: list[Block], style: str) -> None:
    y, py = d.year, d.year - 1
    t = d.three_public_total
    abroad, vehicle, purchase, operation, reception = (
        d.tp("abroad"),
        d.vehicle_cost,
        d.tp("vehicle_purchase"),
        d.tp("vehicle_operation"),
        d.tp("reception"),
    )
    pc = lambda part, whole: percent(part, whole, style=style)  # noqa: E731
    B.append(Block("h2", "七、“三公”经费财政拨款支出决算情况说明"))
    B.append(Block("h3", "（一）“三公”经费财政拨款支出决算总体情况说明"))
    B.append(
        Block(
            "p",
            f"{y}年“三公”经费财政拨款支出决算为{money(t.actual)}万元，{completion(t.actual, t.budget, style)}。",
        )
    )
    B.append(Block("h3", "（二）“三公”经费财政拨款支出决算具体情况说明"))
    B.append(
        Block(
            "p",
            f"{y}年“三公”经费财政拨款支出决算中，因公出国（境）费支出决算{money(abroad.actual)}万元，占{pc(abroad.actual, t.actual)}%；"
            f"公务用车购置及运行维护费支出决算{money(vehicle.actual)}万元，占{pc(vehicle.actual, t.actual)}%；"
            f"公务接待费支出决算{money(reception.actual)}万元，占{pc(reception.actual, t.actual)}%。具体情况如下：",
        )
    )
    B.append(
        Block(
            "p",
            f"1.因公出国（境）经费支出{money(abroad.actual)}万元，{completion(abroad.actual, abroad.budget, style)}。"
            f"全年安排因公出国（境）团组{d.abroad_groups}次，出国（境）{d.abroad_persons}人。",
        )
    )
    fleet_kinds = "、".join(f"{k}{n}辆" for k, n in d.vehicles.items() if n or k != "特种专业技术用车")
    B.append(
        Block(
            "p",
            f"2.公务用车购置及运行维护费支出{money(vehicle.actual)}万元，{completion(vehicle.actual, vehicle.budget, style)}。"
            f"公务用车购置及运行维护费支出决算比{py}年{change(vehicle.actual, vehicle.prior, style=style)}。"
            + (
                f"主要原因是{d.reasons['vehicle']}。"
                if vehicle.actual != vehicle.prior and d.reasons["vehicle"]
                else ""
            ),
        )
    )
    B.append(
        Block(
            "p",
            f"其中：公务用车购置支出{money(purchase.actual)}万元。全年按规定更新购置公务用车{d.vehicles_bought}辆，"
            f"金额{money(purchase.actual)}万元。截至{y}年12月底，单位共有公务用车{d.fleet}辆，其中：{fleet_kinds}。",
        )
    )
    B.append(
        Block(
            "p",
            f"3.公务用车运行维护费支出{money(operation.actual)}万元。"
            + (f"主要用于{d.vehicle_use}。" if d.vehicle_use else ""),
        )
    )
    foreign = d.foreign_reception_cost
    domestic = reception.actual - foreign
    B.append(
        Block(
            "p",
            f"4.公务接待费支出{money(reception.actual)}万元，{completion(reception.actual, reception.budget, style)}。"
            f"公务接待费支出决算比{py}年{change(reception.actual, reception.prior, style=style)}。"
            + (
                f"主要原因是{d.reasons['reception']}。"
                if reception.actual != reception.prior and d.reasons["reception"]
                else ""
            )
            + "其中：",
        )
    )
    B.append(
        Block(
            "p",
            f"国内公务接待支出{money(domestic)}万元，主要用于执行公务、开展业务活动开支的交通费、住宿费、用餐费等。"
            f"国内公务接待{d.reception_batches}批次，{d.reception_persons}人次（不包括陪同人员），共计支出{money(domestic)}万元"
            + (f"，{d.reception_use}" if d.reception_use else "")
            + "。",
        )
    )
    B.append(
        Block(
            "p",
            f"外事接待支出{money(foreign)}万元，外事接待{d.foreign_reception_batches}批次，"
            f"{d.foreign_reception_persons}人，共计支出{money(foreign)}万元。",
        )
    )


def performance(d: Disclosure, B: list[Block], style: str) -> None:
    n = len(d.projects)
    names = "、".join(pr.name for pr in d.projects)
    B.append(Block("h3", "（四）预算绩效管理情况"))
    B.append(
        Block(
            "p",
            f"根据预算绩效管理要求，本部门（单位）在年初预算编制阶段，组织对{n}个项目（{names}）开展了预算事前绩效评估，"
            f"对{n}个项目编制了绩效目标，预算执行过程中，选取{n}个项目开展绩效监控，年终执行完毕后，对{n}个项目开展了绩效目标完成情况自评。",
        )
    )
    B.append(
        Block(
            "p",
            f"本部门按要求对{d.year}年部门整体支出开展绩效自评，从评价情况来看，{d.perf_summary}"
            f"本部门还自行组织了{n}个项目支出绩效评价，从评价情况来看，项目资金严格按照财务管理规定执行，使用科目合理，程序合法，确保了项目的顺利完成。",
        )
    )
    B.append(Block("p", "1.项目绩效目标完成情况"))
    B.append(
        Block(
            "p",
            f"本部门在{d.year}年度部门决算中反映"
            + "、".join(f"“{pr.name}”" for pr in d.projects)
            + f"{n}个项目绩效目标实际完成情况。",
        )
    )
    for i, pr in enumerate(d.projects, 1):
        text = (
            f"（{i}）{pr.name}项目绩效目标完成情况综述。项目全年预算数{money(pr.budget)}万元，执行数为{money(pr.executed)}万元，"
            f"完成预算的{percent(pr.executed, pr.budget, style=style)}%。通过项目实施，{pr.effect.rstrip('。')}。"
        )
        if pr.problems:
            text += f"发现的主要问题：{pr.problems.rstrip('。')}。"
        if pr.improvements:
            text += f"下一步改进措施：{pr.improvements.rstrip('。')}。"
        B.append(Block("p", text))
    for pr in d.projects:
        B.append(Block("p", f"项目绩效目标完成情况表({d.year} 年度)"))
        B.append(Block("table", pr.name, project_table(d, pr)))
    B.append(Block("p", "2.部门绩效评价结果"))
    B.append(
        Block(
            "p",
            f"本部门按要求对{d.year}年部门整体支出绩效评价情况开展自评，《{d.unit_name}{d.year}年部门整体支出绩效评价报告》见附件（附件1）。",
        )
    )


def project_table(d: Disclosure, pr: ProjectData) -> tuple:
    other_b, other_e = pr.budget - pr.fiscal_budget, pr.executed - pr.fiscal_executed
    rows = [
        ("项目名称", pr.name),
        ("预算单位", d.unit_name),
        ("预算执行情况(万元)", "预算数:", money(pr.budget), "执行数:", money(pr.executed)),
        ("", "其中-财政拨款:", money(pr.fiscal_budget), "其中-财政拨款:", money(pr.fiscal_executed)),
        ("", "其它资金:", money(other_b), "其它资金:", money(other_e)),
        ("年度目标完成情况", "预期目标", "实际完成目标"),
        ("", pr.goal, pr.achieved),
        (
            "绩效指标完成情况",
            "一级指标",
            "二级指标",
            "三级指标",
            "预期指标值(包含数字及文字描述)",
            "实际完成指标值(包含数字及文字描述)",
        ),
    ]
    rows += [("", i.level1, i.level2, i.name, i.target, i.actual) for i in pr.indicators]
    return tuple(rows)


def glossary(d: Disclosure, B: list[Block]) -> None:
    B.append(Block("h1", "第三部分 名词解释"))
    terms = [
        "财政拨款收入：指单位从同级财政部门取得的财政预算资金。",
        "事业收入：指事业单位开展专业业务活动及辅助活动取得的收入。",
        "其他收入：指单位取得的除上述收入以外的各项收入。",
        "年初结转和结余：指以前年度尚未完成、结转到本年按有关规定继续使用的资金。",
        "结余分配：指事业单位按照事业单位会计制度的规定从非财政补助结余中分配的事业基金和职工福利基金等。",
        "年末结转和结余：指单位按有关规定结转到下年或以后年度继续使用的资金。",
    ]
    terms += [
        f"{ln.class_name}（类）{ln.kuan_name}（款）{ln.name}（项）: 指{ln.name.removesuffix('支出')}支出。"
        for ln in d.lines
    ]
    terms += [
        "基本支出：指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用支出。",
        "“三公”经费：指部门用财政拨款安排的因公出国（境）费、公务用车购置及运行费和公务接待费。其中，因公出国（境）费反映单位公务出国（境）的国际旅费、国外城市间交通费、住宿费、伙食费、培训费、公杂费等支出；公务用车购置及运行费反映单位公务用车车辆购置支出（含车辆购置税）及租用费、燃料费、维修费、过路过桥费、保险费等支出；公务接待费反映单位按规定开支的各类公务接待（含外宾接待）支出。",
        "机关运行经费：为保障行政单位（含参照公务员法管理的事业单位）运行用于购买货物和服务的各项资金，包括办公及印刷费、邮电费、差旅费、会议费、福利费、日常维修费、专用材料及一般设备购置费、办公用房水电费、办公用房取暖费、办公用房物业管理费、公务用车运行维护费以及其他费用。",
    ]
    for i, t in enumerate(terms, 1):
        B.append(Block("p", f"{i}.{t}"))


def appendix(d: Disclosure, B: list[Block], style: str) -> None:
    y = d.year
    pc = lambda part, whole: percent(part, whole, style=style)  # noqa: E731
    B.append(Block("h1", "第四部分 附件"))
    B.append(Block("p", f"{d.unit_name}{y}年部门整体支出绩效评价报告"))
    B.append(Block("h2", "一、部门（单位）概况"))
    B.append(Block("h3", "（一）机构组成"))
    B.append(
        Block(
            "p",
            f"{d.unit_name}下属二级预算单位{len(d.subunits)}个，内设机构{d.internal_departments}个"
            + (f"，{d.managed_bodies}" if d.managed_bodies else "")
            + "。",
        )
    )
    B.append(Block("h3", "（二）机构职能"))
    for i, f in enumerate(d.functions, 1):
        B.append(Block("p", f"{i}.{f}"))
    B.append(Block("h3", "（三）人员概况"))
    B.append(
        Block(
            "p",
            f"总编制{sum(d.posts.values())}名，其中："
            + "，".join(f"{k}{n}名" for k, n in d.posts.items())
            + f"。在职人员总数{sum(d.staff.values())}名，其中："
            + "，".join(f"{k}{n}名" for k, n in d.staff.items())
            + f"。离退休人员{d.retirees}名；编外长期聘用人员{d.contract_staff}名。",
        )
    )
    B.append(Block("h2", "二、部门财政资金收支情况"))
    B.append(Block("h3", "（一）部门财政资金收入情况"))
    total = d.income_total
    incomes = [(k, v) for k, v in d.incomes.items() if k != "国有资本经营预算财政拨款收入" or v]
    B.append(
        Block(
            "p",
            f"全年财政拨款{money(total)}万元。其中："
            + "；".join(f"{k}{money(v)}万元，占{pc(v, total)}%" for k, v in incomes)
            + "。",
        )
    )
    B.append(Block("h3", "（二）部门财政资金支出情况"))
    B.append(
        Block(
            "p",
            f"全年总支出：{money(d.spending_total)}万元。其中，"
            + "，".join(f"{d.official.get(c, '其他支出')}{money(v)}万元" for c, v in d.class_spending.items())
            + "。",
        )
    )
    for line in d.self_eval_report.splitlines():
        if line.startswith("#"):
            B.append(Block("h2" if line[1] in CN else "h3", line[1:]))
        elif line.strip():
            text = line
            if line == d.self_eval_report.split("#（一）评价结论", 1)[-1].strip().splitlines()[0]:
                text = line + f"自我评价为{money(d.self_eval_score)}分。"
            B.append(Block("p", text))


def plain_text(blocks: list[Block]) -> str:
    """The report as text, in the same shape the checker reads from a .docx."""
    out = []
    for b in blocks:
        if b.kind == "table":
            out += ["\t" + cell for row in b.rows for cell in row]
        elif b.kind != "image":
            out.append(b.text)
    return "\n".join(out)
