import pytest

from parabench.practices.provinces import Province, province_for_postcode


@pytest.mark.parametrize(
    ("postcode", "province"),
    [
        ("1012 AB", Province.NOORD_HOLLAND),  # Amsterdam
        ("1315 AA", Province.FLEVOLAND),  # Almere
        ("2741 GA", Province.ZUID_HOLLAND),  # Waddinxveen
        ("3511 AA", Province.UTRECHT),
        ("4331 AA", Province.ZEELAND),  # Middelburg
        ("5611 AA", Province.NOORD_BRABANT),  # Eindhoven
        ("6211 AA", Province.LIMBURG),  # Maastricht
        ("6511 AA", Province.GELDERLAND),  # Nijmegen
        ("7511 AA", Province.OVERIJSSEL),  # Enschede
        ("7811 AA", Province.DRENTHE),  # Emmen
        ("8911 AA", Province.FRYSLAN),  # Leeuwarden
        ("9711 AA", Province.GRONINGEN),
        ("8221 AA", Province.FLEVOLAND),  # Lelystad
    ],
)
def test_postcode_gives_its_province(postcode, province):
    assert province_for_postcode(postcode) == province


def test_malformed_postcode_gives_no_province():
    assert province_for_postcode("ABCD") is None
