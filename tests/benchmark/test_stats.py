"""Every statistic against numpy on random data: ties, missing values, tiny and empty groups."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from parabench.benchmark.stats import (
    describe,
    describe_columns,
    member_positions,
    percentile_position,
    positions,
    sorted_columns,
)

PERCENTILES = (10, 25, 50, 75, 90)
# Rows describe_* fills; the rows after them (tau2) belong to the recompute and stay NaN.
DESCRIBED = len(PERCENTILES) + 2

# Few distinct values make ties common; wide floats catch interpolation and rounding issues.
tied = st.sampled_from([0.0, 1.0, 1.0, 2.5, 3.0, 3.0, 3.0, 100.0, math.nan])
wide = st.floats(min_value=-1e9, max_value=1e9) | st.just(math.nan)


def _numpy_column(column: np.ndarray) -> list[float]:
    present = column[~np.isnan(column)]
    if present.size == 0:
        return [0.0] + [math.nan] * 6
    return [float(present.size), float(np.mean(present))] + [
        float(x) for x in np.percentile(present, PERCENTILES)
    ]


def _assert_matches_numpy(matrix: np.ndarray) -> None:
    described = describe_columns(matrix)
    for c in range(matrix.shape[1]):
        expected = _numpy_column(matrix[:, c])
        got = described[:DESCRIBED, c]
        assert got[0] == expected[0]
        for g, e in zip(got[1:], expected[1:], strict=True):
            if math.isnan(e):
                assert math.isnan(g)
            else:
                assert math.isclose(g, e, rel_tol=1e-12, abs_tol=1e-9), (c, g, e)


@settings(max_examples=300)
@given(arrays(np.float64, st.tuples(st.integers(0, 40), st.integers(1, 6)), elements=tied))
def test_it_matches_numpy_on_data_full_of_ties(matrix):
    _assert_matches_numpy(matrix)


@settings(max_examples=300)
@given(arrays(np.float64, st.tuples(st.integers(0, 60), st.integers(1, 4)), elements=wide))
def test_it_matches_numpy_on_wide_random_data(matrix):
    _assert_matches_numpy(matrix)


@given(arrays(np.float64, st.tuples(st.just(5), st.integers(1, 5)), elements=wide))
def test_it_matches_numpy_for_a_group_of_exactly_five(matrix):
    _assert_matches_numpy(matrix)


def test_the_percentiles_are_exactly_numpys_for_integers():
    values = np.array([[3.0], [1.0], [4.0], [1.0], [5.0], [9.0], [2.0], [6.0]])
    described = describe_columns(values)
    assert list(described[2:DESCRIBED, 0]) == list(np.percentile(values[:, 0], PERCENTILES))


def test_an_empty_group_has_no_statistics():
    described = describe_columns(np.empty((0, 3)))
    assert list(described[0]) == [0, 0, 0]
    assert np.isnan(described[1:]).all()
    assert describe([]) is None
    assert describe([None, math.nan]) is None


def test_a_column_without_values_has_n_zero_beside_a_full_column():
    matrix = np.array([[1.0, math.nan], [2.0, math.nan], [3.0, math.nan]])
    described = describe_columns(matrix)
    assert described[0, 0] == 3 and described[0, 1] == 0
    assert described[4, 0] == 2.0
    assert np.isnan(described[1:, 1]).all()


def test_describe_of_one_list_gives_named_fields():
    summary = describe([10, 20, 30, 40, None])
    assert summary.n == 4
    assert summary.mean == 25
    assert summary.median == 25
    assert summary.p25 == float(np.percentile([10, 20, 30, 40], 25))
    assert summary.p90 == float(np.percentile([10, 20, 30, 40], 90))


@settings(max_examples=300)
@given(
    arrays(np.float64, st.tuples(st.integers(0, 30), st.integers(1, 4)), elements=tied),
    arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 4)), elements=tied),
)
def test_positions_are_the_share_at_or_below_the_value(group, queries):
    if queries.shape[1] != group.shape[1]:
        queries = np.resize(queries, (queries.shape[0], group.shape[1]))
    ordered, counts = sorted_columns(group)
    got = positions(ordered, counts, queries)
    for r in range(queries.shape[0]):
        for c in range(group.shape[1]):
            column = group[:, c]
            present = column[~np.isnan(column)]
            value = queries[r, c]
            if math.isnan(value) or present.size == 0:
                assert math.isnan(got[r, c])
                assert percentile_position(list(column), value) is None
            else:
                expected = (present <= value).sum() * 100.0 / present.size
                assert got[r, c] == expected
                assert percentile_position(list(column), value) == expected


def test_a_practice_at_the_top_of_its_group_is_at_100_percent():
    assert percentile_position([1, 2, 3, 4, 5], 5) == 100.0
    assert percentile_position([1, 2, 3, 4, 5], 1) == 20.0
    assert percentile_position([2, 2, 2, 2, 2], 2) == 100.0


def test_positions_of_a_large_group_use_the_sorted_search_and_agree_with_counting():
    rng = np.random.default_rng(7)
    group = rng.integers(0, 50, size=(450, 3)).astype(float)
    group[rng.random(group.shape) < 0.1] = math.nan
    ordered, counts = sorted_columns(group)
    got = positions(ordered, counts, group)
    for c in range(3):
        present = group[~np.isnan(group[:, c]), c]
        for r in range(0, 450, 37):
            value = group[r, c]
            expected = math.nan if math.isnan(value) else (present <= value).mean() * 100
            assert (math.isnan(got[r, c]) and math.isnan(expected)) or math.isclose(
                got[r, c], expected
            )


@pytest.mark.parametrize("rows", [1, 2, 7, 199, 201, 2000])
def test_member_positions_are_exactly_the_positions_of_the_members_themselves(rows):
    rng = np.random.default_rng(rows)
    values = np.round(rng.lognormal(1, 1, size=(rows, 6)), 1)  # rounded: many ties
    values[rng.random(values.shape) < 0.1] = np.nan
    values[rng.random(values.shape) < 0.05] = 0.0
    values[rng.random(values.shape) < 0.05] = -0.0
    values[:, 5] = np.nan
    ordered, counts = sorted_columns(values)
    expected = positions(ordered, counts, values)
    assert member_positions(values, counts).tobytes() == expected.tobytes()
