import json

import pytest
from django.test import Client

from xinfang.accounts.services import create_api_token


class Api:
    """A test client speaking JSON to /api/ with a Bearer token."""

    def __init__(self, key: str):
        self.key = key
        self.client = Client(headers={"Authorization": f"Bearer {key}"})

    def get(self, path, **params):
        return self.client.get(f"/api{path}", params)

    def post(self, path, body: dict | None = None):
        return self.client.post(
            f"/api{path}", json.dumps(body or {}, default=str), content_type="application/json"
        )

    def act(self, matter, route: str, **fields):
        """POST a workflow action with the matter's current version."""
        matter.refresh_from_db()
        return self.post(f"/matters/{matter.number}/{route}", {"version": matter.version, **fields})


@pytest.fixture
def api_as(db):
    def make(user) -> Api:
        return Api(create_api_token(user, name="测试"))

    return make
