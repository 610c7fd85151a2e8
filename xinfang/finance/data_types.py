"""Plain data handed to the narrative, the renderers and the checker (no ORM here)."""

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal("0")


@dataclass(frozen=True)
class ExpLine:
    code: str
    class_name: str
    kuan_name: str
    name: str
    budget: Decimal
    basic: Decimal
    project: Decimal

    @property
    def total(self) -> Decimal:
        return self.basic + self.project


@dataclass(frozen=True)
class IndicatorData:
    level1: str
    level2: str
    name: str
    target: str
    actual: str


@dataclass(frozen=True)
class ProjectData:
    name: str
    budget: Decimal
    executed: Decimal
    fiscal_budget: Decimal
    fiscal_executed: Decimal
    goal: str
    achieved: str
    effect: str
    problems: str
    improvements: str
    indicators: tuple[IndicatorData, ...] = ()
    casework: str = ""  # Project.Casework: which casework figures measure the project ("" = none)


@dataclass(frozen=True)
class CaseworkData:
    """The bureau's casework figures of the year (xinfang.analytics.work_statistics), when the budget unit
    is linked to the bureau and the year has casework records."""

    year: int
    stats: dict  # WorkStatistics.as_dict()
    fund_paid: Decimal  # Σ amount_paid of the year's paid assistance cases, 万元 (2 dp)
    fund_paid_cases: int


CASEWORK, STORED = "casework", "stored"


@dataclass(frozen=True)
class ThreePublicData:
    budget: Decimal = ZERO
    actual: Decimal = ZERO
    prior: Decimal = ZERO


@dataclass
class Disclosure:
    year: int
    unit_code: str
    unit_name: str
    short_name: str
    region: str
    functions: list[str]
    achievements: list[str]
    subunits: list[tuple[str, str]]  # (name, kind label)
    subunit_kinds: list[str]  # all kind labels, in order
    internal_departments: int
    managed_bodies: str
    posts: "OrderedDict[str, int]"
    staff: "OrderedDict[str, int]"
    retirees: int
    contract_staff: int
    incomes: "OrderedDict[str, Decimal]"  # label → amount, all sources in template order
    lines: list[ExpLine]
    class_names: dict[str, str]  # 3-digit code → name
    economic: list[tuple[str, str, Decimal]]
    prior_total: Decimal
    prior_fiscal_total: Decimal
    prior_general_budget: Decimal
    three_public: dict[str, ThreePublicData]  # abroad / vehicle_purchase / vehicle_operation / reception
    abroad_groups: int
    abroad_persons: int
    vehicles_bought: int
    reception_batches: int
    reception_persons: int
    foreign_reception_batches: int
    foreign_reception_persons: int
    vehicles: "OrderedDict[str, int]"  # kind label → count
    operating_cost: Decimal
    prior_operating_cost: Decimal
    procurement_goods: Decimal
    procurement_works: Decimal
    procurement_services: Decimal
    procurement_sme: Decimal
    procurement_small: Decimal
    equipment_general: int
    equipment_special: int
    reasons: dict[str, str]
    vehicle_use: str
    reception_use: str
    projects: list[ProjectData]
    perf_summary: str
    self_eval_score: Decimal
    self_eval_report: str
    notes: str = ""
    foreign_reception_cost: Decimal = ZERO  # part of the 公务接待费 actual
    fund_expenditure: Decimal = ZERO  # 政府性基金预算财政拨款支出
    state_capital_expenditure: Decimal = ZERO  # 国有资本经营预算财政拨款支出
    official: dict[str, str] = field(default_factory=dict)
    casework: CaseworkData | None = None
    # where the work figures came from: "achievements" and "indicators:<project name>" → CASEWORK | STORED
    sources: dict[str, str] = field(default_factory=dict)
    # figures of the stored text that the casework records replaced: (where, stored phrase, computed phrase)
    casework_changes: list[tuple[str, str, str]] = field(default_factory=list)

    # ------------------------------------------------------------ computed figures

    @property
    def income_total(self) -> Decimal:
        return sum(self.incomes.values(), ZERO)

    @property
    def general_budget(self) -> Decimal:
        return next(iter(self.incomes.values()), ZERO)

    @property
    def basic(self) -> Decimal:
        return sum((ln.basic for ln in self.lines), ZERO)

    @property
    def project(self) -> Decimal:
        return sum((ln.project for ln in self.lines), ZERO)

    @property
    def expenditure_total(self) -> Decimal:
        return self.basic + self.project

    @property
    def budget_total(self) -> Decimal:
        return sum((ln.budget for ln in self.lines), ZERO)

    @property
    def personnel(self) -> Decimal:
        return sum((a for c, _, a in self.economic if c[:3] in ("301", "303")), ZERO)

    @property
    def public(self) -> Decimal:
        return sum((a for c, _, a in self.economic if c[:3] not in ("301", "303")), ZERO)

    @property
    def class_totals(self) -> "OrderedDict[str, Decimal]":
        out: OrderedDict[str, Decimal] = OrderedDict()
        for ln in self.lines:
            out[ln.code[:3]] = out.get(ln.code[:3], ZERO) + ln.total
        return out

    def tp(self, item: str) -> ThreePublicData:
        return self.three_public.get(item, ThreePublicData())

    @property
    def vehicle_cost(self) -> ThreePublicData:
        a, b = self.tp("vehicle_purchase"), self.tp("vehicle_operation")
        return ThreePublicData(a.budget + b.budget, a.actual + b.actual, a.prior + b.prior)

    @property
    def three_public_total(self) -> ThreePublicData:
        parts = [self.tp("abroad"), self.vehicle_cost, self.tp("reception")]
        return ThreePublicData(
            *(sum((getattr(p, f) for p in parts), ZERO) for f in ("budget", "actual", "prior"))
        )

    @property
    def procurement_total(self) -> Decimal:
        return self.procurement_goods + self.procurement_works + self.procurement_services

    @property
    def fleet(self) -> int:
        return sum(self.vehicles.values())
