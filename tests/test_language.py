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


def test_gettext_within_one_language_is_djangos():
    """``language.gettext`` reads the catalogue fixed by ``one_language``: the same words as
    Django's ``gettext`` for plain, empty, safe and multi-line messages, in both languages."""
    from django.utils.safestring import SafeString, mark_safe

    messages = [
        "Uitloggen",
        "Profiel",
        "",
        "niet in de catalogus",
        mark_safe("Uitloggen"),
        "a\r\nb",
    ]
    for code in ("nl", "en"):
        with translation.override(code):
            want = [translation.gettext(m) for m in messages]
            with language.one_language():
                got = [language.gettext(m) for m in messages]
            assert got == want
            assert [type(g) for g in got] == [type(w) for w in want]
            assert isinstance(got[4], SafeString)
    with translation.override("en"), language.one_language():
        assert language.gettext("Uitloggen") == "Log out"
