"""axe-core in a real Chromium on every dashboard tab, Profiel and the certificates page: no
serious or critical violation (WCAG 2.1 A/AA and axe's best practices), colour contrast first;
and at 390 px (a phone) none of them scrolls sideways. The other pages: test_every_page.py, which
shares ``check`` and the axe fixture.

axe-core comes from npm into .tools/node (gitignored), installed on first use; it is injected
with Playwright's ``add_script_tag``.
"""

import fcntl
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from django.urls import reverse

from parabench.dashboard import presentation
from tests.browser_support import ARTIFACTS, LAPTOP, log_in, screenshot
from tests.dashboard.browser_world import (  # noqa: F401  (the world's personas)
    network,
    practice_a,
    practice_b,
    practice_elsewhere,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
NODE_DIR = ROOT / ".tools" / "node"
AXE = NODE_DIR / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
TABS = presentation.TAB_KEYS
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def axe_script() -> Path:
    if not AXE.exists():
        assert shutil.which("npm"), "npm is missing: it installs axe-core into .tools/node"
        NODE_DIR.mkdir(parents=True, exist_ok=True)
        # make test runs SQLite and PostgreSQL side by side: one npm install at a time.
        with open(NODE_DIR / ".install.lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not AXE.exists():
                subprocess.run(
                    ["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"]
                    + ["axe-core@4.14"],
                    cwd=NODE_DIR,
                    check=True,
                )
    return AXE


def inject_axe(page, axe_script) -> None:
    """Evaluate axe-core in the page as loaded: Playwright's evaluation is not subject to the
    Content-Security-Policy, which the test keeps on and which refuses inline script tags.

    Until 29 November 2026 a route answered a script tag of the portal's own origin with the
    file (``add_script_tag``); test_every_page then took 60.8 and 64.6 s of CPU against 52.4 and
    55.2 s this way (perf stat of pytest and Chromium, two runs side by side each). An init
    script for the whole context cost more (55.3 s against 45.9 s, not side by side), probably
    as Chromium then runs axe's 550 kB in every page the tests open, checked or not."""
    page.evaluate(axe_script.read_text())


def serious_violations(page, axe_script) -> list[str]:
    """The serious and critical violations of the page as loaded (axe injected once).

    ``resultTypes: ['violations']``: axe then gives every node only for the violations and one
    node for passes, incomplete and inapplicable, which nothing here reads. On the 22 back office
    pages axe took 9.3 s instead of 26.3 s (load 9–10, 29 November 2026), with the same violations
    (rule and node count, compared page by page in both orders).
    The browser keeps only the serious and critical violations' rule, impact and targets: the whole
    result (some 90 rules with their texts, tags and one node each) crossed Chromium, Playwright's
    driver and its Python protocol validator for every page; under cProfile the validator alone
    took 6.9 s of test_every_page's 104 s (92,600 values for 89 calls).
    The rules whose impact is minor or moderate are switched off: axe gives every rule one impact
    (axe-core 4.14: 26 of the 90 rules here are minor or moderate, ``region`` and the landmark
    rules among them), so they can never report a serious or critical violation. A rule without
    an impact would stay on. With no-autoplay-audio off, axe also no longer preloads the media
    and every style sheet (CSSOM, read only by the experimental css-orientation-lock)."""
    inject_axe(page, axe_script)
    found = page.evaluate(
        """async tags => {
            const rules = {};
            for (const rule of axe._audit.rules) {
                if (rule.impact === 'minor' || rule.impact === 'moderate') {
                    rules[rule.id] = {enabled: false};
                }
            }
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: tags},
                rules: rules,
                resultTypes: ['violations'],
            });
            return result.violations
                .filter(v => v.impact === 'serious' || v.impact === 'critical')
                .map(v => ({id: v.id, impact: v.impact, targets: v.nodes.map(n => n.target)}));
        }""",
        TAGS,
    )
    return [f"{v['id']} ({v['impact']}): {v['targets']}" for v in found]


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


def check(page, paths, axe_script, name, shots=None):
    """Each page loaded once: axe at 1366 px, then the same page narrowed to 390 px.

    Narrowing instead of loading again: the layout at 390 px is CSS's (media queries, which the
    browser applies again on resize); no script of the portal or of Django's admin reads the
    width (theme.js' matchMedia asks for the colour scheme). The second load cost 8 of 57 s of
    the back office test (load ~9, 29 November 2026). ``shots``: path → screenshot name at
    390 px; the last page's is always taken."""
    problems = {}
    for path in paths:
        page.set_viewport_size(LAPTOP)
        page.goto(path)
        if not page.url.endswith(path):  # checking another page than the one meant
            problems[path] = [f"redirected to {page.url}"]
            continue
        found = serious_violations(page, axe_script)
        page.set_viewport_size(PHONE)
        wide = sideways(page)
        if found or wide:
            problems[path] = found + wide
        if shots and path in shots:
            screenshot(page, "pages", shots[path])
    screenshot(page, "pages", f"{name}-390")
    report = ARTIFACTS / "pages" / f"{name}-problems.json"
    report.write_text(json.dumps(problems, indent=1, ensure_ascii=False))
    return problems


def test_axe_finds_a_contrast_failure_when_there_is_one(page, world, user_a, password, axe_script):
    """The check itself can fail: grey on white text, and the old amber of the badges."""
    log_in(page, "anna", password)
    page.goto(reverse("practices:profile"))
    page.evaluate(
        """() => {
            const p = document.createElement('p');
            p.textContent = 'Lichtgrijze tekst';
            p.style.cssText = 'color:#aaa;background:#fff';
            document.querySelector('main, body').append(p);
            const badge = document.createElement('span');
            badge.textContent = 'rond het midden';
            badge.style.cssText = 'color:#8a6d00;background:#fbf5dc;font-size:13.6px';
            document.querySelector('main, body').append(badge);
        }"""
    )
    inject_axe(page, axe_script)
    failing = page.evaluate(
        """async () => {
            const result = await axe.run(document, {runOnly: ['color-contrast']});
            return result.violations.flatMap(v => v.nodes.map(node => node.html));
        }"""
    )
    assert any("Lichtgrijze tekst" in html for html in failing)
    assert any("rond het midden" in html for html in failing)  # the amber before issue 21


def test_every_tab_profile_and_certificates_page_passes_axe_and_fits_a_phone(
    page, world, import_a, user_a, password, axe_script
):
    """Each page loaded once for both checks (test_every_page.py loaded the tabs, Profiel and
    the certificates page a second time for 390 px, and ran axe on the last two again)."""
    log_in(page, "anna", password)
    dashboard = reverse("dashboard:detail", kwargs={"import_id": import_a.pk})
    pages = [f"{dashboard}?tab={tab}" for tab in TABS] + [
        f"{dashboard}?groep=network&tab=patients",  # too small a group
        reverse("practices:profile"),
        reverse("certificates:details"),
    ]
    shots = {f"{dashboard}?tab={tab}": f"dashboard-{tab}-390" for tab in ("welcome", "finance")}
    shots[f"{dashboard}?tab=trends"] = "dashboard-trends-390"
    assert check(page, pages, axe_script, "dashboard", shots) == {}
