"""Found by the UI walk: a citizen whose browser asks for English (Accept-Language: en-US, the default of many
browsers and of Playwright) got the portal's form errors as "This field is required." among Chinese labels.
Every page answers in Chinese whatever the browser prefers."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("accept", ["en-US,en;q=0.9", "en", "de-DE"])
def test_form_errors_are_chinese_whatever_the_browser_asks(client, units, accept):
    page = client.post(reverse("portal:submit"), {}, HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert "这个字段是必填项。" in page
    assert "This field is required" not in page
    staff = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert '<html lang="zh-hans">' in staff  # the staff pages' lang is the active language
