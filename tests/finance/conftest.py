from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from xinfang.accounts.models import User
from xinfang.accounts.roles import FINANCE
from xinfang.finance.demo import load_finance_demo

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def seed_text() -> str:
    return (FIXTURES / "seed_2019.txt").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def corrected_text() -> str:
    return (FIXTURES / "seed_2019_corrected.txt").read_text(encoding="utf-8")


@pytest.fixture
def accounts(db):
    """The demo unit's 2019 final accounts."""
    return load_finance_demo()


@pytest.fixture
def finance_client(client, db):
    """A client logged in as a 财务人员."""
    user = User.objects.create_user(username="u_fin", password="Xinfang#2019x")
    user.groups.add(Group.objects.get_or_create(name=FINANCE)[0])
    client.force_login(user)
    return client
