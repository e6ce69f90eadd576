"""Every view at phone width (390 x 844, a phone's CSS pixels) against the scripted API (marked `browser` only).

On each view, with every <details> opened: no sideways scrolling of the page, every tap target at least 24 x 24
CSS px (WCAG 2.2 target size), chart labels drawn at 12 px or more, and axe-core (pinned in tools/axe, installed
by `make setup`) finds no serious or critical violation. A screenshot per view goes to
test-artifacts/screenshots/phone-*.png for a person to look at.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from credscore_cli.webserver import WebConfig
from tests.web.browsers import CHROMIUM, SCREENSHOTS, launched_chromium, opened_page, web_pages
from tests.web.fake_api import FakeApplication, fake_api
from tests.web.test_browser import (
    KEY,
    _apply,
    _create_in_console,
    _partner_console,
    _zip,
)

pytestmark = pytest.mark.browser

REPO_ROOT = Path(__file__).resolve().parents[2]
AXE = REPO_ROOT / "tools" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
MIN_TARGET = 24
MIN_CHART_TEXT = 12
# A reference as long as the API allows, without a place to break: it must wrap, not widen the page.
LONG_REFERENCE = "loan-2026-000017-branch-north-" + "x" * 34

# Everything a person can tap or focus. Inline links inside running text would be exempt (WCAG 2.5.8), but the
# pages have none, so every match counts.
_MEASURE = """(minimum) => {
  const selector = 'a[href], button, input:not([type=hidden]), select, textarea, summary,'
    + ' [role=button], [tabindex]:not([tabindex="-1"])';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (!box.width && !box.height) continue;  // not rendered (a hidden section or a closed dialog)
    if (getComputedStyle(el).visibility === 'hidden') continue;
    if (box.width < minimum - 0.01 || box.height < minimum - 0.01) {
      const name = (el.id ? '#' + el.id : '') || el.getAttribute('aria-label') || el.textContent.trim().slice(0, 30);
      small.push(`${el.tagName.toLowerCase()} ${name}: ${box.width.toFixed(1)}x${box.height.toFixed(1)}`);
    }
  }
  return small;
}"""

# The size a chart label is drawn at: its font size times the SVG's scale on screen (a viewBox shrinks it).
_CHART_TEXT = """() => [...document.querySelectorAll('svg text')].map((text) => ({
  text: text.textContent,
  px: parseFloat(getComputedStyle(text).fontSize) * text.getScreenCTM().a,
}))"""

_AXE_RUN = """async () => {
  const results = await axe.run(document, { resultTypes: ['violations'] });
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}"""


def check_view(page: Any, name: str, full_page: bool = True) -> None:
    """The phone-width checks on what the page shows now, with a screenshot for a person (a modal dialog is
    shot as the screen shows it: a full-page shot would draw it out of place)."""
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=full_page)
    widths = page.evaluate(
        "({scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth})"
    )
    assert widths["client"] == PHONE["width"], widths
    assert widths["scroll"] <= widths["client"], f"{name}: the page scrolls sideways: {widths}"
    small = page.evaluate(_MEASURE, MIN_TARGET)
    assert small == [], f"{name}: tap targets under {MIN_TARGET} px: {small}"
    tiny = [label for label in page.evaluate(_CHART_TEXT) if label["px"] < MIN_CHART_TEXT - 0.01]
    assert tiny == [], f"{name}: chart labels under {MIN_CHART_TEXT} px: {tiny}"
    if page.evaluate("typeof window.axe") == "undefined":
        page.add_script_tag(path=str(AXE))
    violations = page.evaluate(_AXE_RUN)
    assert violations == [], f"{name}: axe-core: {violations}"


@pytest.fixture(scope="module")
def phone_browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("chromium is not installed: apt-get install -y chromium")
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `make setup` (npm ci in tools/axe)")
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def phone(phone_browser: Any) -> Iterator[Any]:
    # bypass_csp: the pages' policy allows only their own scripts, and the test injects axe-core.
    with opened_page(
        phone_browser, viewport=PHONE, is_mobile=True, has_touch=True, bypass_csp=True
    ) as opened:
        yield opened


def test_the_checks_catch_a_wide_page_small_targets_and_small_labels(phone: Any) -> None:
    """The checks themselves: each one fails on a page made to break it."""
    phone.set_content(
        '<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width">'
        "<title>t</title></head><body><main><p>ok</p></main></body></html>"
    )
    check_view(phone, "check-baseline")
    broken = {
        "scrolls sideways": "document.querySelector('main').append(Object.assign("
        "document.createElement('div'), {style: 'width: 700px; height: 4px'}))",
        "tap targets under": "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<button style=\"padding:0;height:20px\">x</button>')",
        "chart labels under": "document.querySelector('main').insertAdjacentHTML('beforeend',"
        ' \'<svg role="img" aria-label="c" viewBox="0 0 680 40" width="340"><text y="20">label</text></svg>\')',
        "axe-core": "document.querySelector('main').insertAdjacentHTML('beforeend',"
        " '<p style=\"color:#ddd\">faint text</p>')",
    }
    for message, script in broken.items():
        phone.set_content(
            '<!DOCTYPE html><html lang="en"><head><meta name="viewport" content="width=device-width">'
            "<title>t</title></head><body><main><p>ok</p></main></body></html>"
        )
        phone.evaluate(script)
        with pytest.raises(AssertionError, match=message):
            check_view(phone, "check-broken")


def test_the_applicant_page_at_phone_width(phone: Any, tmp_path: Path) -> None:
    with fake_api(KEY) as (api_url, state):
        app = FakeApplication(uuid.uuid4().hex, {"linkedin": 1, "facebook": 2}, None)
        state.applications[app.application_id] = app
        with web_pages(WebConfig(api_url=api_url, upload_origin=api_url)) as url:
            phone.goto(f"{url}/#t={app.token}")
            phone.wait_for_selector("body[data-ready=true]")
            expect(phone.locator("#view-apply")).to_be_visible()
            check_view(phone, "applicant-form")

            # Fewer files than asked for: progress, and the offer to score with what arrived.
            _apply(phone, {"linkedin": _zip(tmp_path / "linkedin-export-2026.zip", {"Profile.csv": "A\n"})})
            expect(phone.get_by_role("button", name="Score with what I uploaded")).to_be_visible()
            check_view(phone, "applicant-progress")

            phone.get_by_role("button", name="Score with what I uploaded").click()
            phone.wait_for_selector("#apply-result:not([hidden]) svg.chart", timeout=30_000)
            expect(phone.locator("#stages li.done")).to_have_count(4)
            check_view(phone, "applicant-result")

            phone.get_by_role("button", name="Erase my data…").click()
            expect(phone.locator("#erase-dialog")).to_be_visible()
            check_view(phone, "applicant-erase-dialog", full_page=False)
            phone.get_by_role("button", name="Cancel").click()
            assert phone.errors == []


def test_the_partner_console_and_report_at_phone_width(phone: Any) -> None:
    with fake_api(KEY) as (api_url, state):
        for status, reference in (("scored", LONG_REFERENCE), ("failed", "r-2"), ("collecting", None)):
            app = FakeApplication(uuid.uuid4().hex, {"linkedin": 1, "facebook": 1}, reference, status=status)
            state.applications[app.application_id] = app
        with web_pages(WebConfig(api_url=api_url)) as url:
            phone.goto(url + "/partner.html")
            phone.wait_for_selector("body[data-ready=true]")
            check_view(phone, "partner-key")
            _partner_console(phone, url, KEY)
            _create_in_console(phone, {"linkedin": 1, "x": 2}, "new-1")
            expect(phone.locator("#link-box")).to_be_visible()
            expect(phone.locator("#app-table tbody tr")).to_have_count(4)
            row = phone.locator("#app-table tbody tr").filter(has_text=LONG_REFERENCE)
            # The whole row fits: the Open button is not clipped behind a sideways scroll of the table.
            fits = phone.locator(".table-scroll").evaluate("box => box.scrollWidth <= box.clientWidth")
            assert fits, "the list of applications scrolls sideways"
            open_box = row.get_by_role("button", name="Open").bounding_box()
            assert open_box is not None
            assert open_box["x"] + open_box["width"] <= PHONE["width"]
            check_view(phone, "partner-list")

            row.get_by_role("button", name="Open").click()
            phone.wait_for_selector("#detail-result svg.chart")
            check_view(phone, "partner-detail")

            with phone.context.expect_page() as popup_info:
                phone.get_by_role("button", name="Printable report").click()
            report = popup_info.value
            report.wait_for_selector("h1")
            assert report.locator("h1").inner_text() == "credscore report"
            assert report.viewport_size == PHONE
            check_view(report, "report")
            report.close()
            assert phone.errors == []
