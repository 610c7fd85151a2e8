"""Readers of the finance domain: the ORM facts turned into plain data."""

from collections import OrderedDict

from django.shortcuts import get_object_or_404

from xinfang.finance.casework import load_casework, with_casework
from xinfang.finance.classification import official_names
from xinfang.finance.data_types import (
    ZERO,
    Disclosure,
    ExpLine,
    IndicatorData,
    ProjectData,
    ThreePublicData,
)
from xinfang.finance.models import (
    BudgetUnit,
    FinalAccounts,
    FunctionalClass,
    Income,
    SubordinateUnit,
    Vehicle,
)


class NoBudgetUnit(Exception):
    pass


def default_unit() -> BudgetUnit:
    units = list(BudgetUnit.objects.all()[:2])
    if len(units) != 1:
        raise NoBudgetUnit(
            "数据库中预算单位不是唯一的，请用 --unit 指定单位编码" if units else "数据库中没有预算单位"
        )
    return units[0]


def accounts_for(*, year: int, unit_code: str | None = None) -> FinalAccounts:
    unit = get_object_or_404(BudgetUnit, code=unit_code) if unit_code else default_unit()
    return get_object_or_404(FinalAccounts, budget_unit=unit, year=year)


def classification_names(year: int) -> dict[str, str]:
    """Official names for `year`: the shipped list, overridden by the database's list."""
    names = dict(official_names(year))
    names.update(FunctionalClass.objects.filter(year=year).values_list("code", "name"))
    return names


def disclosure_data(accounts: FinalAccounts) -> Disclosure:
    """The facts of the accounts, with the casework figures in Part 1 and the linked projects' quantity
    indicators when the casework records have them (see `casework.py`)."""
    a = accounts
    names = classification_names(a.year)
    incomes = {i.source: i.amount for i in a.incomes.all()}
    tp = {t.item: ThreePublicData(t.budget, t.actual, t.prior_actual) for t in a.three_public.all()}
    vehicles = {v.kind: v.count for v in a.vehicles.all()}
    lines = [
        ExpLine(
            code=e.code,
            class_name=names.get(e.code[:3], ""),
            kuan_name=names.get(e.code[:5], ""),
            name=names.get(e.code, ""),
            budget=e.budget,
            basic=e.basic,
            project=e.project,
        )
        for e in a.expenditures.order_by("code")
    ]
    projects = [
        ProjectData(
            name=p.name,
            budget=p.budget,
            executed=p.executed,
            fiscal_budget=p.fiscal_budget,
            fiscal_executed=p.fiscal_executed,
            goal=p.goal,
            achieved=p.achieved,
            effect=p.effect,
            problems=p.problems,
            improvements=p.improvements,
            casework=p.casework,
            indicators=tuple(
                IndicatorData(i.level1, i.level2, i.name, i.target_text, i.actual_text)
                for i in p.indicators.all()
            ),
        )
        for p in a.projects.prefetch_related("indicators")
    ]
    d = Disclosure(
        year=a.year,
        unit_code=a.budget_unit.code,
        unit_name=a.budget_unit.name,
        short_name=a.budget_unit.short_name or a.budget_unit.name,
        region=a.region,
        functions=[ln for ln in a.functions.splitlines() if ln.strip()],
        achievements=[ln for ln in a.achievements.splitlines() if ln.strip()],
        subunits=[(s.name, s.get_kind_display()) for s in a.subunits.all()],
        subunit_kinds=[str(label) for _, label in SubordinateUnit.Kind.choices],
        internal_departments=a.internal_departments,
        managed_bodies=a.managed_bodies,
        posts=OrderedDict(
            [("行政编制", a.posts_admin), ("机关工勤编制", a.posts_worker), ("事业编制", a.posts_institution)]
        ),
        staff=OrderedDict(
            [("行政人员", a.staff_admin), ("行政工勤", a.staff_worker), ("事业人员", a.staff_institution)]
        ),
        retirees=a.retirees,
        contract_staff=a.contract_staff,
        incomes=OrderedDict((str(label), incomes.get(code, ZERO)) for code, label in Income.Source.choices),
        lines=lines,
        class_names={c: n for c, n in names.items() if len(c) == 3},
        economic=[(e.code, e.name, e.amount) for e in a.economic_items.order_by("code")],
        prior_total=a.prior_total,
        prior_fiscal_total=a.prior_fiscal_total,
        prior_general_budget=a.prior_general_budget,
        three_public=tp,
        abroad_groups=a.abroad_groups,
        abroad_persons=a.abroad_persons,
        vehicles_bought=a.vehicles_bought,
        reception_batches=a.reception_batches,
        reception_persons=a.reception_persons,
        foreign_reception_batches=a.foreign_reception_batches,
        foreign_reception_persons=a.foreign_reception_persons,
        foreign_reception_cost=a.foreign_reception_cost,
        fund_expenditure=a.fund_expenditure,
        state_capital_expenditure=a.state_capital_expenditure,
        fund_expenditure_code=a.fund_expenditure_code,
        state_capital_expenditure_code=a.state_capital_expenditure_code,
        carry_over=(a.general_carry_over, a.fund_carry_over, a.state_capital_carry_over),
        vehicles=OrderedDict((str(label), vehicles.get(code, 0)) for code, label in Vehicle.Kind.choices),
        operating_cost=a.operating_cost,
        prior_operating_cost=a.prior_operating_cost,
        procurement_goods=a.procurement_goods,
        procurement_works=a.procurement_works,
        procurement_services=a.procurement_services,
        procurement_sme=a.procurement_sme,
        procurement_small=a.procurement_small,
        equipment_general=a.equipment_general,
        equipment_special=a.equipment_special,
        reasons={
            "total": a.reason_total,
            "fiscal": a.reason_fiscal,
            "general": a.reason_general,
            "vehicle": a.reason_vehicle,
            "reception": a.reason_reception,
            "operating": a.reason_operating,
        },
        vehicle_use=a.vehicle_use,
        reception_use=a.reception_use,
        projects=projects,
        perf_summary=a.perf_summary,
        self_eval_score=a.self_eval_score,
        self_eval_report=a.self_eval_report,
        notes=a.notes,
        official=names,
    )
    return with_casework(d, load_casework(a.budget_unit, a.year))
