"""tables.xlsx: the standard disclosure tables of the region-year template (openpyxl).

Each table builder takes the plain Disclosure and returns a TableData; identities hold by
construction because every cell is computed from the same ledger: spending from the spending figures,
结转/结余 from the ledger's 年初 balances (年末 = 年初 + 本年收入 − 本年支出), never one figure from another.
"""

from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from xinfang.finance.data_types import OTHER_SPENDING_CODE, ZERO, Disclosure, ExpLine
from xinfang.finance.templates_config import template_for

EMPTY_NOTE = "说明：本单位{year}年度没有{what}，故本表无数据。"
CLASS_ROWS = [
    "一般公共服务支出", "外交支出", "国防支出", "公共安全支出", "教育支出", "科学技术支出", "文化旅游体育与传媒支出",
    "社会保障和就业支出", "卫生健康支出", "节能环保支出", "城乡社区支出", "农林水支出", "交通运输支出",
    "资源勘探工业信息等支出", "商业服务业等支出", "金融支出", "援助其他地区支出", "自然资源海洋气象等支出",
    "住房保障支出", "粮油物资储备支出", "灾害防治及应急管理支出", "其他支出",
]  # fmt: skip


@dataclass(frozen=True)
class TableData:
    number: str
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple, ...]
    note: str = ""


def tree(d: Disclosure, columns, lines: list[ExpLine] | None = None) -> list[tuple]:
    """合计 row + 类/款/项 rows; `columns(lines)` gives the numeric cells for a group of 项 lines."""
    lines = d.lines if lines is None else lines
    groups: OrderedDict[str, list] = OrderedDict()
    for ln in sorted(lines, key=lambda ln: ln.code):
        for code in (ln.code[:3], ln.code[:5], ln.code):
            groups.setdefault(code, []).append(ln)
    rows = [("", "合计", *columns(lines))]
    for code, group in groups.items():
        rows.append((code, subject_name(d, code) or group[0].name, *columns(group)))
    return rows


def fund_lines(d: Disclosure, figure: str) -> list[ExpLine]:
    """The `figure` ("spending" or "income") of the 政府性基金 and 国有资本经营 funds as 项目支出 lines of the
    fund's 项 (the ledger's code)."""
    return [
        ExpLine(f.code, "", "", subject_name(d, f.code), ZERO, ZERO, getattr(f, figure))
        for f in d.fiscal_funds[1:]
        if getattr(f, figure)
    ]


def subject_name(d: Disclosure, code: str) -> str:
    """The official name of a 类/款/项 code; 其他支出 for the code of a fund's spending the ledger gives none."""
    return d.official.get(code) or ("其他支出" if OTHER_SPENDING_CODE.startswith(code) else "")


def class_name(d: Disclosure, code: str) -> str:
    """The T1/T4 row of a 项 code."""
    return d.official.get(code[:3], "其他支出")


def by_class(d: Disclosure) -> list[dict[str, Decimal]]:
    """Spending per 类 row name, one dict per fiscal fund."""
    general: dict[str, Decimal] = {}
    for code, v in d.class_totals.items():
        name = class_name(d, code)
        general[name] = general.get(name, ZERO) + v
    return [general] + [{class_name(d, f.code): f.spending} if f.spending else {} for f in d.fiscal_funds[1:]]


def s(lines, attr) -> Decimal:
    return sum((getattr(ln, attr) for ln in lines), ZERO)


def t1(d: Disclosure) -> TableData:
    income = list(d.incomes.items())
    funds = by_class(d)
    left = [(f"{'一二三四五六七八'[i]}、{k}", v) for i, (k, v) in enumerate(income)]
    left += [
        ("本年收入合计", d.income_total),
        ("使用非财政拨款结余", ZERO),
        ("年初结转和结余", d.fiscal_start),
        ("总计", d.grand_total),
    ]
    right = [(name, sum((f.get(name, ZERO) for f in funds), ZERO)) for name in CLASS_ROWS]
    right += [
        ("本年支出合计", d.spending_total),
        ("结余分配", ZERO),
        ("年末结转和结余", d.grand_total - d.spending_total),
        ("总计", d.grand_total),
    ]
    n = max(len(left), len(right))
    left += [("", None)] * (n - len(left))
    right += [("", None)] * (n - len(right))
    return TableData(
        "公开01表",
        "收入支出决算总表",
        ("收入项目", "决算数", "支出项目", "决算数"),
        tuple((*a, *b) for a, b in zip(left, right, strict=True)),
    )


def t2(d: Disclosure) -> TableData:
    header = (
        "科目编码",
        "科目名称",
        "本年收入合计",
        "财政拨款收入",
        "上级补助收入",
        "事业收入",
        "经营收入",
        "附属单位上缴收入",
        "其他收入",
    )
    # by code the ledger holds the 一般公共预算 spending and the code of each other fund: the income of a
    # 一般公共预算 code is its spending, a fund's income sits at the fund's code; 合计 is the ledger's income by source
    rows = tree(
        d,
        lambda ls: (s(ls, "total"), s(ls, "total"), ZERO, ZERO, ZERO, ZERO, ZERO),
        d.lines + fund_lines(d, "income"),
    )
    rows[0] = ("", "合计", d.income_total, d.fiscal_income, *list(d.incomes.values())[3:])
    return TableData("公开02表", "收入决算表", header, tuple(rows))


def t3(d: Disclosure) -> TableData:
    header = (
        "科目编码",
        "科目名称",
        "本年支出合计",
        "基本支出",
        "项目支出",
        "上缴上级支出",
        "经营支出",
        "对附属单位补助支出",
    )
    rows = tree(
        d,
        lambda ls: (s(ls, "total"), s(ls, "basic"), s(ls, "project"), ZERO, ZERO, ZERO),
        d.lines + fund_lines(d, "spending"),
    )
    return TableData("公开03表", "支出决算表", header, tuple(rows))


def t4(d: Disclosure) -> TableData:
    funds = d.fiscal_funds
    per_class = by_class(d)
    left = [(f"{'一二三'[i]}、{f.label}", f.income) for i, f in enumerate(funds)]
    left += [("本年收入合计", d.fiscal_income), ("年初财政拨款结转和结余", d.fiscal_start)]
    left += [(f.label, f.start) for f in funds]
    left += [("总计", d.fiscal_income + d.fiscal_start)]

    def row(name, values):
        return (name, sum(values, ZERO), *values)

    right = [row(name, [c.get(name, ZERO) for c in per_class]) for name in CLASS_ROWS]
    right += [
        row("本年支出合计", [f.spending for f in funds]),
        row("年末财政拨款结转和结余", [f.end for f in funds]),
        row("总计", [f.spending + f.end for f in funds]),
    ]
    left += [("", None)] * (len(right) - len(left))
    header = (
        "收入项目",
        "决算数",
        "支出项目",
        "合计",
        "一般公共预算财政拨款",
        "政府性基金预算财政拨款",
        "国有资本经营预算财政拨款",
    )
    return TableData(
        "公开04表",
        "财政拨款收入支出决算总表",
        header,
        tuple((*a, *b) for a, b in zip(left, right, strict=True)),
    )


def t5(d: Disclosure) -> TableData:
    header = ("科目编码", "科目名称", "年初预算数", "合计", "基本支出", "项目支出")
    return TableData(
        "公开05表",
        "一般公共预算财政拨款支出决算表",
        header,
        tuple(tree(d, lambda ls: (s(ls, "budget"), s(ls, "total"), s(ls, "basic"), s(ls, "project")))),
    )


def t6(d: Disclosure) -> TableData:
    rows = [(c, n, a) for c, n, a in d.economic]
    rows += [
        ("", "人员经费合计", d.personnel),
        ("", "公用经费合计", d.public),
        ("", "基本支出合计", d.personnel + d.public),
    ]
    return TableData(
        "公开06表",
        "一般公共预算财政拨款基本支出决算表",
        ("经济分类科目编码", "科目名称", "决算数"),
        tuple(rows),
    )


def t7(d: Disclosure) -> TableData:
    items = [
        d.three_public_total,
        d.tp("abroad"),
        d.vehicle_cost,
        d.tp("vehicle_purchase"),
        d.tp("vehicle_operation"),
        d.tp("reception"),
    ]
    names = [
        "合计",
        "因公出国（境）费",
        "公务用车购置及运行维护费小计",
        "公务用车购置费",
        "公务用车运行维护费",
        "公务接待费",
    ]
    rows = [(n, i.budget, i.actual) for n, i in zip(names, items, strict=True)]
    return TableData(
        "公开07表", "一般公共预算财政拨款“三公”经费支出决算表", ("项目", "预算数", "决算数"), tuple(rows)
    )


FUND_HEADER = (
    "科目编码",
    "科目名称",
    "年初结转和结余",
    "本年收入",
    "本年支出合计",
    "基本支出",
    "项目支出",
    "年末结转和结余",
)


def empty_fund(number, title, what):
    def build(d: Disclosure) -> TableData:
        return TableData(
            number,
            title,
            FUND_HEADER,
            (("", "合计", ZERO, ZERO, ZERO, ZERO, ZERO, ZERO),),
            EMPTY_NOTE.format(year=d.year, what=what),
        )

    return build


def fund_table(index: int, number: str, title: str, what: str):
    """公开08/09表 from the ledger's fund figures: the fund's 项 (and its 类, 款) and the 合计 row; the
    empty table with its 说明 when the fund has no carry-over, income or spending."""
    empty = empty_fund(number, title, what)

    def build(d: Disclosure) -> TableData:
        f = d.fiscal_funds[index]
        if not (f.start or f.income or f.spending):
            return empty(d)
        cells = (f.start, f.income, f.spending, ZERO, f.spending, f.end)
        codes = (f.code[:3], f.code[:5], f.code)
        rows = [("", "合计", *cells)] + [(c, subject_name(d, c), *cells) for c in codes]
        return TableData(number, title, FUND_HEADER, tuple(rows))

    return build


def sc10(d: Disclosure) -> TableData:
    rows = [(ln.code, ln.name, ln.project) for ln in d.lines if ln.project]
    rows.append(("", "合计", d.project))
    return TableData(
        "公开10表", "一般公共预算财政拨款项目支出决算表", ("科目编码", "科目名称", "项目支出"), tuple(rows)
    )


def sc11(d: Disclosure) -> TableData:
    header = ("科目编码", "科目名称", "年初预算数", "决算数", "完成预算（%）")
    rows = [
        (c, n, *v)
        for c, n, *v in tree(
            d, lambda ls: (s(ls, "budget"), s(ls, "total"), pct_cell(s(ls, "total"), s(ls, "budget")))
        )
    ]
    return TableData("公开11表", "一般公共预算财政拨款支出决算明细表", header, tuple(rows))


def sc12(d: Disclosure) -> TableData:
    rows = [(p.name, p.budget, p.executed, pct_cell(p.executed, p.budget)) for p in d.projects]
    return TableData(
        "公开12表",
        "项目支出绩效目标完成情况汇总表",
        ("项目名称", "预算数", "执行数", "完成预算（%）"),
        tuple(rows),
    )


def pct_cell(part: Decimal, whole: Decimal):
    return (part * 100 / whole).quantize(Decimal("0.01")) if whole else None


TABLES = {
    "T1": t1,
    "T2": t2,
    "T3": t3,
    "T4": t4,
    "T5": t5,
    "T6": t6,
    "T7": t7,
    "T8": fund_table(
        1,
        "公开08表",
        "政府性基金预算财政拨款收入支出决算表",
        "政府性基金预算财政拨款收入，也没有使用政府性基金预算财政拨款安排的支出",
    ),
    "T9": fund_table(
        2,
        "公开09表",
        "国有资本经营预算财政拨款收入支出决算表",
        "国有资本经营预算财政拨款收入，也没有使用国有资本经营预算财政拨款安排的支出",
    ),
    "SC10": sc10,
    "SC11": sc11,
    "SC12": sc12,
    "SC13": empty_fund(
        "公开13表", "政府性基金预算财政拨款“三公”经费支出决算表", "使用政府性基金预算财政拨款安排的“三公”经费"
    ),
}


def build_tables(d: Disclosure) -> list[TableData]:
    return [TABLES[key](d) for key in template_for(d.region, d.year).tables]


def render_xlsx(tables: list[TableData], *, unit_name: str, year: int, path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for t in tables:
        ws = wb.create_sheet(t.number)
        ws.append([t.title])
        ws["A1"].font = Font(bold=True, size=14)
        ws.append([f"单位：{unit_name}", "", "", f"{year}年度", "", "金额单位：万元"])
        ws.append(list(t.header))
        for cell in ws[3]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True)
        for row in t.rows:
            ws.append([float(v) if isinstance(v, Decimal) else v for v in row])
        for row in ws.iter_rows(min_row=4):
            for cell in row:
                if isinstance(cell.value, float):
                    cell.number_format = "0.00"
        if t.note:
            ws.append([])
            ws.append([t.note])
        ws.column_dimensions["A"].width = 16
        ws.column_dimensions["B"].width = 36
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(str(path))
    return path
