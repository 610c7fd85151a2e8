import pytest

from tests import factories


@pytest.fixture
def finance(units):
    return factories.make_user("fin1", "finance", unit=units["bureau"], full_name="财务员")


@pytest.fixture
def login(client):
    def as_user(user):
        client.logout()
        client.force_login(user)
        return client

    return as_user
