import pytest

from tests import factories


@pytest.fixture
def in_state(people, units):
    """A matter in `state`, built through the services as the natural actors would."""

    def build(state, **overrides):
        return factories.matter_in_state(state, people=people, units=units, **overrides)

    return build


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
