"""Import the standard tables (公开01/05/06/07表) from an .xlsx workbook: all rows or nothing.

Reading is pure (rows → parsed facts + row errors); saving is a service in services.py.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook

from xinfang.finance.models import Income, ThreePublic

INCOME_ROWS = {str(label): code for code, label in Income.Source.choices}
THREE_PUBLIC_ROWS = {
    "因公出国（境）费": ThreePublic.Item.ABROAD,
    "公务用车购置费": ThreePublic.Item.VEHICLE_PURCHASE,
    "公务用车运行维护费": ThreePublic.Item.VEHICLE_OPERATION,
    "公务接待费": ThreePublic.Item.RECEPTION,
}


@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    message: str


@dataclass
class ParsedTables:
    incomes: dict[str, Decimal] = field(default_factory=dict)
    expenditures: list[tuple[str, Decimal, Decimal, Decimal]] = field(
        default_factory=list
    )  # code, budget, basic, project
    economic: list[tuple[str, str, Decimal]] = field(default_factory=list)
    three_public: dict[str, tuple[Decimal, Decimal]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


def amount(value, errors: list, sheet: str, row: int, label: str) -> Decimal:
    if value in (None, ""):
        return Decimal("0.00")
    try:
        d = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        errors.append(RowError(sheet, row, f"{label}“{value}”不是金额"))
        return Decimal("0.00")
    if d < 0:
        errors.append(RowError(sheet, row, f"{label}为负数"))
    q = d.quantize(Decimal("0.01"))
    if q != d:
        errors.append(RowError(sheet, row, f"{label}{value}超过两位小数"))
    return q


def read_tables(file, *, official: dict[str, str]) -> ParsedTables:
    out = ParsedTables()
    try:
        wb = load_workbook(file, read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable upload is reported the same way
        out.errors.append(RowError("", 0, "文件不是有效的 .xlsx 工作簿"))
        return out
    for needed in ("公开01表", "公开05表", "公开06表", "公开07表"):
        if needed not in wb.sheetnames:
            out.errors.append(RowError(needed, 0, "缺少工作表"))
    if out.errors:
        return out
    errs = out.errors
    for i, row in enumerate(wb["公开01表"].iter_rows(min_row=4, values_only=True), start=4):
        label = str(row[0] or "").split("、", 1)[-1]
        if label in INCOME_ROWS:
            out.incomes[INCOME_ROWS[label]] = amount(row[1], errs, "公开01表", i, label)
    sums: dict[str, Decimal] = {}
    stated: dict[str, tuple[int, Decimal]] = {}
    for i, row in enumerate(wb["公开05表"].iter_rows(min_row=4, values_only=True), start=4):
        code = str(row[0] or "").strip()
        if not any(row):
            continue
        budget, total, basic, project = (
            amount(v, errs, "公开05表", i, h)
            for v, h in zip(row[2:6], ("年初预算数", "合计", "基本支出", "项目支出"), strict=False)
        )
        if total != basic + project:
            errs.append(RowError("公开05表", i, f"合计{total}不等于基本支出{basic}+项目支出{project}"))
        if not code:
            stated["合计"] = (i, total)
        elif len(code) == 7 and code.isdigit():
            if code not in official:
                errs.append(RowError("公开05表", i, f"科目编码{code}不在本年度功能分类科目中"))
            elif row[1] and str(row[1]).strip() != official[code]:
                errs.append(RowError("公开05表", i, f"科目名称“{row[1]}”与官方名称“{official[code]}”不符"))
            out.expenditures.append((code, budget, basic, project))
            for prefix in (code[:3], code[:5], "合计"):
                sums[prefix] = sums.get(prefix, Decimal(0)) + total
        elif len(code) in (3, 5) and code.isdigit():
            stated[code] = (i, total)
        else:
            errs.append(RowError("公开05表", i, f"无法识别的科目编码“{code}”"))
    for code, (i, total) in stated.items():
        if sums.get(code, Decimal(0)) != total:
            errs.append(
                RowError("公开05表", i, f"{code or '合计'}行{total}不等于下级科目之和{sums.get(code, 0)}")
            )
    for i, row in enumerate(wb["公开06表"].iter_rows(min_row=4, values_only=True), start=4):
        code = str(row[0] or "").strip()
        if not code:
            continue
        if not (len(code) == 5 and code.isdigit() and code[:3] in ("301", "302", "303", "310")):
            errs.append(RowError("公开06表", i, f"无法识别的经济分类编码“{code}”"))
            continue
        out.economic.append((code, str(row[1] or ""), amount(row[2], errs, "公开06表", i, "决算数")))
    for i, row in enumerate(wb["公开07表"].iter_rows(min_row=4, values_only=True), start=4):
        label = str(row[0] or "").strip()
        if label in THREE_PUBLIC_ROWS:
            out.three_public[THREE_PUBLIC_ROWS[label]] = (
                amount(row[1], errs, "公开07表", i, "预算数"),
                amount(row[2], errs, "公开07表", i, "决算数"),
            )
    if not out.expenditures:
        errs.append(RowError("公开05表", 0, "没有读到任何项级科目"))
    return out
