"""Disclosures of other units and years with the nine tables, made in the tests (not from the seed).

A Spec is a small ledger: functional 项 lines by fund (一般公共预算 basic/project, 政府性基金 project, 事业收入
spending), carry-over balances, economic items of 基本支出 and the "三公" figures. `tables(spec)` computes the nine
tables from it (identities hold by construction), `text(spec)` the 说明 that quotes them; `write_pdf`,
`write_docx` and `write_xlsx` publish them as a PDF (fpdf2, with the CJK TrueType font that the mplfonts package
ships — the one the charts use), a Word file or a workbook. Tests then break one cell or one sentence.
"""

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

D = Decimal
ZERO = D(0)
CLASS_NAMES = {
    "201": "一般公共服务支出", "204": "公共安全支出", "205": "教育支出", "207": "文化旅游体育与传媒支出",
    "208": "社会保障和就业支出", "210": "卫生健康支出", "212": "城乡社区支出", "213": "农林水支出",
    "221": "住房保障支出", "229": "其他支出",
}  # fmt: skip
T1_CLASSES = [
    "一般公共服务支出", "外交支出", "国防支出", "公共安全支出", "教育支出", "科学技术支出", "文化旅游体育与传媒支出",
    "社会保障和就业支出", "卫生健康支出", "节能环保支出", "城乡社区支出", "农林水支出", "交通运输支出",
    "住房保障支出", "灾害防治及应急管理支出", "其他支出",
]  # fmt: skip


@dataclass
class Line:
    code: str  # 7 digits
    name: str
    basic: Decimal = ZERO  # 一般公共预算
    project: Decimal = ZERO  # 一般公共预算
    fund: Decimal = ZERO  # 政府性基金 (project)
    business: Decimal = ZERO  # from 事业收入 (basic)
    budget: Decimal = ZERO  # 年初预算 (一般公共预算)

    @property
    def gpb(self):
        return self.basic + self.project

    @property
    def total(self):
        return self.gpb + self.fund + self.business


@dataclass
class Spec:
    unit_name: str
    year: int
    money: str  # unit of the tables: 万元 or 元
    lines: list[Line]
    kuan_names: dict[str, str]
    carry_in: Decimal = ZERO  # 一般公共预算 年初结转和结余
    carry_out: Decimal = ZERO
    personnel: list[tuple[str, str, Decimal]] = field(default_factory=list)  # 30101 … (must sum to basic)
    public: list[tuple[str, str, Decimal]] = field(default_factory=list)
    sangong: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)  # item → (budget, actual)
    text_money: str = ""  # unit of the text (default: the tables')
    shanghai: bool = (
        False  # layout variant: split titles, 类/款/项 columns, horizontal 三公, 人员|公用 side by side
    )

    def s(self, attr, lines=None):
        return sum((getattr(ln, attr) for ln in (self.lines if lines is None else lines)), ZERO)

    @property
    def gpb_income(self):
        return self.s("gpb") + self.carry_out - self.carry_in

    @property
    def income_total(self):
        return self.gpb_income + self.s("fund") + self.s("business")


def money(v: Decimal) -> str:
    return f"{v.quantize(D('0.01'), ROUND_HALF_UP):,.2f}"


def cell(v) -> str:
    return "" if v is None else money(v) if isinstance(v, Decimal) else str(v)


def groups(spec: Spec, pick):
    """合计 + 类/款/项 rows of the lines selected by `pick`."""
    lines = [ln for ln in spec.lines if pick(ln)]
    codes: dict[str, list[Line]] = {}
    for ln in lines:
        for c in (ln.code[:3], ln.code[:5], ln.code):
            codes.setdefault(c, []).append(ln)
    names = CLASS_NAMES | spec.kuan_names | {ln.code: ln.name for ln in spec.lines}
    return lines, [(c, names[c], ls) for c, ls in sorted(codes.items())]


def code_cells(spec: Spec, code: str) -> list[str]:
    if not spec.shanghai:
        return [code]
    return [code[:3], code[3:5], code[5:7]] if len(code) == 7 else [code[:3], code[3:5], ""] if len(code) == 5 else [code, "", ""]  # fmt: skip


def tree_table(spec: Spec, header: list[str], pick, values) -> list[list[str]]:
    lines, tree = groups(spec, pick)
    code_header = ["类", "款", "项"] if spec.shanghai else ["科目编码"]
    rows = [code_header + ["科目名称"] + header]
    rows.append([""] * len(code_header) + ["合计"] + [cell(v) for v in values(lines)])
    rows += [code_cells(spec, c) + [n] + [cell(v) for v in values(ls)] for c, n, ls in tree]
    return rows


def tables(spec: Spec) -> list[tuple[str, str, list[list[str]], str]]:
    """(number, title, rows, note) of the nine tables, amounts in spec.money."""
    s = spec.s
    classes = {}
    for ln in spec.lines:
        classes.setdefault(CLASS_NAMES[ln.code[:3]], []).append(ln)
    t1_left = [
        ("一、一般公共预算财政拨款收入", spec.gpb_income),
        ("二、政府性基金预算财政拨款收入", s("fund")),
        ("三、国有资本经营预算财政拨款收入", ZERO),
        ("四、上级补助收入", ZERO),
        ("五、事业收入", s("business")),
        ("六、经营收入", ZERO),
        ("七、附属单位上缴收入", ZERO),
        ("八、其他收入", ZERO),
        ("本年收入合计", spec.income_total),
        ("使用非财政拨款结余", ZERO),
        ("年初结转和结余", spec.carry_in),
        ("总计", spec.income_total + spec.carry_in),
    ]
    t1_right = [(n, s("total", classes.get(n, []))) for n in T1_CLASSES]
    t1_right += [
        ("本年支出合计", s("total")),
        ("结余分配", ZERO),
        ("年末结转和结余", spec.carry_out),
        ("总计", s("total") + spec.carry_out),
    ]
    t1 = [["收入项目", "决算数", "支出项目", "决算数"]] + pair_rows(t1_left, t1_right)
    fiscal = spec.gpb_income + s("fund")
    t4_left = [
        ("一、一般公共预算财政拨款", [spec.gpb_income]),
        ("二、政府性基金预算财政拨款", [s("fund")]),
        ("三、国有资本经营预算财政拨款", [ZERO]),
        ("本年收入合计", [fiscal]),
        ("年初财政拨款结转和结余", [spec.carry_in]),
        ("一般公共预算财政拨款", [spec.carry_in]),
        ("政府性基金预算财政拨款", [ZERO]),
        ("国有资本经营预算财政拨款", [ZERO]),
        ("总计", [fiscal + spec.carry_in]),
    ]
    t4_right = [
        (n, [s("gpb", ls) + s("fund", ls), s("gpb", ls), s("fund", ls), ZERO]) for n, ls in classes.items()
    ]
    t4_right += [
        ("本年支出合计", [s("gpb") + s("fund"), s("gpb"), s("fund"), ZERO]),
        ("年末财政拨款结转和结余", [spec.carry_out, spec.carry_out, ZERO, ZERO]),
        ("总计", [s("gpb") + s("fund") + spec.carry_out, s("gpb") + spec.carry_out, s("fund"), ZERO]),
    ]
    t4 = [["收入项目", "决算数", "支出项目", "合计", "一般公共预算财政拨款", "政府性基金预算财政拨款",
           "国有资本经营预算财政拨款"]] + pair_rows(t4_left, t4_right)  # fmt: skip
    t2 = tree_table(
        spec,
        [
            "本年收入合计",
            "财政拨款收入",
            "上级补助收入",
            "事业收入",
            "经营收入",
            "附属单位上缴收入",
            "其他收入",
        ],
        lambda ln: True,
        lambda ls: income_cells(spec, ls),
    )
    t3 = tree_table(
        spec,
        ["本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"],
        lambda ln: True,
        lambda ls: [
            s("total", ls),
            s("basic", ls) + s("business", ls),
            s("project", ls) + s("fund", ls),
            ZERO,
            ZERO,
            ZERO,
        ],  # fmt: skip
    )
    t5 = tree_table(
        spec,
        ["年初预算数", "合计", "基本支出", "项目支出"],
        lambda ln: ln.gpb,
        lambda ls: [s("budget", ls), s("gpb", ls), s("basic", ls), s("project", ls)],
    )
    t6 = basic_table(spec)
    t7 = sangong_table(spec)
    fund_header = ["年初结转和结余", "本年收入", "本年支出合计", "基本支出", "项目支出", "年末结转和结余"]
    if s("fund"):
        t8 = tree_table(spec, fund_header, lambda ln: ln.fund,
                        lambda ls: [ZERO, s("fund", ls), s("fund", ls), ZERO, s("fund", ls), ZERO])  # fmt: skip
        note8 = ""
    else:
        t8 = [["科目编码", "科目名称", *fund_header], ["", "合计", "", "", "", "", "", ""]]
        note8 = f"注：本单位{spec.year}年度没有政府性基金预算财政拨款收支，故本表无数据。"
    t9 = [["科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出"], ["", "合计", "", "", ""]]
    note9 = f"注：本单位{spec.year}年度没有国有资本经营预算财政拨款支出，故本表无数据。"
    return [
        ("01", "收入支出决算总表", t1, ""),
        ("02", "收入决算表", t2, ""),
        ("03", "支出决算表", t3, ""),
        ("04", "财政拨款收入支出决算总表", t4, ""),
        ("05", "一般公共预算财政拨款支出决算表", t5, ""),
        ("06", "一般公共预算财政拨款基本支出决算表", t6, ""),
        ("07", "一般公共预算财政拨款“三公”经费支出决算表", t7, ""),
        ("08", "政府性基金预算财政拨款收入支出决算表", t8, note8),
        ("09", "国有资本经营预算财政拨款支出决算表", t9, note9),
    ]


def income_cells(spec: Spec, ls: list[Line]) -> list[Decimal]:
    s = spec.s
    # the carry-over difference is income of the first 一般公共预算 line
    first = next(ln for ln in spec.lines if ln.gpb)
    extra = spec.carry_out - spec.carry_in if first in ls else ZERO
    fiscal = s("gpb", ls) + s("fund", ls) + extra
    return [fiscal + s("business", ls), fiscal, ZERO, s("business", ls), ZERO, ZERO, ZERO]


def pair_rows(left, right) -> list[list[str]]:
    n = max(len(left), len(right))
    rows = []
    for i in range(n):
        a = left[i] if i < len(left) else ("", [])
        b = right[i] if i < len(right) else ("", [])
        av = a[1] if isinstance(a[1], list) else [a[1]]
        bv = b[1] if isinstance(b[1], list) else [b[1]]
        width_b = max(len(x[1]) if isinstance(x[1], list) else 1 for x in right)
        rows.append(
            [a[0], *([cell(v) for v in av] or [""])]
            + [b[0]]
            + [cell(v) for v in bv]
            + [""] * (width_b - len(bv))
        )
    return rows


def basic_table(spec: Spec) -> list[list[str]]:
    pers = sum((v for _, _, v in spec.personnel), ZERO)
    pub = sum((v for _, _, v in spec.public), ZERO)
    if spec.shanghai:
        rows = [
            ["人员经费", "", "", "公用经费", "", ""],
            ["科目编码", "科目名称", "决算数", "科目编码", "科目名称", "决算数"],
        ]
        for i in range(max(len(spec.personnel), len(spec.public))):
            a = spec.personnel[i] if i < len(spec.personnel) else ("", "", None)
            b = spec.public[i] if i < len(spec.public) else ("", "", None)
            rows.append([a[0], a[1], cell(a[2]), b[0], b[1], cell(b[2])])
        rows.append(["人员经费合计", "", cell(pers), "公用经费合计", "", cell(pub)])
        return rows
    rows = [["经济分类科目编码", "科目名称", "决算数"]]
    rows += [[c, n, cell(v)] for c, n, v in spec.personnel + spec.public]
    rows += [
        ["", "人员经费合计", cell(pers)],
        ["", "公用经费合计", cell(pub)],
        ["", "合计", cell(pers + pub)],
    ]
    return rows


SANGONG_ROWS = [
    ("total", "合计"),
    ("abroad", "因公出国（境）费"),
    ("vehicle", "公务用车购置及运行维护费"),
    ("purchase", "公务用车购置费"),
    ("operation", "公务用车运行维护费"),
    ("reception", "公务接待费"),
]


def sangong_values(spec: Spec) -> dict[str, tuple[Decimal, Decimal]]:
    g = spec.sangong
    vehicle = tuple(g["purchase"][i] + g["operation"][i] for i in (0, 1))
    total = tuple(g["abroad"][i] + vehicle[i] + g["reception"][i] for i in (0, 1))
    return {"total": total, "vehicle": vehicle, **g}


def sangong_table(spec: Spec) -> list[list[str]]:
    v = sangong_values(spec)
    if spec.shanghai:  # horizontal: items across, 预算数/决算数 down
        return [
            ["项目", "合计", "因公出国（境）费", "公务用车购置及运行费", "", "", "公务接待费"],
            ["", "", "", "小计", "公务用车购置费", "公务用车运行费", ""],
            [
                "预算数",
                *[
                    cell(v[k][0])
                    for k in ("total", "abroad", "vehicle", "purchase", "operation", "reception")
                ],
            ],
            [
                "决算数",
                *[
                    cell(v[k][1])
                    for k in ("total", "abroad", "vehicle", "purchase", "operation", "reception")
                ],
            ],
        ]
    return [["项目", "预算数", "决算数"]] + [[name, cell(v[k][0]), cell(v[k][1])] for k, name in SANGONG_ROWS]


def in_text(spec: Spec, value: Decimal) -> str:
    unit = spec.text_money or spec.money
    if unit == spec.money:
        return f"{money(value)}{unit}"
    factor = D(10000) if spec.money == "元" else D("0.0001")
    return f"{money(value / factor)}{unit}"


def text(spec: Spec) -> str:
    s = spec.s
    t = lambda v: in_text(spec, v)  # noqa: E731
    g = sangong_values(spec)
    classes = {}
    for ln in spec.lines:
        if ln.gpb:
            classes.setdefault(CLASS_NAMES[ln.code[:3]], []).append(ln)
    income_parts = [("一般公共预算财政拨款收入", spec.gpb_income), ("政府性基金预算财政拨款收入", s("fund")),
                    ("事业收入", s("business"))]  # fmt: skip
    incomes = "，".join(f"{n}{t(v)}" for n, v in income_parts if v)
    class_list = "，".join(f"{n}{t(s('gpb', ls))}" for n, ls in classes.items())
    return "\n".join(
        [
            f"{spec.unit_name}{spec.year}年度部门决算",
            f"第三部分 {spec.unit_name}{spec.year}年度部门决算情况说明",
            "一、收入支出决算总体情况说明",
            f"{spec.year}年度收入总计{t(spec.income_total + spec.carry_in)}，支出总计{t(s('total') + spec.carry_out)}。",
            "二、收入决算情况说明",
            f"本年收入合计{t(spec.income_total)}，其中：{incomes}。",
            "三、支出决算情况说明",
            f"本年支出合计{t(s('total'))}，其中：基本支出{t(s('basic') + s('business'))}，"
            f"项目支出{t(s('project') + s('fund'))}。",
            "四、财政拨款收入支出决算总体情况说明",
            f"财政拨款收入支出总计{t(spec.gpb_income + s('fund') + spec.carry_in)}。",
            "五、一般公共预算财政拨款支出决算情况说明",
            f"一般公共预算财政拨款支出{t(s('gpb'))}，其中：{class_list}。",
            "六、一般公共预算财政拨款基本支出决算情况说明",
            f"人员经费{t(sum((v for *_, v in spec.personnel), ZERO))}，"
            f"公用经费{t(sum((v for *_, v in spec.public), ZERO))}。",
            "七、一般公共预算财政拨款“三公”经费支出决算情况说明",
            f"“三公”经费支出决算{t(g['total'][1])}，其中：因公出国（境）费{t(g['abroad'][1])}，"
            f"公务用车购置及运行维护费{t(g['vehicle'][1])}，公务接待费{t(g['reception'][1])}。",
        ]
    )


# --- writers -----------------------------------------------------------------------------------------------


def cjk_font() -> Path:
    import mplfonts

    return Path(mplfonts.__file__).parent / "fonts" / "SimHei.ttf"


def publish(spec: Spec, path: Path, *, table_list=None, body: str | None = None) -> Path:
    """Write the spec's disclosure (or the given tables/text) as path's kind: .pdf, .docx or .xlsx."""
    table_list = tables(spec) if table_list is None else table_list
    body = text(spec) if body is None else body
    writer = {".pdf": write_pdf, ".docx": write_docx, ".xlsx": write_xlsx}[path.suffix]
    return writer(
        path, body, table_list, money=spec.money, split_titles=spec.shanghai, unit_name=spec.unit_name
    )


def write_pdf(path: Path, body: str, table_list, *, money: str, split_titles=False, **_) -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_font("cjk", fname=str(cjk_font()))
    pdf.set_font("cjk", size=10)
    pdf.add_page()
    for line in body.split("\n"):
        pdf.multi_cell(0, 6, line.strip() or " ", new_x="LMARGIN", new_y="NEXT")
    for number, title, rows, note in table_list:
        pdf.add_page(orientation="L")
        pdf.set_font("cjk", size=12)
        if split_titles and len(title) > 14:  # a title split over two lines
            pdf.cell(0, 7, title[:10], align="C", new_x="LMARGIN", new_y="NEXT")
            pdf.cell(0, 7, title[10:], align="C", new_x="LMARGIN", new_y="NEXT")
        else:
            pdf.cell(0, 7, title, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=8)
        pdf.cell(0, 6, f"公开{number}表    金额单位：{money}", align="R", new_x="LMARGIN", new_y="NEXT")
        width = max(len(r) for r in rows)
        with pdf.table(first_row_as_headings=False, line_height=4.5) as table:
            for row in rows:
                r = table.row()
                for c in list(row) + [""] * (width - len(row)):
                    r.cell(c)
        if note:
            pdf.multi_cell(0, 6, note, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(path))
    return path


def write_docx(path: Path, body: str, table_list, *, money: str, **_) -> Path:
    from docx import Document

    doc = Document()
    for line in body.split("\n"):
        doc.add_paragraph(line)
    for number, title, rows, note in table_list:
        doc.add_paragraph(title)
        doc.add_paragraph(f"公开{number}表 金额单位：{money}")
        width = max(len(r) for r in rows)
        table = doc.add_table(rows=len(rows), cols=width)
        for i, row in enumerate(rows):
            for j, c in enumerate(row):
                table.cell(i, j).text = c
        if note:
            doc.add_paragraph(note)
    doc.save(str(path))
    return path


def write_xlsx(path: Path, body: str, table_list, *, money: str, unit_name: str = "", **_) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for number, title, rows, note in table_list:
        ws = wb.create_sheet(f"公开{number}表")
        ws.append([title])
        ws.append([f"编制单位：{unit_name}", "", f"金额单位：{money}"])
        for row in rows:
            ws.append([float(c.replace(",", "")) if re.fullmatch(r"[\d,]+\.\d+", c) else c for c in row])
        if note:
            ws.append([note])
    wb.save(str(path))
    return path


# --- the corpus ----------------------------------------------------------------------------------------------


def education_2021() -> Spec:
    """A county education bureau, 2021, 万元, with government-fund spending, 事业收入 and carry-overs."""
    return Spec(
        unit_name="某县教育局",
        year=2021,
        money="万元",
        lines=[
            Line("2050101", "行政运行", basic=D("412.36"), budget=D("400.00")),
            Line("2050201", "学前教育", project=D("156.20"), budget=D("160.00"), business=D("35.50")),
            Line("2050202", "小学教育", basic=D("1210.45"), project=D("88.00"), budget=D("1300.00")),
            Line("2080505", "机关事业单位基本养老保险缴费支出", basic=D("96.12"), budget=D("96.12")),
            Line("2101101", "行政单位医疗", basic=D("28.33"), budget=D("28.33")),
            Line("2210201", "住房公积金", basic=D("60.74"), budget=D("60.74")),
            Line("2296004", "用于教育事业的彩票公益金支出", fund=D("45.00")),
        ],
        kuan_names={
            "20501": "教育管理事务",
            "20502": "普通教育",
            "20805": "行政事业单位养老支出",
            "21011": "行政事业单位医疗",
            "22102": "住房改革支出",
            "22960": "彩票公益金安排的支出",
        },  # fmt: skip
        carry_in=D("23.40"),
        carry_out=D("12.10"),
        personnel=[
            ("30101", "基本工资", D("820.00")),
            ("30102", "津贴补贴", D("512.30")),
            ("30108", "机关事业单位基本养老保险缴费", D("96.12")),
            ("30113", "住房公积金", D("60.74")),
            ("30302", "退休费", D("118.40")),
        ],  # fmt: skip
        public=[
            ("30201", "办公费", D("120.34")),
            ("30211", "差旅费", D("40.10")),
            ("30217", "公务接待费", D("6.50")),
            ("30231", "公务用车运行维护费", D("12.00")),
            ("31002", "办公设备购置", D("21.50")),
        ],  # fmt: skip
        sangong={
            "abroad": (ZERO, ZERO),
            "purchase": (D("0"), D("0")),
            "operation": (D("12.00"), D("12.00")),
            "reception": (D("8.00"), D("6.50")),
        },  # fmt: skip
    )


def health_2020() -> Spec:
    """A district health commission, 2020, tables in 元 and text in 万元, Shanghai-style layout (split titles,
    类/款/项 columns, horizontal 三公, 人员|公用 side by side), no government-fund spending."""
    return Spec(
        unit_name="某区卫生健康委员会",
        year=2020,
        money="元",
        text_money="万元",
        shanghai=True,
        lines=[
            Line("2100101", "行政运行", basic=D("3120456.78"), budget=D("3000000.00")),
            Line("2100199", "其他卫生健康管理事务支出", project=D("845000.00"), budget=D("900000.00")),
            Line("2100408", "基本公共卫生服务", project=D("2230150.40"), budget=D("2300000.00")),
            Line("2080505", "机关事业单位基本养老保险缴费支出", basic=D("402311.20"), budget=D("402311.20")),
            Line("2210201", "住房公积金", basic=D("265400.00"), budget=D("265400.00")),
        ],
        kuan_names={
            "21001": "卫生健康管理事务",
            "21004": "公共卫生",
            "20805": "行政事业单位养老支出",
            "22102": "住房改革支出",
        },  # fmt: skip
        personnel=[
            ("30101", "基本工资", D("1500000.00")),
            ("30102", "津贴补贴", D("1120000.00")),
            ("30108", "机关事业单位基本养老保险缴费", D("402311.20")),
            ("30113", "住房公积金", D("265400.00")),
        ],  # fmt: skip
        public=[
            ("30201", "办公费", D("300000.00")),
            ("30217", "公务接待费", D("12456.78")),
            ("30231", "公务用车运行维护费", D("38000.00")),
            ("30299", "其他商品和服务支出", D("150000.00")),
        ],  # fmt: skip
        sangong={
            "abroad": (D("50000.00"), ZERO),
            "purchase": (D("250000.00"), D("248000.00")),
            "operation": (D("40000.00"), D("38000.00")),
            "reception": (D("15000.00"), D("12456.78")),
        },  # fmt: skip
    )


CORPUS = {"education_2021": education_2021, "health_2020": health_2020}
