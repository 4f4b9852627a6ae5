"""Harrell–Davis quantiles against an independent computation: ties, missing values, tiny groups."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.special import betainc

from parabench.benchmark.stats import (
    QUANTILES,
    STAT_FIELDS,
    _hd_window,
    beta_cdf,
    describe,
    describe_columns,
    describe_sorted,
    hd_weights,
    hd_window,
    transposed,
)

tied = st.sampled_from([0.0, 1.0, 1.0, 2.5, 3.0, 3.0, 3.0, 100.0, math.nan])
wide = st.floats(min_value=-1e9, max_value=1e9) | st.just(math.nan)


def _integrable(n: int, q: float) -> bool:
    """The midpoint rule needs a bounded density: both Beta parameters at least 1."""
    return (n + 1) * q >= 1 and (n + 1) * (1 - q) >= 1


def _reference_weights(n: int, q: float, steps: int = 4000) -> np.ndarray:
    """The Beta((n+1)q, (n+1)(1-q)) mass of each interval ((i-1)/n, i/n], by the midpoint rule
    on the density written out with lgamma: a different road to the same weights."""
    a, b = (n + 1) * q, (n + 1) * (1 - q)
    log_norm = math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b)
    weights = []
    for i in range(n):
        lo, hi = i / n, (i + 1) / n
        h = (hi - lo) / steps
        xs = lo + h * (np.arange(steps) + 0.5)
        density = np.exp(log_norm + (a - 1) * np.log(xs) + (b - 1) * np.log1p(-xs))
        weights.append(float(density.sum() * h))
    return np.array(weights)


def _reference_column(column: np.ndarray) -> list[float]:
    present = np.sort(column[~np.isnan(column)])
    if present.size == 0:
        return [0.0] + [math.nan] * len(QUANTILES)
    n = present.size
    return [float(n)] + [
        float(_reference_weights(n, q, 2000) @ present) if _integrable(n, q) else math.nan
        for q in QUANTILES.values()
    ]


def _assert_matches_reference(matrix: np.ndarray) -> None:
    described = describe_columns(matrix)
    for c in range(matrix.shape[1]):
        expected = _reference_column(matrix[:, c])
        got = described[: len(expected), c]  # the rows after the quantiles are the recompute's
        assert got[0] == expected[0]
        scale = max(1.0, float(np.nanmax(np.abs(matrix[:, c])))) if expected[0] else 1.0
        for g, e in zip(got[1:], expected[1:], strict=True):
            if math.isnan(e):
                assert math.isnan(g) or expected[0] > 0  # not integrable here: checked below
            else:
                assert math.isclose(g, e, abs_tol=1e-5 * scale), (c, g, e)


def test_the_weights_match_the_integrated_beta_density_and_sum_to_one():
    for n in (1, 2, 5, 7, 10, 20, 41):
        for q in QUANTILES.values():
            weights = hd_weights(n, q)
            assert math.isclose(weights.sum(), 1.0, abs_tol=1e-12)
            assert (weights >= 0).all()
            if _integrable(n, q):
                assert np.allclose(weights, _reference_weights(n, q), atol=1e-6), (n, q)


def _exact_weights(n: int, q: float) -> np.ndarray:
    """The weights from scipy's regularised incomplete beta function (Boost's, not ours)."""
    return np.diff(betainc((n + 1) * q, (n + 1) * (1 - q), np.arange(n + 1) / n))


# Every small size, the sizes where the quadrature takes over from the continued fraction
# (a or b = 2), regions, size classes and the national group (≈ 9,800 values per column).
SIZES = [*range(1, 64), 99, 100, 199, 200, 250, 999, 1_000, 2_047, 3_333, 9_799, 9_800, 10_000]


def test_the_weights_equal_the_exact_incomplete_beta_for_small_and_national_groups():
    for n in SIZES:
        for q in (*QUANTILES.values(), 0.05, 0.3, 0.95):
            weights = hd_weights(n, q)
            assert weights.size == n
            assert np.abs(weights - _exact_weights(n, q)).max() <= 1e-12, (n, q)


def test_only_the_cells_that_carry_mass_are_kept_and_the_rest_is_negligible():
    for n, q in ((10_000, 0.5), (10_000, 0.1), (2_000, 0.25)):
        start, inner = hd_window(n, q)
        exact = _exact_weights(n, q)
        left_out = exact.sum() - exact[start : start + inner.size].sum()
        assert abs(left_out) < 1e-15
        # Of the order of √n cells, not n: ±10 standard deviations of the Beta distribution.
        sd = math.sqrt(q * (1 - q) / (n + 2))
        assert inner.size < 25 * sd * n < n / 4


def test_the_cells_kept_are_those_found_by_looking_at_every_cell():
    # Sizes where the first reach ends inside the cells with mass and one must look further
    # (small groups, skewed quantiles), and national ones.
    sizes = [*range(1, 120), *range(120, 12_000, 613), 9_787, 9_800, 10_000]
    for n in sizes:
        for q in QUANTILES.values():
            start, weights = hd_window(n, q)
            every_start, every_weights = _hd_window(n, q, reaches=())
            assert (start, weights.tobytes()) == (every_start, every_weights.tobytes()), (n, q)


def test_the_weights_of_a_large_group_give_the_exact_estimate():
    values = np.random.default_rng(18).lognormal(3, 1, size=(9_800, 4))
    values[::97, 1] = np.nan  # another n in one column
    described = describe_columns(values)
    for c in range(values.shape[1]):
        present = np.sort(values[~np.isnan(values[:, c]), c])
        for row, q in enumerate(QUANTILES.values(), start=1):
            exact = float(_exact_weights(present.size, q) @ present)
            assert math.isclose(described[row, c], exact, rel_tol=1e-12), (c, q)


def test_the_beta_cdf_is_symmetric_and_hits_known_values():
    xs = np.linspace(0.01, 0.99, 25)
    assert np.allclose(beta_cdf(xs, 2.5, 4.0), 1 - beta_cdf(1 - xs, 4.0, 2.5), atol=1e-12)
    # Beta(1, 1) is uniform; Beta(2, 1) has cdf x².
    assert np.allclose(beta_cdf(xs, 1.0, 1.0), xs, atol=1e-12)
    assert np.allclose(beta_cdf(xs, 2.0, 1.0), xs**2, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(0, 30), st.integers(1, 4)), elements=tied))
def test_it_matches_the_reference_on_data_full_of_ties(matrix):
    _assert_matches_reference(matrix)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(0, 30), st.integers(1, 3)), elements=wide))
def test_it_matches_the_reference_on_wide_random_data(matrix):
    _assert_matches_reference(matrix)


def test_the_median_of_five_distinct_values_is_none_of_them():
    values = [1200.0, 1500.0, 1800.0, 2600.0, 4100.0]
    summary = describe(values)
    assert summary["median"] not in values
    assert summary["p25"] not in values and summary["p75"] not in values
    # ...but every value moves it: each weighs in.
    for i in range(5):
        moved = list(values)
        moved[i] += 10
        assert describe(moved)["median"] > summary["median"]


def test_large_groups_agree_with_the_usual_percentiles_to_a_fraction_of_a_percent():
    values = np.random.default_rng(3).lognormal(7, 0.4, 2000)
    summary = describe(values)
    for name, q in QUANTILES.items():
        assert math.isclose(summary[name], np.percentile(values, q * 100), rel_tol=0.01)


def test_a_constant_group_has_that_constant_for_every_quantile():
    summary = describe([7.0] * 9)
    assert all(math.isclose(summary[name], 7.0) for name in QUANTILES)


def test_quantiles_below_their_minimum_size_are_not_computed():
    minimum = {"median": 5, "p25": 10, "p75": 10, "p10": 20, "p90": 20}
    assert set(describe(range(5), minimum)) == {"n", "median"}
    assert set(describe(range(10), minimum)) == {"n", "p25", "median", "p75"}
    assert set(describe(range(20), minimum)) == {"n", *QUANTILES}  # tau2 is the recompute's
    assert set(describe(range(4), minimum)) == {"n"}


def test_an_empty_group_has_no_statistics():
    described = describe_columns(np.empty((0, 3)))
    assert list(described[0]) == [0, 0, 0]
    assert np.isnan(described[1:]).all()
    assert describe([]) is None
    assert describe([None, math.nan]) is None


def test_missing_values_are_left_out_per_column():
    matrix = np.array([[1.0, np.nan], [2.0, 5.0], [3.0, np.nan]])
    described = describe_columns(matrix)
    assert list(described[0]) == [3, 1]
    assert described[STAT_FIELDS.index("median"), 1] == 5.0


def test_transposed_is_a_contiguous_copy_of_the_transpose_whatever_the_number_of_rows():
    rng = np.random.default_rng(5)
    for rows in (0, 1, 63, 64, 65, 200):
        matrix = rng.normal(size=(rows, 7))
        matrix[rng.random(matrix.shape) < 0.2] = np.nan
        copy = transposed(matrix)
        assert copy.flags["C_CONTIGUOUS"] and copy.shape == (7, rows)
        assert np.array_equal(copy, matrix.T, equal_nan=True)


def _described_counting_every_cell(ordered: np.ndarray, min_n: dict) -> np.ndarray:
    """``describe_sorted`` as it counted each column's values until 2026-12-02 (``~np.isnan``
    over every cell): the reference for its binary search."""
    out = np.full((len(STAT_FIELDS), ordered.shape[1]), np.nan)
    n = (~np.isnan(ordered)).sum(axis=0)
    out[0] = n
    for count in np.unique(n):
        count = int(count)
        columns = np.flatnonzero(n == count)
        for row, (name, q) in enumerate(QUANTILES.items(), start=1):
            if count == 0 or count < min_n.get(name, 1):
                continue
            start, weights = hd_window(count, q)
            out[row, columns] = weights @ ordered[start : start + weights.size][:, columns]
    return out


@pytest.mark.parametrize("rows", [0, 1, 4, 5, 19, 20, 101, 10_000])
def test_counting_by_binary_search_describes_the_same_bits_as_counting_every_cell(rows):
    """Columns with NaN at random rates (none, all), ties, zeros of both signs and infinities,
    sorted as the recompute sorts them (a transposed copy, each row in place) and as
    ``describe_columns`` does: the same counts and figures to the last bit."""
    rng = np.random.default_rng(rows)
    matrix = rng.lognormal(3, 1, size=(rows, 12))
    matrix[:, 1] = np.round(matrix[:, 1] / 10)  # ties
    matrix[:, 2] = rng.choice([-0.0, 0.0, 1.0, np.inf, -np.inf], size=rows)
    matrix[:, 3] = np.nan
    matrix[rng.random(matrix.shape) < np.linspace(0, 0.9, 12)] = np.nan
    minimum = {"median": 5, "p25": 10, "p75": 10, "p10": 20, "p90": 20}
    ordered = transposed(matrix)
    ordered.sort(axis=1)
    for sorted_columns in (ordered.T, np.sort(matrix, axis=0)):
        want = _described_counting_every_cell(sorted_columns, minimum)
        got = describe_sorted(sorted_columns, minimum)
        assert np.array_equal(got[0], (~np.isnan(matrix)).sum(axis=0))
        assert got.tobytes() == want.tobytes()
