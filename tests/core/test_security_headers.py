"""HTTP security controls (issue 14 item 3, docs/security.md): Content-Security-Policy and Permissions-Policy
on every page; `Cache-Control: no-store` on whatever may carry personal data (staff pages, API JSON, .docx and
.xlsx downloads) while the public portal's pages stay cacheable; an oversized body refused with 413 before it
is read."""

import io

import pytest
from django.test import Client

from tests.api.conftest import Api
from xinfang.accounts.services import create_api_token
from xinfang.petitions import workflow

CSP = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
}


def assert_private(response):
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def assert_policies(response):
    assert CSP <= {part.strip() for part in response["Content-Security-Policy"].split(";")}
    policy = response["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in policy


def test_staff_page(login, clerk):
    response = login(clerk).get("/casework/")
    assert_private(response)
    assert_policies(response)


def test_admin_page(client, admin_user):
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    client.force_login(admin_user)
    response = client.get("/admin/accounts/user/")
    assert_private(response)
    assert_policies(response)


def test_api_json(in_state, clerk):
    matter = in_state(workflow.ACCEPTED)
    response = Api(create_api_token(clerk, name="测试")).get(f"/matters/{matter.number}")
    assert response["Content-Type"].startswith("application/json")
    assert_private(response)
    assert_policies(response)


def test_api_refusal_is_not_cached_either(db):
    response = Client().get("/api/matters/2026-0001")
    assert response.status_code == 401
    assert "no-store" in response["Cache-Control"]


def test_docx_download(login, in_state, clerk):
    matter = in_state(workflow.ACCEPTED)
    doc = matter.documents.get(kind="acceptance_notice")
    response = login(clerk).get(f"/casework/documents/{doc.pk}.docx")
    assert response["Content-Disposition"].startswith("attachment;")
    assert_private(response)


def test_xlsx_download(login, supervisor):
    response = login(supervisor).get("/analytics/export/kpis.xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert_private(response)


def test_a_citizens_receipt_docx_is_not_cached_though_nobody_is_signed_in(client, units):
    from tests.portal.helpers import form_data

    assert client.post("/portal/submit/", form_data()).status_code == 302
    response = client.get("/portal/submit/receipt.docx")
    assert "attachment" in response["Content-Disposition"]
    assert_private(response)


def test_public_portal_page_stays_cacheable(client, units):
    response = client.get("/portal/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    assert_policies(response)


@pytest.mark.parametrize("path", ["/portal/submit/", "/admin/login/", "/api/matters/"])
def test_an_oversized_body_is_refused_before_it_is_read(client, db, settings, path):
    settings.XINFANG_MAX_REQUEST_BYTES = 1024 * 1024

    class Unreadable(io.RawIOBase):
        def read(self, *args):
            raise AssertionError("the body was read")

    declared = str(30 * 1024 * 1024)
    response = client.post(path, {}, CONTENT_LENGTH=declared, **{"wsgi.input": Unreadable()})
    assert response.status_code == 413
    assert "提交的内容过大（上限 1 MB）" in response.content.decode()


def test_a_body_within_the_limit_goes_through(client, units, settings):
    settings.XINFANG_MAX_REQUEST_BYTES = 1024 * 1024
    assert client.post("/portal/submit/", {"title": "x" * 1000}).status_code == 200  # the form's own errors


def test_the_default_limit_takes_a_full_portal_submission():
    from django.conf import settings

    from xinfang.petitions.citizens import MAX_FILE_BYTES, MAX_FILES

    assert (
        MAX_FILES * MAX_FILE_BYTES < settings.XINFANG_MAX_REQUEST_BYTES <= MAX_FILES * MAX_FILE_BYTES + 2**21
    )
