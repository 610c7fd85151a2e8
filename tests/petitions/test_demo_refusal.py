"""`xinfang load_demo` never puts its ~50 accounts with the published password into a production database by
mistake: with DEBUG off it needs `--i-know-this-is-a-demo` (or XINFANG_DEMO=1), and it refuses a database that
already holds accounts or matters the demo did not make (issue 14, 等保 8.1.4.2 b 默认口令)."""

from io import StringIO

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import connections

from tests import factories
from xinfang.accounts.models import User
from xinfang.petitions import demo
from xinfang.petitions.models import Matter, Unit

pytestmark = pytest.mark.django_db


def nothing_loaded():
    return not User.objects.filter(username__in=demo.demo_logins()).exists() and not Unit.objects.exists()


@pytest.fixture(autouse=True)
def _not_confirmed(monkeypatch, settings):
    monkeypatch.delenv("XINFANG_DEMO", raising=False)
    settings.DEBUG = False


def test_without_debug_or_confirmation_it_refuses_and_creates_nothing():
    with pytest.raises(CommandError, match="拒绝载入演示数据.*--i-know-this-is-a-demo"):
        call_command("load_demo", "--without-history", stdout=StringIO())
    assert nothing_loaded()


def test_the_command_line_exits_non_zero_with_the_chinese_message(capsys, monkeypatch):
    monkeypatch.setattr(
        connections, "close_all", lambda: None
    )  # run_from_argv closes them; the test's is open
    with pytest.raises(SystemExit) as exit_:
        execute_from_command_line(["xinfang", "load_demo", "--without-history"])
    assert exit_.value.code != 0
    assert "不能进入生产数据库" in capsys.readouterr().err
    assert nothing_loaded()


@pytest.mark.parametrize("how", ["flag", "env", "debug"])
def test_confirmed_it_still_refuses_a_database_with_real_accounts(how, monkeypatch, settings):
    """Each confirmation gets past the first check (the refusal is then the second one's)."""
    factories.make_user("zhangsan")
    args = ["load_demo", "--without-history"]
    if how == "flag":
        args.append("--i-know-this-is-a-demo")
    elif how == "env":
        monkeypatch.setenv("XINFANG_DEMO", "1")
    else:
        settings.DEBUG = True
    with pytest.raises(CommandError, match="已有非演示账号（zhangsan 等）"):
        call_command(*args, stdout=StringIO())
    assert nothing_loaded()
    assert list(User.objects.values_list("username", flat=True)) == ["zhangsan"]


def test_confirmed_it_refuses_a_database_with_matters(clerk):
    factories.register(clerk)
    with pytest.raises(CommandError, match="已有信访事项"):
        call_command("load_demo", "--without-history", "--i-know-this-is-a-demo", stdout=StringIO())
    assert Matter.objects.count() == 1
    assert not User.objects.filter(username__in=demo.demo_logins()).exists()
