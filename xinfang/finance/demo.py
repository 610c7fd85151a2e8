"""Demo facts: 茂县信访局, final accounts 2019 with the 2018 comparison figures, from the published seed.

Where the published disclosure contradicts itself, the ledger holds the consistent value and NOTES says
which published figure was wrong. Loading is idempotent.
"""

import re
from decimal import Decimal as D

from django.db import transaction

from xinfang.finance import demo_texts as texts
from xinfang.finance.models import (
    BudgetUnit,
    FinalAccounts,
    Income,
    SubordinateUnit,
    ThreePublic,
    Vehicle,
)
from xinfang.finance.services import ensure_classification

UNIT_CODE = "513223-XFJ"

NOTES = """\
公开文本（2019年部门决算）与台账不一致之处，台账取一致的数值：
1. 第二部分六、基本支出印为317.42万元、人员经费274.26万元；按支出决算（本年支出382.31−项目支出64.90）基本支出应为317.41万元，公用经费43.16万元与机关运行经费一致，故人员经费取274.25万元。
2. 五（二）卫生健康占比印为4.4%（应为4.3%），住房保障占比印为6.4%（应为6.3%）。
3. 七、公务用车购置及运行维护费“完成预算64%”、公务接待费“完成预算36%”实为占“三公”经费的比重；台账预算数等于决算数（完成100%）。
4. 七、公务用车保有量印为“主要领导干部用车1辆”，十（三）印为“其他用车1辆”；台账取其他用车1辆。
5. 第一部分机构设置印为下属二级单位1个（其他事业单位1个），附件印为下属二级预算单位0个；台账取1个（群众来访接待中心）。
6. 十（四）项目名称“化解信访积案资金”与项目表“特殊疑难信访问题专项资金”不一致；台账取后者。
7. 人员概况：在职人员总数19名，而行政人员10名+行政工勤1名+事业人员7名=18名；台账取行政人员11名。
8. 名词解释中公共安全支出（类）“一般行政管理事务（款）”应为公安（款）；农林水（类）“农林水（款）扶贫（项）”应为扶贫（款）其他扶贫支出（项）；“其他共产党党事务支出”应为其他共产党事务支出；“政府办公厅（室）及相关机构事务）（款）”括号不配对。
9. 信访视频会议系统技术服务费：远程接访群众目标50人次，实际47人次，未完全完成；台账如实记录实际值。
10. 文字错误：“般公共预算”“因公出1.国（境）”“做到了做到”“组织对3项目”。
基本支出经济分类明细未在公开文本中列示，台账中的明细为与合计一致的示例拆分。"""

EXPENDITURES = [  # code, basic, project
    ("2010301", "173.67", "0"),
    ("2010302", "0", "23"),
    ("2010308", "0", "34.5"),
    ("2010350", "66.58", "0"),
    ("2013602", "0", "5"),
    ("2040202", "0", "2"),
    ("2080505", "25.03", "0"),
    ("2080506", "11.55", "0"),
    ("2101101", "10.45", "0"),
    ("2101102", "6.12", "0"),
    ("2130599", "0", "0.4"),
    ("2210201", "22.99", "0"),
    ("2210203", "1.02", "0"),
]

ECONOMIC = [
    ("30101", "基本工资", "60.12"),
    ("30102", "津贴补贴", "78.74"),
    ("30103", "奖金", "11.50"),
    ("30107", "绩效工资", "40.20"),
    ("30108", "机关事业单位基本养老保险缴费", "25.03"),
    ("30109", "职业年金缴费", "11.55"),
    ("30110", "职工基本医疗保险缴费", "16.57"),
    ("30112", "其他社会保障缴费", "1.85"),
    ("30113", "住房公积金", "22.99"),
    ("30114", "医疗费", "3.20"),
    ("30305", "生活补助", "2.50"),
    ("30201", "办公费", "8.60"),
    ("30202", "印刷费", "1.20"),
    ("30206", "电费", "1.50"),
    ("30207", "邮电费", "2.10"),
    ("30211", "差旅费", "6.80"),
    ("30213", "维修（护）费", "1.40"),
    ("30214", "租赁费", "2.00"),
    ("30216", "培训费", "0.60"),
    ("30217", "公务接待费", "1.85"),
    ("30226", "劳务费", "3.00"),
    ("30231", "公务用车运行维护费", "3.22"),
    ("30239", "其他交通费用", "10.89"),
]

PROJECTS = [
    {
        "name": "信访视频会议系统技术服务费",
        "code": "2010302",
        "amount": "23",
        "goal": "能够联通县信访局到乡镇视频会议，远程接访群众，推动我县信访工作创新发展",
        "achieved": "联通了县信访局到乡镇会议视频，能够通过视频远程接访群众，推动了我县信访工作信息化建设创新发展",
        "effect": "保障了县到乡镇信访视频会议正常运行，人民群众就近反映问题，提升了办事效率，降低了差旅费支出，推动了我县信访信息化建设",
        "problems": "有的乡镇缺少专人保管维护，导致设备使用效果较差",
        "improvements": "加大与移动公司协调，做好视频会议系统设备维护，同时督导各乡镇安排专人负责，保证视频会议顺利进行",
        "indicators": [
            (
                "产出指标",
                "数量指标",
                "召开视频会议及接待群众数量",
                "召开视频会议4次，远程接访群众50人次",
                "召开了视频会议4次，远程接访群众47人次",
            ),
            (
                "产出指标",
                "质量指标",
                "工作完成度",
                "完成既定的视频会议和远程接访群众",
                "基本完成既定的视频会议，远程接访群众未达预期",
            ),
            ("产出指标", "时效指标", "完成时间", "2019年度", "2019年度"),
            ("满意度指标", "满意度指标", "满意度", "≥90%", "≥90%"),
        ],
    },
    {
        "name": "特殊疑难信访问题专项资金",
        "code": "2010308",
        "amount": "25",
        "goal": "特殊疑难信访问题专项资金的设立和使用是为了解决长期积累、久拖未决、难以划分责任主体或无法追查责任单位的特殊疑难信访问题，特别是对事关民生的“无头案、钉子案、骨头案”的当事人实施适度救助，达到息访息诉，实现事要解决、案结事了、和谐社会的工作目标，极大限度降低进京赴省到市非正常重复上访量。",
        "achieved": "解决了安某某、任某某、坤某某、李某某3件4人次长期积累、久拖未决、难以划分责任主体或无法追查责任单位的特殊疑难信访问题，降低了到州、赴省、进京重复访数量。",
        "effect": "解决了安某某、任某某、坤某某、李某某3件4人次长期积累、久拖未决、难以划分责任主体或无法追查责任单位的特殊疑难信访问题，降低了到州、赴省、进京重复访数量",
        "problems": "由于信访工作的特殊性，需要解决的信访事项较多",
        "improvements": "加大工作力度，做好政策解释工作，确实有困难的，帮助到位",
        "indicators": [
            (
                "产出指标",
                "数量指标",
                "特殊疑难信访问题化解数量",
                "解决特殊疑难信访问题3件4人次",
                "完成2019年度特殊疑难信访问题化解，息诉息访3件4人次",
            ),
            ("产出指标", "质量指标", "工作完成度", "解决了特殊疑难信访问题3件4人次", "全部息诉息访"),
            ("产出指标", "时效指标", "完成时间", "2019年度", "2019年度"),
            ("满意度指标", "满意度指标", "满意度", "≥99%", "≥99%"),
        ],
    },
    {
        "name": "信访维稳工作经费",
        "code": "2010308",
        "amount": "16.5",
        "goal": "县驻蓉信访维稳值班，负责对进京、赴省越级上访人员进行思想疏导、接访劝返工作，积极做好国家重大活动期间信访维稳工作。",
        "achieved": "完成了2019年驻蓉信访维稳值班工作，接访劝返欲进京、赴省越级上访人员，保证了国家重大活动期间未出现我县非法越级上访人员",
        "effect": "完成了2019年度驻蓉信访维稳值班工作，接访劝返欲进京、赴省越级上访人员，保证了国家重大活动期间未出现我县非法越级上访人员",
        "problems": "",
        "improvements": "",
        "indicators": [
            (
                "产出指标",
                "数量指标",
                "接访劝返欲进京、赴省越级上访人员数量",
                "驻蓉信访维稳值班工作，接访劝返欲进京、赴省越级上访人员",
                "完成2019年度驻蓉信访维稳值班工作，接访劝返欲进京、赴省越级上访人员21批37人次",
            ),
            (
                "产出指标",
                "质量指标",
                "工作完成度",
                "做好驻蓉信访维稳值班工作，接访劝返欲进京、赴省越级上访人员",
                "做好驻蓉信访维稳值班工作，接访劝返欲进京、赴省越级上访人员",
            ),
            ("产出指标", "时效指标", "完成时间", "2019年度", "2019年度"),
            ("满意度指标", "满意度指标", "满意度", "≥90%", "≥90%"),
        ],
    },
]

HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）)")
CASEWORK_UNIT = "513223XFJ"  # the bureau in the casework (xinfang.petitions.demo.BUREAU)
CASEWORK = {
    "信访视频会议系统技术服务费": "video",
    "特殊疑难信访问题专项资金": "fund",
    "信访维稳工作经费": "duty_station",
}


def sync(model, values: dict, **lookup):
    """Get the row by `lookup`, create it with `values`, or save only the fields that differ."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    if changed:
        obj.save(update_fields=changed)
    return obj


def sync_children(queryset, key: tuple[str, ...], rows: list[dict], **parent) -> list:
    """Make the children in `queryset` equal `rows` (matched by `key`): create, update what differs,
    delete the others. Writes nothing when they are equal already."""
    existing = {tuple(getattr(o, k) for k in key): o for o in queryset}
    kept = []
    for row in rows:
        k = tuple(row[f] for f in key)
        obj = existing.pop(k, None)
        if obj is None:
            obj = queryset.model.objects.create(**parent, **row)
        else:
            changed = [f for f, v in row.items() if getattr(obj, f) != v]
            for f in changed:
                setattr(obj, f, row[f])
            if changed:
                obj.save(update_fields=changed)
        kept.append(obj)
    if existing:
        queryset.model.objects.filter(pk__in=[o.pk for o in existing.values()]).delete()
    return kept


@transaction.atomic
def load_finance_demo() -> FinalAccounts:
    """Create or refresh the demo budget unit and its 2019 final accounts. Idempotent: a second call
    writes nothing (no row changes, no id changes). Links the budget unit to the bureau's casework unit
    (code 513223XFJ) when that unit exists."""
    from xinfang.petitions.models import Unit

    ensure_classification(year=2019)
    ensure_classification(year=2018)
    values = {"name": "茂县信访局", "short_name": "信访局"}
    bureau = Unit.objects.filter(code=CASEWORK_UNIT).first()
    if bureau is not None:
        values["unit"] = bureau
    unit = sync(BudgetUnit, values, code=UNIT_CODE)
    report = "\n".join(("#" + line) if HEADING.match(line) else line for line in texts.SELF_EVAL_REPORT)
    accounts = sync(
        FinalAccounts,
        dict(
            region="sichuan",
            functions="\n".join(texts.FUNCTIONS),
            achievements="\n".join(texts.ACHIEVEMENTS),
            internal_departments=3,
            managed_bodies="管理1个信访接待中心",
            posts_admin=6,
            posts_worker=1,
            posts_institution=6,
            staff_admin=11,
            staff_worker=1,
            staff_institution=7,
            retirees=1,
            contract_staff=1,
            prior_total=D("310.17"),
            prior_fiscal_total=D("310.17"),
            prior_general_budget=D("310.17"),
            prior_operating_cost=D("50.98"),
            reception_batches=126,
            reception_persons=357,
            operating_cost=D("43.16"),
            procurement_goods=D("23"),
            procurement_sme=D("2.3"),
            reason_total="工资保险变动",
            reason_fiscal="工资保险变动",
            reason_general="工资、保险变动",
            reason_vehicle="出差下乡减少，选择乘坐公共交通工具增多",
            vehicle_use="矛盾纠纷排查化解、协调处理信访事项、维稳等所需的公务用车燃料费、维修费、过路过桥费、保险费等支出",
            reason_reception="进一步落实“八项规定”要求，严格控制接待标准，厉行节约，减少公务接待支出",
            reception_use="接待上级部门调研、督查、业务指导等",
            reason_operating="厉行勤俭节约，出差下乡减少",
            perf_summary=texts.PERF_SUMMARY,
            self_eval_score=D("90"),
            self_eval_report=report,
            notes=NOTES,
        ),
        budget_unit=unit,
        year=2019,
    )
    a = accounts
    sync_children(
        a.subunits.all(),
        ("name",),
        [{"name": "茂县群众来访接待中心", "kind": SubordinateUnit.Kind.INSTITUTION}],
        accounts=a,
    )
    sync_children(
        a.incomes.all(), ("source",), [{"source": Income.Source.GENERAL, "amount": D("382.31")}], accounts=a
    )
    sync_children(
        a.expenditures.all(),
        ("code",),
        [
            {"code": code, "basic": D(b), "project": D(p), "budget": D(b) + D(p)}
            for code, b, p in EXPENDITURES
        ],
        accounts=a,
    )
    sync_children(
        a.economic_items.all(),
        ("code",),
        [{"code": code, "name": name, "amount": D(amount)} for code, name, amount in ECONOMIC],
        accounts=a,
    )
    sync_children(
        a.three_public.all(),
        ("item",),
        [
            {"item": item, "budget": D(actual), "actual": D(actual), "prior_actual": D(prior)}
            for item, actual, prior in (
                (ThreePublic.Item.ABROAD, "0", "0"),
                (ThreePublic.Item.VEHICLE_PURCHASE, "0", "0"),
                (ThreePublic.Item.VEHICLE_OPERATION, "3.22", "8.14"),
                (ThreePublic.Item.RECEPTION, "1.85", "3.15"),
            )
        ],
        accounts=a,
    )
    sync_children(a.vehicles.all(), ("kind",), [{"kind": Vehicle.Kind.OTHER, "count": 1}], accounts=a)
    projects = sync_children(
        a.projects.all(),
        ("name",),
        [
            {
                "order": order,
                "name": spec["name"],
                "code": spec["code"],
                "casework": CASEWORK[spec["name"]],
                "budget": D(spec["amount"]),
                "executed": D(spec["amount"]),
                "fiscal_budget": D(spec["amount"]),
                "fiscal_executed": D(spec["amount"]),
                **{k: spec[k] for k in ("goal", "achieved", "effect", "problems", "improvements")},
            }
            for order, spec in enumerate(PROJECTS, start=1)
        ],
        accounts=a,
    )
    for project, spec in zip(projects, PROJECTS, strict=True):
        sync_children(
            project.indicators.all(),
            ("order",),
            [
                {"order": i, "level1": l1, "level2": l2, "name": n, "target_text": t, "actual_text": act}
                for i, (l1, l2, n, t, act) in enumerate(spec["indicators"], start=1)
            ],
            project=project,
        )
    return accounts
