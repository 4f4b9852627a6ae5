"""The coordinator and a member in a real Chromium: consent given and withdrawn while the
coordinator is looking; the practice compares itself with practices of its size and profile.

Screenshots go to test-artifacts/coordination/; with PARABENCH_REGENERATE_SCREENSHOTS=1 also to
docs/img/ (coordinator-*.png, profiel-toestemming.png, vergelijk-met.png).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from parabench.benchmark.recompute import recompute_all
from parabench.uploads.models import Import
from tests.benchmark.factories import make_import
from tests.browser_support import log_in, screenshot
from tests.coordination.factories import ConsentFactory, CoordinatorFactory
from tests.factories import PASSWORD, PracticeFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _keep(page, name: str) -> None:
    shot = screenshot(page, "coordination", name)
    if os.environ.get("PARABENCH_REGENERATE_SCREENSHOTS"):
        shutil.copy(shot, DOCS_IMG / f"{name}.png")


@pytest.fixture
def network_world(network, practice_a, practice_b, user_a, user_b):
    members = [practice_a, practice_b] + [
        PracticeFactory(network=network, name=f"Fysio Bodegraven {i}", profile="algemeen")
        for i in range(5)
    ]
    # Six outside "algemeen": fewer and that profile group would be national minus a few, which
    # is never published (docs/privacy.md, "Peer groups by kind").
    others = [
        PracticeFactory(profile="algemeen" if i < 3 else "manueel", name=f"Fysio elders {i}")
        for i in range(8)
    ]
    for size, practice in enumerate(members + others, start=1):
        for year in (2024, 2025):
            make_import(practice, year, size=1 + size % 6, recompute=False)
    recompute_all()
    ConsentFactory(practice=practice_a, by=user_a)
    coordinator = CoordinatorFactory(network=network, user__username="coco", user__first_name="Co")
    return coordinator.user


def test_a_coordinator_watches_the_network_and_loses_a_member_who_withdraws(
    page, browser, live_server, network_world, practice_a, practice_b
):
    log_in(page, "coco", PASSWORD)
    expect(page).to_have_url(f"{live_server.url}/netwerken/7/")
    table = page.get_by_test_id("participation")
    expect(table.locator(f'tr[data-agb="{practice_b.agb_code}"]')).to_contain_text(
        "geen toestemming"
    )
    _keep(page, "coordinator-deelname")

    page.click("text=Verdeling")
    expect(page.get_by_test_id("distribution")).to_be_visible()
    expect(
        page.locator('tr[data-kpi="patients"] td[data-group="network"]').nth(2)
    ).not_to_have_text("–")
    _keep(page, "coordinator-verdeling")
    page.click("text=Trend")
    expect(page.get_by_test_id("trend-patients")).to_contain_text("2024")

    page.click("text=Deelname")
    page.click(f'tr[data-agb="{practice_a.agb_code}"] >> text=bekijken')
    expect(page.get_by_test_id("member-figures")).to_contain_text("Aantal patiënten")
    member_url = page.url

    # Meanwhile practice A withdraws its consent in Profiel, in its own browser.
    context = browser.new_context(base_url=live_server.url, locale="nl-NL")
    practice = context.new_page()
    log_in(practice, "anna", PASSWORD)
    practice.goto(reverse("practices:profile") + "#toestemming")
    expect(practice.get_by_test_id("consent-status")).to_contain_text("U geeft toestemming")
    _keep(practice, "profiel-toestemming")
    practice.click("text=Toestemming intrekken")
    expect(practice.get_by_test_id("consent-status")).to_contain_text("geen toestemming")
    expect(practice.get_by_test_id("consent-history")).to_contain_text("toestemming ingetrokken")
    context.close()

    response = page.goto(member_url)
    assert response.status == 404
    page.goto("/netwerken/7/")
    expect(page.locator(f'tr[data-agb="{practice_a.agb_code}"]')).to_contain_text(
        "geen toestemming"
    )


def test_a_practice_declares_its_profile_and_compares_with_its_size_and_profile(
    page, network_world, practice_a
):
    log_in(page, "anna", PASSWORD)
    page.goto(reverse("practices:profile") + "#praktijkprofiel")
    page.select_option("#id_profile", "algemeen")
    page.click("text=Profiel opslaan")
    expect(page.locator("#id_profile")).to_have_value("algemeen")
    recompute_all()  # the worker's job after a declared profile (benchmark/signals.py)

    imp = Import.objects.get(practice=practice_a, year=2025, is_current=True)
    page.goto(reverse("dashboard:detail", args=[imp.pk]) + "?tab=patients")
    switch = page.locator("nav.group-switch")
    expect(switch).to_contain_text("Landelijk · zelfde grootte")
    expect(switch).to_contain_text("Landelijk · zelfde profiel (algemene fysiotherapie)")
    switch.locator('[data-group="profile"]').click()
    expect(switch.locator('[data-group="profile"]')).to_have_attribute("aria-current", "true")
    expect(page.locator("#kpi-patients")).to_contain_text("Mediaan")
    _keep(page, "vergelijk-met")
