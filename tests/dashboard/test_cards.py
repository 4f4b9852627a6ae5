"""The KPI cards of a theme tab (``parabench.dashboard.cards``), written with f-strings."""

from dataclasses import replace

from parabench.dashboard.cards import kpi_cards
from parabench.dashboard.presentation import KpiRow


def test_a_kpi_card_escapes_every_value_it_writes():
    hostile = "<img src=x onerror=alert(1)>"
    row = KpiRow(
        code="c1",
        name=hostile,
        explanation=hostile,
        value=hostile,
        median=hostile,
        band=hostile,
        place=hostile,
        position=hostile,
        verdict="none",
        chart=None,
    )
    judged = type("Judged", (), {"text": hostile, "verdict": '"x', "interval": hostile})()
    judged.normal, judged.note = hostile, hostile
    html = kpi_cards([replace(row, judged=judged)], too_small=False)
    assert "<img" not in html and 'verdict="x' not in html
    assert html.count("&lt;img src=x onerror=alert(1)&gt;") >= 8
