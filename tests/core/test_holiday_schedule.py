"""The holiday schedule in the database: the migrated seed, imports (service, command, admin page), the
per-process cache and its invalidation, the fallback before migrations, and the missing-year warning."""

import logging
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.utils import ProgrammingError
from django.urls import reverse
from django.utils import timezone

from tests import factories
from xinfang.core import calendars, services
from xinfang.core.calendars import bundled_schedule, is_working_day, load_schedule, missing_schedule_warnings
from xinfang.core.holiday_notices import NoticeError, parse_notice
from xinfang.core.models import CalendarDay, HolidayNotice
from xinfang.petitions import deadlines

pytestmark = pytest.mark.django_db

D = date
FIXTURES = Path(__file__).parent / "fixtures"
SAMPLE_2027 = (FIXTURES / "holiday_notice_2027_sample.txt").read_text("utf-8")
WARNING_2027 = "2027年节假日安排尚未录入，期限按仅周六周日休息计算，请管理员导入国务院办公厅通知。"


@pytest.fixture(autouse=True)
def fresh_schedule():
    """A test that changes the schedule is rolled back afterwards: let the next one read it again."""
    calendars.clear_schedule_cache()
    yield
    calendars.clear_schedule_cache()


@pytest.fixture
def on(time_machine):
    def travel(day: date) -> None:
        time_machine.move_to(timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0)), tick=False)
        assert timezone.localdate() == day

    return travel


# --- the migrated seed -----------------------------------------------------------------------------


def test_migration_loads_the_bundled_years():
    assert list(HolidayNotice.objects.order_by("year").values_list("year", flat=True)) == list(
        range(2018, 2027)
    )
    assert HolidayNotice.objects.get(year=2019).source == "国办发明电〔2018〕15号"
    assert HolidayNotice.objects.get(year=2019).amendments[0]["source"] == "国办发明电〔2019〕3号"
    assert CalendarDay.objects.get(date=D(2018, 12, 29)).notice.year == 2019  # previous December
    assert (
        CalendarDay.objects.get(date=D(2026, 2, 28)).kind,
        CalendarDay.objects.get(date=D(2026, 2, 28)).holiday,
    ) == (
        "work",
        "春节",
    )
    assert load_schedule() == bundled_schedule()  # behaviour unchanged by the move into the database


def test_the_calendar_reads_the_database():
    assert is_working_day(D(2026, 10, 8))  # an ordinary Thursday after National Day
    CalendarDay.objects.create(
        date=D(2026, 10, 8), kind="rest", holiday="国庆节", notice_id=HolidayNotice.objects.get(year=2026).pk
    )
    calendars.clear_schedule_cache()
    assert not is_working_day(D(2026, 10, 8))


# --- import ----------------------------------------------------------------------------------------


def test_import_adds_a_year_and_a_newly_imported_holiday_moves_due_dates(admin_user):
    # A clock started on Monday 2027-01-25, before and after the 2027 notice arrives.
    before = {
        mode: deadlines.clock_due("TRIAGE", D(2027, 1, 25), calendar=mode) for mode in ("natural", "working")
    }
    # weekends only: +15 = Tuesday 02-09; 15 working days: 02-15
    assert before == {"natural": D(2027, 2, 9), "working": D(2027, 2, 15)}
    assert 2027 not in calendars.schedule_years()

    [notice] = services.import_holiday_file(SAMPLE_2027, by=admin_user)

    assert (notice.year, notice.source, notice.complete, notice.imported_by) == (
        2027,
        "国办发明电〔2026〕99号",
        True,
        admin_user,
    )
    assert notice.days.count() == 3 + 9 + 3 + 5 + 1 + 1 + 8 + 5
    assert 2027 in calendars.schedule_years()  # no waiting for RECHECK_SECONDS in this process
    after = {
        mode: deadlines.clock_due("TRIAGE", D(2027, 1, 25), calendar=mode) for mode in ("natural", "working")
    }
    # natural: 02-09 is inside the Spring Festival break (02-05..13) → Sunday 02-14, a 调休 working day
    # working: 01-26..29 (4), 02-01..04 (8), 02-14 Sun (9), 02-15..19 (14), 02-22 (15)
    assert after == {"natural": D(2027, 2, 14), "working": D(2027, 2, 22)}


def test_import_replaces_the_year(admin_user):
    services.import_holiday_file(SAMPLE_2027, by=admin_user)
    amended = SAMPLE_2027.replace(
        "六、中秋节：9月15日放假。", "六、中秋节：9月15日（周三）至17日（周五）放假，共3天。"
    )
    services.import_holiday_file(amended, by=admin_user)
    assert HolidayNotice.objects.filter(year=2027).count() == 1
    assert list(
        CalendarDay.objects.filter(holiday="中秋节", notice__year=2027).values_list("date", flat=True)
    ) == [
        D(2027, 9, 15),
        D(2027, 9, 16),
        D(2027, 9, 17),
    ]
    assert not is_working_day(D(2027, 9, 16))


def test_import_is_all_or_nothing():
    before = list(CalendarDay.objects.values_list("date", "kind", "notice__year"))
    whole = calendars.resources.files("xinfang.core").joinpath("data", "cn_holidays.json").read_text("utf-8")
    notices = parse_notice(whole) + parse_notice(
        SAMPLE_2027.replace("2月14日（周日）上班", "2月15日（周一）上班")
    )
    with pytest.raises(NoticeError, match="2027-02-15不是周六或周日"):
        services.import_holiday_notices(notices)
    assert list(CalendarDay.objects.values_list("date", "kind", "notice__year")) == before
    assert not HolidayNotice.objects.filter(year=2027).exists()


def test_a_date_held_by_another_years_notice_is_refused():
    text = SAMPLE_2027.replace("一、元旦：1月1日（周五）至3日（周日）放假，共3天。",
                               "一、元旦：2026年12月31日至2027年1月3日放假，共4天。")  # fmt: skip
    CalendarDay.objects.create(
        date=D(2026, 12, 31), kind="rest", holiday="元旦", notice=HolidayNotice.objects.get(year=2026)
    )
    with pytest.raises(NoticeError, match="2026-12-31已由2026年的通知安排"):
        services.import_holiday_file(text)
    assert not HolidayNotice.objects.filter(year=2027).exists()


def test_import_command(tmp_path, admin_user, capsys):
    path = tmp_path / "2027.txt"
    path.write_text(SAMPLE_2027, encoding="utf-8")
    call_command("import_holidays", str(path), "--year=2027", f"--by={admin_user.username}")
    assert (
        "已导入2027年节假日安排（国办发明电〔2026〕99号）：放假30天，调休上班5天" in capsys.readouterr().out
    )
    assert HolidayNotice.objects.get(year=2027).imported_by == admin_user

    bad = tmp_path / "bad.txt"
    bad.write_text(
        SAMPLE_2027.replace("共9天", "共10天").replace("2026〕99号", "2026〕100号"), encoding="utf-8"
    )
    with pytest.raises(CommandError, match="未作任何更改") as e:
        call_command("import_holidays", str(bad))
    assert "“春节”：放假日期共9天，与通知所写“共10天”不符" in str(e.value)
    assert HolidayNotice.objects.get(year=2027).source == "国办发明电〔2026〕99号"


def test_import_command_with_json(tmp_path):
    HolidayNotice.objects.filter(year=2026).delete()
    seed = calendars.resources.files("xinfang.core").joinpath("data", "cn_holidays.json").read_text("utf-8")
    path = tmp_path / "cn_holidays.json"
    path.write_text(seed, encoding="utf-8")
    call_command("import_holidays", str(path), "--year=2026")
    assert HolidayNotice.objects.get(year=2026).days.count() == 33 + 6
    assert load_schedule() == bundled_schedule()


# --- the cache across processes and before migrations ---------------------------------------------


def test_another_process_sees_a_change_after_the_recheck_interval(monkeypatch):
    assert not is_working_day(D(2026, 10, 1))
    # another process (here: a direct write, not through the service) removes National Day 2026
    CalendarDay.objects.filter(date__year=2026, holiday="国庆节").delete()
    assert not is_working_day(D(2026, 10, 1))  # still cached in this process
    monkeypatch.setattr(calendars, "RECHECK_SECONDS", 0)
    assert is_working_day(D(2026, 10, 1))  # the version changed: reloaded


def test_unchanged_version_does_not_reload(monkeypatch, django_assert_num_queries):
    load_schedule()
    monkeypatch.setattr(calendars, "RECHECK_SECONDS", 0)
    monkeypatch.setattr(calendars, "_database_schedule", lambda: pytest.fail("reloaded although unchanged"))
    with django_assert_num_queries(4):  # savepoint, the two aggregates of the version, release
        load_schedule()


def test_before_migrations_the_bundled_schedule_is_used(monkeypatch, caplog):
    def missing_table():
        raise ProgrammingError('relation "core_holidaynotice" does not exist')

    monkeypatch.setattr(calendars, "_database_version", missing_table)
    calendars._warn_fallback.cache_clear()
    with caplog.at_level(logging.WARNING, logger="xinfang.core.calendars"):
        assert load_schedule() == bundled_schedule()
        assert not is_working_day(D(2019, 10, 1))
    assert any(
        "core_holidaynotice" in r.getMessage() and "cn_holidays.json" in r.getMessage()
        for r in caplog.records
    )
    # the database is usable again after the failed read (a savepoint was rolled back)
    assert HolidayNotice.objects.count() == 9


def test_an_empty_schedule_table_falls_back_to_the_bundled_file():
    HolidayNotice.objects.all().delete()
    assert load_schedule() == bundled_schedule()


def test_without_database_access_the_calendar_still_answers(django_db_blocker):
    with django_db_blocker.block():
        assert not is_working_day(D(2026, 10, 1))


# --- the missing-year warning ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (D(2026, 10, 31), []),
        (D(2026, 11, 1), [WARNING_2027]),
        (D(2026, 12, 31), [WARNING_2027]),
        (D(2027, 1, 4), [WARNING_2027]),  # the current year missing: always
        (D(2027, 11, 5), [WARNING_2027, WARNING_2027.replace("2027", "2028")]),
    ],
)
def test_missing_schedule_warnings(today, expected):
    assert missing_schedule_warnings(today=today) == expected


def test_no_warning_once_next_year_is_imported():
    services.import_holiday_file(SAMPLE_2027)
    assert missing_schedule_warnings(today=D(2026, 12, 1)) == []


def test_dashboard_warns_staff(login, leader, on):
    url = reverse("analytics:dashboard")
    on(D(2026, 10, 30))
    assert WARNING_2027 not in login(leader).get(url).content.decode()
    on(D(2026, 11, 2))
    page = login(leader).get(url).content.decode()
    assert WARNING_2027 in page
    assert reverse("admin:core_holidaynotice_import") not in page  # a leader cannot import


# --- admin -----------------------------------------------------------------------------------------


@pytest.fixture
def staff_admin(admin_user):
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    return admin_user


def test_admin_index_and_list_warn_administrators(login, staff_admin, on):
    on(D(2026, 11, 2))
    client = login(staff_admin)
    assert WARNING_2027 in client.get(reverse("admin:index")).content.decode()
    page = client.get(reverse("admin:core_holidaynotice_changelist")).content.decode()
    assert WARNING_2027 in page and "导入通知" in page and "国办发明电〔2025〕7号" in page


def test_admin_index_offers_the_import_only_to_who_may_import(login, security_admin, on):
    """Found by the UI walk: the 安全管理员 saw 导入通知 beside the warning and got 403 from it."""
    security_admin.is_staff = True
    security_admin.save(update_fields=["is_staff"])
    factories.enrol_totp(security_admin)  # an administrator without a second factor may only enrol
    on(D(2026, 11, 2))
    page = login(security_admin).get(reverse("admin:index")).content.decode()
    assert WARNING_2027 in page
    assert reverse("admin:core_holidaynotice_import") not in page


def test_admin_import_page(login, staff_admin):
    client = login(staff_admin)
    url = reverse("admin:core_holidaynotice_import")
    assert "导入节假日安排通知" in client.get(url).content.decode()

    bad = client.post(url, {"text": SAMPLE_2027.replace("9月26日（周日）", "9月27日（周一）")})
    assert bad.status_code == 200
    assert "调休上班日2027-09-27不是周六或周日" in bad.content.decode()
    assert not HolidayNotice.objects.filter(year=2027).exists()

    response = client.post(url, {"text": SAMPLE_2027, "year": "2027"})
    assert response.status_code == 302
    notice = HolidayNotice.objects.get(year=2027)
    assert notice.imported_by == staff_admin
    assert 2027 in calendars.schedule_years()


def test_admin_import_needs_the_permission(login, leader):
    leader.is_staff = True
    leader.save(update_fields=["is_staff"])
    response = login(leader).post(reverse("admin:core_holidaynotice_import"), {"text": SAMPLE_2027})
    assert response.status_code == 403
    assert not HolidayNotice.objects.filter(year=2027).exists()
