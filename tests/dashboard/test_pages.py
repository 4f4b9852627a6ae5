"""The page's context (parabench/dashboard/pages.py): the comparison groups' labels, kept per
process for what they read of the practice (province, network and its name, profile) and the
language."""

from types import SimpleNamespace

import pytest
from django.utils import translation

from parabench.dashboard import pages
from parabench.practices.provinces import Province
from tests.factories import NetworkFactory, PracticeFactory


def labels(practice) -> dict[str, str]:
    return dict(pages.group_choices(SimpleNamespace(practice=practice)))


@pytest.mark.django_db
def test_the_group_labels_follow_the_network_its_name_the_province_and_the_language():
    network = NetworkFactory(name="Fysio Netwerk Groene Hart")
    practice = PracticeFactory(network=network)
    elsewhere = PracticeFactory(province=Province.GRONINGEN, network=NetworkFactory(name="Noord"))
    with translation.override("nl"):
        assert labels(practice)["network"] == "Netwerk Fysio Netwerk Groene Hart"
        assert labels(practice)["region"] == "Regio Zuid-Holland"
        assert labels(elsewhere)["network"] == "Netwerk Noord"
        assert labels(elsewhere)["region"] == "Regio Groningen"
        network.name = "Fysio Netwerk Gouwe"
        network.save()
        practice.refresh_from_db()
        assert labels(practice)["network"] == "Netwerk Fysio Netwerk Gouwe"
    with translation.override("en"):
        assert labels(practice)["network"] == "Network Fysio Netwerk Gouwe"
        assert labels(practice)["national"] == "National"
    practice.network = None
    with translation.override("nl"):
        assert labels(practice)["network"] == "Praktijken zonder netwerk"


BEFORE = (
    "{% load i18n %}{% blocktranslate with number=imp.number %}import {{ number }}"
    "{% endblocktranslate %}|{% if group_size %}{% blocktranslate with label=group_info.label "
    "n=group_size %}Vergeleken met: {{ label }} ({{ n }} praktijken){% endblocktranslate %}"
    "{% else %}{% blocktranslate with label=group_info.label %}Vergeleken met: {{ label }}"
    "{% endblocktranslate %}{% endif %}"
)


@pytest.mark.parametrize("language", ["nl", "en"])
@pytest.mark.parametrize("label", ["Landelijk", 'Netwerk "Fysio & Co" <Zuid>'])
@pytest.mark.parametrize("size", ["", "5–9", "ca. 10.000", "<b>"])
@pytest.mark.parametrize("number", [7, 12345])
def test_the_import_and_group_captions_are_what_the_template_s_blocktranslate_wrote(
    language, label, size, number
):
    # Written in Python since issue 18, session 14: the same text, values escaped and localised.
    from django.template import engines

    imp = SimpleNamespace(number=number)
    with translation.override(language):
        before = (
            engines["django"]
            .from_string(BEFORE)
            .render({"imp": imp, "group_size": size, "group_info": {"label": label}})
        )
        after = f"{pages.import_label(imp)}|{pages.group_caption(label, size)}"
    assert after == before
