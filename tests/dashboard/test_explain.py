"""The Uitleg page (from the catalogue) and the header figures on every portal page."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from parabench.benchmark import catalogue
from parabench.dashboard import explain

pytestmark = pytest.mark.django_db


def test_every_catalogue_figure_names_its_source_fields():
    codes = {k.code for k in catalogue.KPIS} | {m.code for m in catalogue.MIXES}
    codes |= {k.code for k in catalogue.CASEMIX_INDEXES}
    assert codes - set(explain.SOURCES) == set()
    assert set(explain.SOURCES) - codes == set()


def test_the_source_fields_are_columns_of_the_practice_records():
    from parabench_client.records import FILES, OPTIONAL_COLUMNS, OPTIONAL_FILES

    files = FILES | OPTIONAL_FILES
    for sources in explain.SOURCES.values():
        for source in sources:
            file, _colon, fields = source.partition(": ")
            kind = file.removesuffix(".csv")
            known = set(files[kind][1]) | set(OPTIONAL_COLUMNS.get(kind, ()))
            assert {f.strip() for f in fields.split(",")} <= known, source


def test_the_uitleg_page_explains_every_figure_with_sources_and_direction(anonymous_client):
    page = anonymous_client.get(reverse("uitleg")).content.decode()
    for kpi in (*catalogue.KPIS, *catalogue.CASEMIX_INDEXES):
        block = re.search(rf'id="uitleg-{kpi.code}">(.*?)</article>', page, re.S).group(1)
        assert kpi.name_nl in block
        assert kpi.explanation_nl.split(".")[0] in block.replace("&#x27;", "'")
        assert "sessions.csv" in block or "episodes.csv" in block or "therapists.csv" in block
        expected = {"higher": "hoger is gunstiger", "lower": "lager is gunstiger"}.get(
            kpi.better, "geen richting"
        )
        assert expected in block


def test_the_uitleg_page_shows_the_configured_helpdesk(anonymous_client, settings):
    settings.HELPDESK_NAME = "Helpdesk Fysio-ICT"
    settings.HELPDESK_PHONE = "088 123 45 67"
    settings.HELPDESK_EMAIL = "hulp@example.nl"
    page = anonymous_client.get(reverse("uitleg")).content.decode()
    assert "Helpdesk Fysio-ICT" in page
    assert 'href="tel:0881234567"' in page and 'href="mailto:hulp@example.nl"' in page


def test_the_uitleg_page_in_english(anonymous_client):
    anonymous_client.cookies["django_language"] = "en"
    page = anonymous_client.get(reverse("uitleg")).content.decode()
    assert catalogue.KPI_BY_CODE["waiting_days"].name_en in page
    assert "higher is better" in page


def test_every_page_links_to_the_uitleg(owner, imp, anonymous_client):
    uitleg = f'href="{reverse("uitleg")}"'
    for path in (reverse("practices:profile"), reverse("dashboard:detail", args=[imp.pk])):
        assert uitleg in owner.get(path).content.decode()
    assert uitleg in anonymous_client.get(reverse("login")).content.decode()


def test_every_page_of_a_practice_shows_its_key_figures_with_the_group_median(owner, imp):
    dashboard = owner.get(
        reverse("dashboard:detail", args=[imp.pk]), {"groep": "national", "tab": "finance"}
    ).content.decode()
    own = re.search(
        r'id="kpi-revenue_per_patient">.*?<span class="value">(.*?)</span>.*?<dd>(.*?)</dd>',
        dashboard,
        re.S,
    )
    for path in (reverse("practices:profile"), reverse("uitleg")):
        page = owner.get(path).content.decode()
        header = re.search(r'data-testid="keyfigures">(.*?)</aside>', page, re.S).group(1)
        assert "2026 t/m K2" in header
        figure = re.search(r'data-kpi="revenue_per_patient">(.*?)</span></span>', header, re.S)
        assert f"<strong>{own.group(1)}</strong>" in figure.group(1)
        assert f"mediaan {own.group(2)}" in figure.group(1)
        assert 'data-kpi="patients"' in header and 'data-kpi="sessions"' in header


def test_an_operator_and_a_visitor_see_no_key_figures(country, anonymous_client, operator):
    client = Client()
    client.force_login(operator)
    assert "keyfigures" not in client.get(reverse("uitleg")).content.decode()
    assert "keyfigures" not in anonymous_client.get(reverse("uitleg")).content.decode()


def test_the_key_figures_cost_no_query_once_read(owner, imp, django_assert_max_num_queries):
    owner.get(reverse("uitleg"))
    with django_assert_max_num_queries(2):  # the session and the user
        page = owner.get(reverse("uitleg")).content.decode()
    assert 'data-kpi="revenue_per_patient"' in page


def test_a_new_import_shows_in_the_header_once_the_kept_figures_expire(owner, imp, country):
    from parabench.dashboard.context_processors import SESSION_KEY

    first = owner.get(reverse("uitleg")).content.decode()
    assert "2026 t/m K2" in first
    session = owner.session
    session[SESSION_KEY]["data"]["quarter"] = 1  # what an older import said
    session.save()
    assert "2026 t/m K1" in owner.get(reverse("uitleg")).content.decode()
    session = owner.session
    session[SESSION_KEY]["until"] = 0  # expired
    session.save()
    assert "2026 t/m K2" in owner.get(reverse("uitleg")).content.decode()


def test_the_uitleg_page_states_the_size_classes_the_statistics_use(anonymous_client):
    from parabench.benchmark.groups import SIZE_BANDS, size_class

    page = anonymous_client.get(reverse("uitleg")).content.decode()
    assert "klein: 0 tot en met 199 patiënten" in page
    assert "middelgroot: 200 tot en met 399 patiënten" in page
    assert "groot: 400 patiënten of meer" in page
    # The stated edges are the ones that decide a class.
    assert [size_class(low) for _name, low in SIZE_BANDS] == [n for n, _low in SIZE_BANDS]
    assert [size_class(low - 1) for _name, low in SIZE_BANDS[1:]] == ["klein", "middel"]
