"""The admin page (``GET /_fake/``) in a real headless browser: Debian's chromium.

The first test needs only the browser (``chromium --dump-dom`` after the page's script ran); the
second clicks, with selenium and chromedriver. Both skip, saying why, when those are missing —
``tox -e browser`` installs them, and sets ``PYTEST_INFISICAL_REQUIRE_BROWSER=1`` so that a missing
browser fails there instead.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests

from pytest_infisical.__main__ import credentials
from pytest_infisical.admin import AdminApi, Baseline
from pytest_infisical.redact import fingerprint
from pytest_infisical.seed import DEMO_SEED
from pytest_infisical.transports.server import LiveServer

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
REQUIRED = os.environ.get("PYTEST_INFISICAL_REQUIRE_BROWSER") == "1"

#: secret names and folder paths are the client's input: the page must show them as text
EVIL_NAME = "<img src=x onerror=\"document.title='pwned'\">"
EVIL_PATH = '/"><script>document.title="pwned"</script>'


def _need(thing: Any, reason: str) -> None:
    if thing is None:
        if REQUIRED:
            pytest.fail(reason + " (PYTEST_INFISICAL_REQUIRE_BROWSER=1)")
        pytest.skip(reason)


class Page:
    def __init__(self, server: LiveServer, admin: AdminApi, printed: dict[str, Any]) -> None:
        self.server, self.admin, self.printed = server, admin, printed

    @property
    def url(self) -> str:
        return f"{self.server.url}/_fake/?token={self.admin.token}"

    def read(self, environment: str = "dev") -> requests.Response:
        return requests.get(
            self.server.url + "/api/v3/secrets/raw",
            headers={"Authorization": f"Bearer {self.printed['service_token']}"},
            params={"workspaceId": self.printed["project_id"], "environment": environment},
            timeout=10,
        )


@pytest.fixture
def page() -> Iterator[Page]:
    baseline = Baseline(DEMO_SEED, sleep=time.sleep)
    admin = AdminApi(baseline)
    with LiveServer(admin) as server:
        baseline.serve_at(server.url)
        printed = credentials(baseline, server.url)
        admin.fake.set_secret(EVIL_NAME, "evil-value", "dev", EVIL_PATH)
        yield Page(server, admin, printed)


def _flags(profile: Path) -> list[str]:
    return [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)


def test_the_page_shows_state_and_journal_escaped_and_redacted(page: Page, tmp_path: Path) -> None:
    _need(CHROMIUM, "no headless browser installed (apt-get install chromium, or tox -e browser)")
    assert page.read().status_code == 200
    page.admin.fake.fail_next("GET", "/api/v3/secrets/raw", status=503)
    assert page.read("prod").status_code == 503
    assert page.read("prod").status_code == 200
    completed = subprocess.run(
        [str(CHROMIUM), *_flags(tmp_path / "profile"), "--virtual-time-budget=5000", "--dump-dom", page.url],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    dom = completed.stdout
    assert "</html>" in dom, completed.stderr[-2000:]
    body = dom.split("<body>", 1)[1].split("<script", 1)[0]  # what the script rendered

    # the state: projects, environments, folders, secret names with fingerprints, never values
    assert f"<h3>demo ({page.printed['project_id']})</h3>" in body
    assert f">{fingerprint('hunter2')}</button>" in body
    assert "hunter2" not in dom and "evil-value" not in dom
    assert "<td>/backend</td>" in body and "<td>staging</td>" in body

    # attacker-controlled names and paths are text, not markup; nothing injected ran
    tags = _Tags()
    tags.feed(body)
    assert "img" not in tags.tags and "script" not in tags.tags
    assert "<code>&lt;img src=x onerror=\"document.title='pwned'\"&gt; </code>" in body
    assert '<td>/"&gt;&lt;script&gt;document.title="pwned"&lt;/script&gt;</td>' in body
    assert "<title>pytest-infisical: fake Infisical</title>" in dom

    # credentials, redacted
    for secret in (
        page.printed["api_key"],
        page.printed["service_token"],
        page.printed["service_account"]["access_key"],
    ):
        assert secret not in dom
    assert f"<code>ak.{page.printed['api_key'][3:7]}…(redacted)</code>" in body

    # the journal, newest first, with auth mode, route, status, and the fault marked
    rows = re.findall(r"<tr( class=\"fault\")?><td>(\d+)</td><td>GET</td>.*?</tr>", body.split('id="calls"')[1])
    assert [(int(index), bool(fault)) for fault, index in rows] == [(3, False), (2, True), (1, False)]
    faulted = re.search(r'<tr class="fault"><td>2</td>.*?</tr>', body)
    assert faulted is not None
    assert "<td>GET /api/v3/secrets/raw</td><td>service_token</td>" in faulted.group(0)
    assert '<span class="bad">503</span>' in faulted.group(0)
    assert '<strong class="bad">fault: status 503</strong>' in faulted.group(0)
    # admin traffic (the page's own polling) is not in the journal
    assert len(page.admin.fake.calls) == 3


def test_a_click_reveals_a_value_and_the_journal_refreshes_itself(page: Page, tmp_path: Path) -> None:
    _need(CHROMIUM, "no headless browser installed (apt-get install chromium, or tox -e browser)")
    _need(CHROMEDRIVER, "no chromedriver installed (apt-get install chromium-driver, or tox -e browser)")
    try:
        from selenium import webdriver  # type: ignore[import-not-found,unused-ignore]
        from selenium.common.exceptions import (  # type: ignore[import-not-found,unused-ignore]
            StaleElementReferenceException,
        )
        from selenium.webdriver.common.by import By  # type: ignore[import-not-found,unused-ignore]
        from selenium.webdriver.support.ui import WebDriverWait  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        _need(None, "selenium is not installed (pip install selenium, or tox -e browser)")
        raise
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in _flags(tmp_path / "profile"):
        options.add_argument(flag)
    service = webdriver.ChromeService(executable_path=str(CHROMEDRIVER))
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.get(page.url)
        # the page re-renders every second: look elements up afresh, and retry on a replaced one
        wait = WebDriverWait(driver, 20, ignored_exceptions=[StaleElementReferenceException])
        reveal = 'button[data-secret="DB_PASSWORD"]'
        assert wait.until(lambda d: d.find_element(By.CSS_SELECTOR, reveal).text) == fingerprint("hunter2")
        assert "hunter2" not in driver.page_source

        def click(d: Any) -> bool:
            d.find_element(By.CSS_SELECTOR, reveal).click()
            return True

        wait.until(click)
        wait.until(lambda d: "hunter2" in d.page_source)
        assert driver.current_url == page.server.url + "/_fake/"  # the token left the address bar

        # a call made now appears by itself, on top
        page.admin.fake.fail_next(status=500)
        assert page.read().status_code == 500
        first_row = wait.until(
            lambda d: (
                (row := d.find_element(By.CSS_SELECTOR, "#calls tr")).get_attribute("class") == "fault" and row.text
            )
        )
        assert str(first_row).startswith("1 GET /api/v3/secrets/raw?") and str(first_row).endswith("fault: status 500")
        # the revealed value survives the refreshes; the evil name is still text
        assert wait.until(lambda d: d.find_element(By.CSS_SELECTOR, reveal).text) == "hunter2"
        assert driver.find_elements(By.TAG_NAME, "img") == []
        assert driver.title == "pytest-infisical: fake Infisical"

        # a reload needs no token: the page set its cookie
        driver.get(page.server.url + "/_fake/")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#calls tr"))
    finally:
        driver.quit()
