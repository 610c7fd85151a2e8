"""Structured findings of the disclosure checker."""

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITY_ORDER = {ERROR: 0, WARNING: 1, INFO: 2}


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str
    message: str
    section: str = ""
    excerpt: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


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
