"""The nine standard tables of a 部门决算 (fiscal-rules §2): which read table is which, each table's own
identities, the identities between tables, and every figure the text quotes about a table against the table.

Every rule is an identity or a definition of fiscal-rules.md §2 (row sums, 合计 = Σ 类, 类 = Σ 款, 款 = Σ 项,
基本 + 项目 = 合计, 收支总计 balance, fund balances, X1–X5/X7) — no figure, year or unit name of any document.
Amounts are compared in 元 (each table's own unit), with the tolerance of one unit of the printed last decimal:
a sum of rounded parts may miss its rounded total by that much (C-ROUND), anything beyond is an error.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from xinfang.finance.checker.findings import ERROR, INFO, WARNING, Finding, fmt_pct, pct, pct_matches
from xinfang.finance.checker.reading import UNIT_FACTORS, Table, amount, clean

# key (the table's number in the national template) → standard title
STANDARD = {
    "01": "收入支出决算总表",
    "02": "收入决算表",
    "03": "支出决算表",
    "04": "财政拨款收入支出决算总表",
    "05": "一般公共预算财政拨款支出决算表",
    "06": "一般公共预算财政拨款基本支出决算表",
    "07": "一般公共预算财政拨款“三公”经费支出决算表",
    "08": "政府性基金预算财政拨款收入支出决算表",
    "09": "国有资本经营预算财政拨款支出决算表",
}
QUOTES = str.maketrans({c: '"' for c in "“”‘’'「」『』"} | {"(": "（", ")": "）"})
NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、．]|其中[：:])\s*"
)
ZERO = Decimal(0)
CENT = Decimal("0.01")


def norm(label: str) -> str:
    return NUMBERING.sub("", clean(label).translate(QUOTES))


def identify(table: Table) -> str | None:
    """The standard table a read table is, by its title (provincial variants and split titles included), or
    by its columns when it has no title."""
    t = norm(table.title)
    t = re.sub(r"^.*?\d{4}年度?", "", t)  # "某某局2019年度…" → "…"
    if not t:
        t = "".join(table.columns)
    if "三公" in t:
        return None if ("政府性基金" in t or "机关运行经费" in t) else "07"
    if "国有资本经营" in t:
        return "09"
    if "政府性基金" in t:
        return "08"
    if "一般公共预算" in t:
        if "基本支出" in t:
            return "06"
        if "项目支出" in t or "明细" in t:
            return None
        return "05" if "支出" in t else None
    if "财政拨款收入支出" in t or "财政拨款收支" in t:
        return "04"
    if "明细" in t or "项目支出" in t:
        return None
    if "收入支出决算" in t or "收支决算" in t or "收支总体" in t:
        return "01"
    if "收入决算" in t or "收入总体" in t:
        return "02"
    if "支出决算" in t or "支出总体" in t:
        return "03"
    if not clean(table.title):
        cols = "".join(table.columns)
        if "上级补助收入" in cols and "事业收入" in cols:
            return "02"
        if "上缴上级支出" in cols or ("基本支出" in cols and "经营支出" in cols):
            return "03"
    return None


@dataclass
class Ctx:
    """What the checks of one document share: the tables by key, the findings, the year."""

    year: int
    tables: dict[str, Table] = field(default_factory=dict)
    out: list[Finding] = field(default_factory=list)
    named: set[str] = field(default_factory=set)  # codes whose name was checked (T2, T3, T5 repeat them)

    def add(self, rule: str, severity: str, message: str, table: Table | None = None, excerpt: str = ""):
        section = f"{table_name(table)}（{table.where}）" if table is not None else "公开表"
        self.out.append(Finding(rule, severity, message, section, excerpt))


def table_name(table: Table) -> str:
    return clean(table.title) or "无标题表格"


def fmt(value: Decimal) -> str:
    return f"{value.normalize():f}" if value == value.to_integral() else f"{value:f}"


def tolerance(*values: Decimal) -> Decimal:
    places = max((-v.as_tuple().exponent for v in values if v.as_tuple().exponent < 0), default=0)
    return Decimal(1).scaleb(-places)


def differ(a: Decimal, b: Decimal, *parts: Decimal, exact: bool = False) -> bool:
    """Beyond rounding: one unit of the printed last decimal, or 0.01 for a workbook's stored numbers."""
    tol = CENT if exact else tolerance(a, b, *parts)
    return abs(a - b) > tol * Decimal("1.0001")


def check_sum(ctx: Ctx, table: Table, total: Decimal | None, parts: list[Decimal | None], what: str) -> None:
    """One identity `total = Σ parts` of a table, in the table's printed unit."""
    values = [p for p in parts if p is not None]
    if total is None or not values:
        return
    s = sum(values, ZERO)
    if differ(total, s, *values, exact=table.exact):
        unit = table.unit or ""
        ctx.add(
            "TABLE-SUM",
            ERROR,
            f"{what}：{fmt(total)}{unit}，各项相加为{fmt(s)}{unit}，相差{fmt(total - s)}{unit}",
            table,
        )
    elif total != s:
        ctx.add("ROUND", INFO, f"{what}：{fmt(total)}与各项之和{fmt(s)}有尾差", table)


# --- two-sided tables (01, 04) ---------------------------------------------------------------------


@dataclass
class Entry:
    label: str  # normalised
    raw: str
    values: list[Decimal | None]
    columns: list[str]


def label_columns(table: Table) -> list[int]:
    """Columns holding labels (mostly text cells), left to right."""
    width = max((len(r) for r in table.rows), default=0)
    cols = []
    for i in range(width):
        cells = [r[i] for r in table.body if i < len(r) and r[i]]
        text = [c for c in cells if amount(c) is None and c not in ("-", "—", "－")]
        if cells and len(text) * 2 >= len(cells):
            cols.append(i)
    return cols


def two_sided(table: Table) -> tuple[list[Entry], list[Entry]]:
    names = table.columns
    labels = label_columns(table)
    labels = [c for c in labels if "行次" not in names[c] and "栏次" not in names[c]]
    if not labels:
        return [], []
    width = len(names)
    right_at = labels[1] if len(labels) > 1 else width
    skip = {i for i, n in enumerate(names) if "行次" in n or "栏次" in n}

    def side(lo: int, hi: int) -> list[Entry]:
        value_cols = [i for i in range(lo + 1, hi) if i not in skip]
        out = []
        for row in table.body:
            raw = row[lo] if lo < len(row) else ""
            if not clean(raw):
                continue
            vals = [cell_value(row[i] if i < len(row) else "") for i in value_cols]
            out.append(Entry(norm(raw), clean(raw), vals, [names[i] for i in value_cols]))
        return out

    return side(labels[0], right_at), side(right_at, width) if right_at < width else []


def cell_value(cell: str) -> Decimal | None:
    """An amount; a blank or dashed cell is zero; text is None."""
    if clean(cell) in ("", "-", "—", "－", "0"):
        return ZERO
    return amount(cell)


def find(entries: list[Entry], *labels: str) -> int | None:
    for i, e in enumerate(entries):
        if re.sub(r"[（(].*?[）)]", "", e.label) in labels:
            return i
    return None


CARRY_IN = ("使用非财政拨款结余", "用事业基金弥补收支差额", "年初结转和结余", "年初财政拨款结转和结余")
CARRY_OUT = ("结余分配", "年末结转和结余", "年末财政拨款结转和结余")


def balance_side(ctx: Ctx, table: Table, entries: list[Entry], total_labels: tuple, carry: tuple, side: str):
    """Σ top rows = 本年X合计; 本年X合计 + carry rows = 总计, for every value column. Returns 总计 values."""
    t = find(entries, *total_labels)
    g = find(entries, "总计")
    if t is None:
        return None
    top = [e for e in entries[:t] if not e.raw.startswith("其中") and e.label not in CARRY_IN]
    numbered = [e for e in top if NUMBERING.match(e.raw) and not e.raw.startswith("其中")]
    rows = numbered or top
    for col in range(len(entries[t].values)):
        check_sum(
            ctx,
            table,
            entries[t].values[col],
            [e.values[col] if col < len(e.values) else None for e in rows],
            f"{side}{entries[t].raw}{column_label(entries[t], col)}不等于其上各行之和",
        )
    if g is None:
        return None
    extra = [e for e in entries[t + 1 : g] if re.sub(r"[（(].*?[）)]", "", e.label) in carry]
    for col in range(len(entries[g].values)):
        check_sum(
            ctx,
            table,
            entries[g].values[col],
            [entries[t].values[col]] + [e.values[col] if col < len(e.values) else None for e in extra],
            f"{side}总计{column_label(entries[g], col)}不等于{entries[t].raw}与结转结余之和",
        )
    return entries[g].values


def column_label(entry: Entry, col: int) -> str:
    return f"（{entry.columns[col]}栏）" if len(entry.values) > 1 and col < len(entry.columns) else ""


def check_two_sided(ctx: Ctx, table: Table, key: str) -> dict:
    left, right = two_sided(table)
    income_total = ("本年收入合计", "本年收入") if key == "01" else ("本年收入合计",)
    li = balance_side(ctx, table, left, income_total, CARRY_IN, "收入方")
    ri = balance_side(ctx, table, right, ("本年支出合计",), CARRY_OUT, "支出方")
    if li and ri and li[0] is not None and ri[0] is not None and differ(li[0], ri[0]):
        ctx.add(
            "TABLE-SUM",
            ERROR,
            f"收入总计{fmt(li[0])}{table.unit}与支出总计{fmt(ri[0])}{table.unit}不相等（收支总计应平衡）",
            table,
        )
    if key == "04":  # per row: 合计 = 一般公共预算 + 政府性基金 + 国有资本经营
        for e in right:
            if len(e.values) >= 3 and e.values[0] is not None and "合计" in (e.columns[0] or "合计"):
                check_sum(ctx, table, e.values[0], e.values[1:], f"支出方“{e.raw}”合计不等于各类财政拨款之和")
    return {"left": left, "right": right}


# --- tree tables (02, 03, 05, 08, 09) -----------------------------------------------------------------


@dataclass
class Line:
    code: str
    name: str
    values: dict[str, Decimal]


PARTS = {
    "02": ("财政拨款", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"),
    "03": ("基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"),
    "05": ("基本支出", "项目支出"),
    "08": ("基本支出", "项目支出"),
    "09": ("基本支出", "项目支出"),
}
CODE = re.compile(r"^(\d{3}(?:\d{2}){0,2})(?!\d)\s*(.*)$")


def tree_lines(table: Table) -> tuple[Line | None, list[Line], list[str]]:
    """(合计 row, coded rows, value column names) of a table indexed by 功能分类 codes (one code column or
    split 类/款/项 columns)."""
    names = table.columns
    code_cols = [
        i for i, n in enumerate(names) if "编码" in n or "代码" in n or n.split("/")[-1] in ("类", "款", "项")
    ]
    text_cols = [i for i in label_columns(table) if i not in code_cols]
    name_col = next(
        (i for i in text_cols if "名称" in names[i] or "项目" in names[i]),
        text_cols[0] if text_cols else None,
    )
    value_cols = [
        i for i in range(len(names)) if i not in code_cols and i != name_col and "行次" not in names[i]
    ]
    total, lines = None, []
    cls = kuan = ""
    for row in table.body:
        cell = [row[i] if i < len(row) else "" for i in range(len(names))]
        parts = [clean(cell[i]) for i in code_cols]
        parts = [p.zfill(2) if 0 < len(p) < 2 and j else p for j, p in enumerate(parts)]  # 款/项 "1" → "01"
        name = clean(cell[name_col]) if name_col is not None else ""
        if len(parts) >= 3:
            a, b, c = parts[:3]
            if a:
                code = a + (b + c if b else "")
            else:
                code = cls + b + c if b else kuan + c if c else ""
        else:
            code = parts[0] if parts else ""
        if not code and (m := CODE.match(name)):
            code, name = m.group(1), m.group(2)
        code = re.sub(r"\D", "", code)
        values = {names[i]: amount(cell[i]) if amount(cell[i]) is not None else ZERO for i in value_cols}
        if len(code) == 3:
            cls, kuan = code, ""
        elif len(code) == 5:
            kuan = code
        if code and len(code) in (3, 5, 7):
            lines.append(Line(code, name, values))
        elif is_total(name or " ".join(cell)):
            total = total or Line("", name, values)
    return total, lines, [names[i] for i in value_cols]


def is_total(text: str) -> bool:
    return clean(text).replace("　", "") in ("合计", "总计", "本年收入合计", "本年支出合计", "合计合计")


def total_and_parts(key: str, columns: list[str]) -> tuple[str | None, list[str]]:
    parts = [c for c in columns if any(w in c.split("/")[-1] or w == c.split("/")[0] for w in PARTS[key])]
    groups: dict[str, list[str]] = {}
    for c in parts:
        groups.setdefault(c.split("/")[0], []).append(c)
    chosen = []
    for cols in groups.values():
        sub = [c for c in cols if c.split("/")[-1] in ("小计", "合计")]
        chosen.extend(sub[:1] or cols)
    total = next(
        (
            c
            for c in columns
            if c not in chosen
            and ("年初" not in c and "预算" not in c and "年末" not in c)
            and (
                c.split("/")[-1] in ("合计", "小计", "本年收入合计", "本年支出合计", "决算数")
                or c.endswith("合计")
            )
        ),
        None,
    )
    return total, [c for c in chosen if c != total]


def check_tree(ctx: Ctx, table: Table, key: str) -> dict:
    total, lines, columns = tree_lines(table)
    by_code = {ln.code: ln for ln in lines}
    for col in columns:
        tops = [ln for ln in lines if not any(ln.code.startswith(p) and p != ln.code for p in by_code)]
        if total is not None:
            check_sum(
                ctx,
                table,
                total.values.get(col),
                [ln.values.get(col) for ln in tops],
                f"合计（{col}栏）不等于各类之和",
            )
        for ln in lines:
            if len(ln.code) < 7:
                children = [
                    c for c in lines if len(c.code) == len(ln.code) + 2 and c.code.startswith(ln.code)
                ]
                if children:
                    level = "类" if len(ln.code) == 3 else "款"
                    check_sum(
                        ctx,
                        table,
                        ln.values.get(col),
                        [c.values.get(col) for c in children],
                        f"{ln.code} {ln.name}（{level}，{col}栏）不等于其下各{'款' if level == '类' else '项'}之和",
                    )
    row_total, parts = total_and_parts(key, columns)
    if row_total and len(parts) >= 2:
        for ln in ([total] if total else []) + lines:
            check_sum(
                ctx,
                table,
                ln.values.get(row_total),
                [ln.values.get(p) for p in parts],
                f"{ln.code or ''}{ln.name}的{row_total}不等于{'+'.join(parts)}".strip(),
            )
    if key in ("08", "09"):
        opening = next((c for c in columns if "年初" in c), None)
        income = next((c for c in columns if "本年收入" in c), None)
        closing = next((c for c in columns if "年末" in c), None)
        if opening and income and closing and row_total:
            for ln in ([total] if total else []) + lines:
                o, i, s, c = (ln.values.get(x) for x in (opening, income, row_total, closing))
                if None not in (o, i, s, c) and differ(c, o + i - s, o, i, s):
                    ctx.add(
                        "TABLE-SUM",
                        ERROR,
                        f"{ln.code}{ln.name}：年末结转和结余{fmt(c)}不等于年初{fmt(o)}+本年收入{fmt(i)}-本年支出{fmt(s)}",
                        table,
                    )
    check_names(ctx, table, lines)
    return {"total": total, "lines": lines, "row_total": row_total}


def check_names(ctx: Ctx, table: Table, lines: list[Line]) -> None:
    """Each coded row's name against the year's lists (classification_rules.check_code_name: an error only
    when provable, a name the lists cannot confirm a warning), once per code. A Word table's cells are also
    lines of the text, where the text rules check them already."""
    from xinfang.finance.checker.classification_rules import check_code_name

    if table.cells_in_text:
        return
    for ln in lines:
        if ln.code in ctx.named or not ln.name:
            continue
        ctx.named.add(ln.code)
        if result := check_code_name(ln.code, ln.name, ctx.year):
            ctx.add("TABLE-NAME", result[0], f"科目{ln.code}“{ln.name}”：{result[1]}", table, ln.code)


# --- 06 基本支出 by economic classification ------------------------------------------------------------

ECON = re.compile(r"^3\d{2}(?:\d{2})?$")
PERSONNEL = ("301", "303")


def check_basic(ctx: Ctx, table: Table) -> dict:
    items: list[tuple[str, str, Decimal]] = []
    labelled: dict[str, Decimal] = {}
    for row in table.body:
        cells = [clean(c) for c in row]
        i = 0
        while i < len(cells):
            c = cells[i]
            if ECON.match(c):
                j = i + 1
                name = cells[j] if j < len(cells) and amount(cells[j]) is None else ""
                j += 1 if name else 0
                if j < len(cells) and amount(cells[j]) is not None:
                    items.append((c, name, amount(cells[j])))
                elif j < len(cells) and cells[j] in ("", "-", "—"):
                    items.append((c, name, ZERO))
                i = j + 1
                continue
            if c and amount(c) is None and (key := basic_label(c)):
                nxt = next((amount(x) for x in cells[i + 1 :] if amount(x) is not None), None)
                if nxt is not None:
                    labelled.setdefault(key, nxt)
            i += 1
    kuan = [(c, n, v) for c, n, v in items if len(c) == 5]
    classes = {c: v for c, n, v in items if len(c) == 3}
    for c, v in classes.items():
        children = [x for k, _, x in kuan if k.startswith(c)]
        if children:
            check_sum(ctx, table, v, children, f"经济分类{c}类不等于其下各款之和")
    rows = kuan or [(c, n, v) for c, n, v in items]
    personnel = [v for c, _, v in rows if c[:3] in PERSONNEL]
    public = [v for c, _, v in rows if c[:3] not in PERSONNEL]
    if rows:
        check_sum(
            ctx,
            table,
            labelled.get("人员经费"),
            personnel,
            "人员经费合计不等于工资福利支出与对个人和家庭的补助各款之和",
        )
        check_sum(
            ctx,
            table,
            labelled.get("公用经费"),
            public,
            "公用经费合计不等于商品和服务支出、资本性支出等各款之和",
        )
    if "合计" in labelled:
        check_sum(
            ctx,
            table,
            labelled["合计"],
            [labelled.get("人员经费"), labelled.get("公用经费")]
            if "人员经费" in labelled
            else [v for _, _, v in rows],
            "基本支出合计不等于人员经费与公用经费之和",
        )
    total = labelled.get("合计")
    if total is None and "人员经费" in labelled and "公用经费" in labelled:
        total = labelled["人员经费"] + labelled["公用经费"]
    return {"total": total, "personnel": labelled.get("人员经费"), "public": labelled.get("公用经费")}


def basic_label(cell: str) -> str | None:
    c = norm(cell)
    if c.startswith("人员经费"):
        return "人员经费"
    if c.startswith("公用经费"):
        return "公用经费"
    if c in ("合计", "基本支出合计", "总计", "基本支出"):
        return "合计"
    return None


# --- 07 "三公" --------------------------------------------------------------------------------------------


def sangong_item(text: str) -> str | None:
    segments = [norm(s) for s in text.split("/") if s]
    for i in range(len(segments) - 1, -1, -1):
        s = segments[i]
        if "出国" in s:
            return "abroad"
        if "购置及运行" in s or "购置和运行" in s:
            return "vehicle"
        if "购置" in s and "公务用车" in s or s == "购置费":
            return "purchase"
        if "运行" in s:
            return "operation"
        if "接待" in s:
            return "reception"
        if s in ("合计", "总计", '"三公"经费合计', "三公经费合计"):
            return "total" if i == 0 or not segments[i - 1] else None
    return None


def phase(text: str) -> str | None:
    t = norm(text)
    if "上年" in t:
        return None
    if "决算" in t or "实际" in t:
        return "actual"
    if "预算" in t:
        return "budget"
    return None


SANGONG_NAMES = {
    "total": '"三公"经费合计',
    "abroad": "因公出国（境）费",
    "vehicle": "公务用车购置及运行维护费",
    "purchase": "公务用车购置费",
    "operation": "公务用车运行维护费",
    "reception": "公务接待费",
}


def check_sangong(ctx: Ctx, table: Table) -> dict:
    values: dict[str, dict[str, Decimal]] = {"budget": {}, "actual": {}}
    names = table.columns
    for row in table.body:
        label = next((c for c in row if c and amount(c) is None), "")
        for i, cell in enumerate(row):
            v = amount(cell)
            if v is None:
                continue
            col = names[i] if i < len(names) else ""
            item = sangong_item(label) or sangong_item(col)
            ph = phase(col) or phase(label)
            if item and ph:
                values[ph].setdefault(item, v)
    for ph, vals in values.items():
        word = "预算数" if ph == "budget" else "决算数"
        if "total" in vals and {"abroad", "reception"} & set(vals):
            vehicle = vals.get("vehicle")
            if vehicle is None and {"purchase", "operation"} & set(vals):
                vehicle = vals.get("purchase", ZERO) + vals.get("operation", ZERO)
            check_sum(
                ctx,
                table,
                vals["total"],
                [vals.get("abroad"), vehicle, vals.get("reception")],
                f"“三公”经费合计（{word}）不等于因公出国（境）费、公务用车购置及运行维护费、公务接待费之和",
            )
        if "vehicle" in vals and {"purchase", "operation"} & set(vals):
            check_sum(
                ctx,
                table,
                vals["vehicle"],
                [vals.get("purchase"), vals.get("operation")],
                f"公务用车购置及运行维护费（{word}）不等于购置费与运行维护费之和",
            )
    return values


# --- the document ------------------------------------------------------------------------------------------


def check_tables(tables: list[Table], text: str, *, year: int) -> list[Finding]:
    ctx = Ctx(year=year)
    for table in tables:
        key = identify(table)
        if key is None:
            continue
        if key in ctx.tables:
            ctx.add("TABLE-SET", INFO, f"“{STANDARD[key]}”出现不止一次，只核对第一张", table)
            continue
        ctx.tables[key] = table
    if not ctx.tables:
        if tables:
            ctx.add("TABLE-SET", INFO, "文件中的表格都不是部门决算的九张公开表，未核对表内关系")
        return ctx.out
    for key, title in STANDARD.items():
        if key not in ctx.tables:
            ctx.add("TABLE-SET", ERROR, f"缺少公开表“{title}”（公开{key}表；没有数据的表也应列出空表并说明）")
    parsed: dict[str, dict] = {}
    for key, table in ctx.tables.items():
        parsed[key] = guarded(ctx, table, lambda t=table, k=key: CHECKS[k](ctx, t, k))
        check_heading(ctx, table, key)
    guarded(ctx, None, lambda: check_cross(ctx, parsed))
    guarded(ctx, None, lambda: check_text_figures(ctx, parsed, text))
    guarded(ctx, None, lambda: check_item_explanations(ctx, parsed, text))
    guarded(ctx, None, lambda: check_table_shares(ctx, parsed, text))
    return ctx.out


CHECKS: dict[str, Callable] = {
    "01": check_two_sided,
    "02": check_tree,
    "03": check_tree,
    "04": check_two_sided,
    "05": check_tree,
    "06": lambda ctx, t, k: check_basic(ctx, t),
    "07": lambda ctx, t, k: check_sangong(ctx, t),
    "08": check_tree,
    "09": check_tree,
}


def guarded(ctx: Ctx, table: Table | None, fn) -> dict:
    """A table whose layout the rules do not understand is reported, never a traceback."""
    try:
        return fn() or {}
    except Exception as exc:  # noqa: BLE001 — any layout: one finding, the rest of the checks go on
        ctx.add("TABLE-SUM", WARNING, f"表格结构无法识别，未能核对（{type(exc).__name__}）", table)
        return {}


def check_heading(ctx: Ctx, table: Table, key: str) -> None:
    years = {int(y) for y in re.findall(r"(20\d\d)年", table.title)}
    if years and ctx.year not in years:
        ctx.add(
            "TABLE-YEAR",
            ERROR,
            f"表头年度{'、'.join(map(str, sorted(years)))}与报告年度{ctx.year}不符",
            table,
        )
    if not table.unit:
        ctx.add("TABLE-UNIT", WARNING, "表格未注明金额单位（元或万元）", table)
    if key in ("08", "09") and is_empty(table):
        note = table.note + table.title
        if not any(w in note for w in ("无数据", "没有", "无收支", "无此", "不涉及")):
            ctx.add(
                "TABLE-EMPTY", WARNING, "空表没有说明（应注明本单位本年度没有该项收支，故本表无数据）", table
            )


def is_empty(table: Table) -> bool:
    return all(not amount(c) for row in table.body for c in row)


def yuan(table: Table, value: Decimal | None) -> Decimal | None:
    return None if value is None else value * table.factor


def check_cross(ctx: Ctx, parsed: dict[str, dict]) -> None:
    """X1–X5 and X7 of fiscal-rules §2.10, in this order, compared in 元."""
    t = ctx.tables
    units = {tb.unit for tb in t.values() if tb.unit}
    if len(units) > 1:
        ctx.add("TABLE-UNIT", WARNING, f"各公开表的金额单位不一致（{'、'.join(sorted(units))}）")

    def side_value(key, side, *labels, col=0):
        entries = parsed.get(key, {}).get(side) or []
        i = find(entries, *labels)
        if i is None or col >= len(entries[i].values):
            return None
        return yuan(t[key], entries[i].values[col])

    def tree_total(key, *words):
        p = parsed.get(key, {})
        total = p.get("total")
        if total is None:
            return None
        for col, v in total.values.items():
            if any(w == col.split("/")[-1] or w == col for w in words):
                return yuan(t[key], v)
        return None

    pairs = [
        ("01 本年收入合计", side_value("01", "left", "本年收入合计", "本年收入"), "02 合计", tree_total("02", "本年收入合计", "合计")),
        ("01 本年支出合计", side_value("01", "right", "本年支出合计"), "03 合计", tree_total("03", "本年支出合计", "合计")),
        ("04 本年收入合计", side_value("04", "left", "本年收入合计"), "02 合计·财政拨款收入", tree_total("02", "财政拨款收入", "财政拨款收入合计", "小计")),
        ("04 本年支出合计·一般公共预算财政拨款", side_value("04", "right", "本年支出合计", col=1), "05 合计", tree_total("05", "合计", "决算数", "本年支出合计", "小计")),
        ("05 合计·基本支出", tree_total("05", "基本支出"), "06 基本支出合计", yuan(t["06"], parsed["06"].get("total")) if "06" in parsed else None),
        ("04 本年支出合计·政府性基金", side_value("04", "right", "本年支出合计", col=2), "08 合计·本年支出", tree_total("08", "合计", "小计", "本年支出合计")),
        ("04 本年支出合计·国有资本经营", side_value("04", "right", "本年支出合计", col=3), "09 合计·本年支出", tree_total("09", "合计", "小计", "本年支出合计")),
    ]  # fmt: skip
    for a_label, a, b_label, b in pairs:
        if a is None or b is None:
            continue
        ka, kb = a_label[:2], b_label[:2]
        if differ(a / t[ka].factor, b / t[ka].factor) and differ(a / t[kb].factor, b / t[kb].factor):
            ctx.add(
                "TABLE-X",
                ERROR,
                f"公开{ka}表{a_label[3:]}{fmt(a / t[ka].factor)}{t[ka].unit}与公开{kb}表{b_label[3:]}"
                f"{fmt(b / t[kb].factor)}{t[kb].unit}不相等",
            )


# --- table ↔ text -------------------------------------------------------------------------------------------

TEXT_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(亿元|万元|元)"
GAP = re.compile(
    r"(?:[（(][^）)]{0,8}[）)])?\s*(?:经费)?(?:支出)?(?P<phase>决算数?|年初预算数?|全年预算数?|预算数?|实际支出)?"
    r"(?:合计|总计|共计|小计)?(?:为|是|：|:)?\s*" + TEXT_NUMBER
)
BEFORE_OK = set("，。；：、,;:（(）)\n 其中的为和及与是年度即共计")


@dataclass
class Quoted:
    label: str  # as in the text
    values: list[tuple[str, Decimal, Table]]  # (phase or "", value as printed, table)


def figure_index(ctx: Ctx, parsed: dict[str, dict]) -> dict[str, list[tuple[str, Decimal, Table]]]:
    """label (normalised as in the text) → every (phase, printed value, table) a table gives it."""
    index: dict[str, list] = {}

    def put(label, ph, value, table):
        if isinstance(value, list):  # a row's values: its first, when it has any
            value = value[0] if value else None
        if value is not None and label and label not in ("合计", "总计", "小计"):
            index.setdefault(label, []).append((ph, value, table))

    for key in ("01", "04"):
        for side in ("left", "right"):
            for e in parsed.get(key, {}).get(side) or []:
                label = re.sub(r"[（(]含.*?[）)]", "", e.label)
                for v in e.values[:1]:
                    put(label, "actual", v, ctx.tables[key])
    if "04" in parsed:
        i = find(parsed["04"].get("left") or [], "总计")
        if i is not None:
            put("财政拨款收入支出总计", "actual", parsed["04"]["left"][i].values, ctx.tables["04"])
    if "01" in parsed:
        i = find(parsed["01"].get("left") or [], "总计")
        if i is not None:
            for label in ("收入总计", "收支总计", "收入支出总计"):
                put(label, "actual", parsed["01"]["left"][i].values, ctx.tables["01"])
        j = find(parsed["01"].get("right") or [], "总计")
        if j is not None:
            put("支出总计", "actual", parsed["01"]["right"][j].values, ctx.tables["01"])
    for key in ("02", "03", "05"):
        total = parsed.get(key, {}).get("total")
        if total is not None:
            for col, v in total.values.items():
                last = col.split("/")[-1]
                if last in PARTS[key] or last in ("本年收入合计", "本年支出合计", "财政拨款收入"):
                    put(last, "actual", v, ctx.tables[key])
    if "05" in parsed:
        p = parsed["05"]
        if p.get("total") is not None and p.get("row_total"):
            put("一般公共预算财政拨款支出", "actual", p["total"].values.get(p["row_total"]), ctx.tables["05"])
        for ln in p.get("lines", []):
            if len(ln.code) == 3 and p.get("row_total"):
                put(norm(ln.name), "actual", ln.values.get(p["row_total"]), ctx.tables["05"])
                for col, v in ln.values.items():
                    if "预算" in col:
                        put(norm(ln.name), "budget", v, ctx.tables["05"])
    if "06" in parsed:
        for label in ("人员经费", "公用经费"):
            put(
                label,
                "actual",
                parsed["06"].get("personnel" if label == "人员经费" else "public"),
                ctx.tables["06"],
            )
    if "07" in parsed:
        for ph, vals in parsed["07"].items():
            for item, v in vals.items():
                name = SANGONG_NAMES[item]
                for label in {name, name.replace("维护", ""), name.replace("（境）", "")}:
                    put(norm(label), ph, v, ctx.tables["07"])
                if item == "total":
                    put('"三公"经费', ph, v, ctx.tables["07"])
    return index


def check_text_figures(ctx: Ctx, parsed: dict[str, dict], text: str) -> None:
    """Every amount the text gives for a table row equals a value of that row (in the text's unit at the
    text's precision); a figure that matches only with the other unit is a unit error."""
    index = figure_index(ctx, parsed)
    if not index:
        return
    body = "\n".join(ln for ln in text.split("\n") if not ln.startswith("\t"))
    scan = body.translate(QUOTES)
    taken: list[tuple[int, int]] = []
    for label in sorted(index, key=len, reverse=True):
        for m in re.finditer(re.escape(label), scan):
            start, end = m.span()
            if any(a < end and start < b for a, b in taken):
                continue
            if start and scan[start - 1] not in BEFORE_OK:
                continue
            if re.search(r"上年|去年|同期|上一年", scan[max(0, start - 6) : start]):
                continue
            g = GAP.match(scan, end)
            if not g:
                continue
            taken.append((start, g.end()))
            ph = phase(g.group("phase") or "") or ""
            candidates = [c for c in index[label] if not ph or c[0] == ph]
            if not candidates:
                continue
            printed, unit = g.group(len(g.groups()) - 1), g.group(len(g.groups()))
            compare_figure(
                ctx, label, Decimal(printed.replace(",", "")), unit, candidates, body, start, g.end()
            )


def compare_figure(ctx, label, value, unit, candidates, body, start, end) -> None:
    half = Decimal(5).scaleb(value.as_tuple().exponent - 1) + Decimal("0.000001")
    factor = UNIT_FACTORS[unit]

    def close(v, table, as_unit):
        in_text_unit = v * (table.factor if table.unit else factor) / UNIT_FACTORS[as_unit]
        return abs(in_text_unit - value) <= half

    if any(close(v, tb, unit) for _, v, tb in candidates):
        return
    excerpt = body[max(0, start - 10) : end + 10].replace("\n", " ")
    _, v, tb = candidates[0]
    other = next(
        (u for u in UNIT_FACTORS if u != unit and any(close(x, t, u) for _, x, t in candidates)), None
    )
    if other and tb.unit:
        ctx.add(
            "TABLE-UNIT",
            ERROR,
            f"文中“{label}”{fmt(value)}{unit}，表中为{fmt(v)}{tb.unit}：金额单位应为“{other}”",
            tb,
            excerpt,
        )
        return
    shown = "、".join(dict.fromkeys(f"{fmt(x)}{t.unit}" for _, x, t in candidates))
    ctx.add("TABLE-TEXT", ERROR, f"文中“{label}”为{fmt(value)}{unit}，与表中{shown}不符", tb, excerpt)


# --- 公开05表 by 项 ↔ 说明 “一般公共预算财政拨款支出决算具体情况”; shares of a table total ------------------

DETAIL_HEADING = re.compile(r"一般公共预算(?:财政拨款)?支出决算的?具体情况")
NEXT_HEADING = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|第[一二三四五六七八九十]部分)"
)
ITEM_SPLIT = re.compile(r"；|;|(?<![\d.．])(?=\d{1,2}[.、．](?!\d))|(?<![\d.．])(?=[（(]\d{1,2}[）)])")
ITEM_PATH = re.compile(
    r"[（(]款[）)]\s*(?P<x>[^（()）]+?(?:[（(][^项）)]{1,4}[）)][^（(）)]*?)?)\s*[（(]项[）)]"
)
ACTUAL_NUMBER = re.compile(TEXT_NUMBER)
NOT_ACTUAL = re.compile(
    r"预算(?:数|为|是|安排)?[为是：:]?\s*$|(?:上年|较|比|增加|减少|增长|下降|同比|相比)[^，,。]{0,12}$"
)
COMPLETION = re.compile(r"完成(?:年初|全年)?预算(?:数)?的?\s*(?P<pct>\d+(?:\.\d+)?)\s*%")


def text_body(text: str) -> str:
    """The text without a Word table's cells (document.docx_text writes them as tab-indented lines)."""
    return "\n".join(ln for ln in text.split("\n") if not ln.startswith("\t")).translate(QUOTES)


def detail_section(body: str) -> str | None:
    """The section “（三）一般公共预算财政拨款支出决算具体情况” up to the next heading, or None."""
    lines = body.split("\n")
    for i, line in enumerate(lines):
        flat = re.sub(r"\s+", "", line)
        m = DETAIL_HEADING.search(flat)
        if not m or len(flat) > 60 + len(m.group(0)):
            continue
        rest = [flat[m.end() :].lstrip("说明。：:")]
        for nxt in lines[i + 1 :]:
            if NEXT_HEADING.match(nxt):
                break
            rest.append(nxt.strip())
        return "\n".join(rest)
    return None


def item_segments(section: str) -> list[str]:
    """The section cut at its numbered items and at “；” (a PDF's line breaks inside an item are joined)."""
    return [s for s in ITEM_SPLIT.split(re.sub(r"[\s\u3000]+", "", section)) if s]


def plain(name: str) -> str:
    return re.sub(r"\s+", "", name.translate(QUOTES))


def printed_actual(segment: str, start: int) -> tuple[Decimal, str, int, int] | None:
    """The first amount after `start` that is the 决算 (not a 预算 figure nor a change on last year), before
    the next 项 is named."""
    nxt = ITEM_PATH.search(segment, start) or re.compile(r"\d{7}").search(segment, start)
    for m in ACTUAL_NUMBER.finditer(segment, start, nxt.start() if nxt else len(segment)):
        if NOT_ACTUAL.search(segment[max(start, m.start() - 12) : m.start()]):
            continue
        return Decimal(m.group(1).replace(",", "")), m.group(2), m.start(), m.end()
    return None


def item_in_segment(segment: str, line: Line, kuan: str, unique: bool) -> int | None:
    """Where the 项 `line` is named in the segment (the end of its name), or None: by its code, by
    “…（款）名称（项）” with its 款, or by its bare name when no other 项 of the table has that name."""
    if (i := segment.find(line.code)) >= 0:
        return i + len(line.code)
    name = plain(line.name)
    paths = list(ITEM_PATH.finditer(segment))
    if paths:
        for m in paths:
            if plain(m.group("x")) == name and (not kuan or kuan in segment[: m.start()]):
                return m.end()
        return None
    i = segment.find(name)
    if i >= 0 and (unique or (kuan and kuan in segment)):
        return i + len(name)
    return None


def check_item_explanations(ctx: Ctx, parsed: dict[str, dict], text: str) -> None:
    """Every 项 of 公开05表 with a non-zero 决算 is explained in “一般公共预算财政拨款支出决算具体情况” with
    its amount (an error when the amount differs from the table, a warning when the 项 is not found — the
    name may be worded otherwise), and a completion rate printed with it agrees with the table's 预算 column."""
    p = parsed.get("05") or {}
    table, col = ctx.tables.get("05"), p.get("row_total")
    lines = [ln for ln in p.get("lines", []) if len(ln.code) == 7 and ln.values.get(col)]
    if table is None or not col or not lines:
        return
    section = detail_section(text_body(text))
    if section is None:
        ctx.add(
            "TABLE-ITEM",
            WARNING,
            "说明中没有“一般公共预算财政拨款支出决算具体情况”：公开05表的各项级科目应逐项说明",
            table,
        )
        return
    segments = item_segments(section)
    names = [plain(ln.name) for ln in lines]
    by_code = {ln.code: ln for ln in p.get("lines", [])}
    budget_col = next((c for c in p.get("lines", [])[0].values if "预算" in c), None)
    for ln in lines:
        value = ln.values[col]
        kuan = plain(by_code[ln.code[:5]].name) if ln.code[:5] in by_code else ""
        found = []
        for seg in segments:
            end = item_in_segment(seg, ln, kuan, names.count(plain(ln.name)) == 1)
            if end is not None and (got := printed_actual(seg, end)):
                found.append((seg, end, got))
        label = f"{ln.code} {ln.name}"
        if not found:
            ctx.add(
                "TABLE-ITEM",
                WARNING,
                f"公开05表的项级科目“{label}”（{fmt(value)}{table.unit}）在“一般公共预算财政拨款支出决算具体情况”中未见说明",
                table,
                ln.code,
            )
            continue
        matching = [f for f in found if same_amount(f[2][0], f[2][1], value, table)]
        if not matching:
            seg, _, (printed, unit, *_x) = found[0]
            ctx.add(
                "TABLE-ITEM",
                ERROR,
                f"说明中项级科目“{label}”的决算为{fmt(printed)}{unit}，公开05表为{fmt(value)}{table.unit}",
                table,
                seg[:60],
            )
            continue
        budget = ln.values.get(budget_col) if budget_col else None
        seg, _, (*_v, end) = matching[0]
        m = COMPLETION.match(seg, end + 1) or COMPLETION.search(seg[end : end + 20])
        if budget and m and not pct_matches(m.group("pct"), pct(value, budget)):
            ctx.add(
                "TABLE-ITEM",
                ERROR,
                f"说明中项级科目“{label}”完成预算{m.group('pct')}%，按公开05表应为"
                f"{fmt_pct(pct(value, budget))}（{fmt(value)}÷{fmt(budget)}）",
                table,
                seg[:60],
            )


def same_amount(printed: Decimal, unit: str, value: Decimal, table: Table) -> bool:
    half = Decimal(5).scaleb(printed.as_tuple().exponent - 1) + Decimal("0.000001")
    factor = table.factor if table.unit else UNIT_FACTORS[unit]
    return abs(value * factor / UNIT_FACTORS[unit] - printed) <= half


TABLE_SHARE = re.compile(
    TEXT_NUMBER
    + r"[，,]\s*占(?P<den>[^，,。；;%\d]{2,20}?)(?:总额|总数)?的?(?:比重|比例)?为?\s*(?P<pct>\d+(?:\.\d+)?)\s*%"
)


def check_table_shares(ctx: Ctx, parsed: dict[str, dict], text: str) -> None:
    """“X万元，占<table total>的p%” where the text does not state the total itself: p against the table's
    total (a share whose total the text states is the text rules' SHARE)."""
    index = figure_index(ctx, parsed)
    body = text_body(text)
    for m in TABLE_SHARE.finditer(body):
        den = m.group("den").strip()
        candidates = index.get(den)
        if not candidates or re.search(re.escape(den) + r"(?:为|：|:|是)?\s*" + TEXT_NUMBER, body):
            continue
        _, total, table = next((c for c in candidates if c[0] == "actual"), candidates[0])
        part = Decimal(m.group(1).replace(",", "")) * UNIT_FACTORS[m.group(2)]
        whole = total * (table.factor if table.unit else UNIT_FACTORS[m.group(2)])
        true = pct(part, whole)
        if true is not None and not pct_matches(m.group("pct"), true):
            ctx.add(
                "TABLE-SHARE",
                ERROR,
                f"占比不符：{m.group(1)}{m.group(2)}÷{den}{fmt(total)}{table.unit}（{table_name(table)}）="
                f"{fmt_pct(true)}，文中为{m.group('pct')}%",
                table,
                body[max(0, m.start() - 10) : m.end()].replace("\n", " "),
            )
