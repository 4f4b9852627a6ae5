import re

import pytest
from django.template import engines
from django.test import Client
from django.urls import reverse

from parabench.dashboard import presentation
from parabench.uploads.models import Import
from tests.dashboard.factories import make_imports, recompute
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TABS = presentation.TAB_KEYS


def url(imp, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return reverse("dashboard:detail", kwargs={"import_id": imp.pk}) + (
        f"?{query}" if query else ""
    )


def page(client, imp, **params):
    response = client.get(url(imp, **params))
    assert response.status_code == 200
    return response.content.decode()


# --- Who may see it ---------------------------------------------------------------------------


def test_practice_a_opens_its_own_dashboard(owner, imp):
    assert "Fysiotherapie Parabench" in page(owner, imp)


# A page's per-response tokens: the CSRF token and the script nonce.
TOKENS = re.compile(r'(csrfmiddlewaretoken" value|nonce)="[^"]+"')


def _every_tab(client, imp) -> list[str]:
    return [
        TOKENS.sub(r'\1=""', page(client, imp, tab=tab, groep=group))
        for tab in TABS
        for group in ("national", "region", "network")
    ]


def test_no_part_kept_from_one_practice_s_page_reaches_another_s(country, owner, outsider):
    """``{% fixed_part %}`` keeps parts of the frame and of the dashboard per process: the pages
    of the practice in Groningen, written right after practice A's, are the ones written with
    nothing kept (fails when a page's name, period or cards are outside ``{% live %}``)."""
    _every_tab(owner, country["imports"]["a"][0])  # another practice, another period
    after_a = _every_tab(outsider, country["imports"]["elsewhere"][-1])
    for loader in engines["django"].engine.template_loaders:
        loader.reset()  # the cached templates, and with them every kept part
    assert after_a == _every_tab(outsider, country["imports"]["elsewhere"][-1])


def test_practice_b_in_the_same_network_gets_404_for_a_s_import(colleague, imp):
    assert colleague.get(url(imp)).status_code == 404


def test_a_practice_elsewhere_gets_404_for_a_s_import(outsider, imp):
    assert outsider.get(url(imp, tab="trends")).status_code == 404


def test_an_operator_without_a_practice_gets_404(operator_client, imp):
    assert operator_client.get(url(imp)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login(anonymous_client, imp):
    response = anonymous_client.get(url(imp))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_import_that_is_not_imported_yet_is_404(owner, imp):
    Import.objects.filter(pk=imp.pk).update(status=Import.Status.IMPORTING)
    assert owner.get(url(imp)).status_code == 404


def test_an_unknown_import_number_is_404(owner, imp):
    response = owner.get(reverse("dashboard:detail", kwargs={"import_id": 987654}))
    assert response.status_code == 404


def test_the_dashboard_menu_item_opens_the_newest_import(owner, country):
    response = owner.get(reverse("dashboard:latest"))
    assert response["Location"] == url(country["imports"]["a"][-1])


def test_the_dashboard_menu_item_without_imports_goes_to_the_dashboards_list(db):
    user = UserFactory()
    client = Client()
    client.force_login(user)
    response = client.get(reverse("dashboard:latest"))
    assert response["Location"] == reverse("practices:profile") + "#dashboards"


# --- Group selector ---------------------------------------------------------------------------


def test_the_group_selector_names_the_province_and_the_network(owner, imp):
    html = page(owner, imp)
    assert 'data-group="national"' in html
    assert ">Landelijk</a>" in html
    assert "Regio Zuid-Holland</a>" in html
    assert "Netwerk Fysio Netwerk Groene Hart</a>" in html


def test_a_practice_without_network_compares_with_practices_without_network(country):
    loner = country["imports"]["loner1"][-1]
    client = Client()
    client.force_login(UserFactory(practice=loner.practice))
    assert "Praktijken zonder netwerk</a>" in page(client, loner)


def test_the_selected_group_is_marked_and_the_links_keep_the_tab(owner, imp):
    html = page(owner, imp, groep="region", tab="episodes")
    assert 'href="?groep=region&amp;tab=episodes" data-group="region" aria-current="true"' in html
    assert 'href="?groep=national&amp;tab=episodes"' in html
    assert "Vergeleken met: Regio Zuid-Holland (5–9 praktijken)" in html


def test_national_compares_with_every_practice(owner, imp):
    # Sizes are published as bands, never exactly (docs/privacy.md).
    assert "Vergeleken met: Landelijk (5–9 praktijken)" in page(owner, imp)


def test_a_bookmark_with_the_old_dutch_values_opens_the_same_page_under_today_s_keys(owner, imp):
    response = owner.get(url(imp, groep="regio", tab="financien"))
    assert response.status_code == 301
    assert response["Location"] == url(imp, groep="region", tab="finance")
    response = owner.get(url(imp, groep="landelijk", tab="trends", kengetal="sessions"))
    assert response["Location"] == url(imp, groep="national", tab="trends", kengetal="sessions")
    download = reverse("dashboard:report", args=[imp.pk])
    response = owner.get(download, {"groep": "netwerk"})
    assert (response.status_code, response["Location"]) == (301, f"{download}?groep=network")


def test_an_unknown_group_falls_back_to_national(owner, imp):
    assert "Vergeleken met: Landelijk" in page(owner, imp, groep="verzekeraar")


# --- Too small a group ------------------------------------------------------------------------


def test_a_network_of_four_shows_the_too_small_message_and_links_to_the_region(owner, imp):
    html = page(owner, imp, groep="network", tab="patients")
    assert "Te weinig praktijken in deze groep om te vergelijken (minimaal 5)." in html
    assert 'href="?groep=region&amp;tab=patients" data-testid="wider-group"' in html
    assert "Vergelijk met Regio Zuid-Holland" in html


def test_a_too_small_group_reveals_no_group_figures(owner, imp):
    html = page(owner, imp, groep="network", tab="treatments")
    assert "<dt>Mediaan groep</dt>" not in html
    assert 'data-chart="kpi-' not in html  # no distribution chart at all
    assert "url(#hatch-" not in html  # the mixes show only the practice, no hatched group
    assert "(4 praktijken)" not in html


# --- Period -----------------------------------------------------------------------------------


def test_the_period_is_written_out_in_dutch(owner, imp):
    assert "1 januari 2026 t/m 30 juni 2026" in page(owner, imp)


def test_an_incomplete_year_gets_a_note(owner, imp):
    assert "Het jaar 2026 is nog niet compleet" in page(owner, imp)


def test_a_closed_year_gets_a_note_and_a_complete_year_no_incomplete_note(owner, country):
    last_year = country["imports"]["a"][0]
    html = page(owner, last_year)
    assert "1 januari 2025 t/m 31 december 2025" in html
    assert "Jaar afgesloten" in html
    assert "nog niet compleet" not in html


def test_an_open_year_has_no_closed_note(owner, imp):
    assert "Jaar afgesloten" not in page(owner, imp)


# --- Tabs -------------------------------------------------------------------------------------


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_opens_with_its_explanation(owner, imp, tab):
    html = page(owner, imp, tab=tab)
    assert f'data-tab="{tab}" aria-current="page"' in html
    assert f'<details class="info" id="info-{tab}">' in html


def test_every_tab_is_a_real_link_that_keeps_the_group(owner, imp):
    html = page(owner, imp, groep="region")
    for tab in TABS:
        assert f'href="?groep=region&amp;tab={tab}" data-tab="{tab}"' in html


def test_the_patients_tab_shows_value_median_band_and_a_chart_with_its_table(owner, imp):
    html = page(owner, imp, tab="patients")
    assert "Aantal patiënten" in html
    assert "Mediaan groep" in html
    assert "Middelste helft (P25–P75)" in html
    assert 'data-chart="kpi-patients"' in html
    assert '<title id="chart-kpi-patients-title">Aantal patiënten</title>' in html
    assert 'data-chart="mix-gender_age_mix"' in html
    assert "Leeftijdsopbouw" in html
    assert "Cijfers van de grafiek" in html


def test_the_explanation_carries_the_catalogue_texts(owner, imp):
    html = page(owner, imp, tab="treatments")
    assert "Behandelgemiddelde" in html
    assert "histogram" in html


def test_the_welcome_tab_has_a_symbol_and_summary_per_theme(owner, imp):
    html = page(owner, imp)
    for theme in TABS[1:-1]:
        assert f'data-theme="{theme}" aria-describedby="summary-{theme}"' in html
        assert f'id="summary-{theme}" role="tooltip"' in html
    assert "normale spreiding" in html


def test_the_trends_tab_shows_quarters_and_years_against_the_group(owner, imp):
    html = page(owner, imp, tab="trends")
    assert 'id="trend-patients"' in html  # the first trend KPI by default
    assert "2025 K1" in html
    assert "2026 K2" in html
    assert ">2025</th>" in html
    assert "Groei t.o.v. vorig jaar" in html


def test_trends_show_one_kpi_at_a_time_and_the_group_links_keep_it(owner, imp):
    html = page(owner, imp, tab="trends", kengetal="sessions", groep="region")
    assert 'id="trend-sessions"' in html and 'id="trend-patients"' not in html
    assert 'href="?groep=national&amp;tab=trends&amp;kengetal=sessions"' in html
    assert 'data-kpi="sessions" aria-current="true"' in html


def test_an_unknown_trend_kpi_falls_back_to_the_first(owner, imp):
    html = page(owner, imp, tab="trends", kengetal="salaries")
    assert 'id="trend-patients"' in html


def test_the_yearly_overview_lists_every_trend_kpi_with_a_link_to_its_series(owner, imp):
    html = page(owner, imp, tab="trends")
    overview = html.split('id="trend-overview"', 1)[1]
    for code in ("patients", "new_patients", "episodes", "sessions", "revenue", "no_show_rate"):
        assert f'href="?groep=national&amp;tab=trends&amp;kengetal={code}"' in overview
    assert '<th scope="col" class="num">2025</th>' in overview


def test_an_older_import_keeps_its_own_dashboard(owner, country):
    older = country["imports"]["a"][0]
    html = page(owner, older, tab="finance")
    assert "Omzet" in html


def test_the_dashboard_reads_statistics_without_recomputing(
    owner, imp, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        page(owner, imp, tab="patients")


def test_a_practice_with_a_new_import_sees_it_after_recompute(owner, country):
    newer = make_imports(country["a"], years=(2026,), seed=11)[0]
    recompute()
    assert "1 januari 2026 t/m 30 juni 2026" in page(owner, newer)


# --- What a page costs ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tab", "group"), [("welcome", "national"), ("finance", "network"), ("trends", "region")]
)
def test_a_page_reads_the_session_the_user_the_import_and_its_figures_in_few_queries(
    owner, imp, django_assert_max_num_queries, tab, group
):
    page(owner, imp, tab=tab, groep=group)  # sessions, caches warm
    # Session; user; practice with network; the import; own row with the group's statistics
    # (Trends: own rows; medians with the group size); for a group too small, whether the wider
    # group has figures. No positions: they are not stored.
    with django_assert_max_num_queries(6):
        page(owner, imp, tab=tab, groep=group)


# --- Peer groups by kind ----------------------------------------------------------------------


@pytest.mark.parametrize("group", ["size", "region_size", "profile"])
def test_every_tab_and_download_of_a_group_by_kind_answers(owner, imp, group):
    """Practice A has declared no profile and its groups by kind are small: the pages say so
    and offer the wider group, and every tab and download still answers."""
    for tab in ("welcome", "patients", "finance", "trends"):
        text = page(owner, imp, groep=group, tab=tab)
        assert 'data-group="national"' in text
    for name in ("dashboard:csv", "dashboard:xlsx"):
        response = owner.get(reverse(name, args=[imp.pk]), {"groep": group})
        assert response.status_code == 200


def test_the_profile_choice_says_when_no_profile_was_declared(owner, imp, country):
    assert "niet opgegeven in Profiel" in page(owner, imp, groep="profile")
    practice = country["a"]
    practice.profile = "kinderen"
    practice.save()
    assert "Landelijk · zelfde profiel (kinderfysiotherapie)" in page(owner, imp, groep="profile")
