"""Error pages speak Chinese with DEBUG=False: 400, 403, 403 (CSRF), 404 and 500, which renders without a
request context."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, RequestFactory
from django.views import defaults


def assert_chinese(response, status: int, heading: str):
    html = response.content.decode()
    assert response.status_code == status
    assert heading in html and 'lang="zh-hans"' in html
    for english in ("Not Found", "Server Error", "Forbidden", "Bad Request", "CSRF verification failed"):
        assert english not in html
    assert "<script" not in html and "style=" not in html


def test_404_in_chinese(client, settings, db):
    settings.DEBUG = False
    assert_chinese(client.get("/no/such/page/"), 404, "页面不存在（404）")


def test_500_in_chinese_without_request_context(settings):
    settings.DEBUG = False
    response = defaults.server_error(RequestFactory().get("/"))
    assert_chinese(response, 500, "系统出现错误（500）")


def test_400_and_403_in_chinese(settings):
    settings.DEBUG = False
    request = RequestFactory().get("/")
    assert_chinese(defaults.bad_request(request, Exception("bad")), 400, "请求有误（400）")
    response = defaults.permission_denied(request, PermissionDenied("您无权查看该信访事项。"))
    assert_chinese(response, 403, "无权访问（403）")
    assert "您无权查看该信访事项。" in response.content.decode()


@pytest.mark.django_db
def test_csrf_failure_in_chinese(settings):
    settings.DEBUG = False
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    assert_chinese(response, 403, "页面已过期，请重新提交（403）")
