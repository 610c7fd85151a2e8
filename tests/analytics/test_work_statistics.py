"""`xinfang work_statistics --year 2019` on the demo history equals the figures of the seed's Part 1 and its
three project tables. Loading the history replays ~800 matters through the services, so it runs once."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from xinfang.analytics.work_statistics import work_statistics


@pytest.mark.usefixtures("demo_history")
def test_2019_figures_equal_the_seed(db):
    s = work_statistics(2019)
    seed = {
        "online_petitions": 128,  # 办理网上信访128件次
        "bureau_visits": (16, 28),  # 受理来访16批、28人次
        "assigned_from_above": 38,  # 省州交办件38件
        "centre_visits": (109, 334),  # 群众接待中心接待群众来访109批、334人次
        "leader_receptions": (28, 65),  # 县级领导接访群众28批、65人次
        "leader_resolved": 26,  # 协调解决群众诉求26件
        "assigned_resolved": 2,  # 化解省州交办2件
        "assigned_stopped": 1,  # 息诉息访1件
        "backlog_resolved": 5,  # 县级梳理排查化解信访积案5件
        "reviews": 2,  # 复查信访案件2件
        "disputes": 56,  # 排查化解矛盾纠纷56件次
        "deliberated": 16,  # 协商研判重要信访案件16件
        "video_meetings": 4,  # 召开视频会议4次
        "video_persons": 47,  # 远程接访群众47人次
        "fund_cases": (3, 4),  # 3件4人次
        "duty_station": (21, 37),  # 接访劝返…21批37人次
    }
    for name, expected in seed.items():
        value = getattr(s, name)
        got = (value.batches, value.persons) if hasattr(value, "batches") else value
        assert got == expected, name
    assert 20 < s.joint_meetings < 30  # 召开协调会议20余次
    assert s.three_down == {"信访总量": True, "集体访": True, "越级访": True} and s.improving  # 三下降一好转

    out = StringIO()
    call_command("work_statistics", "--year", "2019", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["online_petitions"] == 128 and data["centre_visits"] == {"batches": 109, "persons": 334}
    out = StringIO()
    call_command("work_statistics", "--year", "2019", stdout=out)
    assert "群众接待中心接待群众来访109批、334人次" in out.getvalue()
    assert "三下降一好转" in out.getvalue()
