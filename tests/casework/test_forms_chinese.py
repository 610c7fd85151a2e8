"""Form errors come from the page, in Chinese: every form that takes input has `novalidate` (the browser's English
bubble never pre-empts the server's message), and labels never end in an ASCII colon."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

import xinfang
from xinfang.accounts.models import User
from xinfang.accounts.roles import FINANCE
from xinfang.finance.demo import load_finance_demo

ROOT = Path(xinfang.__file__).parent
# forms that are a single button (nothing to validate)
BUTTON_ONLY = ("'logout'", "notification_read", "notifications_read_all", "portal:leave")


def test_every_input_form_has_novalidate():
    missing = []
    for path in ROOT.rglob("*.html"):
        for tag in re.findall(r"<form\b[^>]*>", path.read_text(), flags=re.S):
            if "novalidate" not in tag and not any(k in tag for k in BUTTON_ONLY):
                missing.append(f"{path.relative_to(ROOT)}: {tag[:80]}")
    assert missing == []


def test_login_errors_are_on_the_page_in_chinese(client, db):
    html = client.post("/accounts/login/", {"username": "", "password": ""}).content.decode()
    assert "novalidate" in html
    assert re.search(r"<p>用户名：[^<]*(必须|必填|必需)", html), html[html.find("error-summary") :][:300]


@pytest.mark.parametrize(
    "who, url",
    [
        ("supervisor", "/casework/supervision/"),
        ("leader", "/analytics/"),
        ("clerk", "/casework/programs/disputes/"),
        ("clerk", "/casework/"),
    ],
)
def test_labels_have_no_ascii_colon(request, login, who, url):
    html = login(request.getfixturevalue(who)).get(url).content.decode()
    assert "<label" in html and ":</label>" not in html


def test_finance_labels_end_in_a_full_width_colon(client, db):
    accounts = load_finance_demo()
    user = User.objects.create_user(username="u_fin", password="Xinfang#2019x")
    user.groups.add(Group.objects.get_or_create(name=FINANCE)[0])
    client.force_login(user)
    html = client.get(f"/finance/{accounts.pk}/edit/").content.decode()
    assert "：</label>" in html and ":</label>" not in html
