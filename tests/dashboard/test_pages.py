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
