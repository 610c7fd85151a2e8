"""Structured findings of the disclosure checker."""

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}
SEVERITY_LABELS = {ERROR: "错误", WARNING: "警告", INFO: "提示"}
# The Chinese name of each rule (docs/finance.md, 检查规则); tests/finance/test_finding_labels.py fails when a
# rule has none.
RULE_NAMES = {
    "SUM": "合计数核对",
    "COUNT": "数量核对",
    "SHARE": "占比核对",
    "SHARE-SUM": "占比合计核对",
    "YOY": "同比增减核对",
    "YOY-DIR": "增减方向核对",
    "COMPL": "预算完成率核对",
    "COMPL-SHARE": "完成率与占比混用",
    "SAME": "同一数据前后一致",
    "PARTS": "基本支出与项目支出合计",
    "PERS": "人员经费与公用经费合计",
    "JGYX": "机关运行经费",
    "XREF": "前后内容对照",
    "NAME": "科目名称前后一致",
    "NAME-OFFICIAL": "科目名称规范",
    "INDICATOR": "绩效指标完成情况",
    "RESIDUE": "编号残留和占位符",
    "TYPO": "错别字",
    "DUP": "重复字词",
    "BRACKET": "括号和引号配对",
    "MEASURE": "量词缺失",
    "ROUND": "尾差",
    "PUNCT": "标点符号",
    "HEADING": "标题序号",
    "FUND": "专项资金执行核对",
    "CASEWORK": "信访工作数据核对",
    "PROC": "政府采购",
    "REASON": "增减变化原因说明",
    "SAN-ECON": "三公经费与经济分类",
    "FUND-SPEND": "政府性基金和国有资本经营预算收支",
    "YEAR": "年份核对",
    "PCT-SIGN": "百分号缺失",
    "READ": "文件读取",
    "TABLE-SET": "公开表齐全",
    "TABLE-SUM": "表内勾稽关系",
    "TABLE-X": "表间勾稽关系",
    "TABLE-TEXT": "表文一致",
    "TABLE-UNIT": "金额单位",
    "TABLE-NAME": "表中科目名称",
    "TABLE-YEAR": "表头年度",
    "TABLE-EMPTY": "空表说明",
    "TABLE-ITEM": "项级科目逐项说明",
    "TABLE-SHARE": "占比与表中合计",
}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    section: str = ""
    excerpt: str = ""

    def as_dict(self) -> dict:
        return asdict(self)

    @property
    def rule_name(self) -> str:
        return RULE_NAMES.get(self.rule, "其他检查")

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity)


def pct(part: Decimal, whole: Decimal) -> Decimal | None:
    """part / whole × 100, unrounded; None when whole is zero."""
    if not whole:
        return None
    return Decimal(part) * 100 / Decimal(whole)


def round2(value: Decimal, places: int = 2) -> Decimal:
    return Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def decimals_of(printed: str) -> int:
    return len(printed.split(".")[1]) if "." in printed else 0


def pct_matches(printed: str, true: Decimal | None, slack: Decimal = Decimal("0.01")) -> bool:
    """Does the printed percentage agree with `true` at the printed precision (half-up, + slack)?"""
    if true is None:
        return False
    half = Decimal(5).scaleb(-decimals_of(printed) - 1)
    return abs(Decimal(printed) - true) <= half + slack


def fmt_pct(value: Decimal | None, places: int = 2) -> str:
    return "—" if value is None else f"{round2(value, places)}%"


def sort_findings(findings: list[Finding]) -> list[Finding]:
    seen, unique = set(), []
    for f in findings:
        key = (f.rule, f.message, f.section, f.excerpt)
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return sorted(unique, key=lambda f: SEVERITY_ORDER[f.severity])
