"""The dashboard in a real Chromium: what a practice owner clicks, hovers and reads.

Screenshots of every tab go to test-artifacts/dashboard/ for people to look at.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from parabench.dashboard import presentation
from tests.browser_support import TABLET, log_in, screenshot
from tests.dashboard.browser_world import (  # noqa: F401  (the world's personas)
    network,
    practice_a,
    practice_b,
    practice_elsewhere,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

THEMES = presentation.THEME_KEYS


def dashboard_path(imp) -> str:
    return reverse("dashboard:detail", kwargs={"import_id": imp.pk})


def open_from_profile(page, imp) -> str:
    """Click the star of ``imp`` in the Profiel page's Dashboards list; say how we got there."""
    page.goto(reverse("practices:profile"))
    star = page.locator(f'tr[data-import="{imp.pk}"] a.star')
    if star.count():
        star.click()
        page.wait_for_load_state()
        return "star"
    page.goto(dashboard_path(imp))
    return "direct"


def open_and_close_info(page, tab: str) -> None:
    info = page.locator(f"#info-{tab}")
    summary = info.locator("summary")
    body = info.locator(".info-body")
    expect(body).to_be_hidden()
    expect(info.locator(".info-open")).to_be_visible()
    summary.click()
    expect(body).to_be_visible()
    expect(summary).to_have_attribute("aria-expanded", "true")
    expect(info.locator(".info-close")).to_have_text("×")
    expect(info.locator(".info-close")).to_be_visible()
    expect(info.locator(".info-open")).to_be_hidden()
    summary.click()
    expect(body).to_be_hidden()
    expect(summary).to_have_attribute("aria-expanded", "false")


def test_a_practice_owner_explores_the_dashboard(page, world, import_a, user_a, password):
    log_in(page, "anna", password)
    how = open_from_profile(page, import_a)
    assert how == "star", "the Dashboards list on the Profiel page should carry a star"
    expect(page).to_have_url(re.compile(rf"{dashboard_path(import_a)}$"))
    expect(page.get_by_test_id("period")).to_contain_text("1 januari 2026 t/m 30 juni 2026")

    # Welcome: hover a symbol, read the numbers behind it; keyboard focus does the same.
    summary = page.locator("#summary-treatments")
    expect(summary).to_be_hidden()
    page.hover('[data-theme="treatments"]')
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("normale spreiding")
    page.hover('[data-theme="productivity"]')  # its summary covers no other symbol
    expect(page.locator("#summary-productivity")).to_be_visible()
    screenshot(page, "dashboard", "01-welkom")
    page.mouse.move(0, 0)
    page.focus('[data-theme="episodes"]')
    expect(page.locator("#summary-episodes")).to_be_visible()
    open_and_close_info(page, "welcome")

    # Every theme: a real link, ⓘ opens and closes, the charts are drawn next to their numbers.
    for number, tab in enumerate(THEMES, start=2):
        page.click(f'.dash-tabs a[data-tab="{tab}"]')
        expect(page.locator(f'.dash-tabs a[data-tab="{tab}"]')).to_have_attribute(
            "aria-current", "page"
        )
        open_and_close_info(page, tab)
        expect(page.locator(".chart svg[role=img]").first).to_be_visible()
        assert page.locator(".chart").count() == page.locator(".chart svg[role=img]").count()
        assert page.locator("details.numbers table").count() == page.locator(".chart").count()
        screenshot(page, "dashboard", f"{number:02d}-{tab}")

    # The ⓘ panel also answers the keyboard: Enter opens, Escape closes.
    page.focus("#info-quality summary")
    page.keyboard.press("Enter")
    expect(page.locator("#info-quality .info-body")).to_be_visible()
    screenshot(page, "dashboard", "10-kwaliteit-uitleg", full_page=False)
    page.keyboard.press("Escape")
    expect(page.locator("#info-quality .info-body")).to_be_hidden()

    # Switch between the three groups; the tab stays.
    page.click('[data-group="region"]')
    expect(page.get_by_test_id("group-caption")).to_contain_text("Regio Zuid-Holland")
    expect(page.locator('.dash-tabs a[aria-current="page"]')).to_have_attribute(
        "data-tab", "quality"
    )
    page.click('[data-group="network"]')
    expect(page.get_by_test_id("too-small")).to_contain_text(
        "Te weinig praktijken in deze groep om te vergelijken (minimaal 5)."
    )
    screenshot(page, "dashboard", "11-netwerk-te-klein")
    page.get_by_test_id("wider-group").click()
    expect(page.locator('[data-group="region"]')).to_have_attribute("aria-current", "true")
    page.click('[data-group="national"]')
    expect(page.get_by_test_id("group-caption")).to_contain_text("Landelijk")

    # Trends: quarters and years against the group's median.
    page.click('.dash-tabs a[data-tab="trends"]')
    open_and_close_info(page, "trends")
    expect(page.locator(".chart-trend svg[role=img]").first).to_be_visible()
    expect(page.locator("#trend-patients table")).to_contain_text("2026 K2")
    screenshot(page, "dashboard", "09-trends")
    # One KPI at a time: choosing another keeps the group; the overview links to each.
    page.click('.trend-choice a[data-kpi="sessions"]')
    expect(page.locator("#trend-sessions .chart-trend svg[role=img]")).to_be_visible()
    expect(page.locator('.trend-choice a[data-kpi="sessions"]')).to_have_attribute(
        "aria-current", "true"
    )
    page.locator("#trend-overview a", has_text="Omzet").click()
    expect(page.locator("#trend-revenue table")).to_contain_text("2025")


def test_practice_b_cannot_open_practice_a_s_dashboard(page, world, import_a, user_b, password):
    log_in(page, "bram", password)
    response = page.goto(dashboard_path(import_a))
    assert response.status == 404
    assert "Fysiotherapie Parabench" not in page.content()


def test_the_dashboard_fits_a_tablet_and_prints_without_navigation(
    page, world, import_a, user_a, password
):
    log_in(page, "anna", password)
    page.set_viewport_size(TABLET)
    for tab in ("welcome", "patients"):
        page.goto(f"{dashboard_path(import_a)}?tab={tab}")
        expect(page.locator(".dash-tabs")).to_be_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        screenshot(page, "dashboard", f"tablet-{tab}")
    page.emulate_media(media="print")
    expect(page.locator(".dash-tabs")).to_be_hidden()
    expect(page.get_by_test_id("period")).to_be_visible()
    screenshot(page, "dashboard", "print-patienten")


@pytest.fixture
def page_without_javascript(browser, live_server, transactional_db):
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=False,
        viewport={"width": 1280, "height": 900},
        locale="nl-NL",
    )
    context.set_default_timeout(15_000)
    yield context.new_page()
    context.close()


def test_the_charts_are_there_without_javascript(
    page_without_javascript, world, import_a, user_a, password
):
    """Server-drawn SVG: every chart is visible, named and described with scripts off (plotly
    drew nothing at all then)."""
    page = page_without_javascript
    log_in(page, "anna", password)
    for tab in [*THEMES, "trends"]:
        page.goto(f"{dashboard_path(import_a)}?tab={tab}")
        charts = page.locator(".chart svg[role=img]")
        assert charts.count() >= 1 and charts.count() == page.locator(".chart").count()
        for i in range(charts.count()):
            svg = charts.nth(i)
            expect(svg).to_be_visible()
            box = svg.bounding_box()
            assert box["width"] > 200 and box["height"] > 40, (tab, box)
            title = svg.locator("title").first.text_content()
            description = svg.locator("desc").first.text_content()
            assert title and description, tab
            assert svg.locator("rect, path, circle").count() >= 2, (tab, title)
        # The numbers beside each chart are plain HTML too.
        assert page.locator("details.numbers table").count() == charts.count()
    screenshot(page, "dashboard", "zonder-javascript-trends")
