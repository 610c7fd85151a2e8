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


FISCAL_FUNDS = ("一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款")
OTHER_SPENDING_CODE = "2299901"  # 其他支出（类、款、项）: a fund's spending the ledger gives no code for


@dataclass(frozen=True)
class FundData:
    label: str
    income: Decimal
    start: Decimal  # 年初结转和结余
    spending: Decimal
    code: str = ""  # 功能分类 项 of the spending (the two other funds; 一般公共预算 is by line)

    @property
    def end(self) -> Decimal:
        """年末结转和结余 = 年初 + 本年收入 − 本年支出."""
        return self.start + self.income - self.spending


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
    fund_expenditure_code: str = ""  # 功能分类 项 of the fund spending
    state_capital_expenditure_code: str = ""
    # 年初财政拨款结转和结余: 一般公共预算, 政府性基金, 国有资本经营
    carry_over: tuple[Decimal, Decimal, Decimal] = (ZERO, ZERO, ZERO)
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
    def basic(self) -> Decimal:
        return sum((ln.basic for ln in self.lines), ZERO)

    @property
    def project(self) -> Decimal:
        return sum((ln.project for ln in self.lines), ZERO)

    @property
    def expenditure_total(self) -> Decimal:
        return self.basic + self.project

    @property
    def fiscal_funds(self) -> list[FundData]:
        """The three fiscal funds (一般公共预算, 政府性基金, 国有资本经营): income, spending, carry-overs."""
        incomes = list(self.incomes.values())[:3]
        incomes += [ZERO] * (3 - len(incomes))
        spending = (
            (self.expenditure_total, ""),
            (self.fund_expenditure, self.fund_expenditure_code),
            (self.state_capital_expenditure, self.state_capital_expenditure_code),
        )
        return [
            FundData(label, income, start, spent, code or OTHER_SPENDING_CODE)
            for label, income, start, (spent, code) in zip(
                FISCAL_FUNDS, incomes, self.carry_over, spending, strict=True
            )
        ]

    @property
    def class_spending(self) -> "OrderedDict[str, Decimal]":
        """Spending of every fiscal fund per 类 code: the 一般公共预算 lines and the other funds' codes."""
        out = OrderedDict(self.class_totals)
        for f in self.fiscal_funds[1:]:
            if f.spending:
                out[f.code[:3]] = out.get(f.code[:3], ZERO) + f.spending
        return out

    @property
    def fiscal_income(self) -> Decimal:
        return sum((f.income for f in self.fiscal_funds), ZERO)

    @property
    def fiscal_spending(self) -> Decimal:
        return sum((f.spending for f in self.fiscal_funds), ZERO)

    @property
    def fiscal_start(self) -> Decimal:
        return sum(self.carry_over, ZERO)

    @property
    def spending_total(self) -> Decimal:
        """本年支出合计 of all funds: the 一般公共预算 lines and the two other fiscal funds' spending (the ledger
        holds no spending of the non-fiscal incomes)."""
        return self.expenditure_total + self.fund_expenditure + self.state_capital_expenditure

    @property
    def grand_total(self) -> Decimal:
        """收入总计 = 本年收入合计 + 年初结转和结余 = 支出总计 (本年支出合计 + 年末结转和结余)."""
        return self.income_total + self.fiscal_start

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
