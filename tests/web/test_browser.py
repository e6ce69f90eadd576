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

from credscore.render.chart import chart_spec
from credscore_cli.webserver import WebConfig
from tests.exports import small_applicant
from tests.web.browsers import CHROMIUM, SCREENSHOTS, launched_chromium, opened_page, web_pages
from tests.web.fake_api import FakeApplication, fake_api, scripted_result

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
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
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    with opened_page(browser, viewport={"width": 1100, "height": 900}) as opened:
        yield opened


def _zip(path: Path, members: dict[str, str]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    path.write_bytes(buffer.getvalue())
    return path


def _check_printable_report(page: Any) -> None:
    """The partner's detail view opens the printable report in a window of its own."""
    with page.context.expect_page() as popup_info:
        page.get_by_role("button", name="Printable report").click()
    report = popup_info.value
    report.wait_for_selector("h1")
    assert report.locator("h1").inner_text() == "credscore report"
    report.close()


def _apply(page: Any, files: dict[str, Path]) -> None:
    """The applicant's steps on the link's page: consent, choose the exports, upload."""
    page.wait_for_selector("body[data-ready=true]")
    submit = page.get_by_role("button", name="Upload and apply")
    assert submit.is_disabled()  # nothing happens before consent
    page.get_by_label("I have read the notice and consent").check()
    for platform, path in files.items():
        page.locator(f"#file-{platform}").set_input_files(str(path))
    assert submit.is_enabled()
    submit.click()


def _partner_console(page: Any, url: str, key: str) -> None:
    """The partner opens the console and types the key (kept in the tab's sessionStorage only)."""
    page.goto(url + "/partner.html")
    page.wait_for_selector("body[data-ready=true]")
    page.locator("#partner-key").fill(key)
    page.get_by_role("button", name="Use for this tab").click()


def _create_in_console(page: Any, sources: dict[str, int], reference: str) -> str:
    for platform in ("facebook", "linkedin", "instagram", "x"):
        page.locator(f"#n-{platform}").fill(str(sources.get(platform, 0)))
    page.locator("#reference").fill(reference)
    page.get_by_label("The applicant agreed").check()
    page.get_by_role("button", name="Create and get the applicant's link").click()
    link = page.locator("#applicant-link")
    expect(link).to_have_value(re.compile(r"#t="), timeout=60_000)  # a cold API on the local stack
    return str(link.input_value())


def test_no_partner_key_reaches_the_applicant_page(page: Any) -> None:
    with (
        fake_api(KEY) as (api_url, _state),
        web_pages(WebConfig(api_url=api_url, upload_origin=api_url)) as url,
    ):
        config = page.request.get(url + "/config.json").json()
        assert config == {"apiBase": "/api"}
        page.goto(url + "/")
        page.wait_for_selector("body[data-ready=true]")
        assert "link your lender sent" in page.locator("#link-problem").inner_text()
        assert page.locator("#partner-key").count() == 0
        for name in ("index.html", "js/applicant.js", "js/api.js", "config.json"):
            assert KEY not in page.request.get(f"{url}/{name}").text()
        page.goto(url + "/#t=not-a-valid-token")
        page.wait_for_selector("body[data-ready=true]")
        expect(page.locator("#link-problem")).to_be_visible()
        assert page.errors == []


def test_applicant_and_partner_pages_against_a_scripted_api(page: Any, tmp_path: Path) -> None:
    files = {
        "linkedin": _zip(tmp_path / "linkedin.zip", {"Profile.csv": "First Name\nA\n" * 2000}),
        "facebook": _zip(tmp_path / "facebook.zip", {"about.json": "{}"}),
    }
    with (
        fake_api(KEY) as (api_url, state),
        web_pages(WebConfig(api_url=api_url, upload_origin=api_url)) as url,
    ):
        _partner_console(page, url, KEY)
        link = _create_in_console(page, {"facebook": 1, "linkedin": 1}, "loan-17")
        body = state.bodies[-1]
        assert body["consent"]["granted"] is True
        assert body["sources"] == {"facebook": 1, "linkedin": 1}
        assert link.startswith(url + "/#t=")
        [app] = state.applications.values()
        assert link.endswith(app.token)

        # The applicant: the link alone. A bad file is refused before anything is uploaded.
        applicant = page.context.new_page()
        applicant.goto(link)
        applicant.wait_for_selector("body[data-ready=true]")
        assert "Facebook export, LinkedIn export" in applicant.locator("#asked-for").inner_text()
        applicant.get_by_label("I have read the notice and consent").check()
        applicant.locator("#file-facebook").set_input_files(str(_zip(tmp_path / "notes.txt", {"a": "b"})))
        applicant.get_by_role("button", name="Upload and apply").click()
        assert "not a .zip file" in applicant.locator("#apply-problem").inner_text()
        assert app.received == set()
        applicant.reload()
        _apply(applicant, files)
        applicant.wait_for_selector("#apply-result:not([hidden]) svg.chart", timeout=30_000)
        assert app.consented
        assert state.uploaded_bytes["linkedin/1"] > files["linkedin"].stat().st_size
        bars = applicant.locator("#upload-list progress")
        assert bars.count() == 2
        for index in range(2):
            assert bars.nth(index).evaluate("bar => bar.value === bar.max && bar.max > 0")
        expect(applicant.locator("#stages li.done")).to_have_count(4)
        result = applicant.locator("#apply-result")
        assert "645" in result.locator(".tile.score").inner_text()
        assert result.locator("svg.chart g.row").count() == 4
        # Plain words from the catalogue, not codes; API text shown as text, never run as markup.
        chart_labels = result.locator("svg.chart text").all_text_contents()
        assert result.locator("svg.chart text.value").all_text_contents() == [
            bar.value_text for bar in chart_spec(scripted_result(app.config_version)["breakdown"]).bars
        ]
        assert "Connections" in chart_labels
        assert "connections" not in chart_labels
        # What the analyses read and cannot see, in the API's own sentences.
        analysed = scripted_result(app.config_version)["analysis_coverage"]
        assert result.locator("#result-analysed li").all_text_contents() == [
            analysed[key]["summary"] for key in ("texts", "names", "images")
        ]
        reasons = result.locator("ol.reasons li")
        assert reasons.count() == 2
        assert "<img src=x" in reasons.nth(1).inner_text()
        assert applicant.locator("img").count() == 0
        assert applicant.evaluate("document.body.dataset.pwned") is None
        applicant.screenshot(path=str(SCREENSHOTS / "scripted-applicant-result.png"), full_page=True)

        # The partner's list: reference, score, status; filter and search.
        page.get_by_role("button", name="Show", exact=True).click()
        rows = page.locator("#app-table tbody tr")
        expect(rows.first.locator(".badge")).to_have_text("scored")
        assert rows.first.locator("td").nth(0).inner_text() == "loan-17"
        assert rows.first.locator("td").nth(1).inner_text() == "645"
        page.locator("#filter-status").select_option("failed")
        page.get_by_role("button", name="Show", exact=True).click()
        expect(rows).to_have_count(0)
        expect(page.locator("#list-status")).to_have_text("No application matches.")
        page.locator("#filter-status").select_option("")
        page.locator("#filter-reference").fill("an-17")
        page.get_by_role("button", name="Show", exact=True).click()
        expect(rows).to_have_count(1)
        rows.first.get_by_role("button").click()
        page.wait_for_selector("#detail-result svg.chart")
        # The page draws the API's chart definition as it is: the bars' lengths and words come from it.
        spec = chart_spec(scripted_result(app.config_version)["breakdown"])
        drawn = page.locator("#detail-result svg.chart rect.max, #detail-result svg.chart rect.noev")
        widths = drawn.evaluate_all("rects => rects.map((rect) => rect.getAttribute('width'))")
        assert widths == [f"{100 * bar.max_share:.1f}%" for bar in spec.bars]
        values = page.locator("#detail-result svg.chart text.value").all_text_contents()
        assert values == [bar.value_text for bar in spec.bars]
        hatch = page.locator("#detail-result rect.noev").get_attribute("fill") or ""
        hatch_id = hatch.removeprefix("url(#").removesuffix(")")
        assert page.locator(f"pattern[id='{hatch_id}']").count() == 1
        page.get_by_role("button", name="Rescore with current weights").click()
        expect(page.locator("#detail-status")).to_contain_text("configuration version 2")
        _check_printable_report(page)
        page.screenshot(path=str(SCREENSHOTS / "scripted-partner-detail.png"), full_page=True)

        # The applicant erases their own data and sees the receipt; the link then stops. The record is busy at the
        # first try (503 busy): the page sends it again after Retry-After instead of showing an error.
        applicant.get_by_role("button", name="Erase my data…").click()
        applicant.get_by_role("button", name="Cancel").click()
        assert app.status == "scored"
        state.busy_erasures = 1
        applicant.get_by_role("button", name="Erase my data…").click()
        applicant.locator("#erase-confirm").click()
        expect(applicant.locator("#erase-receipt")).to_contain_text("4 record(s) deleted")
        assert app.status == "erased"
        assert state.busy_answered == 1
        applicant.reload()
        applicant.wait_for_selector("body[data-ready=true]")
        expect(applicant.locator("#link-problem")).to_be_visible()
        assert page.errors == []


def test_the_applicant_scores_with_what_they_uploaded(page: Any, tmp_path: Path) -> None:
    with fake_api(KEY) as (api_url, state):
        app = FakeApplication(uuid.uuid4().hex, {"linkedin": 1, "facebook": 1}, None)
        state.applications[app.application_id] = app
        with web_pages(WebConfig(api_url=api_url, upload_origin=api_url)) as url:
            page.goto(f"{url}/#t={app.token}")
            _apply(page, {"linkedin": _zip(tmp_path / "linkedin.zip", {"Profile.csv": "First Name\nA\n"})})
            expect(page.locator("#apply-status")).to_contain_text("waiting for the service")
            button = page.get_by_role("button", name="Score with what I uploaded")
            expect(button).to_be_visible()
            assert app.status == "collecting"
            button.click()
            page.wait_for_selector("#apply-result:not([hidden]) svg.chart", timeout=30_000)
            assert app.received == {"linkedin/1"}
            expect(page.locator("#submit-box")).to_be_hidden()
            assert page.errors == []


def test_the_link_leaves_the_address_bar_and_a_failed_upload_can_be_sent_again(
    page: Any, tmp_path: Path
) -> None:
    # The token stayed in the address (and the synced history) for the retention period, and it also erases; a
    # failed upload hid the form for good (reload to try again).
    with fake_api(KEY) as (api_url, state):
        app = FakeApplication(uuid.uuid4().hex, {"linkedin": 1}, None)
        state.applications[app.application_id] = app
        with web_pages(WebConfig(api_url=api_url, upload_origin=api_url)) as url:
            page.goto(f"{url}/#t={app.token}")
            page.wait_for_selector("body[data-ready=true]")
            assert "#t=" not in page.url
            assert app.token not in page.url
            page.reload()  # the tab keeps it
            state.failed_uploads = 1
            export = _zip(tmp_path / "linkedin.zip", {"Profile.csv": "First Name\nA\n"})
            _apply(page, {"linkedin": export})
            expect(page.locator("#apply-status")).to_contain_text("Stopped")
            expect(page.locator("#view-apply")).to_be_visible()
            assert app.received == set()
            page.locator("#file-linkedin").set_input_files(str(export))
            page.get_by_role("button", name="Upload and apply").click()
            page.wait_for_selector("#apply-result:not([hidden]) svg.chart", timeout=30_000)
            assert app.received == {"linkedin/1"}


def test_a_revoked_link_is_explained(page: Any) -> None:
    with fake_api(KEY) as (api_url, state):
        app = FakeApplication(uuid.uuid4().hex, {"linkedin": 1}, "r-1")
        state.applications[app.application_id] = app
        with web_pages(WebConfig(api_url=api_url)) as url:
            token = app.token
            page.goto(f"{url}/#t={token}")
            page.wait_for_selector("body[data-ready=true]")
            expect(page.locator("#view-apply")).to_be_visible()
            _partner_console(page, url, KEY)
            page.locator("#app-table tbody tr").first.get_by_role("button").click()
            page.get_by_role("button", name="Revoke applicant link").click()
            expect(page.locator("#detail-status")).to_have_text("The applicant link was revoked.")
            page.goto(f"{url}/#t={token}")
            page.wait_for_selector("body[data-ready=true]")
            expect(page.locator("#link-problem")).to_contain_text("no longer valid")


def test_the_list_shows_older_applications_a_page_at_a_time(page: Any) -> None:
    with fake_api(KEY) as (api_url, state):
        state.page_size = 2
        for age in range(3):
            app = FakeApplication(uuid.uuid4().hex, {"linkedin": 1}, None, created_at=1_790_000_000 - age)
            state.applications[app.application_id] = app
        with web_pages(WebConfig(api_url=api_url)) as url:
            _partner_console(page, url, KEY)
            rows = page.locator("#app-table tbody tr")
            expect(rows).to_have_count(2)
            more = page.get_by_role("button", name="Show older")
            expect(more).to_be_visible()
            more.click()
            expect(rows).to_have_count(3)
            expect(more).to_be_hidden()
            oldest = min(state.applications.values(), key=lambda a: a.created_at)
            assert rows.nth(2).get_attribute("data-id") == oldest.application_id
            # Show starts again from the newest page.
            page.get_by_role("button", name="Show", exact=True).click()
            expect(rows).to_have_count(2)
            expect(more).to_be_visible()
            assert page.errors == []


def test_a_refused_partner_key_is_explained(page: Any) -> None:
    with fake_api(KEY) as (api_url, _state), web_pages(WebConfig(api_url=api_url)) as url:
        _partner_console(page, url, "wrong")
        # The console first says it kept the key, then what the API answered: wait for that one.
        page.locator("#toast:not([hidden])").filter(has_text="Forbidden").wait_for()
        assert "Forbidden" in page.locator("#toast").inner_text()


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
        # The stack stops its pumps, workers and emulator one after another: ~3 s on an idle host; a CI host under
        # the rest of the suite once took over 60 s (cause not found; noted on issue 16). A hang still fails.
        rest = process.communicate(timeout=180)[0]
        assert process.returncode == 0, rest
        assert "Stopped." in rest


@pytest.mark.e2e
def test_whole_flow_through_credscore_serve(page: Any, served: dict[str, str], tmp_path: Path) -> None:
    files = small_applicant(tmp_path)
    url = served["url"].rstrip("/")
    _partner_console(page, url, served["key"])
    link = _create_in_console(page, {p: 1 for p in files}, "serve-1")
    applicant = page.context.new_page()
    applicant.goto(link)
    _apply(applicant, files)
    status = applicant.locator("#apply-status")
    expect(status).to_have_text(re.compile(r"Done|could not be scored|Stopped"), timeout=240_000)
    applicant.screenshot(path=str(SCREENSHOTS / "local-applicant-result.png"), full_page=True)
    assert status.inner_text().startswith("Done"), status.inner_text()
    result = applicant.locator("#apply-result")
    # "Done" shows before the result's own request returns: wait for the chart it draws.
    expect(result.locator("svg.chart g.row").first).to_be_visible(timeout=30_000)
    assert result.locator("svg.chart g.row").count() >= 3
    expect(result.locator("#result-sources li")).to_have_count(len(files))
    assert result.locator("#result-analysed li").count() == 3, "texts, names and photos, each in a sentence"
    page.get_by_role("button", name="Show", exact=True).click()
    rows = page.locator("#app-table tbody tr")
    expect(rows.first.locator(".badge")).to_have_text("scored")
    assert rows.first.locator("td").nth(0).inner_text() == "serve-1"
    rows.first.get_by_role("button").click()
    page.wait_for_selector("#detail-result svg.chart")
    page.get_by_role("button", name="Rescore with current weights").click()
    expect(page.locator("#detail-status")).to_contain_text("Nothing changed")
    page.screenshot(path=str(SCREENSHOTS / "local-partner-detail.png"), full_page=True)
    _check_printable_report(page)
    applicant.get_by_role("button", name="Erase my data…").click()
    applicant.locator("#erase-confirm").click()
    expect(applicant.locator("#erase-receipt")).to_contain_text("deleted")
    page.get_by_role("button", name="Show", exact=True).click()
    expect(page.locator("#app-table tbody .badge").first).to_have_text("erased")
    assert page.errors == []
