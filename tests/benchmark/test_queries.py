"""What the dashboard can read — built with data that COULD leak, then searched for it.

Sizes make every practice's counts unique (size s → 250·s patients in a year), so if another
practice's value, or the group's minimum or maximum, were anywhere in an answer, we would find it.
"""

import dataclasses
import math

import numpy as np
import pytest
from django.db import connection
from django.test import override_settings

from parabench.benchmark import layout
from parabench.benchmark.disclosure import publish, round_published
from parabench.benchmark.models import GroupStatistics
from parabench.benchmark.queries import dashboard_for, trends_for
from parabench.benchmark.recompute import recompute_all
from parabench.benchmark.stats import STAT_FIELDS, describe_columns
from parabench.uploads.models import Import
from tests.benchmark.factories import make_import
from tests.factories import NetworkFactory, PracticeFactory

pytestmark = pytest.mark.django_db

COUNT_KPIS = ("patients", "episodes", "sessions", "revenue", "new_patients", "new_episodes")


def _numbers(value):
    """Every number anywhere in a returned structure."""
    if dataclasses.is_dataclass(value):
        for field in dataclasses.fields(value):
            yield from _numbers(getattr(value, field.name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _numbers(item)
    elif isinstance(value, bool):
        return
    elif isinstance(value, int | float):
        yield float(value)


def _contains(numbers, value):
    return any(math.isclose(n, value, rel_tol=1e-9) for n in numbers)


def _figure(board, code):
    return next(k for k in board.kpis if k.code == code)


def _published(values) -> dict[str, set[float]]:
    """Every figure the rules may publish for these patient counts (display step 1), by name:
    the estimate dithered by less than one rounding step, then rounded."""
    ordered = np.sort(np.array(values, dtype=float)).reshape(-1, 1)
    shown = publish(ordered, 5, np.array([1.0]))[:, 0]  # which figures exist at all
    estimate = describe_columns(ordered)[:, 0]
    n, floor = np.array([len(values)]), np.ones(1)
    possible = {}
    for i, name in enumerate(STAT_FIELDS):
        if name == "n" or shown[i] != shown[i]:
            continue
        possible[name] = {
            float(round_published(estimate[i : i + 1], n, floor, np.array([d]))[0])
            for d in np.linspace(-0.5, 0.4999, 200)
        }
    return possible


@pytest.fixture
def country():
    """A national group of 16 in Zuid-Holland and Noord-Brabant, plus the test networks."""
    small, five = NetworkFactory(name="Klein"), NetworkFactory(name="Groene Hart")
    practices = {
        "small": [PracticeFactory(network=small, province="ZH") for _ in range(4)],
        "five": [PracticeFactory(network=five, province="ZH") for _ in range(5)],
        "plain": [PracticeFactory(province="NB") for _ in range(6)],
        "alone": [PracticeFactory(province="ZE")],
    }
    imports = {}
    size = 1
    for name, members in practices.items():
        for practice in members:
            imports.setdefault(name, []).append(
                make_import(practice, 2025, size=size, recompute=False)
            )
            size += 1
    # One full recompute instead of one refresh per import (an incremental refresh writes what
    # a full one does: tests/benchmark/test_counting.py): 0.6 s of set-up per test became 0.1 s.
    recompute_all(years=[2025])
    return practices, imports


def test_a_network_of_four_gets_nothing_about_the_group(country):
    practices, imports = country
    imp = imports["small"][0]
    board = dashboard_for(imp, "network")
    assert board.group.too_small
    assert board.group.size is None
    assert board.group.label == "Netwerk Klein"
    assert board.group.wider == "region"
    for figure in board.kpis:
        assert figure.stats is None
        assert figure.band is None
        assert figure.verdict is None
    for mix in board.mixes:
        assert all(share.group is None for share in mix.categories)
    # Only the practice's own numbers are left.
    own = {_figure(board, c).value for c in COUNT_KPIS}
    others = [
        _figure(dashboard_for(other, "network"), "patients").value for other in imports["small"][1:]
    ]
    numbers = list(_numbers(board))
    assert own <= set(numbers)
    for value in others:
        assert not _contains(numbers, value)


def test_a_network_of_four_gets_no_group_medians_in_its_trends(country):
    _, imports = country
    trends = trends_for(imports["small"][0], "network")
    assert trends.group.too_small and trends.group.size is None
    for series in trends.series:
        assert series.points
        assert all(point.group_median is None for point in series.points)


def test_a_network_of_five_is_served_without_min_or_max(country):
    _, imports = country
    imp = imports["five"][2]  # the middle one: sizes 5, 6, 7, 8, 9
    board = dashboard_for(imp, "network")
    assert not board.group.too_small
    assert board.group.size == (5, 9)
    patients = _figure(board, "patients")
    assert patients.value == 1750
    assert patients.stats.size == (5, 9)
    # The Harrell-Davis median of 1250 … 2250 is 1750, published with two digits.
    assert patients.stats.median in _published([1250, 1500, 1750, 2000, 2250])["median"]
    assert patients.stats.median in (1700, 1800)
    # A group of five gets its median only: no quartiles, no tails, never a mean.
    assert set(patients.stats.published()) == {"median"}
    assert not hasattr(patients.stats, "mean")
    assert patients.band == ("below-median" if patients.stats.median == 1800 else "above-median")
    assert patients.verdict == "size"
    for code in COUNT_KPIS:
        # Per KPI: numbers of different KPIs may coincide by chance (1,500 patients, episodes).
        numbers = list(_numbers(_figure(board, code)))
        values = [_figure(dashboard_for(other, "network"), code).value for other in imports["five"]]
        assert not _contains(numbers, min(values)), code
        assert not _contains(numbers, max(values)), code


def test_a_practice_alone_in_its_province_gets_nothing_about_its_region(country):
    _, imports = country
    board = dashboard_for(imports["alone"][0], "region")
    assert board.group.too_small and board.group.size is None
    assert board.group.label == "Regio Zeeland"
    assert board.group.wider == "national"
    assert all(f.stats is None for f in board.kpis)


def test_the_national_group_of_sixteen_serves_quartiles_but_no_tails(country):
    _, imports = country
    board = dashboard_for(imports["alone"][0], "national")
    assert board.group.size == (10, 19)
    patients = _figure(board, "patients")
    possible = _published([250 * s for s in range(1, 17)])
    assert set(possible) == set(patients.stats.published()) == {"p25", "median", "p75"}
    for name, value in patients.stats.published().items():
        assert value in possible[name], name
    assert patients.value == 4000
    assert patients.band == "above-p75"
    assert patients.position == "above" and patients.verdict == "size"
    # The smallest practice's patients is none of the KPI's published figures. (Not "no number on
    # the page": other KPIs' figures, rounded to two significant digits, may be 250 by chance —
    # the attacker suite in tests/privacy checks what can be derived from the whole page.)
    assert not _contains(list(patients.stats.published().values()), 250.0)


def test_a_practice_without_network_is_compared_with_all_practices_without_one(country):
    _, imports = country
    board = dashboard_for(imports["plain"][0], "network")
    assert board.group.label == "Praktijken zonder netwerk"
    assert board.group.choice == "network"
    assert board.group.size == (5, 9)  # the six in Noord-Brabant and the one in Zeeland
    median = _figure(board, "patients").stats.median
    assert median in _published([250 * s for s in range(10, 17)])["median"]  # sizes 10 … 16


def test_the_window_is_the_import_s_own_year_to_date(country):
    practices, _ = country
    imp = make_import(practices["plain"][0], 2026, quarters=2)
    board = dashboard_for(imp, "national")
    assert board.window.code == "Q1-Q2"
    assert str(board.window.begin) == "2026-01-01" and str(board.window.end) == "2026-06-30"


@override_settings(MIN_GROUP_SIZE=8)
def test_raising_the_minimum_group_size_hides_stored_statistics_at_once(country):
    _, imports = country
    board = dashboard_for(imports["five"][0], "network")
    assert board.group.too_small and board.group.size is None
    assert all(f.stats is None for f in board.kpis)


def _trend_world():
    """Five practices with 2024 and 2025, the first with half of 2026: its 2026 import."""
    practices = [PracticeFactory() for _ in range(5)]
    for size, practice in enumerate(practices, start=1):
        make_import(practice, 2024, size=size)
        make_import(practice, 2025, size=size + 1)
    return make_import(practices[0], 2026, quarters=2, size=4)


def test_trends_run_across_all_imports_with_growth_and_group_medians():
    imp = _trend_world()
    trends = trends_for(imp, "national")
    patients = next(s for s in trends.series if s.code == "patients")
    labels = [p.label for p in patients.points]
    assert labels[:4] == ["2024 K1", "2024 K2", "2024 K3", "2024 K4"]
    assert "2026 K2" in labels and labels[-2:] == ["2024", "2025"]
    by_label = {p.label: p for p in patients.points}
    assert by_label["2025"].value == 500  # size 2, full year: 2.5 × 200
    assert by_label["2025"].growth == pytest.approx(100.0)  # from 250 in 2024
    assert by_label["2026 K1"].value == 400
    assert by_label["2026 K1"].growth == pytest.approx(100.0)  # from 200
    assert by_label["2025 K1"].group_median == 400  # sizes 2..6
    # Only the practice's own import counts in 2026, so no group median there.
    assert by_label["2026 K1"].group_median is None


def test_trends_with_the_quarters_of_one_kpi_give_the_others_their_full_years_only():
    imp = _trend_world()
    every = {s.code: s for s in trends_for(imp, "national").series}
    shown = trends_for(imp, "national", quarters_of="patients")
    assert [s.code for s in shown.series] == list(every)
    for series in shown.series:
        full = every[series.code]
        if series.code == "patients":
            assert series == full
        else:
            assert series.points == [p for p in full.points if p.kind == "year"]
            assert series.points and dataclasses.replace(series, points=full.points) == full


def test_trend_medians_follow_every_new_version_of_a_group_s_statistics():
    """Trends keeps the rows it read, and the medians made of them, per process on PostgreSQL
    (``queries._medians``): a row written again — even in place, under the same id — is read
    again."""
    practices = [PracticeFactory() for _ in range(5)]
    for size, practice in enumerate(practices, start=1):
        make_import(practice, 2024, size=size)
        make_import(practice, 2025, size=size + 1)
    imp = make_import(practices[0], 2026, quarters=2, size=4)
    national = GroupStatistics.objects.filter(kind="national", key="", window="Q1")

    def shown(year):
        patients = next(s for s in trends_for(imp, "national").series if s.code == "patients")
        return next(p.group_median for p in patients.points if p.label == f"{year} K1")

    def stored(year):
        row = national.get(year=year)
        _counts, medians = layout.table(
            bytes(row.stats), row.statistics_id, row.columns_id, ("n", "median"), ("patients",)
        )
        return float(medians[0])

    assert (shown(2024), shown(2025)) == (stored(2024), stored(2025)) == (300, 400)
    national.filter(year=2025).update(stats=national.get(year=2024).stats)
    assert shown(2025) == stored(2025) == 300
    # A new import: the refresh writes the year's rows anew.
    make_import(practices[1], 2025, size=9)
    assert shown(2025) == stored(2025) > 400


def test_an_unknown_group_is_refused():
    practice = PracticeFactory()
    imp = make_import(practice, 2025, recompute=False)
    with pytest.raises(ValueError):
        dashboard_for(imp, "insurer")


def test_growth_figures_are_served_beside_the_group_s_growth_statistics():
    practices = [PracticeFactory() for _ in range(5)]
    for size, practice in enumerate(practices, start=1):
        make_import(practice, 2024, size=size)
        make_import(practice, 2025, size=2 * size)
    board = dashboard_for(Import.objects.get(practice=practices[0], year=2025), "national")
    growth = _figure(board, "growth_patients")
    assert growth.value == pytest.approx(100.0)
    assert growth.stats.median == pytest.approx(100.0)
    assert growth.band == "at-median"


def test_a_correction_of_last_year_updates_this_year_s_growth():
    practices = [PracticeFactory() for _ in range(5)]
    for practice in practices:
        make_import(practice, 2024, size=2)
        make_import(practice, 2025, size=4)
    make_import(practices[0], 2024, size=1)
    current = Import.objects.get(practice=practices[0], year=2025)
    assert _figure(dashboard_for(current, "national"), "growth_patients").value == 300.0


def test_a_theme_tab_reads_exactly_its_own_share_of_the_whole_dashboard(country):
    _, imports = country
    imp = imports["plain"][0]
    whole = dashboard_for(imp, "national")
    for theme in ("patients", "finance", "insurers"):
        part = dashboard_for(imp, "national", theme=theme)
        assert part.kpis == [k for k in whole.kpis if k.theme == theme]
        assert part.mixes == [m for m in whole.mixes if m.theme == theme]
        assert part.kpis or part.mixes
        assert part.group == whole.group and part.window == whole.window


def test_without_the_figures_per_insurer_the_dashboard_is_the_same_but_for_them(country):
    _, imports = country
    imp = imports["plain"][0]
    whole = dashboard_for(imp, "national")
    summary = dashboard_for(imp, "national", per_insurer=False)
    assert whole.insurers and not summary.insurers
    assert summary.kpis == whole.kpis and summary.mixes == whole.mixes
    assert summary.group == whole.group and summary.window == whole.window


def test_the_place_follows_each_recompute_rather_than_an_earlier_reading():
    practices = [PracticeFactory(province="UT") for _ in range(5)]
    imports = [make_import(p, 2025, size=size) for size, p in enumerate(practices, start=1)]
    middle = imports[2]
    before = _figure(dashboard_for(middle, "region"), "patients")
    assert before.band == "at-median" and before.stats.p25 is None
    # Five larger practices join the region: the middle one drops to its lower quartile, which
    # the group of ten now publishes. Which side of it depends on the keyed dither of the
    # published P25 (≈ 750, the practice's own value), so either is right; at the median is not.
    for size in range(6, 11):
        make_import(PracticeFactory(province="UT"), 2025, size=size)
    figure = _figure(dashboard_for(middle, "region"), "patients")
    assert figure.stats.p25 is not None
    assert figure.band in ("below-p25", "at-p25", "p25-median")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="binary results are PostgreSQL's")
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_reads_the_same_figures_in_binary_as_in_text(monkeypatch):
    """The portal binds server-side (prepared statements) and then reads its plain-SQL rows in
    PostgreSQL's binary format; the tests' own connection binds client-side and reads text."""
    from django.db import connections
    from django.db.utils import load_backend

    from parabench.benchmark import queries

    imp = _trend_world()
    in_text = (dashboard_for(imp, "national"), trends_for(imp, "national"))
    default = connections["default"].settings_dict
    options = {k: v for k, v in default["OPTIONS"].items() if k != "pool"}
    portal = {**default, "OPTIONS": {**options, "server_side_binding": True}}
    binding = load_backend(portal["ENGINE"]).DatabaseWrapper(portal, "default")
    monkeypatch.setattr(queries, "connection", binding)
    # Nothing kept from the text read: the group's matrix and Trends' rows are read again.
    queries._kept_figures.cache_clear()
    queries._decoded.cache_clear()
    queries._KEPT_ROWS.clear()
    queries._KEPT_MEDIANS.clear()
    try:
        assert queries._binary_results()
        in_binary = (dashboard_for(imp, "national"), trends_for(imp, "national"))
    finally:
        binding.close()
    assert list(_numbers(in_binary)) == list(_numbers(in_text))
    assert repr(in_binary) == repr(in_text)
