"""Figures per insurer concern on the Verzekeraars tab, against the group."""

import re

import pytest
from django.urls import reverse

from parabench.benchmark import catalogue, queries
from parabench.dashboard import verdicts

pytestmark = pytest.mark.django_db


def insurer_table(client, imp, group="national"):
    body = client.get(
        reverse("dashboard:detail", args=[imp.pk]), {"groep": group, "tab": "insurers"}
    ).content.decode()
    table = re.search(r'id="insurer-figures">(.*?)</article>', body, re.S).group(1)
    rows = re.findall(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', table, re.S)
    return {label: re.findall(r'<td class="num">(.*?)</td>', cells) for label, cells in rows}


def mix(board, code):
    return next(m for m in board.mixes if m.code == code).categories


def test_patients_per_insurer_add_up_to_the_practice_s_patients(imp):
    board = queries.dashboard_for(imp, "national")
    patients = next(k for k in board.kpis if k.code == "patients").value
    revenue = next(k for k in board.kpis if k.code == "revenue").value
    self_pay = {c.key: c.practice for c in mix(board, "insurer_patient_mix")}["self_pay"]
    per_insurer = [insurer.figures[0].value for insurer in board.insurers]
    assert sum(per_insurer) == pytest.approx(patients * (1 - self_pay / 100))
    # Revenue per patient × patients, summed over the insurers, is the insured revenue.
    self_paid = {c.key: c.practice for c in mix(board, "insurer_revenue_mix")}["self_pay"]
    rebuilt = sum(
        i.figures[0].value * i.figures[2].value for i in board.insurers if i.figures[0].value
    )
    assert rebuilt == pytest.approx(revenue * (1 - self_paid / 100))


def test_the_verzekeraars_tab_shows_each_insurer_against_the_group_median(owner, imp):
    table = insurer_table(owner, imp)
    board = queries.dashboard_for(imp, "national", "insurers")
    cz = next(i for i in board.insurers if i.key == "cz")
    row = table["CZ"]
    # Patients (own, median), then own, median and verdict of the two ratios: a size has none.
    assert len(row) == 3 * len(catalogue.INSURER_MEASURES) - 1
    assert row[0] == f"{cz.figures[0].value:.0f}"
    median = cz.figures[2].stats.median
    assert row[6] == f"€ {median:.2f}".replace(".", ",")
    assert row[7] == (verdicts.kpi_verdict(cz.figures[2]).text or "–")
    assert "Zelfbetalers" not in table  # no insurer: the self-pay share is under Financiën


def test_the_group_median_per_insurer_lies_among_the_members_values(country, imp):
    board = queries.dashboard_for(imp, "national")
    members = [imports[-1] for imports in country["imports"].values()]
    for insurer in board.insurers:
        figure = insurer.figures[2]
        if figure.stats is None:
            continue
        own = []
        for member in members:
            values = queries.dashboard_for(member, "national").insurers
            value = next(i for i in values if i.key == insurer.key).figures[2].value
            if value is not None:
                own.append(value)
        assert min(own) * 0.95 <= figure.stats.median <= max(own) * 1.05


def test_a_too_small_group_shows_no_group_figure_per_insurer(owner, imp):
    national = insurer_table(owner, imp, "national")
    network = insurer_table(owner, imp, "network")
    # The check can fail: nationally the medians are there.
    assert any(cells[1] != "–" for cells in national.values())
    for cells in network.values():
        assert [cells[i] for i in (1, 3, 4, 6, 7)] == ["–"] * 5
        assert cells[0] != "–"
