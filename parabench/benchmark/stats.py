"""Peer statistics: n, mean, P10, P25, median, P75, P90 and a practice's percentile position.

Pure numpy, no Django. Why written out instead of calling ``numpy.nanpercentile``: that function
loops over columns in Python, while a benchmark computes thousands of groups × a hundred KPIs; one
sort per group matrix serves every column and every quantile at once. The arithmetic is numpy's
own type 7 ("linear", Hyndman–Fan 7, PostgreSQL ``percentile_cont``) step for step — virtual index
``(n - 1) · q``, the same two neighbours and numpy's two-sided interpolation — so the results are
identical to ``numpy.percentile`` on the non-missing values. NaN means "not defined for this
practice" (e.g. no closed chronic episodes) and is left out, per column.
"""

from dataclasses import dataclass

import numpy as np

# Row order of a described matrix; the storage layout depends on it (append-only).
# "tau2": the over-dispersion of the group per KPI (``uncertainty.group_dispersion``), filled in
# by the recompute; ``describe_*`` leave it NaN.
STAT_FIELDS = ("n", "mean", "p10", "p25", "median", "p75", "p90", "tau2")
QUANTILES = np.array([0.10, 0.25, 0.50, 0.75, 0.90])


@dataclass(frozen=True)
class Summary:
    n: int
    mean: float
    p10: float
    p25: float
    median: float
    p75: float
    p90: float


def describe_columns(matrix: np.ndarray) -> np.ndarray:
    """Statistics of every column of a (practices × KPIs) matrix: (7, KPIs) in STAT_FIELDS order.

    A column without any value gets n = 0 and NaN for the rest.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("describe_columns wants a 2-D matrix")
    # np.sort puts NaN last, so the first n[c] entries of column c are its sorted values.
    return describe_sorted(np.sort(matrix, axis=0))


def describe_sorted(ordered: np.ndarray) -> np.ndarray:
    """``describe_columns`` of a matrix whose columns are already sorted (NaN last).

    Separate so that a caller who also needs the sorted columns (percentile positions) sorts
    only once.
    """
    rows, cols = ordered.shape
    out = np.full((len(STAT_FIELDS), cols), np.nan)
    if cols == 0:
        return out
    present = ~np.isnan(ordered)
    n = present.sum(axis=0)
    out[0] = n
    if rows == 0:
        return out
    has = n > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        out[1] = np.where(has, np.where(present, ordered, 0.0).sum(axis=0) / n, np.nan)
    column = np.arange(cols)
    for row, q in enumerate(QUANTILES, start=2):
        virtual = (n - 1) * q
        previous = np.floor(virtual)
        gamma = virtual - previous
        below = np.clip(previous, 0, None).astype(np.intp)
        above = np.minimum(below + 1, np.maximum(n - 1, 0)).astype(np.intp)
        a = ordered[below, column]
        b = ordered[above, column]
        out[row] = np.where(has, _lerp(a, b, gamma), np.nan)
    return out


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's interpolation: from the nearer neighbour, so that t = 0 and t = 1 are exact."""
    with np.errstate(invalid="ignore"):
        diff = b - a
        return np.where(t >= 0.5, b - diff * (1 - t), a + diff * t)


def describe(values) -> Summary | None:
    """Statistics of one list of values (NaN and None left out); None when nothing is left."""
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    column = describe_columns(array.reshape(-1, 1))[:, 0]
    if column[0] == 0:
        return None
    return Summary(int(column[0]), *(float(x) for x in column[1 : len(QUANTILES) + 2]))


def sorted_columns(matrix: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column sorted (NaN last) and its count of values: the input of ``positions``."""
    matrix = np.asarray(matrix, dtype=np.float64)
    return np.sort(matrix, axis=0), (~np.isnan(matrix)).sum(axis=0)


_BROADCAST_LIMIT = 200


def positions(ordered: np.ndarray, counts: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Percentile position (0–100) of each row of ``values`` in each column's group distribution.

    The position is the share of the group at or below the value — counting the practice itself
    when it is a member. NaN where the value is missing or the column has no values.
    """
    values = np.asarray(values, dtype=np.float64)
    if ordered.shape[0] <= _BROADCAST_LIMIT and values.shape[0] <= _BROADCAST_LIMIT:
        # Small groups: one comparison of every value with every member beats a loop of calls.
        with np.errstate(invalid="ignore", divide="ignore"):
            at_or_below = (ordered[None, :, :] <= values[:, None, :]).sum(axis=1)
            out = at_or_below * 100.0 / counts
        out[np.isnan(values) | (counts == 0)[None, :]] = np.nan
        return out
    out = np.full((values.shape[1], values.shape[0]), np.nan)
    # Column by column on contiguous copies: searchsorted then walks memory in order.
    ordered = np.ascontiguousarray(np.asarray(ordered).T)
    values = np.ascontiguousarray(values.T)
    for c in range(values.shape[0]):
        n = int(counts[c]) if counts[c] == counts[c] else 0
        if n == 0:
            continue
        at_or_below = np.searchsorted(ordered[c, :n], values[c], side="right")
        out[c] = np.where(np.isnan(values[c]), np.nan, at_or_below * 100.0 / n)
    return out.T


def member_positions(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """``positions`` of a group's own members: the same numbers, without a search per value.

    Why: placing 10,000 members one binary search each per KPI costs more than the group's
    whole statistics; sorting with the permutation kept, a member's count at or below is where
    its run of equal values ends in its sorted column. ``values`` (members × KPIs), ``counts``
    the number of values per column (as ``sorted_columns`` gives).
    """
    columns = np.ascontiguousarray(np.asarray(values, dtype=np.float64).T)
    cols, n = columns.shape
    out = np.full((cols, n), np.nan)
    if n == 0 or cols == 0:
        return out.T
    # NaN last, like np.sort. Sorting with NaN as +inf is several times faster (numpy's SIMD
    # sort); it gives the same order unless a real +inf is present, then NaN is sorted as such.
    missing = np.isnan(columns)
    if np.isposinf(columns).any():
        order = np.argsort(columns, axis=1)
    else:
        order = np.argsort(np.where(missing, np.inf, columns), axis=1)
    ordered = np.take_along_axis(columns, order, axis=1)
    ends = np.ones((cols, n), dtype=bool)
    ends[:, :-1] = ordered[:, 1:] != ordered[:, :-1]
    index = np.where(ends, np.arange(n), n)
    run_end = np.minimum.accumulate(index[:, ::-1], axis=1)[:, ::-1]
    counts = np.asarray(counts, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        shares = (run_end + 1) * 100.0 / counts[:, None]
    shares[np.arange(n)[None, :] >= counts[:, None]] = np.nan  # missing values sort last
    np.put_along_axis(out, order, shares, axis=1)
    return out.T


def percentile_position(group_values, value: float) -> float | None:
    """Share (0–100) of ``group_values`` at or below ``value``; None when undefined."""
    if value is None or np.isnan(value):
        return None
    array = np.array([v for v in group_values if v is not None], dtype=np.float64)
    array = array[~np.isnan(array)]
    if array.size == 0:
        return None
    return float((array <= value).sum() * 100.0 / array.size)
