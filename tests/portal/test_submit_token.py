"""The submission form's one-time token (portal/tokens.py, issue 14): a resubmission shows the first receipt
instead of registering a second petition; an expired or unknown token brings the form back with what was typed."""

import re
from datetime import timedelta

from django.test import Client
from django.utils import timezone

from tests.portal.helpers import form_data
from xinfang.petitions.models import Registration
from xinfang.portal import tokens
from xinfang.portal.models import SubmitToken


def receipt_of(client) -> tuple[str, str]:
    html = client.get("/portal/submit/receipt/").content.decode()
    number = re.search(r'id="reg-number">([^<]+)<', html).group(1)
    code = re.search(r'id="query-code">([^<]+)<', html).group(1)
    return number, code


def token_in(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def test_the_form_carries_a_fresh_token(client, units):
    first = token_in(client.get("/portal/submit/").content.decode())
    second = token_in(client.get("/portal/submit/").content.decode())
    assert first != second and tokens.problem(first) is None


def test_a_double_submission_shows_the_first_receipt_and_registers_once(client, units):
    data = form_data()
    assert client.post("/portal/submit/", data).status_code == 302
    first = receipt_of(client)
    again = client.post("/portal/submit/", data)  # double click / retry
    assert again.status_code == 302 and again["Location"] == "/portal/submit/receipt/"
    assert receipt_of(client) == first
    assert Registration.objects.count() == 1
    assert Registration.objects.get().number == first[0]


def test_back_and_resubmit_from_another_session_still_shows_the_first_receipt(client, units):
    """The first answer never arrived (the session cookie with it was lost): the token alone finds the receipt,
    including the 查询码 the citizen has not seen yet."""
    data = form_data()
    assert client.post("/portal/submit/", data).status_code == 302
    first = receipt_of(client)
    other = Client()
    edited = {**data, "title": "改过的标题"}  # back, edited, submitted again: still the first submission
    assert other.post("/portal/submit/", edited).status_code == 302
    assert receipt_of(other) == first
    assert Registration.objects.count() == 1 and Registration.objects.get().matter.title != "改过的标题"


def test_a_new_form_is_a_new_submission(client, units):
    assert client.post("/portal/submit/", form_data()).status_code == 302
    assert client.post("/portal/submit/", form_data()).status_code == 302  # form_data() issues a new token
    assert Registration.objects.count() == 2


def test_an_unknown_token_brings_the_form_back_with_the_typed_text(client, units):
    data = form_data(title="工资被拖欠三个月", form_token="forged:token")
    response = client.post("/portal/submit/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "无法确认本次提交来自本站" in html
    assert 'value="工资被拖欠三个月"' in html and "2019年6月至8月某公司未发工资。" in html
    assert tokens.problem(token_in(html)) is None  # a fresh token to submit with
    assert Registration.objects.count() == 0 and not SubmitToken.objects.exists()
    assert client.post("/portal/submit/", {**data, "form_token": token_in(html)}).status_code == 302


def test_an_expired_token_brings_the_form_back(client, units, time_machine):
    data = form_data(title="道路积水")
    time_machine.move_to(timezone.now() + timedelta(hours=25))
    response = client.post("/portal/submit/", data)
    html = response.content.decode()
    assert response.status_code == 200 and "已失效" in html and 'value="道路积水"' in html
    assert Registration.objects.count() == 0


def test_a_form_error_does_not_use_up_the_token(client, units):
    data = form_data()
    assert client.post("/portal/submit/", {**data, "title": ""}).status_code == 200
    assert client.post("/portal/submit/", data).status_code == 302
    assert Registration.objects.count() == 1


def test_a_resubmission_while_the_first_still_runs_says_so(client, units, monkeypatch):
    data = form_data()
    assert tokens.claim(data["form_token"]) is not None  # the first submission holds the token, not finished
    monkeypatch.setattr(tokens, "PENDING_WAIT", 0)
    response = client.post("/portal/submit/", data)
    html = response.content.decode()
    assert response.status_code == 409 and "正在处理" in html and token_in(html) == data["form_token"]
    assert Registration.objects.count() == 0


def test_the_stored_receipt_is_encrypted(client, units):
    assert client.post("/portal/submit/", form_data()).status_code == 302
    number, code = receipt_of(client)
    row = SubmitToken.objects.get()
    assert row.registration.number == number and code not in row.receipt and number not in row.receipt


def test_a_claim_abandoned_by_a_failed_submission_is_taken_over(client, units, time_machine):
    """The database went away during the first submission, so it could not release its token (bench/load):
    within STALE_CLAIM a retry hears "processing"; after it, the retry registers the petition once."""
    data = form_data()
    assert tokens.claim(data["form_token"]) is not None  # claimed, then the submission died without a receipt
    assert tokens.claim(data["form_token"]) is None
    time_machine.move_to(timezone.now() + tokens.STALE_CLAIM)
    assert client.post("/portal/submit/", data).status_code == 302
    assert Registration.objects.count() == 1 and SubmitToken.objects.count() == 1
    assert client.post("/portal/submit/", data).status_code == 302  # and now it is a normal replay
    assert Registration.objects.count() == 1
