"""The disclosure-control rules as pure functions: what is computed, how it is rounded, bands."""

import numpy as np
import pytest

from parabench.benchmark import catalogue as cat
from parabench.benchmark.disclosure import (
    band,
    column_floors,
    dither,
    minimum_sizes,
    publish,
    round_published,
    side,
    size_band,
)
from parabench.benchmark.stats import STAT_FIELDS

ROW = {name: i for i, name in enumerate(STAT_FIELDS)}


def _published(values, k=5):
    ordered = np.sort(np.array(values, dtype=float).reshape(-1, 1), axis=0)
    return publish(ordered, k, np.array([1.0]))[:, 0]


def test_a_group_of_five_gets_only_its_median_rounded_to_two_digits():
    out = _published([1204, 1533, 1871, 2642, 4105])
    assert out[ROW["n"]] == 5
    assert out[ROW["median"]] % 100 == 0  # two significant digits of ~2,000
    for name in ("p10", "p25", "p75", "p90"):
        assert np.isnan(out[ROW[name]])


def test_quartiles_come_from_ten_and_tails_from_twenty_practices_on():
    assert minimum_sizes(5) == {"median": 5, "p25": 10, "p75": 10, "p10": 20, "p90": 20}
    ten = _published(np.arange(10) * 100 + 1000)
    assert not np.isnan(ten[ROW["p25"]]) and np.isnan(ten[ROW["p10"]])
    twenty = _published(np.arange(20) * 100 + 1000)
    assert not np.isnan(twenty[ROW["p10"]])


def test_a_raised_minimum_group_size_raises_every_threshold_with_it():
    assert minimum_sizes(12) == {"median": 12, "p25": 12, "p75": 12, "p10": 20, "p90": 20}
    assert np.isnan(_published(range(11), k=12)[ROW["median"]])


def test_a_column_with_fewer_values_than_k_keeps_only_its_count():
    ordered = np.sort(np.array([[1.0, np.nan], [2.0, np.nan], [3.0, 1.0], [4.0, 2.0], [5.0, 3.0]]))
    ordered = np.sort(ordered, axis=0)
    out = publish(ordered, 5, np.array([0.1, 0.1]))
    assert out[ROW["n"], 1] == 3
    assert np.isnan(out[1:, 1]).all()


def test_rounding_keeps_significant_digits_but_never_finer_than_the_display():
    values = np.array([1804.3, 36.534, 59.34, 0.04321, 1804.3])
    n = np.array([240, 240, 240, 240, 7])
    floors = np.array([1.0, 0.01, 0.1, 0.1, 1.0])
    assert list(round_published(values, n, floors)) == [1800.0, 36.5, 59.3, 0.0, 1800.0]
    assert list(round_published(np.array([36.534, 59.34]), np.array([7, 7]), floors[1:3])) == [
        37.0,
        59.0,
    ]
    assert np.isnan(round_published(np.array([np.nan]), np.array([9]), np.array([1.0]))[0])


def test_every_statistics_column_has_a_display_step():
    floors = column_floors()
    assert floors.shape == (len(cat.COLUMNS),)
    assert floors[cat.COLUMN_INDEX["revenue_per_session"]] == 0.01
    assert floors[cat.COLUMN_INDEX["patients"]] == 1.0


@pytest.mark.parametrize(
    ("n", "shown"),
    [
        (5, (5, 9)),
        (9, (5, 9)),
        (10, (10, 19)),
        (19, (10, 19)),
        (49, (20, 49)),
        (54, (50, None)),
        (236, (240, None)),
        (10_004, (10_000, None)),
    ],
)
def test_group_sizes_are_published_as_bands(n, shown):
    assert size_band(n) == shown


def test_a_place_is_read_from_the_published_figures_only():
    stats = {"p25": 10.0, "median": 20.0, "p75": 30.0}
    assert band(5, stats) == "below-p25"
    assert band(15, stats) == "p25-median"
    assert band(20, stats) == "at-median"
    assert band(31, stats) == "above-p75"
    assert band(None, stats) is None
    assert side(5, stats) == "below" and side(25, stats) == "around" and side(31, stats) == "above"
    assert side(19, {"median": 20.0}) == "below" and side(20, {"median": 20.0}) == "around"


def test_the_dither_is_fixed_by_its_key_and_new_for_another_key():
    assert np.array_equal(dither(b"rows 1 2 3", 4), dither(b"rows 1 2 3", 4))
    assert not np.array_equal(dither(b"rows 1 2 3", 4), dither(b"rows 1 2 4", 4))
    noise = dither(b"any", 1000)
    assert noise.shape == (5, 1000) and (noise >= -0.5).all() and (noise < 0.5).all()


def test_a_dithered_figure_stays_within_one_rounding_step():
    values = np.random.default_rng(5).lognormal(7, 0.5, (1, 400))
    noise = np.random.default_rng(6).random((1, 400)) - 0.5
    published = round_published(values, np.full((1, 400), 7), np.ones((1, 400)), noise)
    steps = 10.0 ** (np.floor(np.log10(values)) - 1)  # two significant digits
    assert (np.abs(published - values) <= steps + 1e-9).all()
    # Without the key's dither it is plain rounding: within half a step.
    plain = round_published(values, np.full((1, 400), 7), np.ones((1, 400)))
    assert (np.abs(plain - values) <= steps / 2 + 1e-9).all()
