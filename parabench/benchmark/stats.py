"""Peer statistics: the group's size and its quantiles by the Harrell–Davis estimator.

Pure numpy, no Django. Which statistics exist, from which group size on, and how they are
rounded is decided in ``disclosure.py``; this module only computes them.

Why Harrell–Davis (Biometrika 69, 1982) and not the usual type-7 percentile: a type-7 quantile
is one member's value, or two neighbours' values mixed, so in a group of 5 the median *is* the
third practice's figure and P25/P75 the second and fourth. Harrell–Davis is a weighted average of
*all* sorted values, the weights being the probability that a Beta((n+1)p, (n+1)(1−p)) variable
falls between (i−1)/n and i/n; it estimates the same population quantile (for large groups it is
within a fraction of a percent of type 7) but no single practice's value decides it. NaN means
"not defined for this practice" (e.g. no closed chronic episodes) and is left out, per column.
"""

import functools
import math

import numpy as np

# The statistics that exist, in the row order of a described matrix (and of the stored blob).
# There is no mean and no total on purpose: see docs/privacy.md, "Disclosure control".
# "tau2": the group's over-dispersion per KPI (``uncertainty.group_dispersion``), filled in by
# the recompute; ``describe_*`` leave it NaN.
QUANTILES = {"p10": 0.10, "p25": 0.25, "median": 0.50, "p75": 0.75, "p90": 0.90}
STAT_FIELDS = ("n", *QUANTILES, "tau2")


def _betacf(a: float, b: float, x: np.ndarray) -> np.ndarray:
    """Continued fraction of the incomplete beta function (modified Lentz), vectorised over x."""
    tiny, eps = 1e-300, 1e-15
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = np.ones_like(x)
    d = 1.0 - qab * x / qap
    d = np.where(np.abs(d) < tiny, tiny, d)
    d = 1.0 / d
    h = d.copy()
    for m in range(1, 10_000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = np.where(np.abs(d) < tiny, tiny, d)
        c = 1.0 + aa / c
        c = np.where(np.abs(c) < tiny, tiny, c)
        d = 1.0 / d
        step = d * c
        h *= step
        if np.all(np.abs(step - 1.0) < eps):
            break
    return h


def beta_cdf(x: np.ndarray, a: float, b: float) -> np.ndarray:
    """The regularised incomplete beta function I_x(a, b) (Numerical Recipes §6.4)."""
    x = np.asarray(x, dtype=np.float64)
    out = np.where(x <= 0, 0.0, 1.0)
    inner = (x > 0) & (x < 1)
    if not inner.any():
        return out
    xi = x[inner]
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * np.log(xi) + b * np.log1p(-xi)
    )
    front = np.exp(log_front)
    direct = xi < (a + 1.0) / (a + b + 2.0)
    result = np.empty_like(xi)
    if direct.any():
        result[direct] = front[direct] * _betacf(a, b, xi[direct]) / a
    if (~direct).any():
        result[~direct] = 1.0 - front[~direct] * _betacf(b, a, 1.0 - xi[~direct]) / b
    out[inner] = result
    return out


@functools.lru_cache(maxsize=2048)
def hd_weights(n: int, q: float) -> np.ndarray:
    """Harrell–Davis weights of the n sorted values for quantile q (they sum to 1).

    Cached: they depend only on (n, q), and a recompute meets the same group sizes again and again.
    """
    if n <= 0:
        return np.empty(0)
    a, b = (n + 1) * q, (n + 1) * (1 - q)
    edges = beta_cdf(np.arange(n + 1) / n, a, b)
    weights = np.diff(edges)
    weights.setflags(write=False)
    return weights


def describe_columns(matrix: np.ndarray, min_n=None) -> np.ndarray:
    """Statistics of every column of a (practices × KPIs) matrix: (STAT_FIELDS, KPIs).

    ``min_n``: per quantile name the smallest number of values it is computed for (below it:
    NaN, never computed). A column without any value gets n = 0 and NaN for the rest.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2:
        raise ValueError("describe_columns wants a 2-D matrix")
    # np.sort puts NaN last, so the first n[c] entries of column c are its sorted values.
    return describe_sorted(np.sort(matrix, axis=0), min_n)


def describe_sorted(ordered: np.ndarray, min_n=None) -> np.ndarray:
    """``describe_columns`` of a matrix whose columns are already sorted (NaN last)."""
    min_n = min_n or {}
    rows, cols = ordered.shape
    out = np.full((len(STAT_FIELDS), cols), np.nan)
    if cols == 0:
        return out
    n = (~np.isnan(ordered)).sum(axis=0)
    out[0] = n
    # Columns with the same number of values share their weights: one product per count.
    for count in np.unique(n):
        count = int(count)
        if count == 0:
            continue
        columns = np.flatnonzero(n == count)
        block = ordered[:count][:, columns]
        for row, (name, q) in enumerate(QUANTILES.items(), start=1):
            if count < min_n.get(name, 1):
                continue
            out[row, columns] = hd_weights(count, q) @ block
    return out


def describe(values, min_n=None) -> dict[str, float] | None:
    """Statistics of one list of values (NaN and None left out) by name; None when nothing is
    left. Withheld statistics are absent."""
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    column = describe_columns(array.reshape(-1, 1), min_n)[:, 0]
    if column[0] == 0:
        return None
    return {name: float(x) for name, x in zip(STAT_FIELDS, column, strict=True) if x == x}
