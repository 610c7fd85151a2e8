"""Shared pieces of the Playwright tests: real Chromium (Debian's /usr/bin/chromium) against pytest-django's
live_server, which runs in a thread of this process, so time-machine's travel applies to the server too.

Use `pytestmark = BROWSER` in a module and the `browser_page` fixture from tests/conftest.py."""

import os
from pathlib import Path

import pytest

from tests import factories
from xinfang.accounts import totp
from xinfang.accounts.models import User

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]  # fmt: skip
# On a developer's machine without Chromium the browser tests are skipped with a hint; in CI (CI=true) a
# missing browser is a failure, never a silent skip (see `browser_page` in tests/conftest.py).
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BROWSER = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not IN_CI and not CHROMIUM.exists(), reason="需要 /usr/bin/chromium（make browser 安装）"
    ),
]


def fontconfig_env(tmp_path: Path) -> dict:
    """Environment for Chromium with the Noto Sans CJK fonts that the mplfonts package ships added to the
    system's fontconfig, so Chinese renders even where no CJK font package is installed."""
    import mplfonts

    fonts = Path(mplfonts.__file__).parent / "fonts"
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <dir>{fonts}</dir>\n  <cachedir>{tmp_path / 'fc-cache'}</cachedir>\n"
        "  <alias><family>sans-serif</family><prefer><family>Noto Sans CJK SC</family></prefer></alias>\n"
        "</fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


def login(page, base: str, username: str, landing: str = "/casework/**") -> None:
    """Log in through the form; `landing` is where the user's role lands (accounts.views.landing_url)."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", factories.PASSWORD)
    user = User.objects.get(username=username)
    if totp.required(user):  # the administrators sign in with their second factor (issue 14)
        page.fill("#id_otp", totp.code_at(factories.enrol_totp(user)))
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base}{landing}")


def logout(page) -> None:
    page.click("form.logout button[type=submit]")
    page.wait_for_url("**/accounts/login/**")


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / name
    page.screenshot(path=str(path), full_page=True)
    return path
