"""打印: every staff matter page and list carries the print stylesheet and a 打印 button wired by a static script
(no inline script: the Content-Security-Policy forbids it)."""

import re

import pytest
from django.contrib.staticfiles import finders

from xinfang.petitions import workflow

PRINT_CSS = '<link rel="stylesheet" href="/static/css/print.css" media="print">'
PRINT_JS = '<script src="/static/js/print.js" defer></script>'
BUTTON = re.compile(r'<button type="button"[^>]*data-print[^>]*>打印</button>')


@pytest.mark.parametrize(("who", "path"), [
    ("clerk", "/casework/?filtered=1"),
    ("clerk", "/casework/?queue=mine"),
    ("clerk", "matter"),
    ("supervisor", "/analytics/"),
    ("supervisor", "/analytics/matters/?figure=overdue"),
    ("supervisor", "/casework/supervision/"),
])  # fmt: skip
def test_pages_have_the_print_stylesheet_and_button(request, login, in_state, who, path):
    user = request.getfixturevalue(who)
    if path == "matter":
        path = f"/casework/matters/{in_state(workflow.ACCEPTED).number}/"
    response = login(user).get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert PRINT_CSS in html and PRINT_JS in html and len(BUTTON.findall(html)) == 1


def test_no_print_button_for_a_visitor_who_is_not_signed_in(client, units):
    html = client.get("/accounts/login/").content.decode()
    assert not BUTTON.search(html)


def test_print_stylesheet_hides_navigation_forms_and_buttons_and_script_prints():
    css = open(finders.find("css/print.css"), encoding="utf-8").read()
    hidden = re.search(r"([^{}]+)\{\s*display:\s*none", css).group(1)
    for selector in (".topbar", "nav", "form", "button", 'section[aria-labelledby="h-actions"]'):
        assert selector in hidden
    js = open(finders.find("js/print.js"), encoding="utf-8").read()
    assert "window.print()" in js and "data-print" in js
