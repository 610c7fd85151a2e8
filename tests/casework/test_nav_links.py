"""Found by the UI walk: the navigation sent a unit officer and the finance officer to 专项工作 → 领导接访, which
their roles may not open (403), and the 专项工作 sub-navigation listed pages every role got 403 on. Every link of
the top and the sub-navigation opens for the role that sees it."""

import re

import pytest

from tests import factories

NAV = re.compile(r"<nav[^>]*>(.*?)</nav>", re.S)
LINK = re.compile(r'href="(/[^"#]*)"')


def nav_links(html: str) -> list[str]:
    return [link for nav in NAV.findall(html) for link in LINK.findall(nav)]


@pytest.mark.parametrize("role", ["unit_officer", "finance", "clerk", "leader", "auditor"])
def test_every_navigation_link_opens_for_the_role(client, units, role):
    unit = units["dept"] if role == "unit_officer" else units["bureau"]
    client.force_login(factories.make_user("u_" + role, role, unit=unit))
    links = nav_links(client.get("/casework/").content.decode())
    programs = [link for link in links if link.startswith("/casework/programs/")]
    assert programs, links  # every one of these roles has a 专项工作 page
    links += nav_links(client.get(programs[0]).content.decode())  # its sub-navigation
    for link in dict.fromkeys(links):
        assert client.get(link).status_code == 200, (role, link)
