"""Every page a practice user or an operator sees, in a real Chromium: axe-core finds no serious
or critical violation, and at 390 px (a phone) nothing makes the page scroll sideways.

The dashboard tabs' axe check is tests/dashboard/test_accessibility.py (whose axe fixture this
module shares); here: the login and password pages, Uitleg, Profiel, an import, the
certificates page, the error page, the back office — and every dashboard tab at 390 px.
Screenshots (desktop and 390 px) go to test-artifacts/pages/.
"""

import json

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.browser_support import ARTIFACTS, log_in, screenshot
from tests.dashboard.test_accessibility import (  # noqa: F401  (the axe-core fixture)
    TABS,
    axe_script,
    serious_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PHONE = {"width": 390, "height": 844}


def sideways(page) -> list[str]:
    """What sticks out beyond the viewport's right edge (empty when the page fits)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return [];
            return [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > width + 1)
                .filter(e => !e.closest('.table-scroll, .chart-scroll, .sr-only, .skip-link'))
                .slice(0, 5)
                .map(e => `${e.tagName}.${e.className} ${e.getBoundingClientRect().right}`);
        }"""
    )


def check(page, paths, axe_script, name):  # noqa: F811
    problems = {}
    for path in paths:
        page.set_viewport_size({"width": 1366, "height": 900})
        page.goto(path)
        found = serious_violations(page, axe_script)
        page.set_viewport_size(PHONE)
        page.goto(path)
        wide = sideways(page)
        if found or wide:
            problems[path] = found + wide
    screenshot(page, "pages", f"{name}-390")
    report = ARTIFACTS / "pages" / f"{name}-problems.json"
    report.write_text(json.dumps(problems, indent=1, ensure_ascii=False))
    return problems


def test_a_practice_user_s_pages_pass_axe_and_fit_a_phone(
    page,
    world,
    import_a,
    user_a,
    password,
    axe_script,  # noqa: F811
):
    anonymous = [
        reverse("login"),
        reverse("password_reset"),
        reverse("password_reset_done"),
        reverse("password_reset_complete"),
        reverse("uitleg"),
    ]
    problems = check(page, anonymous, axe_script, "login")
    log_in(page, "anna", password)
    dashboard = reverse("dashboard:detail", kwargs={"import_id": import_a.pk})
    pages = [
        reverse("practices:profile"),
        reverse("uitleg"),
        reverse("uploads:detail", kwargs={"import_id": import_a.pk}),
        reverse("certificates:details"),
        reverse("password_change"),
        reverse("password_change_done"),
        "/bestaat-niet/",
    ]
    problems |= check(page, pages, axe_script, "uitleg")
    # The dashboard tabs at 390 px (their axe check is the charts' test).
    page.set_viewport_size(PHONE)
    for tab in TABS:
        page.goto(f"{dashboard}?tab={tab}")
        wide = sideways(page)
        if wide:
            problems[f"{dashboard}?tab={tab}"] = wide
        if tab in ("welcome", "finance", "trends"):
            screenshot(page, "pages", f"dashboard-{tab}-390")
    # For people: the desktop pages with the downloads, the insurer table, the header figures.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{dashboard}?tab=insurers")
    screenshot(page, "pages", "dashboard-verzekeraars")
    page.goto(reverse("uitleg"))
    screenshot(page, "pages", "uitleg", full_page=False)
    # Logging out shows its message, on a page that passes too.
    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_load_state()
    found = serious_violations(page, axe_script)
    if found:
        problems["logged out"] = found
    assert problems == {}


def test_every_back_office_page_passes_axe_and_fits_a_phone(
    page,
    world,
    operator,
    password,
    practice_a,
    axe_script,  # noqa: F811
):
    log_in(page, "beheerder", password)
    paths = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        paths.append(reverse("admin:{}_{}_changelist".format(*info)))
    paths += [
        reverse("admin:practices_practice_add"),
        reverse("admin:practices_practice_change", args=[practice_a.pk]),
        reverse("admin:accounts_user_add"),
    ]
    problems = check(page, paths, axe_script, "backoffice")
    assert problems == {}
