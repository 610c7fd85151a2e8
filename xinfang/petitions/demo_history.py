"""Demo casework for 2018 and 2019 whose statistics equal the figures of the 2019 disclosure's Part 1 and its
three project tables (xinfang work_statistics --year 2019). Every record is made by the real services at its
historical date (time-machine), so timelines, document numbers and clocks are true.

Seed figures (2019): 网上信访128件次; 受理来访16批28人次; 省州交办件38件; 接待中心来访109批334人次 (including
the 28批65人次 of county leaders' reception days, 26 resolved); 化解省州交办2件、息诉息访1件; 化解积案5件;
复查2件; 矛盾纠纷56件次; 协调会议21次（"20余次"）、研判16件; 视频会议4次、远程接访47人次; 专项资金3件4人次;
驻蓉值班接访劝返21批37人次. 2018 is larger in total, collective and skip-level visits ("三下降一好转").
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import time_machine
from django.utils import timezone

from xinfang.accounts.models import User
from xinfang.analytics import tallies
from xinfang.core.validators import id_check_digit
from xinfang.petitions import citizens, programs, services, workflow
from xinfang.petitions.models import Campaign, Dispute, Matter, Registration, Unit

MARKER = "2019年信访积案化解攻坚"
BUREAU, RECEPTION, PREFECTURE, PROVINCE, COUNTY_GOV = (
    "513223XFJ",
    "513223XFJ01",
    "513200",
    "510000",
    "513223000",
)
DEPARTMENTS = ["513223RSJ", "513223ZRZYJ", "513223ZJJ", "513223NYNCJ", "513223JYJ", "513223MZJ", "513223JTYSJ",
               "513223SWJ"]  # fmt: skip
TOWNSHIPS = ["513223100", "513223101", "513223102", "513223200", "513223201", "513223203", "513223209"]
TOPICS = [  # (title, content class code, purpose code)
    ("拖欠农民工工资", "03", "04"),
    ("征地补偿标准", "02", "03"),
    ("宅基地纠纷", "04", "04"),
    ("危房改造补助", "01", "04"),
    ("低保评定", "08", "04"),
    ("退役军人待遇", "07", "04"),
    ("道路建设占地", "13", "04"),
    ("学校入学", "09", "01"),
    ("发电员养老保险", "03", "03"),
    ("脱贫攻坚帮扶", "04", "01"),
]


class History:
    def __init__(self, units: dict[str, Unit], users: dict[str, User]):
        self.units, self.users = units, users
        self.rng = random.Random(20191231)
        self.clerk, self.officer = users["jiedai"], users["banan"]
        self.leader = users["lingdao"]
        self.used: set[str] = set()
        self.officers = {u.unit.code: u for u in users.values() if u.unit_id and u.has_role("unit_officer")}

    # -- helpers
    def at(self, d: date, hour: int = 10) -> datetime:
        return timezone.make_aware(datetime.combine(d, time(hour, self.rng.randrange(60))))

    def day(self, year: int, start_month: int = 1, end_month: int = 12) -> date:
        first = date(year, start_month, 1)
        last = date(year, end_month, 28)
        return first + timedelta(days=self.rng.randrange((last - first).days))

    def person(self, representative=False) -> services.PetitionerInput:
        while True:
            born = date(1945, 1, 1) + timedelta(days=self.rng.randrange(365 * 55))
            first17 = f"513223{born:%Y%m%d}{self.rng.randrange(1000):03d}"
            if first17 not in self.used:
                self.used.add(first17)
                break
        return services.PetitionerInput(
            name=f"{self.rng.choice('王李张刘陈杨赵周吴马余何罗')}某某", id_number=first17 + id_check_digit(first17),
            mobile=f"139{self.rng.randrange(10**8):08d}", address="茂县", is_representative=representative,
        )  # fmt: skip

    def petition(self, when: datetime, *, channel: str, persons: int = 1, **extra) -> services.PetitionInput:
        title, content, purpose = self.rng.choice(TOPICS)
        people = [
            self.person(representative=persons > 1 and i < min(persons, 3)) for i in range(min(persons, 3))
        ]
        values = dict(
            channel=channel, received_at=when, title=title, content=f"反映{title}问题，请求依法解决。",
            request="请求依法处理。", purpose=purpose, content_class=content,
            township=self.rng.choice(TOWNSHIPS), petitioners=people, head_count=persons,
            is_collective=persons >= 5,
        )  # fmt: skip
        values.update(extra)
        return services.PetitionInput(**values)

    def run(self, when: date, fn, *args, **kwargs):
        with time_machine.travel(self.at(when, 16), tick=False):
            return fn(*args, **kwargs)

    def register(self, d: date, **kwargs) -> Matter:
        data = self.petition(self.at(d, 9), **kwargs)
        return self.run(d, services.register_petition, data, by=self.clerk).matter

    def conclude(self, matter: Matter, d: date, *, full: bool | None = None) -> Matter:
        """Take a registered matter to a final state: most are handled to a reply and close when the review
        window lapses; some leave triage at once (告知 / 不予受理)."""
        full = self.rng.random() < 0.4 if full is None else full
        if not full:
            return self.run(d + timedelta(days=3), services.redirect_matter, matter, by=self.clerk, to="other",
                            reason="茂县人民法院")  # fmt: skip
        unit = self.units[self.rng.choice(DEPARTMENTS)]
        officer = self.officers[unit.code]
        matter = self.run(d + timedelta(days=2), services.forward_matter, matter, by=self.clerk, unit=unit)
        matter = self.run(d + timedelta(days=4), services.acknowledge_matter, matter, by=officer)
        matter = self.run(d + timedelta(days=8), services.accept_matter, matter, by=officer)
        self.evaluate(matter, "bureau", d + timedelta(days=12))
        matter = self.run(d + timedelta(days=30), services.reply_matter, matter, by=officer,
                          outcome=self.rng.choice(["support", "explain", "not_support"]), opinion="经调查核实，依法处理。")  # fmt: skip
        delivered = d + timedelta(days=33)
        matter = self.run(delivered, services.deliver_reply, matter, by=officer, method="in_person",
                          delivered_on=delivered, signed=True)  # fmt: skip
        self.evaluate(matter, "unit", delivered + timedelta(days=5))
        return matter

    def evaluate(self, matter: Matter, target: str, on: date) -> None:
        """Most petitioners rate (参评), most of them 满意 or 基本满意."""
        if self.rng.random() < 0.85:
            value = self.rng.choices(["satisfied", "basically", "unsatisfied"], weights=[78, 16, 6])[0]
            reason = "问题未得到解决" if value == "unsatisfied" else ""
            self.run(on, citizens.evaluate, matter, target=target, value=value, reason=reason)

    def close_lapsed(self, on: date) -> None:
        self.run(on, services.close_lapsed_matters)

    # -- the years
    def year(self, year: int, *, online, letters, phones, bureau_visits, centre_visits, assigned, duty,
             collective, leapfrog) -> None:  # fmt: skip
        """Plain intake of one year; counts are registrations (批/件次); visits are (batches, persons)."""
        for _ in range(online):
            d = self.day(year)
            reg, _code = self.run(d, citizens.submit_online, self.petition(self.at(d, 8), channel="online"))
            matter = self.run(d + timedelta(days=1), services.register_received, reg.matter, by=self.clerk)
            self.conclude(matter, d + timedelta(days=1))
        for channel, n in (("letter", letters), ("phone", phones)):
            for _ in range(n):
                d = self.day(year)
                self.conclude(self.register(d, channel=channel), d)
        for site, (batches, persons) in (("bureau", bureau_visits), ("centre", centre_visits)):
            for size in self.split(persons, batches, collective.get(site, 0)):
                d = self.day(year)
                leap = leapfrog.get(site, 0) > 0
                if leap:
                    leapfrog[site] -= 1
                self.conclude(self.register(d, channel="visit", persons=size, site=site, is_leapfrog=leap), d)
        for i in range(assigned):
            d = self.day(year)
            source = self.units[PREFECTURE if i % 3 else PROVINCE]
            matter = self.register(d, channel="assigned", source_unit=source.code, external_number=f"川信交{year}{i:03d}",
                                   external_due=d + timedelta(days=60))  # fmt: skip
            self.conclude(matter, d, full=True)
        for size in self.split(duty[1], duty[0], 0):
            d = self.day(year, 3, 11)
            self.conclude(self.register(d, channel="visit", persons=size, site="duty_station", is_leapfrog=True,
                                        place="驻成都信访维稳值班点"), d, full=False)  # fmt: skip

    def split(self, persons: int, batches: int, big: int) -> list[int]:
        """`batches` group sizes adding up to `persons`, with `big` of them collective (≥5 persons)."""
        sizes = [5] * big + [1] * (batches - big)
        extra = persons - sum(sizes)
        assert extra >= 0, (persons, batches, big)
        i = 0
        while extra:
            j = i % batches
            if sizes[j] >= 5 or sizes[j] < 4:  # small groups stay below 5, collective ones grow
                sizes[j] += 1
                extra -= 1
            i += 1
        return sizes

    def leader_days(self, year: int, *, batches: int, persons: int, resolved: int) -> None:
        """County leaders' reception days at the reception centre; every person received is registered."""
        dates = sorted({self.day(year) for _ in range(12)})
        days = {
            d: self.run(d, programs.schedule_reception_day, by=self.clerk, leader=self.leader, on=d,
                        place="茂县群众接待中心", topic="县级领导接访日")
            for d in dates
        }  # fmt: skip
        outcomes = ["resolved"] * resolved + ["assigned"] * (batches - resolved)
        for i, size in enumerate(self.split(persons, batches, 0)):
            d = dates[i % len(dates)]
            data = self.petition(self.at(d, 9), channel="visit", persons=size, site="centre")
            reg, _code = self.run(
                d, programs.record_reception, days[d], by=self.clerk, data=data, outcome=outcomes[i]
            )
            self.conclude(reg.matter, d, full=True)

    def programs_2019(self, backlog: list[Matter], assigned_2018: list[Matter]) -> None:
        officer = self.officer
        # 积案化解: 5 long-standing matters of 2018 resolved; 四大攻坚战: 2 assigned-from-above matters, 1 息诉息访.
        campaign = self.run(date(2019, 3, 1), programs.create_campaign, by=officer, name=MARKER,
                            start=date(2019, 3, 1), end=date(2019, 12, 31))  # fmt: skip
        attack = self.run(date(2019, 3, 1), programs.create_campaign, by=officer, name="“四大攻坚战”信访化解",
                          start=date(2019, 3, 1), end=date(2019, 12, 31))  # fmt: skip
        for i, m in enumerate(backlog):
            item = self.run(date(2019, 3, 2), programs.add_to_campaign, campaign, by=officer, matter=m,
                            unit=m.handling_unit)  # fmt: skip
            self.run(date(2019, 6, 1) + timedelta(days=20 * i), programs.record_campaign_progress, item, by=officer,
                     status="resolved", note="经包案领导协调化解")  # fmt: skip
        for i, m in enumerate(assigned_2018):
            item = self.run(date(2019, 3, 2), programs.add_to_campaign, attack, by=officer, matter=m,
                            unit=m.handling_unit)  # fmt: skip
            self.run(date(2019, 7, 1) + timedelta(days=30 * i), programs.record_campaign_progress, item, by=officer,
                     status="stopped" if i == 0 else "resolved", note="化解")  # fmt: skip
        # 复查 2 件.
        for k in range(2):
            d = date(2019, 2 + k, 5)
            m = self.conclude(self.register(d, channel="letter"), d, full=True)
            m = self.run(m.delivered_on + timedelta(days=10), services.request_review, m, by=self.clerk)
            self.run(m.review_requested_on + timedelta(days=20), services.decide_review, m, by=officer,
                     outcome="support", opinion="维持原处理意见。")  # fmt: skip
        # 矛盾纠纷 56 件次.
        finder = self.officers["513223100"]
        for i in range(56):
            d = self.day(2019)
            dispute = self.run(d, programs.register_dispute, by=finder, found_on=d, parties="村民甲与村民乙",
                               kind=self.rng.choice(["土地承包", "邻里纠纷", "林地边界", "婚姻家庭"]),
                               summary="排查发现的矛盾纠纷", township=self.units[self.rng.choice(TOWNSHIPS)])  # fmt: skip
            self.run(d + timedelta(days=5), programs.record_mediation, dispute, by=finder,
                     mediator=self.rng.choice(["peoples", "lawyer", "third_party"]),
                     result="resolved" if i % 8 else "unresolved")  # fmt: skip
        # 联席会议 21 次, 研判 16 件.
        members = [self.units[c] for c in DEPARTMENTS]
        pool = list(Matter.objects.filter(registered_on__year=2018, handling_unit__isnull=False)[:16])
        for i in range(21):
            d = date(2019, 1, 10) + timedelta(days=17 * i)
            meeting = self.run(d, programs.hold_joint_meeting, by=officer, on=d, title=f"信访工作协调会议（第{i + 1}次）",
                               convener=self.leader, units=members)  # fmt: skip
            for m in pool[i::21]:
                self.run(
                    d,
                    programs.deliberate,
                    meeting,
                    by=officer,
                    matter=m,
                    conclusion="明确责任单位，限期化解。",
                )
        # 视频会议 4 次; 远程接访 47 人次 (18 批).
        for i in range(4):
            d = date(2019, 3 * i + 2, 15)
            s = self.run(d, programs.schedule_video_session, by=self.clerk, township=self.units[TOWNSHIPS[i]],
                         at=self.at(d, 14), kind="meeting", participants="县信访局、各乡镇信访干部")  # fmt: skip
            self.run(d, programs.hold_video_session, s, by=self.clerk, outcome="县到乡镇信访视频会议")
        for i, size in enumerate(self.split(47, 18, 0)):
            d = self.day(2019)
            s = self.run(d, programs.schedule_video_session, by=self.clerk, township=self.units[TOWNSHIPS[i % 7]],
                         at=self.at(d, 10))  # fmt: skip
            data = self.petition(self.at(d, 10), channel="video", persons=size)
            reg, _code = self.run(d, programs.record_video_reception, s, by=self.clerk, data=data)
            self.run(d, programs.hold_video_session, s, by=self.clerk, outcome="远程接访")
            self.conclude(reg.matter, d, full=True)
        # 专项资金: 3 件 4 人次 (安某某、任某某、坤某某、李某某).
        for i, persons in enumerate((1, 1, 2)):
            m = backlog[i]
            d = date(2019, 5 + 2 * i, 10)
            case = self.run(d, programs.apply_assistance, m, by=officer, persons=persons, hardship="长期积累、久拖未决的特殊疑难问题，生活困难",
                            amount=Decimal("90000") if persons == 2 else Decimal("80000"))  # fmt: skip
            self.run(d + timedelta(days=10), programs.decide_assistance, case, by=self.leader, approve=True,
                     amount=case.amount_requested, note="联席会议召集人审批同意")  # fmt: skip
            self.run(d + timedelta(days=20), programs.pay_assistance, case, by=self.users["caiwu"],
                     paid_on=d + timedelta(days=20), amount=case.amount_requested, stopped_petitioning=True)  # fmt: skip


def history_present() -> bool:
    return Campaign.objects.filter(name=MARKER).exists()


# Phases reported by load_history (demo.Progress).
PHASES = 3


def grouped(n: int) -> str:
    """1234 → "1 234" (the loader's progress lines)."""
    return f"{n:,}".replace(",", " ")


def load_history(units: dict[str, Unit], users: dict[str, User], *, progress=None) -> bool:
    """Create the 2018–2019 demo casework (idempotent). Returns True when it created anything. `progress(label,
    what)` is told of each finished phase. The summary tables are rebuilt once at the end (tallies.deferred)."""
    if history_present():
        return False
    report = progress or (lambda label, what: None)
    with tallies.deferred():
        h = History(units, users)
        before = Registration.objects.count()
        h.year(2018, online=101, letters=60, phones=30, bureau_visits=(30, 70), centre_visits=(140, 460), assigned=45,
               duty=(35, 66), collective={"bureau": 3, "centre": 26}, leapfrog={"bureau": 6, "centre": 30})  # fmt: skip
        after = Registration.objects.count()
        report("2018年业务记录（网上信访、来信、来电、来访、交办）", f"{grouped(after - before)} 件信访件")
        backlog = list(Matter.objects.filter(registered_on__year=2018, state=workflow.DELIVERED,
                                             registrations__channel="letter")[:5])  # fmt: skip
        assigned_2018 = list(Matter.objects.filter(registered_on__year=2018, registrations__channel="assigned",
                                                   state=workflow.DELIVERED)[:2])  # fmt: skip
        h.close_lapsed(date(2019, 1, 2))
        h.year(2019, online=128, letters=40, phones=20, bureau_visits=(16, 28), centre_visits=(81, 269), assigned=38,
               duty=(21, 37), collective={"bureau": 0, "centre": 15}, leapfrog={"bureau": 1, "centre": 8})  # fmt: skip
        before, after = after, Registration.objects.count()
        report("2019年业务记录（统计数字与部门决算一致）", f"{grouped(after - before)} 件信访件")
        h.leader_days(2019, batches=28, persons=65, resolved=26)
        h.programs_2019(
            [Matter.objects.get(pk=m.pk) for m in backlog],
            [Matter.objects.get(pk=m.pk) for m in assigned_2018],
        )
        h.close_lapsed(date(2020, 3, 1))
        report(
            "2019年领导接访日、积案化解、复查、矛盾纠纷、联席会议、视频接访和专项资金",
            f"{grouped(Registration.objects.count() - after)} 件信访件、{grouped(Dispute.objects.count())} 件矛盾纠纷",
        )
    return True
