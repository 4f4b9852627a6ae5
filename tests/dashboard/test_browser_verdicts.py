"""The welcome screen never contradicts its summary, read in a real Chromium.

For a practice in a network (as ``demo``) and one without (as ``demo-zonder``), in every group it
can choose: every theme's symbol is read with its summary, the summary must say what the symbol
says, no size indicator may headline, and every indicator the summary names as deciding must show
that same verdict on its theme's page.
"""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from parabench.benchmark import catalogue, uncertainty
from tests.browser_support import log_in, screenshot
from tests.dashboard.browser_world import (  # noqa: F401  (the world's personas)
    network,
    practice_a,
    practice_b,
    practice_elsewhere,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SIZE_NAMES = [catalogue.KPI_BY_CODE[code].name_nl for code in uncertainty.SIZE_KPIS]
PHRASES = {
    "better": "Gunstiger dan de normale spreiding:",
    "worse": "Minder gunstig dan de normale spreiding:",
    "higher": "Hoger dan de normale spreiding:",
    "lower": "Lager dan de normale spreiding:",
}
BADGES = {
    "better": "▲ gunstiger dan de normale spreiding",
    "worse": "▼ minder gunstig dan de normale spreiding",
}
KPI_NAMES = sorted((k.name_nl for k in catalogue.KPIS), key=len, reverse=True)


def read_tiles(page) -> list[dict]:
    return page.eval_on_selector_all(
        ".symbol-tile",
        """tiles => tiles.map(t => ({
            theme: t.querySelector('a').dataset.theme,
            symbol: t.querySelector('.symbol').textContent.trim(),
            label: t.querySelector('.state-label').textContent.trim(),
            summary: t.querySelector('.theme-summary').textContent.trim(),
        }))""",
    )


def named_in(sentence: str) -> list[str]:
    """The KPI names a summary sentence lists ("Naam 62,0 % (…), mediaan …; Naam …")."""
    found = []
    for part in sentence.split("; "):
        for name in KPI_NAMES:
            if part.startswith(name + " "):
                found.append(name)
                break
    return found


def sentence_after(summary: str, phrase: str) -> str:
    match = re.search(re.escape(phrase) + r" (.*?)\.(?: [A-Z]|$)", summary)
    return match.group(1) if match else ""


def check_tile(tile: dict) -> dict[str, list[str]]:
    """The symbol and its summary agree; returns the KPIs named per verdict, to check on their
    pages."""
    symbol, summary = tile["symbol"], tile["summary"]
    has = {key: phrase in summary for key, phrase in PHRASES.items()}
    where = f"{tile['theme']}: {symbol} {summary!r}"
    if symbol == "▲":
        assert has["better"] and not has["worse"], where
    elif symbol == "▼":
        assert has["worse"] and not has["better"], where
    elif symbol == "▲▼":
        assert has["better"] and has["worse"], where
    elif symbol == "●":
        assert "binnen de normale spreiding" in summary, where
        assert not has["better"] and not has["worse"], where
    elif symbol == "◆":
        assert not has["better"] and not has["worse"], where
        assert "geen beter of slechter" in summary, where
    else:
        assert symbol == "–", where
        assert summary.startswith(("Te weinig", "Geen kengetallen", "Geen oordeel")), where
    for name in SIZE_NAMES:  # a size indicator never headlines (nor is named at all)
        assert not re.search(rf"(^|: |; ){re.escape(name)} ", summary), where
    return {
        verdict: named_in(sentence_after(summary, PHRASES[verdict]))
        for verdict in ("better", "worse")
        if has[verdict]
    }


def read_every_group(page, imp, who: str) -> list[str]:
    """Every group's welcome screen and the pages its summaries point at; the symbols seen."""
    seen = []
    path = reverse("dashboard:detail", kwargs={"import_id": imp.pk})
    for group in ("national", "region", "network"):
        page.goto(f"{path}?groep={group}&tab=welcome")
        tiles = read_tiles(page)
        assert len(tiles) == 7
        for tile in tiles:
            seen.append(tile["symbol"])
            for verdict, names in check_tile(tile).items():
                assert names, tile  # a ▲ or ▼ names what decided it
                page.goto(f"{path}?groep={group}&tab={tile['theme']}")
                for name in names:
                    article = page.locator("article.kpi", has=page.locator("h3", has_text=name))
                    expect(article.locator(".badge.verdict").first).to_have_text(BADGES[verdict])
                page.goto(f"{path}?groep={group}&tab=welcome")
        screenshot(page, "verdicts", f"welkom-{who}-{group}")
    return seen


def test_the_welcome_screen_never_contradicts_its_summary(page, world, user_a, password):
    loner = world["loner1"][-1]
    UserFactory(username="zonder", practice=loner.practice)
    seen = []
    log_in(page, "anna", password)
    seen += read_every_group(page, world["a"][-1], "network")
    page.context.clear_cookies()
    log_in(page, "zonder", password)
    seen += read_every_group(page, loner, "zonder")
    # The world has comparable groups: not every tile can be "no comparison".
    assert any(symbol != "–" for symbol in seen)


def test_a_theme_page_shows_the_interval_and_the_funnel_with_one_point(
    page, world, import_a, user_a, password
):
    log_in(page, "anna", password)
    path = reverse("dashboard:detail", kwargs={"import_id": import_a.pk})
    page.goto(f"{path}?tab=quality")
    article = page.locator("#kpi-goals_achieved_share")
    expect(article.locator(".interval")).to_have_text(re.compile(r"^\(\d+,\d–\d+,\d %\)$"))
    funnel = article.locator("svg.chart-funnel")
    expect(funnel).to_be_visible()
    assert funnel.locator("title", has_text="Uw praktijk:").count() == 1
    expect(article.locator(".normal-range")).to_have_text(re.compile(r"^\d+,\d–\d+,\d %$"))
    article.scroll_into_view_if_needed()
    screenshot(page, "verdicts", "kwaliteit-trechter")
