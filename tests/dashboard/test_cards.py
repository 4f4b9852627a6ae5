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


GROUP_ROWS = [("P25", "8,0"), ("Mediaan", "10,0"), ("P75", "13,0"), ("Aantal praktijken", "40-49")]


def test_a_box_plots_table_is_the_data_table_with_the_group_rows_kept():
    from parabench.dashboard import cards
    from parabench.dashboard.templatetags.dashboard_tables import data_table

    cards._group_rows.cache_clear()
    for rows in ([("Uw praktijk", "9,0"), *GROUP_ROWS], [("Uw praktijk", "9,0")], []):
        assert cards._box_table(rows) == data_table(rows)
        assert cards._box_table(rows) == data_table(rows)  # the second time kept


def test_two_practices_of_one_group_get_their_own_row_and_new_group_figures_their_own_rows():
    from parabench.dashboard import cards
    from parabench.dashboard.templatetags.dashboard_tables import data_table

    cards._group_rows.cache_clear()
    first = cards._box_table([("Uw praktijk", "9,0"), *GROUP_ROWS])
    second = cards._box_table([("Uw praktijk", "12,5"), *GROUP_ROWS])
    assert "9,0" in first and "12,5" not in first and "12,5" in second and "9,0" not in second
    assert "9,0" not in "".join(cards._group_rows(tuple(GROUP_ROWS)))
    refreshed = [("P25", "8,5"), *GROUP_ROWS[1:]]
    rows = [("Uw praktijk", "9,0"), *refreshed]
    assert cards._box_table(rows) == data_table(rows)
