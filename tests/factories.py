"""Test data built through the services, so that every matter reached a state the way a user would."""

import io
import random
from datetime import date, datetime, timedelta

from django.utils import timezone

from xinfang.accounts import totp
from xinfang.accounts.models import TotpDevice, User
from xinfang.accounts.services import grant_roles
from xinfang.petitions import access, services, workflow
from xinfang.petitions.codes import load_codes
from xinfang.petitions.models import Matter, Registration, Unit

PASSWORD = "Xinfang#2019"


def load_demo_history(*, current: bool = True) -> tuple[dict, dict]:
    """The demo installation (茂县): code tables, units, users and the 2018–2019 history whose statistics equal
    the seed; with `current`, this year's programme work too (it moves no 2018–2019 figure)."""
    from xinfang.petitions import demo, demo_current, demo_history

    load_codes()
    units = demo.make_units()
    users = demo.make_users(units)
    demo_history.load_history(units, users)
    if current:
        demo_current.load_current(users, units)
    return units, users


def make_units() -> dict[str, Unit]:
    load_codes()
    K = Unit.Kind
    province = Unit.objects.create(code="510000", name="四川省信访局", kind=K.PROVINCE, short_name="川信访")
    pref = Unit.objects.create(code="513200", name="阿坝州信访局", kind=K.PREFECTURE, parent=province,
                               short_name="阿信访")  # fmt: skip
    gov = Unit.objects.create(code="513223000", name="茂县人民政府", kind=K.COUNTY_GOV, parent=pref,
                              short_name="茂府")  # fmt: skip
    bureau = Unit.objects.create(code="513223XFJ", name="茂县信访局", kind=K.BUREAU, parent=gov,
                                 short_name="茂信访")  # fmt: skip
    dept = Unit.objects.create(code="513223RSJ", name="茂县人力资源和社会保障局", kind=K.DEPARTMENT, parent=gov,
                               short_name="茂人社")  # fmt: skip
    township = Unit.objects.create(code="513223100", name="凤仪镇", kind=K.TOWNSHIP, parent=gov,
                                   division_code="513223100", short_name="凤仪")  # fmt: skip
    legal = Unit.objects.create(code="513223ZFW", name="中共茂县县委政法委员会", kind=K.LEGAL, parent=gov)
    discipline = Unit.objects.create(code="513223JW", name="茂县纪委监委", kind=K.DISCIPLINE, parent=gov)
    return {"province": province, "prefecture": pref, "county_gov": gov, "bureau": bureau, "dept": dept,
            "township": township, "legal": legal, "discipline": discipline}  # fmt: skip


def make_user(username: str, *roles: str, unit: Unit | None = None, full_name: str = "") -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, unit=unit, full_name=full_name)
    grant_roles(user, *roles)
    return User.objects.get(pk=user.pk)


def enrol_totp(user) -> str:
    """A confirmed second factor for `user` (issue 14); returns its secret (totp.code_at(secret) is the code)."""
    secret = totp.new_secret()
    TotpDevice.objects.update_or_create(
        user=user, defaults={"secret": secret, "confirmed_at": timezone.now()}
    )
    return secret


def petitioner_input(**overrides) -> services.PetitionerInput:
    values = dict(name="张三", id_number="11010519491231002X", mobile="13912345678", address="茂县凤仪镇")
    values.update(overrides)
    return services.PetitionerInput(**values)


def petition_input(**overrides) -> services.PetitionInput:
    values = dict(
        channel=Registration.Channel.LETTER,
        received_at=timezone.now() - timedelta(hours=1),
        title="拖欠工资问题",
        content="某公司拖欠工资三个月。",
        purpose="04",
        content_class="03",
        township="513223100",
        request="请求支付拖欠的工资。",
        facts="2019年6月至8月未发工资。",
        petitioners=[petitioner_input()],
    )
    values.update(overrides)
    return services.PetitionInput(**values)


def register(clerk, **overrides) -> Matter:
    return services.register_petition(petition_input(**overrides), by=clerk).matter


# How to bring a fresh registered matter to each state, step by step, through the services.
def _steps(state: str) -> list[str]:
    paths = {
        workflow.REGISTERED: [],
        workflow.REPORTED: ["report_major"],
        workflow.FORWARDED: ["forward"],
        workflow.ASSIGNED: ["assign"],
        workflow.REDIRECTED_LEGAL: ["redirect_legal"],
        workflow.REDIRECTED_DISCIPLINE: ["redirect_discipline"],
        workflow.REDIRECTED_OTHER: ["redirect_other"],
        workflow.NOT_ACCEPTED: ["decline"],
        workflow.RECEIVED_BY_UNIT: ["forward", "acknowledge"],
        workflow.OBJECTED: ["forward", "acknowledge", "object"],
        workflow.ACCEPTED: ["forward", "acknowledge", "accept"],
        workflow.CHANNELED: ["forward", "acknowledge", "accept", "channel"],
        workflow.INVESTIGATING: ["forward", "acknowledge", "accept", "investigate"],
        workflow.EXTENDED: ["forward", "acknowledge", "accept", "investigate", "extend"],
        workflow.REPLIED: ["forward", "acknowledge", "accept", "investigate", "reply"],
        workflow.DELIVERED: ["forward", "acknowledge", "accept", "investigate", "reply", "deliver"],
        workflow.UNDER_REVIEW: ["forward", "acknowledge", "accept", "reply", "deliver", "request_review"],
        workflow.REVIEW_DECIDED: ["forward", "acknowledge", "accept", "reply", "deliver", "request_review",
                                  "decide_review"],
        workflow.UNDER_RECHECK: ["forward", "acknowledge", "accept", "reply", "deliver", "request_review",
                                 "decide_review", "request_recheck"],
        workflow.TERMINATED: ["forward", "acknowledge", "accept", "reply", "deliver", "request_review",
                              "decide_review", "request_recheck", "record_recheck"],
        workflow.ARCHIVED: ["decline", "archive"],
    }  # fmt: skip
    return paths[state]


def do(action: str, matter: Matter, *, people: dict, units: dict, **kw) -> Matter:
    """Perform `action` on `matter` as the natural actor, with sensible inputs."""
    clerk, officer, unit, head = (
        people["clerk"],
        people["case_officer"],
        people["unit_officer"],
        people["unit_head"],
    )
    today = services.today()
    calls = {
        "report_major": lambda: services.report_major(matter, by=clerk, note="涉及人数多，报请县委县政府决定"),
        "forward": lambda: services.forward_matter(matter, by=clerk, unit=units["dept"]),
        "assign": lambda: services.assign_matter(matter, by=clerk, unit=units["dept"],
                                                 due=today + timedelta(days=20)),
        "redirect_legal": lambda: services.redirect_matter(matter, by=clerk, to="legal", unit=units["legal"]),
        "redirect_discipline": lambda: services.redirect_matter(matter, by=clerk, to="discipline",
                                                                unit=units["discipline"]),
        "redirect_other": lambda: services.redirect_matter(matter, by=clerk, to="other", reason="茂县人民法院"),
        "decline": lambda: services.decline_matter(matter, by=clerk, reason="pending_elsewhere"),
        "refuse_repeat": lambda: services.refuse_repeat(matter, by=clerk, original=kw["original"]),
        "acknowledge": lambda: services.acknowledge_matter(matter, by=unit),
        "object": lambda: services.object_matter(matter, by=unit, reason="该事项属于乡镇职权"),
        "uphold_objection": lambda: services.decide_objection(matter, by=officer, uphold=True),
        "reject_objection": lambda: services.decide_objection(matter, by=officer, uphold=False),
        "accept": lambda: services.accept_matter(matter, by=unit),
        "channel": lambda: services.channel_matter(matter, by=unit, procedure="arbitration"),
        "investigate": lambda: services.start_investigation(matter, by=unit),
        "extend": lambda: extend(matter, requester=unit, head=head),
        "reply": lambda: services.reply_matter(matter, by=unit, outcome="support", opinion="责令公司支付工资。"),
        "deliver": lambda: services.deliver_reply(matter, by=unit, method="in_person", delivered_on=today,
                                                  signed=True),
        "request_review": lambda: services.request_review(matter, by=clerk),
        "decide_review": lambda: services.decide_review(matter, by=officer, outcome="support",
                                                        opinion="维持原处理意见。"),
        "request_recheck": lambda: services.request_recheck(matter, by=clerk),
        "record_recheck": lambda: services.record_recheck(matter, by=officer, outcome="support",
                                                          opinion="维持复查意见。"),
        "close": lambda: services.close_matter(matter, by=officer),
        "archive": lambda: services.archive_matter(matter, by=officer),
    }  # fmt: skip
    return calls[action]()


def extend(matter: Matter, *, requester, head, days: int = 30) -> Matter:
    """延期 as the office does it: the handler requests (unless a request is pending), a 负责人 approves."""
    pending = access.pending_request(matter)
    if pending is None:
        pending = services.request_extension(matter, by=requester, days=days, reason="需要调取银行流水")
    services.decide_extension(pending, by=head, approve=True)
    return Matter.objects.get(pk=matter.pk)


def matter_in_state(state: str, *, people: dict, units: dict, **overrides) -> Matter:
    matter = register(people["clerk"], **overrides)
    for action in _steps(state):
        matter = do(action, matter, people=people, units=units)
    assert matter.state == state
    return matter


def online_submission(**overrides) -> Matter:
    data = petition_input(channel=Registration.Channel.ONLINE, **overrides)
    return services.register_petition(data, by=None).matter


def aware(*args) -> datetime:
    return timezone.make_aware(datetime(*args))


def legacy_matter(by, *, content: str, on: str = "2019-03-05") -> Matter:
    """One matter of an old register imported after the others (petitions.legacy): a higher id, an old date."""
    from openpyxl import Workbook

    from xinfang.petitions import legacy, legacy_sample
    from xinfang.petitions.models import Code

    township = Unit.objects.filter(kind=Unit.Kind.TOWNSHIP).first().name
    content_class = Code.objects.filter(table=Code.Table.CONTENT, parent=None).first().name
    person = legacy_sample.person_id(random.Random(1), date(1960, 1, 1))
    wb = Workbook()
    wb.active.append(legacy_sample.HEADERS)
    wb.active.append(["LS0000001", on, "来信", 1, "王某甲", person, "13800138000", township, content_class, content,
                      township, "予以支持"])  # fmt: skip
    buf = io.BytesIO()
    wb.save(buf)
    legacy.run(buf.getvalue(), by=by)
    return Matter.objects.get(number="LS0000001")
