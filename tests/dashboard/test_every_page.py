"""Every page a practice user or an operator sees, in a real Chromium: axe-core finds no serious
or critical violation, and at 390 px (a phone) nothing makes the page scroll sideways.

The dashboard tabs, Profiel and the certificates page are checked (both ways) in
tests/dashboard/test_accessibility.py, whose axe fixture and ``check`` this module shares; here:
the login and password pages, Uitleg, an import, the error page, the back office, the security
and two-factor screens, the set-password page of the e-mail link.
Screenshots (desktop and 390 px) go to test-artifacts/pages/.
"""

import io
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.accounts.factories import current_code
from tests.browser_support import log_in, screenshot
from tests.dashboard.browser_world import (  # noqa: F401  (the world's personas)
    network,
    practice_a,
    practice_b,
    practice_elsewhere,
)
from tests.dashboard.test_accessibility import (  # noqa: F401  (the axe-core fixture)
    PHONE,
    axe_script,
    check,
    serious_violations,
    sideways,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


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
    # Profiel, the certificates page and the dashboard tabs: test_accessibility.py (same checks).
    pages = [
        reverse("uitleg"),
        reverse("uploads:detail", kwargs={"import_id": import_a.pk}),
        reverse("password_change"),
        reverse("password_change_done"),
        "/bestaat-niet/",
    ]
    problems |= check(page, pages, axe_script, "uitleg")
    # For people: the desktop pages with the downloads, the insurer table, the header figures.
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"{dashboard}?tab=insurers")
    screenshot(page, "pages", "dashboard-verzekeraars")
    expect(page.locator("#insurer-figures tbody tr").first).to_be_visible()
    # The header figures of the latest import, on a page that is not the dashboard too.
    page.goto(reverse("practices:profile"))
    figures = page.get_by_test_id("keyfigures")
    expect(figures.locator(".keyfigure")).to_have_count(3)
    expect(figures).to_contain_text("mediaan")
    # The downloads as a person takes them: one click each, a file of its kind.
    page.goto(f"{dashboard}?groep=region&tab=finance")
    downloads = {}
    for kind in ("pdf", "xlsx", "csv"):
        with page.expect_download(timeout=180_000) as caught:
            page.click(f'[data-download="{kind}"]')
        download = caught.value
        assert download.suggested_filename == f"ParaBench-04123451-2026-K2-regio.{kind}"
        downloads[kind] = Path(download.path()).read_bytes()
    assert downloads["pdf"].startswith(b"%PDF")
    sheet = load_workbook(io.BytesIO(downloads["xlsx"])).active
    assert "Fysiotherapie Parabench" in str(sheet["A1"].value)
    assert downloads["csv"].decode("utf-8-sig").startswith("Periode;Van;Tot en met;Thema")
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
    practice_a,  # noqa: F811
    axe_script,  # noqa: F811
):
    log_in(page, "beheerder", password)
    # Operators must set up two-factor first (issue 20): without it every back office address
    # shows the set-up page, and the pages below would not be checked at all.
    assert "/inloggen/tweestapsverificatie/" in page.url
    problems = {"two-factor set-up": serious_violations(page, axe_script)}
    page.fill("#id_code", current_code(page.locator("#totp-secret").inner_text()))
    page.get_by_role("button", name="Instellen").click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Ik heb de codes bewaard").click()
    page.wait_for_load_state()
    page.goto(reverse("admin:index"))
    assert page.url.endswith(reverse("admin:index"))
    expect(page.locator("#content h1")).to_be_visible()
    paths = [reverse("admin:index")]
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        paths.append(reverse("admin:{}_{}_changelist".format(*info)))
    paths += [
        reverse("admin:practices_practice_add"),
        reverse("admin:practices_practice_change", args=[practice_a.pk]),
        reverse("admin:accounts_user_add"),
    ]
    problems = {name: found for name, found in problems.items() if found}
    problems |= check(page, paths, axe_script, "backoffice")
    assert problems == {}


def test_the_security_two_factor_and_set_password_pages_pass_axe_and_fit_a_phone(
    page,
    user_a,
    password,
    axe_script,  # noqa: F811
):
    """The pages the first test cannot reach by address: the set-password page of the e-mail
    link, and the two-factor screens a user walks through (setting up, the recovery codes,
    the code at the next login)."""
    token = default_token_generator.make_token(user_a)
    uid = urlsafe_base64_encode(force_bytes(user_a.pk))
    # The e-mail's link keeps the token in the session and moves on to the form's own address.
    page.goto(reverse("password_reset_confirm", args=[uid, token]))
    form = reverse("password_reset_confirm", args=[uid, "set-password"])
    problems = check(page, [form], axe_script, "pw")
    log_in(page, "anna", password)
    overview = reverse("two_factor_overview")
    problems |= check(page, [reverse("certificates:security"), overview], axe_script, "security")
    page.goto(overview)
    page.get_by_role("link", name="Tweestapsverificatie aanzetten").click()
    page.wait_for_load_state()
    screens = {"setup": serious_violations(page, axe_script)}
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#id_code", current_code(secret))
    page.get_by_role("button", name="Instellen").click()
    page.wait_for_load_state()
    screens["recovery codes"] = serious_violations(page, axe_script)
    page.get_by_role("link", name="Ik heb de codes bewaard").click()
    page.get_by_role("button", name="Uitloggen").click()
    log_in(page, "anna", password)
    assert "/inloggen/code/" in page.url
    screens["code"] = serious_violations(page, axe_script)
    page.set_viewport_size(PHONE)
    page.reload()
    screens["code at 390 px"] = sideways(page)
    screenshot(page, "pages", "code-390")
    problems |= {name: found for name, found in screens.items() if found}
    assert problems == {}
