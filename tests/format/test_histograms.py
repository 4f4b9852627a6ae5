"""Quantiles from histograms agree with numpy's default (type 7) on the expanded values."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from parabench_format.histograms import (
    histogram_median,
    histogram_quantile,
    quantile_reaches_overflow,
)


def test_the_median_of_an_empty_histogram_is_none():
    assert histogram_median([0, 0, 0]) is None


def test_the_median_interpolates_between_two_middle_values():
    # values 1, 2, 4, 4 → median (2 + 4) / 2 = 3
    assert histogram_median([0, 1, 1, 0, 2]) == 3.0


@given(
    st.lists(st.integers(0, 6), min_size=2, max_size=12),
    st.sampled_from([0.1, 0.25, 0.5, 0.75, 0.9]),
)
def test_quantiles_match_numpy_when_the_overflow_bin_is_empty(counts, p):
    histogram = [*counts, 0]
    values = [v for v, n in enumerate(histogram) for _ in range(n)]
    if not values:
        assert histogram_quantile(histogram, p) is None
        return
    assert histogram_quantile(histogram, p) == pytest.approx(np.percentile(values, p * 100))
    assert not quantile_reaches_overflow(histogram, p)


def test_a_quantile_in_the_overflow_bin_is_its_lower_bound():
    histogram = [1, 0, 0, 3]  # one 0 and three "3 or more"
    assert histogram_median(histogram) == 3.0
    assert quantile_reaches_overflow(histogram, 0.5)
    assert not quantile_reaches_overflow(histogram, 0.0)
