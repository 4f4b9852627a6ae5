"""The twelve provinces and a postcode → province lookup.

The lookup uses the ranges of four-digit postcode numbers that lie (almost) wholly inside one
province. Borders do not follow postcode ranges exactly, so the result is a suggestion the back
office can override; see docs/decisions.md.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.TextChoices):
    GRONINGEN = "GR", "Groningen"
    FRYSLAN = "FR", "Fryslân"
    DRENTHE = "DR", "Drenthe"
    OVERIJSSEL = "OV", "Overijssel"
    FLEVOLAND = "FL", "Flevoland"
    GELDERLAND = "GE", "Gelderland"
    UTRECHT = "UT", "Utrecht"
    NOORD_HOLLAND = "NH", "Noord-Holland"
    ZUID_HOLLAND = "ZH", "Zuid-Holland"
    ZEELAND = "ZE", "Zeeland"
    NOORD_BRABANT = "NB", "Noord-Brabant"
    LIMBURG = "LI", "Limburg"


P = Province
# (first number, last number, province), checked in order; first match wins.
_RANGES: list[tuple[int, int, Province]] = [
    (1000, 1299, P.NOORD_HOLLAND),
    (1300, 1379, P.FLEVOLAND),
    (1380, 2199, P.NOORD_HOLLAND),
    (2200, 3399, P.ZUID_HOLLAND),
    (3400, 3769, P.UTRECHT),
    (3770, 3799, P.GELDERLAND),
    (3800, 3849, P.UTRECHT),
    (3840, 3899, P.GELDERLAND),
    (3900, 3999, P.UTRECHT),
    (4000, 4129, P.GELDERLAND),
    (4130, 4199, P.UTRECHT),
    (4200, 4299, P.ZUID_HOLLAND),
    (4300, 4599, P.ZEELAND),
    (4600, 5799, P.NOORD_BRABANT),
    (5800, 6499, P.LIMBURG),
    (6500, 7399, P.GELDERLAND),
    (7400, 7739, P.OVERIJSSEL),
    (7740, 7999, P.DRENTHE),
    (8000, 8199, P.OVERIJSSEL),
    (8200, 8259, P.FLEVOLAND),
    (8260, 8299, P.OVERIJSSEL),
    (8300, 8329, P.FLEVOLAND),
    (8330, 8399, P.OVERIJSSEL),
    (8400, 9299, P.FRYSLAN),
    (9300, 9349, P.DRENTHE),
    (9350, 9399, P.GRONINGEN),
    (9400, 9499, P.DRENTHE),
    (9500, 9999, P.GRONINGEN),
]


def province_for_postcode(postcode: str) -> Province | None:
    digits = postcode.strip()[:4]
    if len(digits) != 4 or not digits.isdigit():
        return None
    number = int(digits)
    for first, last, province in _RANGES:
        if first <= number <= last:
            return province
    return None


PROVINCE_HELP = _("Afgeleid van de postcode wanneer leeg gelaten; pas aan waar nodig.")
