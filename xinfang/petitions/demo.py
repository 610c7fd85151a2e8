"""Demo data for 茂县信访局: the unit tree, one login per role and a few hundred matters.

Every matter is created and moved by the real services (services.py) while the clock is set back to the
day the step happened (time-machine), so event histories, document numbers (文号) and statutory clocks
are the ones the system itself produced. Nothing here writes a state or a date directly.

The plan is drawn from a seeded random generator (same seed → same data) before anything is written,
then all steps of all matters are replayed in date order, so matter and document numbers follow the
calendar. `count`, `start` and `end` make the generator reusable for other years or volumes.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from time import monotonic

import time_machine
from django.contrib.auth import password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Permission
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from xinfang.accounts import roles as R
from xinfang.accounts.models import User
from xinfang.accounts.services import ensure_roles, grant_roles
from xinfang.analytics import tallies
from xinfang.analytics.models import MatterTally
from xinfang.core.calendars import is_working_day, next_working_day
from xinfang.core.validators import id_check_digit
from xinfang.petitions import deadlines, demo_current, demo_history, services, workflow
from xinfang.petitions.codes import load_codes
from xinfang.petitions.demo_history import grouped
from xinfang.petitions.models import Matter, Registration, Unit

DEMO_PASSWORD = "Xinfang@2019"
DEFAULT_COUNT = 300
DEFAULT_SEED = 2019
# The generic demo starts in 2020: 2018–2019 belong to demo_history, whose figures equal the seed's.
DEFAULT_START = date(2020, 1, 2)

K = Unit.Kind

# --- units --------------------------------------------------------------------------------------------
# (code, name, kind, parent code, 文号简称, 行政区划代码)
HIGHER_UNITS = [
    ("510000", "四川省信访局", K.PROVINCE, None, "川信访", "510000"),
    ("513200", "阿坝州信访局", K.PREFECTURE, "510000", "阿信访", "513200"),
    ("513223000", "茂县县委县政府", K.COUNTY_GOV, "513200", "茂府", "513223"),
    ("513223XFJ", "茂县信访局", K.BUREAU, "513223000", "茂信访", "513223"),
    ("513223XFJ01", "茂县群众接待中心", K.RECEPTION, "513223XFJ", "茂信访接待", "513223"),
    ("513223ZFW", "中共茂县委员会政法委员会", K.LEGAL, "513223000", "茂委政法", "513223"),
    ("513223JW", "茂县纪委监委", K.DISCIPLINE, "513223000", "茂纪", "513223"),
]
COUNTY_GOV = "513223000"
BUREAU = "513223XFJ"
RECEPTION = "513223XFJ01"
PREFECTURE = "513200"
PROVINCE = "510000"
LEGAL = "513223ZFW"
DISCIPLINE = "513223JW"

# County departments: (login of the demo officer, code, name, 文号简称).
DEPARTMENTS = [
    ("renshe", "513223RSJ", "茂县人力资源和社会保障局", "茂人社"),
    ("ziran", "513223ZRZYJ", "茂县自然资源局", "茂自然资源"),
    ("zhujian", "513223ZJJ", "茂县住房和城乡建设局", "茂住建"),
    ("nongye", "513223NYNCJ", "茂县农业农村局", "茂农业农村"),
    ("jiaoyu", "513223JYJ", "茂县教育局", "茂教"),
    ("weijian", "513223WJJ", "茂县卫生健康局", "茂卫健"),
    ("minzheng", "513223MZJ", "茂县民政局", "茂民政"),
    ("jiaotong", "513223JTYSJ", "茂县交通运输局", "茂交运"),
    ("gongan", "513223GAJ", "茂县公安局", "茂公"),
    ("shengtai", "513223STHJJ", "茂县生态环境局", "茂环"),
    ("shuiwu", "513223SWJ", "茂县水务局", "茂水务"),
    ("shijian", "513223SCJGJ", "茂县市场监督管理局", "茂市监"),
    ("linye", "513223LCJ", "茂县林业和草原局", "茂林草"),
    ("tuiyi", "513223TYJRJ", "茂县退役军人事务局", "茂退役"),
]

# 乡镇 of 茂县 with 9-digit codes (GB/T 10114: 1xx 镇, 2xx 乡). DEMO DATA: names and codes are to be
# checked against the current 民政 list (乡镇 have been merged since 2019) before any real use.
TOWNSHIPS = [
    ("fengyi", "凤仪镇", "513223100"),
    ("nanxin", "南新镇", "513223101"),
    ("diexi", "叠溪镇", "513223102"),
    ("weimen", "渭门乡", "513223200"),
    ("goukou", "沟口乡", "513223201"),
    ("yonghe", "永和乡", "513223202"),
    ("huilong", "回龙乡", "513223203"),
    ("sanlong", "三龙乡", "513223204"),
    ("baixi", "白溪乡", "513223205"),
    ("wadi", "洼底乡", "513223206"),
    ("yadu", "雅都乡", "513223207"),
    ("weicheng", "维城乡", "513223208"),
    ("qugu", "曲谷乡", "513223209"),
    ("heihu", "黑虎乡", "513223210"),
    ("taiping", "太平乡", "513223211"),
    ("songpinggou", "松坪沟乡", "513223212"),
    ("tumen", "土门乡", "513223213"),
    ("dongxing", "东兴乡", "513223214"),
    ("fushun", "富顺乡", "513223215"),
    ("shidaguan", "石大关乡", "513223216"),
    ("guangming", "光明乡", "513223217"),
    ("chibusu", "赤不苏乡", "513223218"),
]


def make_units() -> dict[str, Unit]:
    """Create the unit tree (idempotent: existing rows with the same code are updated). Keyed by code."""
    units: dict[str, Unit] = {}

    def put(code, name, kind, parent, short, division):
        units[code], _ = Unit.objects.update_or_create(
            code=code,
            defaults=dict(name=name, kind=kind, parent=units.get(parent), short_name=short,
                          division_code=division, is_active=True),
        )  # fmt: skip

    for spec in HIGHER_UNITS:
        put(*spec)
    for _login, code, name, short in DEPARTMENTS:
        put(code, name, K.DEPARTMENT, COUNTY_GOV, short, "513223")
    for _login, name, code in TOWNSHIPS:
        put(code, name, K.TOWNSHIP, COUNTY_GOV, name[:-1], code)
    return units


# --- users --------------------------------------------------------------------------------------------
# (login, role, unit code, 姓名, unit as printed in the login table)
_STAFF = [
    ("jiedai", R.CLERK, RECEPTION, "杨某", "群众接待中心"),
    ("banan", R.CASE_OFFICER, BUREAU, "王某", "信访局"),
    ("renshe", R.UNIT_OFFICER, "513223RSJ", "陈某", "人社局"),
    ("renshe2", R.UNIT_HEAD, "513223RSJ", "何某", "人社局，审批延期"),
    ("fengyi", R.UNIT_OFFICER, "513223100", "余某", "凤仪镇"),
    ("ducha", R.SUPERVISOR, BUREAU, "赵某", "信访局"),
    ("lingdao", R.LEADER, COUNTY_GOV, "马某", "县委县政府"),
    ("caiwu", R.FINANCE, BUREAU, "罗某", "信访局"),
    ("shenji", R.AUDITOR, BUREAU, "周某", "信访局"),
    ("admin", R.ADMIN, BUREAU, "李某", "信访局，管理用户"),
    ("anquan", R.SECURITY_ADMIN, BUREAU, "孙某", "信访局，审批角色授予"),
]
_UNIT_NAMES = {c: n for c, n, *_ in HIGHER_UNITS} | {c: n for _, c, n, _ in DEPARTMENTS}
_UNIT_NAMES |= {c: n for _, n, c in TOWNSHIPS}

# The logins to print (Makefile / README / the command): (用户名, 角色, 密码).
DEMO_USERS: list[tuple[str, str, str]] = [
    (login, f"{R.ROLE_LABELS[role]}（{where}）", DEMO_PASSWORD) for login, role, _unit, _name, where in _STAFF
]
# Every other department and township has one officer, login = the unit's pinyin (e.g. zhujian, weimen),
# with the same password; they carry out the demo history of their unit's matters.
OFFICER_LOGINS = {code: login for login, code, *_ in DEPARTMENTS} | {
    code: login for login, _, code in TOWNSHIPS
}
# Each of them also has a 负责人 (role unit_head), who approves the unit's extensions: login = the officer's
# login + "_fzr" (人社局: renshe2, above).
HEAD_LOGINS = {code: f"{login}_fzr" for code, login in OFFICER_LOGINS.items()} | {"513223RSJ": "renshe2"}
_SURNAMES = "王李张刘陈杨黄赵周吴徐孙马胡朱郭何罗高林余谢蒋唐"
_ADMIN_PERMISSIONS = ("add_user", "change_user", "view_user", "view_group")


def make_users(units: dict[str, Unit]) -> dict[str, User]:
    """Create the demo staff (idempotent). The password is hashed once: hashing ~50 users would cost more
    than the whole matter history."""
    ensure_roles()
    password_validation.validate_password(DEMO_PASSWORD)
    encoded = make_password(DEMO_PASSWORD)
    specs = [spec[:4] for spec in _STAFF]
    taken = {login for login, *_ in _STAFF}
    for i, (code, login) in enumerate(OFFICER_LOGINS.items()):
        if login not in taken:
            specs.append((login, R.UNIT_OFFICER, code, f"{_SURNAMES[i % len(_SURNAMES)]}某"))
    for i, (code, login) in enumerate(HEAD_LOGINS.items()):
        if login not in taken:
            specs.append((login, R.UNIT_HEAD, code, f"{_SURNAMES[(i + 7) % len(_SURNAMES)]}某"))
    users: dict[str, User] = {}
    for login, role, unit_code, name in specs:
        user, created = User.objects.get_or_create(
            username=login, defaults=dict(full_name=name, unit=units[unit_code], password=encoded)
        )
        if created:
            grant_roles(user, role)
        users[login] = User.objects.get(pk=user.pk)
    # 安全管理员 decides the grant requests in the admin site (its role's permissions): staff, not superuser.
    User.objects.filter(username="anquan").update(is_staff=True)
    users["anquan"] = User.objects.get(username="anquan")
    admin = users["admin"]
    if not admin.is_staff:
        # 系统管理员 manages accounts in the admin site and nothing else: staff, not superuser.
        User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=False)
        admin.user_permissions.add(
            *Permission.objects.filter(
                content_type__app_label__in=("accounts", "auth"), codename__in=_ADMIN_PERMISSIONS
            )
        )
        users["admin"] = User.objects.get(pk=admin.pk)
    return users


# --- what petitioners write about ---------------------------------------------------------------------


@dataclass(frozen=True)
class Theme:
    content: str  # 内容分类 code
    purpose: str  # 信访目的 code
    units: tuple[str, ...]  # handling unit codes; "township" = the township where the problem is
    title: str
    text: str
    request: str
    subject: str  # for the opinions: 您反映的{subject}问题
    remedy: str  # what the unit does when the request is supported
    route: str = "unit"  # unit | legal | discipline | other
    weight: int = 3


RSJ, ZRZY, ZJJ, NY, JY, WJ, MZ, JT, GA, ST, SW, SJ, LC, TY = (c for _, c, _, _ in DEPARTMENTS)
TS = "township"

THEMES = [
    Theme("0303", "04", (RSJ,), "反映{company}拖欠{place}务工人员工资问题",
          "信访人反映，其与同村{n}名村民在{company}承建的{project}项目务工，{company}至今拖欠工资共计{amount}万元，多次催要未果。",
          "请求督促{company}尽快支付拖欠的工资。", "拖欠务工人员工资", "已责令{company}在十五日内结清拖欠工资，县人社局跟踪督促兑付。", weight=8),
    Theme("0305", "04", (RSJ,), "反映本人退休后养老金待遇核定偏低问题",
          "信访人反映，其于{year}年退休，认为养老金核定时未将部分工龄计入视同缴费年限，待遇偏低。",
          "请求重新核定养老金待遇。", "养老金待遇核定", "已重新核查档案，补计视同缴费年限并调整待遇，差额一并补发。", weight=4),
    Theme("0304", "04", (RSJ,), "反映与{company}劳动合同纠纷问题",
          "信访人反映，其在{company}工作{n}年，公司未签订书面劳动合同、未缴纳社会保险即将其辞退。",
          "请求支付经济补偿并补缴社会保险。", "劳动合同纠纷", "已督促用人单位为信访人补缴社会保险，经济补偿事项引导申请劳动仲裁。", weight=3),
    Theme("0302", "01", (RSJ,), "关于在{township}开展羌绣技能培训的建议",
          "信访人建议在{township}开展羌绣、烹饪等就业技能培训，帮助返乡妇女就近就业。",
          "建议将{township}纳入今年职业技能培训计划。", "开展就业技能培训的建议", "已将{township}纳入本年度职业技能培训计划。", weight=2),
    Theme("0202", "04", (ZRZY, TS), "反映{place}土地征收补偿款分配问题",
          "信访人反映，{project}项目征收{place}集体土地{n}亩，补偿款分配方案未经村民会议讨论，部分农户未足额领取。",
          "请求公开补偿款分配明细并足额发放。", "土地征收补偿款分配", "已督促村委会公开分配明细，经村民会议重新表决后补发差额。", weight=7),
    Theme("0201", "04", (TS,), "反映与邻居宅基地界址纠纷问题",
          "信访人反映，邻居新建房屋占用其宅基地约{n}平方米，经村组调解未果。",
          "请求依法确认宅基地界址。", "宅基地界址纠纷", "已组织实地测量并依据确权资料确认界址，邻居同意拆除越界部分。", weight=4),
    Theme("0203", "04", (ZRZY,), "反映{place}附近砂石开采影响房屋安全问题",
          "信访人反映，{place}附近砂石场夜间爆破开采，造成其房屋墙体开裂，存在安全隐患。",
          "请求查处违规开采并赔偿损失。", "砂石开采影响房屋安全", "已责令砂石场停止夜间作业，委托鉴定机构评估房屋损失并督促赔偿。", weight=2),
    Theme("0402", "04", (NY, TS), "反映{place}土地承包经营权被调整问题",
          "信访人反映，村组在未征得其同意的情况下将其承包的{n}亩耕地调整给他人耕种。",
          "请求恢复其土地承包经营权。", "土地承包经营权被调整", "已责令村组恢复信访人承包地，并完善承包合同。", weight=4),
    Theme("0401", "04", (TS,), "反映{place}村务公开不及时问题",
          "信访人反映，{place}近两年集体经济收益和项目资金使用情况未按规定公开。",
          "请求公开村级财务和项目资金使用情况。", "村务公开不及时", "已督促村委会按季度公开村级财务，并对近两年账目进行审计。", weight=3),
    Theme("0403", "04", (NY, TS), "反映{place}产业扶贫项目分红未兑现问题",
          "信访人反映，{place}{project}项目合作社承诺的入股分红{year}年度未兑现。",
          "请求兑现分红。", "产业扶贫项目分红", "已督促合作社清算并兑现{year}年度分红。", weight=3),
    Theme("0404", "04", (NY,), "反映生猪强制免疫补助发放问题",
          "信访人反映，其饲养生猪{n}头，按规定应享受的强制免疫补助未发放。",
          "请求核实并发放补助。", "强制免疫补助发放", "经核实补助漏报，已补报并发放。", weight=1),
    Theme("0102", "04", (ZJJ,), "反映{place}安置房屋顶渗漏、墙体开裂问题",
          "信访人反映，其分得的{project}安置房入住不到两年即出现屋顶渗漏、墙体开裂，施工单位拒不维修。",
          "请求督促施工单位维修。", "安置房质量", "已责令施工单位在保修期内完成维修，住建局组织验收。", weight=4),
    Theme("0101", "04", (ZJJ, TS), "反映农房风貌改造补助未到位问题",
          "信访人反映，其按要求完成{year}年农房风貌改造，承诺的补助资金至今未到位。",
          "请求发放改造补助。", "农房风貌改造补助", "经核实符合补助条件，已拨付补助资金。", weight=3),
    Theme("0104", "01", (ZJJ,), "关于在县城增设停车位的建议",
          "信访人建议在县城{street}一带利用闲置地块建设公共停车场，缓解停车难。",
          "建议规划建设公共停车场。", "增设停车位的建议", "已将该建议纳入县城停车设施专项规划研究。", weight=2),
    Theme("0103", "04", (ZJJ,), "反映{company}拖欠工程款问题",
          "信访人反映，其承包{company}{project}项目的劳务分包，工程已验收，尚欠工程款{amount}万元。",
          "请求督促支付工程款。", "拖欠工程款", "已约谈{company}，双方达成分期支付协议。", weight=2),
    Theme("08", "04", (MZ,), "申请将家庭纳入农村低保问题",
          "信访人反映，其家庭{n}口人，本人患慢性病，家庭收入低于当地低保标准，申请低保未获批准。",
          "请求纳入农村最低生活保障。", "申请纳入农村低保", "经入户核查，家庭收入符合条件，已按程序纳入农村低保。", weight=3),
    Theme("08", "04", (TY,), "反映退役士兵优抚待遇落实问题",
          "信访人系{year}年退役士兵，反映其应享受的优抚补助未按标准发放。",
          "请求按标准落实优抚待遇。", "退役士兵优抚待遇", "经核实，已按现行标准补发优抚补助。", weight=2),
    Theme("09", "04", (JY,), "反映子女就近入学问题",
          "信访人反映，其户籍在{township}，子女今年升入初中，未能安排在就近学校就读。",
          "请求安排子女就近入学。", "子女就近入学", "已协调学校为其子女办理就近入学手续。", weight=2),
    Theme("09", "04", (JY, RSJ), "反映原民办代课教师待遇问题",
          "信访人反映，其于上世纪在{township}村小担任民办代课教师{n}年，要求落实相关生活补助。",
          "请求落实原民办代课教师生活补助。", "原民办代课教师待遇", "经核实教龄，已按政策发放生活补助。", weight=2),
    Theme("10", "04", (WJ,), "反映在县医院就医发生医疗纠纷问题",
          "信访人反映，其家属在县医院手术后出现并发症，认为医院存在过错。",
          "请求查明责任并赔偿。", "医疗纠纷", "已组织医患双方调解，并告知可申请医疗事故技术鉴定。", weight=2),
    Theme("13", "04", (JT,), "反映{place}通村公路路面损毁影响出行问题",
          "信访人反映，{place}通村公路因汛期塌方损毁，至今未修复，群众出行困难。",
          "请求尽快修复通村公路。", "通村公路损毁", "已将该路段纳入水毁修复计划并组织抢修。", weight=3),
    Theme("13", "01", (JT,), "关于增开县城至{township}客运班车的建议",
          "信访人建议增开县城至{township}的客运班次，方便群众就医、赶场。",
          "建议增开客运班次。", "增开客运班车的建议", "已协调客运公司每日增开往返班次。", weight=1),
    Theme("13", "04", (ST,), "反映{company}排放粉尘污染问题",
          "信访人反映，{place}附近{company}生产时粉尘排放严重，影响周边群众生活和农作物生长。",
          "请求依法查处。", "企业粉尘污染", "已责令企业限期整改，安装除尘设施并加强监测。", weight=2),
    Theme("13", "04", (SW, TS), "反映{place}安全饮水工程供水不正常问题",
          "信访人反映，{place}安全饮水工程入冬以来经常停水，水质浑浊。",
          "请求维修供水设施，保障饮水安全。", "安全饮水工程供水", "已维修管网并清洗蓄水池，水质检测合格。", weight=3),
    Theme("14", "04", (SJ,), "反映在县城超市购买过期食品投诉处理问题",
          "信访人反映，其在县城某超市购买的食品已过保质期，向商家投诉未获处理。",
          "请求依法处理并赔偿。", "过期食品投诉", "已对商家立案查处，并督促其依法赔偿。", weight=1),
    Theme("02", "04", (LC,), "反映{place}退耕还林补助发放问题",
          "信访人反映，其家{n}亩退耕还林地的补助资金{year}年度未足额发放。",
          "请求补发退耕还林补助。", "退耕还林补助", "经核查面积，已补发差额补助。", weight=2),
    Theme("05", "04", (GA,), "反映治安案件处理不及时问题",
          "信访人反映，其与他人发生纠纷被打伤，报警后至今未得到处理结果。",
          "请求依法处理。", "治安案件处理", "已依法对打人者作出行政处罚，并告知信访人处理结果。", weight=2),
    Theme("18", "98", (RSJ, MZ), "咨询被征地农民养老保险参保政策",
          "信访人咨询被征地农民参加养老保险的条件、缴费标准和办理程序。",
          "请求解答有关政策。", "被征地农民养老保险政策咨询", "已书面答复参保条件、缴费标准和办理流程。", weight=2),
    # Leaving ordinary petition handling
    Theme("05", "03", (), "对法院民事判决不服申诉问题",
          "信访人对县人民法院作出的民事判决不服，认为判决认定事实错误。",
          "请求撤销原判决。", "民事判决申诉", "", route="legal", weight=3),
    Theme("05", "04", (), "反映法院判决执行不到位问题",
          "信访人反映，法院判决对方支付欠款{amount}万元，至今未执行到位。",
          "请求加大执行力度。", "判决执行", "", route="legal", weight=2),
    Theme("06", "02", (), "检举{place}村干部优亲厚友套取惠民补贴问题",
          "信访人检举，{place}村干部在危房改造、低保评定中优亲厚友，为亲属套取补贴。",
          "请求调查处理。", "村干部套取惠民补贴", "", route="discipline", weight=2),
    Theme("06", "02", (), "检举{accused}工作人员违规收受好处问题",
          "信访人检举，{accused}个别工作人员在办理审批事项时收受好处费。",
          "请求调查处理。", "工作人员违规收受好处", "", route="discipline", weight=1),
    Theme("18", "04", (), "反映与他人民间借贷纠纷问题",
          "信访人反映，其借给他人{amount}万元，对方到期拒不归还。",
          "请求帮助追回借款。", "民间借贷纠纷", "", route="other", weight=2),
]  # fmt: skip

COMPANIES = [
    "某建筑劳务有限公司",
    "某建设工程有限公司",
    "某水电开发有限公司",
    "某农业开发有限公司",
    "某建材有限公司",
]
PROJECTS = ["安置房", "通村公路", "农田水利", "灾后重建", "甜樱桃种植", "李子基地", "乡村旅游"]
STREETS = ["凤仪大道", "南庄路", "羌城路", "禹乡路"]
REDIRECT_OTHER_REASONS = ["茂县人民法院", "有管辖权的人民法院或者仲裁机构"]
DECLINE_REASONS = ["pending_elsewhere", "review_window_lapsed", "concluded", "no_review_requested"]
OBJECTION_REASON = "该事项属于{unit}职权范围，不属于本单位职责，请重新转送。"
PLACES = ["接待大厅", "县群众接待中心", "领导接访室"]

CHANNEL_WEIGHTS = {"letter": 18, "phone": 10, "visit": 30, "online": 30, "video": 3, "assigned": 9}

# Target states of the random fill: finished matters dominate, as in a real register.
STATE_WEIGHTS = {
    workflow.RECEIVED: 2, workflow.REGISTERED: 3, workflow.REPORTED: 0.5, workflow.FORWARDED: 3,
    workflow.ASSIGNED: 2, workflow.REDIRECTED_LEGAL: 4, workflow.REDIRECTED_DISCIPLINE: 3,
    workflow.REDIRECTED_OTHER: 2, workflow.NOT_ACCEPTED: 4, workflow.NO_LONGER_ACCEPTED: 0,
    workflow.RECEIVED_BY_UNIT: 2, workflow.OBJECTED: 0.5, workflow.ACCEPTED: 3, workflow.CHANNELED: 3,
    workflow.INVESTIGATING: 6, workflow.EXTENDED: 2, workflow.REPLIED: 2, workflow.DELIVERED: 3,
    workflow.UNDER_REVIEW: 1.5, workflow.REVIEW_DECIDED: 1.5, workflow.UNDER_RECHECK: 1,
    workflow.TERMINATED: 2, workflow.CLOSED: 40, workflow.ARCHIVED: 30,
}  # fmt: skip


# --- the plan -----------------------------------------------------------------------------------------


@dataclass
class Step:
    action: str
    gap: tuple[int, int]  # calendar days after the previous step (drawn at random in this range)
    args: dict = field(default_factory=dict)
    on: date | None = None
    at: datetime | None = None


@dataclass
class Plan:
    """One demo matter (or one extra registration joining another matter, when `joins` is set)."""

    index: int
    state: str  # the state the matter ends in ("" for a registration joining another matter)
    theme: Theme
    channel: str
    township: str  # Unit.code
    unit: str  # handling Unit.code ("" when not handled by a county unit)
    petitioners: list
    steps: list[Step]
    clock: str = ""  # "ok" | "due_soon" | "overdue" for open states with a clock
    tag: str = ""  # special case this plan demonstrates
    extra: dict = field(default_factory=dict)
    joins: int | None = None  # index of the plan whose matter this registration joins / refers to


GAPS = {
    "submit": (0, 0), "register": (0, 0), "register_received": (0, 2), "report_major": (0, 2),
    "forward": (1, 10), "assign": (1, 10), "redirect_legal": (1, 10), "redirect_discipline": (1, 8),
    "redirect_other": (1, 10), "decline": (1, 10), "refuse_repeat": (1, 6), "acknowledge": (0, 1),
    "object": (0, 2), "uphold_objection": (1, 4), "reject_objection": (1, 4), "accept": (1, 12),
    "channel": (3, 20), "investigate": (1, 7), "extend": (30, 40), "reply": (15, 50),
    "deliver": (1, 6), "request_review": (5, 20), "decide_review": (10, 28), "request_recheck": (5, 20),
    "record_recheck": (10, 28), "close": (40, 55), "archive": (5, 60),
}  # fmt: skip

UNIT_CHAIN = ["acknowledge", "accept", "investigate", "reply", "deliver", "request_review", "decide_review",
              "request_recheck", "record_recheck"]  # fmt: skip
CHAIN_END = {
    workflow.RECEIVED_BY_UNIT: "acknowledge", workflow.ACCEPTED: "accept",
    workflow.INVESTIGATING: "investigate", workflow.EXTENDED: "investigate", workflow.REPLIED: "reply",
    workflow.DELIVERED: "deliver", workflow.UNDER_REVIEW: "request_review",
    workflow.REVIEW_DECIDED: "decide_review", workflow.UNDER_RECHECK: "request_recheck",
    workflow.TERMINATED: "record_recheck",
}  # fmt: skip

# Open states with a running staff or petitioner clock: (step that starts it, clock code).
ANCHORS = {
    workflow.REGISTERED: ("register", "TRIAGE"), workflow.REPORTED: ("register", "TRIAGE"),
    workflow.FORWARDED: ("forward", "NOTIFY"), workflow.ASSIGNED: ("assign", "NOTIFY"),
    workflow.RECEIVED_BY_UNIT: ("acknowledge", "NOTIFY"), workflow.ACCEPTED: ("accept", "HANDLE"),
    workflow.INVESTIGATING: ("accept", "HANDLE"), workflow.EXTENDED: ("accept", "HANDLE"),
    workflow.REPLIED: ("accept", "HANDLE"), workflow.DELIVERED: ("deliver", "REVIEW_REQUEST"),
    workflow.UNDER_REVIEW: ("request_review", "REVIEW"),
    workflow.REVIEW_DECIDED: ("decide_review", "RECHECK_REQUEST"),
    workflow.UNDER_RECHECK: ("request_recheck", "RECHECK"),
}  # fmt: skip
# Windows of the petitioner: an expired one would already have been closed by the sweep.
PETITIONER_CLOCKS = {workflow.DELIVERED, workflow.REVIEW_DECIDED}
EXTENSION_DAYS = 30
# States tried, in order, for the demo's required due-soon matter.
DUE_SOON_STATES = (workflow.ACCEPTED, workflow.INVESTIGATING, workflow.FORWARDED, workflow.RECEIVED_BY_UNIT,
                   workflow.REGISTERED, workflow.UNDER_REVIEW, workflow.UNDER_RECHECK)  # fmt: skip


class Planner:
    """Draws the demo plans. Pure: reads the unit codes and the calendar, writes nothing."""

    def __init__(self, *, seed: int, start: date, end: date):
        self.rng = random.Random(seed)
        self.start, self.end = start, end  # `end`: the last day on which a step may happen
        self.today = end + timedelta(days=1)
        self.plans: list[Plan] = []
        self.used_ids: set[str] = set()
        self.themes_by_route: dict[str, list[Theme]] = {}
        for t in THEMES:
            self.themes_by_route.setdefault(t.route, []).append(t)

    # -- people
    def person(self, township: str, *, representative=False) -> services.PetitionerInput:
        rng = self.rng
        while True:
            born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 62))
            first17 = f"513223{born:%Y%m%d}{rng.randrange(0, 1000):03d}"
            number = first17 + id_check_digit(first17)
            if number not in self.used_ids:
                self.used_ids.add(number)
                break
        return services.PetitionerInput(
            name=f"{rng.choice(_SURNAMES)}某某", id_number=number, mobile=f"139{rng.randrange(10**8):08d}",
            address=f"茂县{township}某村{rng.randint(1, 9)}组", is_representative=representative,
        )  # fmt: skip

    # -- choices
    def theme(self, state: str) -> Theme:
        route = {workflow.REDIRECTED_LEGAL: "legal", workflow.REDIRECTED_DISCIPLINE: "discipline",
                 workflow.REDIRECTED_OTHER: "other"}.get(state, "unit")  # fmt: skip
        themes = self.themes_by_route[route]
        return self.rng.choices(themes, weights=[t.weight for t in themes])[0]

    def township(self) -> tuple[str, str]:
        weights = [
            12 if login == "fengyi" else 4 if i < 3 else 1 for i, (login, _, _) in enumerate(TOWNSHIPS)
        ]
        _login, name, code = self.rng.choices(TOWNSHIPS, weights=weights)[0]
        return code, name

    def channel(self, state: str) -> str:
        if state == workflow.RECEIVED:
            return "online"
        return self.rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]

    # -- steps
    def path(self, state: str, channel: str, variant: str = "") -> list[Step]:
        rng = self.rng
        if channel != "online":
            steps = [Step("register", GAPS["register"])]
        elif state == workflow.RECEIVED:
            steps = [Step("submit", GAPS["submit"])]
        else:
            steps = [Step("submit", GAPS["submit"]), Step("register_received", GAPS["register_received"])]
        if state in (workflow.RECEIVED, workflow.REGISTERED):
            return steps
        if state == workflow.REPORTED:
            return steps + [Step("report_major", GAPS["report_major"])]
        direct = {workflow.REDIRECTED_LEGAL: "redirect_legal", workflow.REDIRECTED_DISCIPLINE: "redirect_discipline",
                  workflow.REDIRECTED_OTHER: "redirect_other", workflow.NOT_ACCEPTED: "decline",
                  workflow.NO_LONGER_ACCEPTED: "refuse_repeat"}  # fmt: skip
        if state in direct:
            return steps + [Step(direct[state], GAPS[direct[state]])]
        if state == workflow.ARCHIVED:
            return self.path(variant, channel) + [Step("archive", GAPS["archive"])]
        if state in (workflow.FORWARDED, workflow.ASSIGNED):
            triage = "forward" if state == workflow.FORWARDED else "assign"
        else:
            triage = "assign" if channel == "assigned" or rng.random() < 0.12 else "forward"
        if state not in ANCHORS and rng.random() < 0.05:
            steps.append(Step("report_major", GAPS["report_major"]))
        steps.append(Step(triage, GAPS[triage]))
        if state in (workflow.FORWARDED, workflow.ASSIGNED):
            return steps
        if state == workflow.OBJECTED:
            return steps + [Step("acknowledge", GAPS["acknowledge"]), Step("object", GAPS["object"])]
        if state not in ANCHORS and rng.random() < 0.08:  # an objection in the history of a finished matter
            upheld = rng.random() < 0.5
            steps += [Step("acknowledge", GAPS["acknowledge"]), Step("object", GAPS["object"]),
                      Step("uphold_objection" if upheld else "reject_objection", GAPS["uphold_objection"])]  # fmt: skip
            if upheld:
                steps.append(Step(triage, GAPS[triage]))
        acknowledged = steps[-1].action == "reject_objection"  # back with the unit, already received
        if state == workflow.CHANNELED:
            return (
                steps
                + [Step(a, GAPS[a]) for a in UNIT_CHAIN[acknowledged:2]]
                + [Step("channel", GAPS["channel"])]
            )
        if state == workflow.CLOSED:
            end = "decide_review" if rng.random() < 0.2 else "deliver"
            chain = UNIT_CHAIN[acknowledged : UNIT_CHAIN.index(end) + 1]
        else:
            chain = UNIT_CHAIN[acknowledged : UNIT_CHAIN.index(CHAIN_END[state]) + 1]
        extend = state == workflow.EXTENDED or ("reply" in chain and state != workflow.REPLIED
                                               and rng.random() < 0.12)  # fmt: skip
        for action in chain:
            steps.append(Step(action, GAPS[action]))
            if action == "investigate" and extend:
                steps.append(Step("extend", GAPS["extend"]))
            if action == "reply" and extend:
                steps[-1].gap = (10, 25)
        if state == workflow.CLOSED:
            steps.append(Step("close", GAPS["close"]))
        return steps

    # -- dates
    def _gap(self, step: Step) -> int:
        return self.rng.randint(*step.gap)

    def _snap(self, action: str, d: date) -> date:
        """Staff act on working days; online submissions and the overnight sweep any day."""
        return d if action in ("submit", "close") else next_working_day(d)

    def date_ending(self, steps: list[Step], *, latest: date, earliest: date | None = None) -> None:
        """Dates for a finished path: ends on or before `latest`, starts at random after `earliest`."""
        gaps = [self._gap(s) for s in steps]
        span = sum(gaps) + 10 * len(steps) // 4  # room for working-day shifts
        lo = earliest or self.start
        hi = max(lo, latest - timedelta(days=span))
        first = lo + timedelta(days=self.rng.randint(0, (hi - lo).days))
        for _ in range(20):
            d = first
            for s, g in zip(steps, gaps, strict=True):
                d = self._snap(s.action, d + timedelta(days=g))
                s.on = d
            if d <= latest:
                return
            first -= timedelta(days=(d - latest).days)
        raise RuntimeError("cannot fit the demo path before the end date")

    def due_for(self, state: str, anchor_on: date) -> date:
        code = ANCHORS[state][1]
        due = deadlines.clock_due(code, anchor_on)
        if state == workflow.EXTENDED:
            due = deadlines.due_date(due, EXTENSION_DAYS)
        return due

    def anchor_days(self, state: str, status: str, *, room: int) -> list[date]:
        """Working days (latest first) on which `state`'s clock can start so that it is `status` today,
        leaving `room` days for the steps after it. Empty when the calendar allows none (e.g. a due-soon
        clock when every day of the coming few is a holiday)."""
        candidates = []
        d = self.end - timedelta(days=min(room, 3))
        for _ in range(500):
            if is_working_day(d) and d >= self.start:
                st = deadlines.clock_status(self.due_for(state, d), today=self.today)
                if st == status:
                    candidates.append(d)
                elif candidates and status != "overdue":
                    break
            if status == "overdue" and len(candidates) > 150:
                break
            d -= timedelta(days=1)
        return candidates

    def placeable(self, state: str, status: str) -> bool:
        return bool(self.anchor_days(state, status, room=0))

    def date_open(self, plan: Plan) -> None:
        """Dates for an open matter whose running clock is ok / due soon / overdue today."""
        rng, steps, state = self.rng, plan.steps, plan.state
        anchor_action = ANCHORS[state][0]
        k = max(i for i, s in enumerate(steps) if s.action == anchor_action
                or (anchor_action == "register" and s.action == "register_received"))  # fmt: skip
        post = steps[k + 1 :]
        post_gaps = [self._gap(s) for s in post]
        room = sum(post_gaps)
        status = plan.clock
        candidates = self.anchor_days(state, status, room=room)
        if not candidates:  # the path is too long for the wanted status: accept what the clock gives
            candidates = [next_working_day(self.end - timedelta(days=min(room, 3) + 4))]
        anchor_on = candidates[min(int(rng.expovariate(1 / 25)), len(candidates) - 1)] if status == "overdue" \
            else rng.choice(candidates)  # fmt: skip
        steps[k].on = anchor_on
        # backwards from the anchor
        d = anchor_on
        for i in range(k, 0, -1):
            d = d - timedelta(days=self._gap(steps[i]))
            while steps[i - 1].action != "submit" and not is_working_day(d):
                d -= timedelta(days=1)
            steps[i - 1].on = d
        # forwards to at most `end`, squeezed if needed
        available = (self.end - anchor_on).days
        if room > available:
            post_gaps = [g * available // room for g in post_gaps]
        d = anchor_on
        for s, g in zip(post, post_gaps, strict=True):
            nd = self._snap(s.action, d + timedelta(days=g))
            s.on = nd if nd <= self.end else min(d + timedelta(days=g), self.end)
            d = s.on

    def times(self, plan: Plan) -> None:
        """Office hours, strictly increasing within the plan."""
        prev = None
        for s in plan.steps:
            hour = self.rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17]) if s.action != "close" else 1
            at = timezone.make_aware(datetime.combine(s.on, time(hour, self.rng.randrange(0, 60, 5))))
            if prev is not None and at <= prev:
                at = prev + timedelta(minutes=20)
            s.at = prev = at

    # -- one plan
    def make(self, state: str, *, clock: str = "", channel: str = "", theme: Theme | None = None,
             tag: str = "", variant: str = "", latest: date | None = None,
             township: tuple[str, str] | None = None) -> Plan:  # fmt: skip
        rng = self.rng
        if state == workflow.ARCHIVED and not variant:
            variant = rng.choices(
                [workflow.CLOSED, workflow.NOT_ACCEPTED, workflow.REDIRECTED_LEGAL, workflow.REDIRECTED_OTHER,
                 workflow.CHANNELED, workflow.TERMINATED], weights=[60, 10, 10, 5, 10, 5])[0]  # fmt: skip
        theme = theme or self.theme(variant if state == workflow.ARCHIVED else state)
        channel = channel or self.channel(state)
        if theme.route == "legal" and channel in ("assigned", "online") and state != workflow.RECEIVED:
            channel = "letter"  # 涉法涉诉信件 are forwarded to the 政法委 (条例第二十二条第二款)
        township, township_name = township or self.township()
        unit = ""
        if theme.route == "unit":
            unit = rng.choice(theme.units)
            if unit == TS:
                unit = township
        if state in (workflow.OBJECTED,):
            unit = rng.choice([c for _, c, _, _ in DEPARTMENTS])
        people = [self.person(township_name)]
        if channel == "letter" and rng.random() < 0.1:
            people += [self.person(township_name) for _ in range(rng.randint(1, 3))]
        plan = Plan(
            index=len(self.plans), state=state, theme=theme, channel=channel, township=township,
            unit=unit, petitioners=people, steps=self.path(state, channel, variant), clock=clock, tag=tag,
        )  # fmt: skip
        plan.extra["fill"] = {
            "place": f"{township_name}某村", "township": township_name, "company": rng.choice(COMPANIES),
            "project": rng.choice(PROJECTS), "street": rng.choice(STREETS), "n": rng.randint(2, 30),
            "amount": rng.choice(["1.2", "3.5", "4.8", "6.7", "12.6", "18", "25.4"]),
            "accused": _UNIT_NAMES[rng.choice([ZJJ, ZRZY, SJ, township])], "year": rng.randint(2010, 2017),
        }  # fmt: skip
        if theme.route == "discipline":
            plan.extra["accused_unit"] = township if "村干部" in theme.title else self._accused(plan)
            plan.extra["accused_person"] = "某某（村委会主任）" if "村干部" in theme.title else "某某"
        if state in ANCHORS and not plan.clock:
            weights = [70, 10, 20] if state not in PETITIONER_CLOCKS else [85, 15, 0]
            plan.clock = rng.choices(["ok", "due_soon", "overdue"], weights=weights)[0]
        if plan.clock:
            self.date_open(plan)
        elif state in (workflow.RECEIVED, workflow.OBJECTED):
            last = self.end - timedelta(days=rng.randint(0, 3))
            self.date_ending(plan.steps, latest=last, earliest=last - timedelta(days=5 + 4 * len(plan.steps)))
        else:
            self.date_ending(plan.steps, latest=latest or self.end)
        if channel == "assigned":
            self._assigned_from_above(plan)
        for s in plan.steps:
            if s.action in ("forward", "assign"):
                s.args["unit"] = plan.unit
        self._wrong_units(plan)
        self.times(plan)
        self.plans.append(plan)
        return plan

    def _accused(self, plan: Plan) -> str:
        name = plan.extra["fill"]["accused"]
        return next(c for c, n in _UNIT_NAMES.items() if n == name)

    def _assigned_from_above(self, plan: Plan) -> None:
        source = PREFECTURE if self.rng.random() < 0.8 else PROVINCE
        received = plan.steps[0].on
        due = received + timedelta(days=self.rng.choice([30, 45, 60]))
        prefix = "阿信访交" if source == PREFECTURE else "川信访交"
        plan.extra.update(source_unit=source, external_due=due,
                          external_number=f"{prefix}〔{received.year}〕{self.rng.randint(1, 120)}号")  # fmt: skip

    def _wrong_units(self, plan: Plan) -> None:
        """An objection in the history: upheld when the first transfer went to a unit that was not
        competent, rejected when the unit wrongly pointed at another one."""
        objection = next((s for s in plan.steps if s.action == "object"), None)
        if objection is None:
            return
        others = [c for _, c, _, _ in DEPARTMENTS if c != plan.unit]
        if any(s.action == "uphold_objection" for s in plan.steps):
            next(s for s in plan.steps if s.action in ("forward", "assign")).args["unit"] = self.rng.choice(
                others
            )
            competent = plan.unit
        else:
            competent = self.rng.choice(others)
        objection.args["reason"] = OBJECTION_REASON.format(unit=_UNIT_NAMES[competent])

    def repeat_of(self, original: Plan, *, action: str, tag: str, after_days: tuple[int, int]) -> Plan:
        """A registration by the same petitioner about the same facts, after `original` ended."""
        start = original.steps[-1].on + timedelta(days=self.rng.randint(*after_days))
        start = min(next_working_day(start), self.end)
        if action == "register_repeat":
            steps = [Step("register_repeat", (0, 0), on=start)]
            state = ""
        else:
            steps = [Step("register", (0, 0), on=start), Step("refuse_repeat", (0, 0), on=start)]
            state = workflow.NO_LONGER_ACCEPTED
        plan = Plan(index=len(self.plans), state=state, theme=original.theme, channel="visit",
                    township=original.township, unit="", petitioners=[original.petitioners[0]], steps=steps,
                    tag=tag, extra={"fill": original.extra["fill"]}, joins=original.index)  # fmt: skip
        self.times(plan)
        self.plans.append(plan)
        return plan


# 苗头性问题 (clusters.py): villagers of three townships write about the same land-compensation problem within
# the last weeks. (township login, state) of each matter.
LAND_CLUSTER = [
    ("fengyi", workflow.ACCEPTED), ("fengyi", workflow.INVESTIGATING), ("nanxin", workflow.FORWARDED),
    ("fengyi", workflow.RECEIVED_BY_UNIT), ("nanxin", workflow.FORWARDED), ("diexi", workflow.REGISTERED),
    ("diexi", workflow.FORWARDED),
]  # fmt: skip
LAND_CLUSTER_DAYS = 28  # registered within this many days before the demo's today


def _land_cluster(p: Planner) -> None:
    """The demo's 苗头性问题: the matters of LAND_CLUSTER, each with a running clock, registered in the last
    LAND_CLUSTER_DAYS days (a drawn plan that starts earlier is drawn again)."""
    theme = next(t for t in THEMES if t.content == "0202")
    since = p.today - timedelta(days=LAND_CLUSTER_DAYS)
    towns = {login: (code, name) for login, name, code in TOWNSHIPS}
    for login, state in LAND_CLUSTER:
        for _ in range(200):
            plan = p.make(state, clock="ok", channel=p.rng.choice(["visit", "letter", "phone"]), theme=theme,
                          tag="land_cluster", township=towns[login])  # fmt: skip
            if plan.steps[0].on >= since:
                break
            p.plans.pop()
        else:
            raise RuntimeError("cannot place the demo's cluster in the last weeks")


def _required(p: Planner) -> None:
    """Every state at least once, and the special cases the demo must show."""
    end = p.end
    terminated = p.make(workflow.TERMINATED, tag="terminated_original", latest=end - timedelta(days=200))
    p.repeat_of(terminated, action="register_repeat", tag="repeat_no_longer", after_days=(20, 60))
    p.repeat_of(terminated, action="refuse_repeat", tag="refused_repeat", after_days=(90, 150))
    collective = p.make(workflow.INVESTIGATING, clock="ok", channel="visit", tag="collective",
                        theme=next(t for t in THEMES if t.content == "0202"))  # fmt: skip
    township_name = collective.extra["fill"]["township"]
    collective.petitioners = [p.person(township_name, representative=True) for _ in range(5)]
    collective.extra.update(head_count=p.rng.randint(20, 35), is_collective=True)
    prefecture = p.make(workflow.INVESTIGATING, clock="ok", channel="assigned", tag="prefecture_assignment")
    if prefecture.extra["source_unit"] != PREFECTURE:
        prefecture.extra["source_unit"] = PREFECTURE
        prefecture.extra["external_number"] = prefecture.extra["external_number"].replace("川", "阿")
    whistle = p.make(workflow.REDIRECTED_DISCIPLINE, tag="whistleblower")
    assert whistle.extra.get("accused_unit")
    p.make(workflow.INVESTIGATING, clock="overdue", tag="overdue")
    # a due-soon clock: the first state whose clock the calendar lets fall due in the coming days (around
    # a long holiday a 60-day clock may not be placeable while a 15-day one is)
    due_soon = next((s for s in DUE_SOON_STATES if p.placeable(s, "due_soon")), None)
    if due_soon is not None:
        p.make(due_soon, clock="due_soon", tag="due_soon")
    p.make(workflow.FORWARDED, clock="overdue", tag="overdue_transfer")
    p.make(workflow.EXTENDED, clock="ok", tag="extended_rsj", theme=THEMES[0])
    leapfrog = p.make(workflow.NOT_ACCEPTED, channel="visit", tag="leapfrog")
    leapfrog.extra["is_leapfrog"] = True
    open_one = p.make(workflow.UNDER_REVIEW, clock="ok", tag="review")
    p.make(workflow.UNDER_RECHECK, clock="ok", tag="recheck")
    done = {pl.state for pl in p.plans}
    for state in workflow.STATES:
        if state not in done:
            p.make(state)
    _land_cluster(p)
    # a second registration about a matter still being handled (重复件)
    p.repeat_of(open_one, action="register_repeat", tag="repeat_open", after_days=(0, 0))
    open_one_last = open_one.steps[-1]
    rep = p.plans[-1]
    rep.steps[0].on = open_one_last.on
    rep.steps[0].at = open_one_last.at + timedelta(hours=1)


def plan_demo(*, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED, start: date = DEFAULT_START,
              end: date | None = None) -> list[Plan]:  # fmt: skip
    """The demo plans: the required ones, then random ones up to `count` matters. `end` defaults to
    yesterday, so today's clocks show overdue / due-soon matters."""
    end = end or timezone.localdate() - timedelta(days=1)
    p = Planner(seed=seed, start=start, end=end)
    _required(p)
    states = list(STATE_WEIGHTS)
    while sum(1 for pl in p.plans if pl.joins is None or pl.state) < count:
        p.make(p.rng.choices(states, weights=list(STATE_WEIGHTS.values()))[0])
    return p.plans


# --- replaying the plan through the services ----------------------------------------------------------


class Replayer:
    def __init__(self, units: dict[str, Unit], users: dict[str, User]):
        self.units, self.users = units, users
        self.matters: dict[int, Matter] = {}
        self.officers = {code: users[login] for code, login in OFFICER_LOGINS.items()}
        self.rng = random.Random(0)

    def petition(self, plan: Plan, at: datetime, **overrides) -> services.PetitionInput:
        fill = plan.extra["fill"]
        t = plan.theme
        ch = plan.channel
        received = at - timedelta(minutes=15) if ch in ("visit", "phone", "video", "online") else \
            at - timedelta(days=1 + plan.index % 3)  # fmt: skip
        values = dict(
            channel=ch, received_at=received, title=t.title.format(**fill), content=t.text.format(**fill),
            request=t.request.format(**fill), facts=t.text.format(**fill), purpose=t.purpose,
            content_class=t.content, township=plan.township, petitioners=plan.petitioners,
            head_count=plan.extra.get("head_count"), is_collective=plan.extra.get("is_collective", False),
            is_leapfrog=plan.extra.get("is_leapfrog", False),
            place=self.rng.choice(PLACES) if ch == "visit" else "",
            source_unit=plan.extra.get("source_unit", ""), external_number=plan.extra.get("external_number", ""),
            external_due=plan.extra.get("external_due"), accused_unit=plan.extra.get("accused_unit", ""),
            accused_person=plan.extra.get("accused_person", ""), is_legal=plan.theme.route == "legal",
        )  # fmt: skip
        values.update(overrides)
        return services.PetitionInput(**values)

    def opinion(self, plan: Plan, outcome: str, level: str = "") -> str:
        fill, t = plan.extra["fill"], plan.theme
        subject = t.subject.format(**fill)
        if outcome == "support":
            return f"经调查核实，您反映的{subject}问题基本属实。{t.remedy.format(**fill)}"
        if outcome == "explain":
            return f"经调查核实，您反映的{subject}问题，有关处理符合现行政策规定，现将政策依据向您解释说明。"
        return f"经调查核实，您反映的{subject}问题与事实不符，{level}请求缺乏事实和政策依据，不予支持。"

    def run(self, plan: Plan, step: Step) -> None:
        u, users = self.units, self.users
        clerk, officer = users["jiedai"], users["banan"]
        m = self.matters.get(plan.index)
        a = step.action
        unit_officer = self.officers.get(m.handling_unit.code) if m is not None and m.handling_unit else None
        on = services.today()
        if a == "submit":
            m = services.register_petition(self.petition(plan, step.at), by=None).matter
        elif a == "register":
            by = officer if plan.channel in ("letter", "assigned") else clerk
            m = services.register_petition(self.petition(plan, step.at), by=by).matter
        elif a == "register_repeat":
            original = self.matters[plan.joins]
            data = self.petition(plan, step.at, repeat_of=original.number, channel="phone")
            m = services.register_petition(data, by=clerk).matter
        elif a == "register_received":
            m = services.register_received(m, by=clerk)
        elif a == "report_major":
            m = services.report_major(m, by=officer, note="涉及人数较多、情况紧急，报请县委县政府研究决定。")
        elif a == "forward":
            m = services.forward_matter(m, by=officer, unit=u[step.args["unit"]])
        elif a == "assign":
            due = plan.extra.get("external_due")
            due = due - timedelta(days=3) if due and due - timedelta(days=3) > on else on + timedelta(days=30)
            m = services.assign_matter(m, by=officer, unit=u[step.args["unit"]], due=due,
                                   note="请于期限内报送办理结果和办结报告。")  # fmt: skip
        elif a == "redirect_legal":
            m = services.redirect_matter(
                m, by=officer, to="legal", unit=u[LEGAL], reason="涉法涉诉事项，依法转同级政法部门处理。"
            )
        elif a == "redirect_discipline":
            m = services.redirect_matter(m, by=officer, to="discipline", unit=u[DISCIPLINE],
                                     reason="检举控告事项，按管理权限转纪检监察机关。")  # fmt: skip
        elif a == "redirect_other":
            m = services.redirect_matter(
                m, by=officer, to="other", reason=REDIRECT_OTHER_REASONS[plan.index % 2]
            )
        elif a == "decline":
            reason = "leapfrog" if plan.extra.get("is_leapfrog") else DECLINE_REASONS[plan.index % 4]
            m = services.decline_matter(m, by=officer, reason=reason)
        elif a == "refuse_repeat":
            m = services.refuse_repeat(m, by=officer, original=self.matters[plan.joins])
        elif a == "acknowledge":
            m = services.acknowledge_matter(m, by=unit_officer)
        elif a == "object":
            m = services.object_matter(m, by=unit_officer, reason=step.args["reason"])
        elif a in ("uphold_objection", "reject_objection"):
            m = services.decide_objection(m, by=officer, uphold=a == "uphold_objection",
                                      note="经核实，同意异议，重新分流。" if a == "uphold_objection"
                                      else "经核实，该事项属于你单位职权范围，请依法办理。")  # fmt: skip
        elif a == "accept":
            m = services.accept_matter(m, by=unit_officer)
        elif a == "channel":
            m = services.channel_matter(m, by=unit_officer, procedure="arbitration" if plan.theme.content == "0304"
                                    else ["administrative", "duty", "litigation"][plan.index % 3])  # fmt: skip
        elif a == "investigate":
            m = services.start_investigation(m, by=unit_officer)
        elif a == "extend":  # the handling officer requests, the unit's 负责人 approves (条例第三十四条)
            request = services.request_extension(m, by=unit_officer, days=EXTENSION_DAYS,
                                                 reason="案情复杂，需调取相关档案并组织多方核实")  # fmt: skip
            services.decide_extension(request, by=users[HEAD_LOGINS[m.handling_unit.code]], approve=True)
            m = Matter.objects.get(pk=m.pk)
        elif a == "reply":
            outcome = ["support", "support", "explain", "not_support"][plan.index % 4]
            m = services.reply_matter(m, by=unit_officer, outcome=outcome, opinion=self.opinion(plan, outcome),
                                  basis="《信访工作条例》第三十二条")  # fmt: skip
        elif a == "deliver":
            method = ["in_person", "post", "online", "in_person"][plan.index % 4]
            m = services.deliver_reply(
                m, by=unit_officer, method=method, delivered_on=on, signed=plan.index % 9 != 0
            )
        elif a == "request_review":
            m = services.request_review(m, by=clerk, reason="信访人对处理意见不服，请求复查。")
        elif a == "decide_review":
            outcome = ["not_support", "support", "explain"][plan.index % 3]
            m = services.decide_review(
                m, by=officer, outcome=outcome, opinion=self.opinion(plan, outcome, "复查")
            )
        elif a == "request_recheck":
            m = services.request_recheck(
                m, by=clerk, reason="信访人对复查意见不服，请求复核，已报送州复查复核机构。"
            )
        elif a == "record_recheck":
            m = services.record_recheck(m, by=officer, outcome="not_support",
                                    opinion="经复核，复查意见认定事实清楚、处理适当，予以维持。")  # fmt: skip
        elif a == "close":
            m = services.close_matter(m, by=None)
        elif a == "archive":
            m = services.archive_matter(m, by=officer)
        else:
            raise ValueError(f"unknown demo step {a}")
        self.matters[plan.index] = m  # the services return the matter as it is now


class SilentSender:
    """The demo's petitioners are invented: the SMS their matters trigger while it loads go nowhere."""

    def send(self, *, to: str, text: str) -> None:
        pass


class Progress:
    """One line per finished phase, "[3/8] 2018年业务记录 … 1 234 件（12.3 秒）", through `write` (None: silent)."""

    def __init__(self, total: int, write: Callable[[str], object] | None = None):
        self.total, self.write, self.done = total, write, 0
        self.began = self.last = monotonic()

    def __call__(self, label: str, what: str = "") -> None:
        self.done += 1
        now = monotonic()
        if self.write is not None:
            self.write(f"[{self.done}/{self.total}] {label} … {what}（{now - self.last:.1f} 秒）")
        self.last = now


def phases(*, history: bool = True) -> int:
    """How many phases load_demo reports (the command adds one for the final accounts)."""
    return 4 + (demo_history.PHASES if history else 0)


@dataclass
class DemoResult:
    created: bool
    matters: int = 0
    registrations: int = 0
    seconds: float = 0.0


def demo_present() -> bool:
    return User.objects.filter(username="jiedai").exists() and Unit.objects.filter(code=BUREAU).exists()


def demo_logins() -> set[str]:
    """Every account the demo creates (make_users)."""
    return {login for login, *_ in _STAFF} | set(OFFICER_LOGINS.values()) | set(HEAD_LOGINS.values())


def other_data() -> str:
    """Why the demo may not go into this database (it holds records the demo did not make), or ''. The demo's
    ~50 accounts share a published password: they must never sit beside real accounts or real matters."""
    if Matter.objects.exists():
        return "数据库中已有信访事项，不能载入演示数据。"
    others = list(User.objects.exclude(username__in=demo_logins()).values_list("username", flat=True)[:3])
    if others:
        return (
            f"数据库中已有非演示账号（{'、'.join(others)} 等），不能载入演示数据：演示账号共用公开的口令，"
            "不能与真实账号同处一库。"
        )
    return ""


def load_demo(*, count: int = DEFAULT_COUNT, seed: int = DEFAULT_SEED, start: date = DEFAULT_START,
              end: date | None = None, history: bool = True, progress: Progress | None = None) -> DemoResult:  # fmt: skip
    """Load the demo units, users and matters, this year's programme work (demo_current) and, with `history`,
    2018–2019 (demo_history). Does nothing when the demo is already there; refuses to mix demo matters into a
    database that already holds real ones. The summary tables are rebuilt once at the end (tallies.deferred)."""
    began = monotonic()
    progress = progress or Progress(phases(history=history))
    if demo_present():
        return DemoResult(created=False)
    refusal = other_data()
    if refusal:
        raise RuntimeError(refusal)
    today = timezone.localdate()
    plans = plan_demo(count=count, seed=seed, start=start, end=end)
    # the sender is replaced until after the commit, when the services' SMS (on_commit) go out
    with (
        override_settings(XINFANG_SENDER=f"{__name__}.SilentSender"),
        transaction.atomic(),
        tallies.deferred(),
    ):
        load_codes()
        units = make_units()
        users = make_users(units)
        progress("代码表、单位和演示账号", f"{grouped(len(units))} 个单位、{grouped(len(users))} 个账号")
        _replay(plans, Replayer(units, users))
        progress(f"{start.year}年以来的信访事项", f"{grouped(Matter.objects.count())} 件")
        if history:
            demo_history.load_history(units, users, progress=progress)
        current = demo_current.load_current(users, units, today=today)
        progress(
            f"{today.year}年领导接访日、包案、积案化解、视频接访和督办",
            f"接访日 {current.reception_days} 个、包案 {current.owned} 件、积案 {current.campaign_items} 件、"
            f"视频接访 {current.video_sessions} 场、督办 {current.orders} 件",
        )
    progress("统计汇总表（一次重算）", f"{grouped(MatterTally.objects.count())} 件事项")
    return DemoResult(
        created=True, matters=Matter.objects.count(), registrations=Registration.objects.count(),
        seconds=monotonic() - began,
    )  # fmt: skip


def _replay(plans: list[Plan], replayer: Replayer) -> None:
    """All steps of all plans in date order, each at its moment."""
    schedule = sorted((s.at, plan.index, i) for plan in plans for i, s in enumerate(plan.steps))
    for at, index, i in schedule:
        plan = plans[index]
        with time_machine.travel(at, tick=False):
            try:
                replayer.run(plan, plan.steps[i])
            except Exception as e:
                e.add_note(f"demo plan {index} ({plan.state}, {plan.tag}) step {plan.steps[i]}")
                raise
