"""The page in a real browser (Debian's chromium driven by Playwright; no browser is ever downloaded).

Tests of the page alone against a scripted API (marked `browser` only: no local stack), and the whole flow
through `credscore serve` on the embedded local stack with the real pipeline (also marked `e2e`). Screenshots go to
test-artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from credscore_cli.webserver import WEB_DIR, WebConfig, serve_web
from tests.exports import small_applicant
from tests.web.fake_api import FakeApplication, fake_api

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
KEY = "browser-test-key"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CREDSCORE_ALLOW_NO_BROWSER") == "1":
            pytest.skip(
                "chromium is not installed (apt-get install chromium) and CREDSCORE_ALLOW_NO_BROWSER=1"
            )
        pytest.fail(
            "chromium is not installed: apt-get install -y chromium (or set CREDSCORE_ALLOW_NO_BROWSER=1)"
        )
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.errors = errors
    yield opened
    context.close()


def _zip(path: Path, members: dict[str, str]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    path.write_bytes(buffer.getvalue())
    return path


def _apply(page: Any, files: dict[str, Path]) -> None:
    """The applicant's steps: consent, choose the exports, create and upload."""
    page.wait_for_selector("body[data-ready=true]")
    submit = page.get_by_role("button", name="Create application and upload")
    assert submit.is_disabled()  # nothing happens before consent
    page.get_by_label("I have read the notice and consent").check()
    for platform, path in files.items():
        page.locator(f"#file-{platform}").set_input_files(str(path))
    assert submit.is_enabled()
    submit.click()


def test_page_alone_against_a_scripted_api(page: Any, tmp_path: Path) -> None:
    files = {
        "linkedin": _zip(tmp_path / "linkedin.zip", {"Profile.csv": "First Name\nA\n" * 2000}),
        "facebook": _zip(tmp_path / "facebook.zip", {"about.json": "{}"}),
    }
    with fake_api(KEY) as (api_url, state):
        server, url = serve_web(WebConfig(api_url=api_url, partner_key=KEY, upload_origin=api_url), WEB_DIR)
        try:
            page.goto(url + "/")
            # A bad file is refused before anything is created.
            page.wait_for_selector("body[data-ready=true]")
            page.get_by_label("I have read the notice and consent").check()
            page.locator("#file-x").set_input_files(str(_zip(tmp_path / "notes.txt", {"a": "b"})))
            page.get_by_role("button", name="Create application and upload").click()
            assert "not a .zip file" in page.locator("#apply-problem").inner_text()
            assert state.applications == {}
            page.reload()

            _apply(page, files)
            page.wait_for_selector("#apply-result:not([hidden]) svg.chart", timeout=30_000)
            body = state.bodies[-1]
            assert body["consent"]["granted"] is True
            assert body["consent"]["notice_version"] == "2026-12"
            assert body["consent"]["model_development"] is False, "the separate model consent is opt-in"
            assert body["sources"] == {"facebook": 1, "linkedin": 1}
            # Every file reached the upload target in full, and the bars say so.
            assert state.uploaded_bytes["linkedin/1"] > files["linkedin"].stat().st_size
            bars = page.locator("#upload-list progress")
            assert bars.count() == 2
            for index in range(2):
                assert bars.nth(index).evaluate("bar => bar.value === bar.max && bar.max > 0")
            result = page.locator("#apply-result")
            assert result.locator("svg.chart g.row").count() == 4
            assert result.locator("svg.chart g.row.none").count() == 1
            assert "645" in result.locator(".tile.score").inner_text()
            reasons = result.locator("ol.reasons li")
            assert reasons.count() == 2
            assert "FEW_CONNECTIONS" in reasons.nth(0).inner_text()
            # Text from the API is shown as text, never run as markup.
            assert "<img src=x" in reasons.nth(1).inner_text()
            # What the analyses read and could not check, in plain words.
            analysed = result.locator(".analysis-coverage li")
            assert analysed.count() == 3
            assert "9 in Hindi" in analysed.nth(0).inner_text()
            assert "Not checked: violence, weapons, drugs, hate symbols." in analysed.nth(2).inner_text()
            assert page.locator("#apply-result img").count() == 0
            assert page.evaluate("document.body.dataset.pwned") is None
            page.screenshot(path=str(SCREENSHOTS / "scripted-applicant-result.png"), full_page=True)

            # The partner's view: list, open, rescore, printable report, erase with confirmation.
            page.get_by_role("link", name="Applications").click()
            rows = page.locator("#app-table tbody tr")
            rows.first.wait_for()
            assert rows.count() == 1
            assert rows.first.locator(".badge").inner_text() == "scored"
            rows.first.get_by_role("button").click()
            page.wait_for_selector("#detail-result svg.chart")
            # The hatch of a no-evidence bar is defined in the same chart (ids stay unique with two charts).
            hatch = page.locator("#detail-result rect.noev").get_attribute("fill") or ""
            hatch_id = hatch.removeprefix("url(#").removesuffix(")")
            assert page.locator(f"#detail-result svg pattern[id='{hatch_id}']").count() == 1
            assert page.locator(f"pattern[id='{hatch_id}']").count() == 1
            page.get_by_role("button", name="Rescore with current weights").click()
            expect(page.locator("#detail-status")).to_contain_text("configuration version 2")
            with page.context.expect_page() as popup_info:
                page.get_by_role("button", name="Printable report").click()
            report = popup_info.value
            report.wait_for_load_state()
            report.wait_for_selector("h1")
            assert report.locator("h1").inner_text() == "credscore report"
            assert report.locator("svg rect.pts").count() == 3
            report.screenshot(path=str(SCREENSHOTS / "scripted-report.png"), full_page=True)
            report.close()
            page.screenshot(path=str(SCREENSHOTS / "scripted-partner-detail.png"), full_page=True)

            page.get_by_role("button", name="Erase…").click()
            page.get_by_role("button", name="Cancel").click()
            assert next(iter(state.applications.values())).status == "scored"
            page.get_by_role("button", name="Erase…").click()
            page.locator("#erase-confirm").click()
            expect(page.locator("#detail-status")).to_contain_text("Erased")
            assert next(iter(state.applications.values())).status == "erased"
            expect(page.locator("#app-table tbody .badge").first).to_have_text("erased")
            assert page.get_by_role("button", name="Rescore with current weights").is_disabled()
            assert page.errors == []
        finally:
            server.shutdown()
            server.server_close()


def test_the_list_shows_older_applications_a_page_at_a_time(page: Any) -> None:
    with fake_api(KEY) as (api_url, state):
        state.page_size = 2
        for age in range(3):
            app = FakeApplication(uuid.uuid4().hex, {"linkedin": 1}, None, created_at=1_790_000_000 - age)
            state.applications[app.application_id] = app
        server, url = serve_web(WebConfig(api_url=api_url, partner_key=KEY), WEB_DIR)
        try:
            page.goto(url + "/#partner")
            rows = page.locator("#app-table tbody tr")
            expect(rows).to_have_count(2)
            more = page.get_by_role("button", name="Show older")
            expect(more).to_be_visible()
            more.click()
            expect(rows).to_have_count(3)
            expect(more).to_be_hidden()
            oldest = min(state.applications.values(), key=lambda a: a.created_at)
            assert rows.nth(2).get_attribute("data-id") == oldest.application_id
            # Refresh starts again from the newest page.
            page.get_by_role("button", name="Refresh list").click()
            expect(rows).to_have_count(2)
            expect(more).to_be_visible()
            assert page.errors == []
        finally:
            server.shutdown()
            server.server_close()


def test_a_refused_partner_key_is_explained(page: Any) -> None:
    with fake_api(KEY) as (api_url, _state):
        server, url = serve_web(WebConfig(api_url=api_url, partner_key="wrong"), WEB_DIR)
        try:
            page.goto(url + "/#partner")
            page.wait_for_selector("#toast:not([hidden])")
            assert "Forbidden" in page.locator("#toast").inner_text()
        finally:
            server.shutdown()
            server.server_close()


# ------------------------------------------------------------------------------------- the real thing
@pytest.fixture(scope="module")
def served() -> Iterator[dict[str, str]]:
    """`credscore serve` as a person runs it: a subprocess on the embedded local stack."""
    process = subprocess.Popen(
        [sys.executable, "-m", "credscore_cli", "serve", "--port", "0"],
        cwd=REPO_ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    assert process.stdout is not None
    lines: list[str] = []
    for line in process.stdout:
        lines.append(line)
        if "Press Ctrl-C" in line or process.poll() is not None:
            break
    text = "".join(lines)
    web = re.search(r"Web page: (\S+)", text)
    key = re.search(r"Partner key: (\S+)", text)
    assert web, text
    assert key, text
    try:
        yield {"url": web[1], "key": key[1], "output": text}
    finally:
        process.send_signal(signal.SIGINT)
        rest = process.communicate(timeout=60)[0]
        assert process.returncode == 0, rest
        assert "Stopped." in rest


@pytest.mark.e2e
def test_whole_flow_through_credscore_serve(page: Any, served: dict[str, str], tmp_path: Path) -> None:
    files = small_applicant(tmp_path)
    page.goto(served["url"])
    _apply(page, files)
    status = page.locator("#apply-status")
    expect(status).to_have_text(re.compile(r"Scored\.|could not be scored|Stopped"), timeout=240_000)
    page.screenshot(path=str(SCREENSHOTS / "local-applicant-result.png"), full_page=True)
    assert status.inner_text() == "Scored.", status.inner_text()
    result = page.locator("#apply-result")
    assert result.locator("svg.chart g.row").count() >= 3
    assert result.locator("ol.reasons li, p.hint").count() >= 1
    page.get_by_role("link", name="Applications").click()
    rows = page.locator("#app-table tbody tr")
    rows.first.wait_for()
    assert rows.first.locator(".badge").inner_text() == "scored"
    rows.first.get_by_role("button").click()
    page.wait_for_selector("#detail-result svg.chart")
    page.get_by_role("button", name="Rescore with current weights").click()
    expect(page.locator("#detail-status")).to_contain_text("Rescored with configuration version")
    page.screenshot(path=str(SCREENSHOTS / "local-partner-detail.png"), full_page=True)
    with page.context.expect_page() as popup_info:
        page.get_by_role("button", name="Printable report").click()
    report = popup_info.value
    report.wait_for_selector("h1")
    assert report.locator("h1").inner_text() == "credscore report"
    assert report.locator("svg rect.pts").count() >= 3
    report.screenshot(path=str(SCREENSHOTS / "local-report.png"), full_page=True)
    report.close()
    page.get_by_role("button", name="Erase…").click()
    page.locator("#erase-confirm").click()
    expect(page.locator("#detail-status")).to_contain_text("Erased")
    expect(page.locator("#app-table tbody .badge").first).to_have_text("erased")
    assert page.errors == []
