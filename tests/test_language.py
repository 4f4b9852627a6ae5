from django.utils import translation

from parabench import language
from parabench.benchmark import catalogue
from parabench.dashboard import formatting


def test_one_language_fixes_the_language_for_a_whole_page():
    with translation.override("en"), language.one_language(), translation.override("nl"):
        assert formatting.number(1234.5, 1) == "1,234.5"
    with translation.override("nl"):
        assert formatting.number(1234.5, 1) == "1.234,5"


def test_catalogue_names_follow_the_page_language_not_a_later_switch():
    kpi = catalogue.KPIS[0]
    with translation.override("en"), language.one_language(), translation.override("nl"):
        assert kpi.name == kpi.name_en
    with translation.override("nl"), language.one_language():
        assert kpi.name == kpi.name_nl


def test_without_a_fixed_page_language_the_active_one_counts():
    with translation.override("en"):
        assert language.english()
    with translation.override("nl"):
        assert not language.english()
