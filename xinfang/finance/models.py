"""Facts of the final accounts (部门决算): one source of truth per budget unit and fiscal year.

Money is Decimal in 万元 with two decimals. Percentages are never stored: queries compute them.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


def money(verbose_name, **kwargs):
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, default=0, **kwargs)


def count(verbose_name):
    return models.PositiveIntegerField(verbose_name, default=0)


class FunctionalClass(models.Model):
    """支出功能分类科目 of one year's official list: 类 (3 digits), 款 (5) or 项 (7)."""

    year = models.PositiveIntegerField(_("年度"))
    code = models.CharField(_("科目编码"), max_length=7)
    name = models.CharField(_("科目名称"), max_length=100)

    class Meta:
        verbose_name = _("功能分类科目")
        verbose_name_plural = _("功能分类科目")
        ordering = ["year", "code"]
        constraints = [models.UniqueConstraint(fields=["year", "code"], name="finance_funcclass_year_code")]

    def __str__(self):
        return f"{self.code} {self.name}"


class BudgetUnit(models.Model):
    """预算单位 that publishes a 部门决算."""

    code = models.CharField(_("单位编码"), max_length=32, unique=True)
    name = models.CharField(_("单位名称"), max_length=100)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    unit = models.ForeignKey(
        "petitions.Unit", verbose_name=_("对应单位"), null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = _("预算单位")
        verbose_name_plural = _("预算单位")
        ordering = ["code"]

    def __str__(self):
        return self.name


class FinalAccounts(models.Model):
    """部门决算 of one unit for one year: the scalar facts; lists live in the child tables."""

    budget_unit = models.ForeignKey(
        BudgetUnit, verbose_name=_("预算单位"), on_delete=models.CASCADE, related_name="accounts"
    )
    year = models.PositiveIntegerField(_("年度"))
    region = models.CharField(_("公开模板地区"), max_length=20, default="sichuan")
    # profile
    functions = models.TextField(_("主要职能（每行一条）"), blank=True)
    achievements = models.TextField(_("重点工作完成情况（每行一段）"), blank=True)
    internal_departments = count(_("内设机构数"))
    managed_bodies = models.CharField(_("管理机构说明"), max_length=100, blank=True)
    posts_admin = count(_("行政编制"))
    posts_worker = count(_("机关工勤编制"))
    posts_institution = count(_("事业编制"))
    staff_admin = count(_("在职行政人员"))
    staff_worker = count(_("在职行政工勤人员"))
    staff_institution = count(_("在职事业人员"))
    retirees = count(_("离退休人员"))
    contract_staff = count(_("编外长期聘用人员"))
    # previous year's published figures, for comparison
    prior_total = money(_("上年收支总计"))
    prior_fiscal_total = money(_("上年财政拨款收支总计"))
    prior_general_budget = money(_("上年一般公共预算财政拨款支出"))
    prior_operating_cost = money(_("上年机关运行经费"))
    # 三公 counts
    abroad_groups = count(_("因公出国（境）团组数"))
    abroad_persons = count(_("因公出国（境）人数"))
    vehicles_bought = count(_("购置公务用车数"))
    reception_batches = count(_("国内公务接待批次"))
    reception_persons = count(_("国内公务接待人次"))
    foreign_reception_batches = count(_("外事接待批次"))
    foreign_reception_persons = count(_("外事接待人次"))
    foreign_reception_cost = money(_("外事接待支出（公务接待费中接待外宾的部分）"))
    # spending of the other two fiscal funds (the 一般公共预算 spending is in Expenditure, by code)
    fund_expenditure = money(_("政府性基金预算财政拨款支出"))
    state_capital_expenditure = money(_("国有资本经营预算财政拨款支出"))
    # the 功能分类 项 the two funds' spending is classified under (the 公开04/08/09表 rows; 项目支出)
    fund_expenditure_code = models.CharField(
        _("政府性基金预算财政拨款支出科目编码（项）"), max_length=7, blank=True
    )
    state_capital_expenditure_code = models.CharField(
        _("国有资本经营预算财政拨款支出科目编码（项）"), max_length=7, blank=True
    )
    # 年初财政拨款结转和结余 by fund; the year-end balance is 年初 + 本年收入 − 本年支出 (fiscal-rules T4)
    general_carry_over = money(_("一般公共预算财政拨款年初结转和结余"))
    fund_carry_over = money(_("政府性基金预算财政拨款年初结转和结余"))
    state_capital_carry_over = money(_("国有资本经营预算财政拨款年初结转和结余"))
    # other important matters
    operating_cost = money(_("机关运行经费"))
    procurement_goods = money(_("政府采购货物支出"))
    procurement_works = money(_("政府采购工程支出"))
    procurement_services = money(_("政府采购服务支出"))
    procurement_sme = money(_("授予中小企业合同金额"))
    procurement_small = money(_("其中授予小微企业合同金额"))
    equipment_general = count(_("单价50万元以上通用设备（台套）"))
    equipment_special = count(_("单价100万元以上专用设备（台套）"))
    # reasons for increases / decreases
    reason_total = models.CharField(_("收支总计变动原因"), max_length=200, blank=True)
    reason_fiscal = models.CharField(_("财政拨款收支变动原因"), max_length=200, blank=True)
    reason_general = models.CharField(_("一般公共预算财政拨款变动原因"), max_length=200, blank=True)
    reason_vehicle = models.CharField(_("公务用车费用变动原因"), max_length=200, blank=True)
    vehicle_use = models.CharField(_("公务用车运行维护费主要用途"), max_length=200, blank=True)
    reason_reception = models.CharField(_("公务接待费变动原因"), max_length=200, blank=True)
    reception_use = models.CharField(_("国内公务接待主要内容"), max_length=200, blank=True)
    reason_operating = models.CharField(_("机关运行经费变动原因"), max_length=200, blank=True)
    # performance
    perf_summary = models.TextField(_("部门整体支出绩效自评（每行一点）"), blank=True)
    self_eval_score = models.DecimalField(_("部门整体自评得分"), max_digits=5, decimal_places=1, default=0)
    self_eval_report = models.TextField(_("部门整体支出绩效评价报告正文（小节标题以“#”开头）"), blank=True)
    notes = models.TextField(_("台账说明（与公开文本不一致之处）"), blank=True)

    class Meta:
        verbose_name = _("部门决算")
        verbose_name_plural = _("部门决算")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["budget_unit", "year"], name="finance_accounts_unit_year")
        ]

    def __str__(self):
        return f"{self.budget_unit} {self.year}"


class SubordinateUnit(models.Model):
    class Kind(models.TextChoices):
        ADMIN = "admin", _("行政单位")
        CIVIL = "civil", _("参照公务员法管理的事业单位")
        INSTITUTION = "institution", _("其他事业单位")

    accounts = models.ForeignKey(FinalAccounts, on_delete=models.CASCADE, related_name="subunits")
    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("单位性质"), max_length=20, choices=Kind.choices)

    class Meta:
        verbose_name = _("下属单位")
        verbose_name_plural = _("下属单位")


class Income(models.Model):
    class Source(models.TextChoices):
        GENERAL = "general", _("一般公共预算财政拨款收入")
        FUND = "fund", _("政府性基金预算财政拨款收入")
        STATE_CAPITAL = "state_capital", _("国有资本经营预算财政拨款收入")
        SUPERIOR = "superior", _("上级补助收入")
        OPERATIONAL = "operational", _("事业收入")
        BUSINESS = "business", _("经营收入")
        SUBORDINATE = "subordinate", _("附属单位上缴收入")
        OTHER = "other", _("其他收入")

    accounts = models.ForeignKey(FinalAccounts, on_delete=models.CASCADE, related_name="incomes")
    source = models.CharField(_("收入来源"), max_length=20, choices=Source.choices)
    amount = money(_("金额（万元）"))

    class Meta:
        verbose_name = _("收入")
        verbose_name_plural = _("收入")
        constraints = [models.UniqueConstraint(fields=["accounts", "source"], name="finance_income_source")]


class Expenditure(models.Model):
    """Expenditure of one 项-level 功能分类 code (一般公共预算财政拨款), split basic / project."""

    accounts = models.ForeignKey(FinalAccounts, on_delete=models.CASCADE, related_name="expenditures")
    code = models.CharField(_("功能分类科目编码（项）"), max_length=7)
    budget = money(_("年初预算数"))
    basic = money(_("基本支出"))
    project = money(_("项目支出"))

    class Meta:
        verbose_name = _("支出")
        verbose_name_plural = _("支出")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["accounts", "code"], name="finance_expenditure_code")]


class EconomicItem(models.Model):
    """Basic expenditure by 部门经济分类 (301/302/303/310 items, 5 digits)."""

    accounts = models.ForeignKey(FinalAccounts, on_delete=models.CASCADE, related_name="economic_items")
    code = models.CharField(_("经济分类科目编码"), max_length=5)
    name = models.CharField(_("科目名称"), max_length=50)
    amount = money(_("决算数"))

    class Meta:
        verbose_name = _("基本支出经济分类")
        verbose_name_plural = _("基本支出经济分类")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["accounts", "code"], name="finance_econ_code")]


class ThreePublic(models.Model):
    class Item(models.TextChoices):
        ABROAD = "abroad", _("因公出国（境）费")
        VEHICLE_PURCHASE = "vehicle_purchase", _("公务用车购置费")
        VEHICLE_OPERATION = "vehicle_operation", _("公务用车运行维护费")
        RECEPTION = "reception", _("公务接待费")

    accounts = models.ForeignKey(FinalAccounts, on_delete=models.CASCADE, related_name="three_public")
    item = models.CharField(_("项目"), max_length=20, choices=Item.choices)
    budget = money(_("预算数"))
    actual = money(_("决算数"))
    prior_actual = money(_("上年决算数"))

    class Meta:
        verbose_name = _("“三公”经费")
        verbose_name_plural = _("“三公”经费")
        constraints = [models.UniqueConstraint(fields=["accounts", "item"], name="finance_threepublic_item")]


class Vehicle(models.Model):
    class Kind(models.TextChoices):
        LEADER = "leader", _("主要领导干部用车")
        CONFIDENTIAL = "confidential", _("机要通信用车")
        EMERGENCY = "emergency", _("应急保障用车")
        ENFORCEMENT = "enforcement", _("执法执勤用车")
        SPECIAL = "special", _("特种专业技术用车")
        OTHER = "other", _("其他用车")

    accounts = models.ForeignKey(FinalAccounts, on_delete=models.CASCADE, related_name="vehicles")
    kind = models.CharField(_("车辆类别"), max_length=20, choices=Kind.choices)
    count = count(_("数量（辆）"))

    class Meta:
        verbose_name = _("车辆")
        verbose_name_plural = _("车辆")
        constraints = [models.UniqueConstraint(fields=["accounts", "kind"], name="finance_vehicle_kind")]


class Project(models.Model):
    class Casework(models.TextChoices):
        """Which casework figures measure the project's output (its quantity indicators' actual values,
        and for the fund the paid assistance cases that its execution is checked against)."""

        NONE = "", _("无（指标实际值按台账文字）")
        VIDEO = "video", _("信访视频会议：视频会议次数、远程接访人次")
        FUND = "fund", _("特殊疑难信访问题专项资金：息诉息访件数、人次，拨付金额")
        DUTY_STATION = "duty_station", _("驻外值班：接访劝返批次、人次")

    accounts = models.ForeignKey(FinalAccounts, on_delete=models.CASCADE, related_name="projects")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("项目名称"), max_length=100)
    casework = models.CharField(
        _("业务记录中的产出数字"), max_length=20, choices=Casework.choices, default="", blank=True
    )
    code = models.CharField(_("功能分类科目编码"), max_length=7, blank=True)
    budget = money(_("预算数"))
    executed = money(_("执行数"))
    fiscal_budget = money(_("其中财政拨款预算数"))
    fiscal_executed = money(_("其中财政拨款执行数"))
    goal = models.TextField(_("年度预期目标"), blank=True)
    achieved = models.TextField(_("实际完成目标"), blank=True)
    effect = models.TextField(_("项目实施成效"), blank=True)
    problems = models.TextField(_("发现的主要问题"), blank=True)
    improvements = models.TextField(_("下一步改进措施"), blank=True)

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["order", "id"]


class Indicator(models.Model):
    class Level1(models.TextChoices):
        OUTPUT = "产出指标", _("产出指标")
        BENEFIT = "效益指标", _("效益指标")
        SATISFACTION = "满意度指标", _("满意度指标")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators")
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    level1 = models.CharField(_("一级指标"), max_length=10, choices=Level1.choices)
    level2 = models.CharField(_("二级指标"), max_length=20)
    name = models.CharField(_("三级指标"), max_length=100)
    target_text = models.CharField(_("预期指标值"), max_length=200)
    actual_text = models.CharField(_("实际完成指标值"), max_length=200)

    class Meta:
        verbose_name = _("绩效指标")
        verbose_name_plural = _("绩效指标")
        ordering = ["order", "id"]
