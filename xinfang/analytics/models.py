"""Summary tables for the dashboards and KPIs (docs/statistics.md, "Summary tables").

Each matter contributes counts to days: a registration to its 登记日期, an acceptance figure to the matter's
登记日期, 按期办结 to its 限办截止, 超期未评价 to the end of its evaluation window, an evaluation to the day
it was made, 办理时长 to the reply date. The counts are kept at the roll-ups of `tallies.ROLLUPS` (`dim`):
the whole county (""), 信访形式 ("channel", registration counts only), 问题属地 ("township"), 有权处理机关
("unit"), 内容分类 ("class") and the pairs class+channel, class+township, class+unit and township+unit (the
first value in `key`, the second in `key2`); each count twice, on its day (`grain` "d") and on the first day
of its month ("m"), so a county-wide year reads twelve month rows per key (plus the days of a month cut by
`today`) instead of hundreds of thousands of matters. `tallies.refresh()` keeps them in step with the records
in the same transaction as every change; `xinfang rebuild_tallies` recomputes them and `--check` reports
differences.
"""

from django.db import models


class DayTally(models.Model):
    dim = models.CharField(max_length=16)
    key = models.CharField(max_length=12)  # channel code, Unit.pk or Code.pk; "" = all / not classified
    key2 = models.CharField(max_length=12, default="")  # the second dimension's value of a pair roll-up
    grain = models.CharField(max_length=1, default="d")  # "d": the day; "m": the month starting on `day`
    day = models.DateField()
    # registrations (day = local date of 登记; matters waiting for 登记 excluded)
    regs = models.IntegerField(default=0)  # 件次
    regs_persons = models.IntegerField(default=0)  # 人次
    regs_new = models.IntegerField(default=0)  # 初件 (opened a matter)
    regs_rated = models.IntegerField(default=0)  # 件次 without 涉法涉诉
    regs_rated_repeat = models.IntegerField(default=0)  # of which 重复件
    regs_coll = models.IntegerField(default=0)  # 集体访/联名信 批次
    regs_coll_persons = models.IntegerField(default=0)
    regs_leapfrog = models.IntegerField(default=0)  # 越级
    # matters (day = 登记日期 of the matter)
    matters = models.IntegerField(default=0)
    bacc_on_time = models.IntegerField(default=0)  # 信访部门 decided within 15 days (初件, not 涉法涉诉)
    bacc_late = models.IntegerField(default=0)
    bacc_open = models.IntegerField(default=0)  # no decision yet
    uacc_on_time = models.IntegerField(default=0)  # 责任单位 accepted within 30 days
    uacc_late = models.IntegerField(default=0)
    uacc_open = models.IntegerField(default=0)
    # matters (day = 限办截止 handle_due)
    done_on_time = models.IntegerField(default=0)
    done_late = models.IntegerField(default=0)
    done_open = models.IntegerField(default=0)
    # matters (day = end of the evaluation window), not evaluated
    eb_open = models.IntegerField(default=0)
    eu_open = models.IntegerField(default=0)
    # evaluations (day = local date of the evaluation)
    eb_sat = models.IntegerField(default=0)
    eb_basic = models.IntegerField(default=0)
    eb_unsat = models.IntegerField(default=0)
    eu_sat = models.IntegerField(default=0)
    eu_basic = models.IntegerField(default=0)
    eu_unsat = models.IntegerField(default=0)
    # matters (day = 答复日期, accepted)
    replied = models.IntegerField(default=0)
    replied_days = models.IntegerField(default=0)  # Σ (答复日期 − 受理日期)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dim", "key", "key2", "grain", "day"], name="daytally_key")
        ]
        indexes = [
            models.Index(fields=["dim", "grain", "day", "key"], name="daytally_dim_day"),
            # a filter on one value of a pair roll-up, then the period
            models.Index(fields=["dim", "key", "grain", "day"], name="daytally_dim_key"),
            models.Index(fields=["dim", "key2", "grain", "day"], name="daytally_dim_key2"),
        ]


class ClockTally(models.Model):
    """Open matters whose staff clock falls due on `day`, per clock and roll-up."""

    dim = models.CharField(max_length=16)
    key = models.CharField(max_length=12)
    key2 = models.CharField(max_length=12, default="")
    clock = models.CharField(max_length=20)
    day = models.DateField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dim", "key", "key2", "clock", "day"], name="clocktally_key")
        ]


class MatterTally(models.Model):
    """What a matter contributes now (the base counts before roll-up), so a change applies the difference."""

    matter = models.OneToOneField("petitions.Matter", on_delete=models.CASCADE, primary_key=True,
                                  related_name="+")  # fmt: skip
    facts = models.JSONField(default=dict)
