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


# Harrell–Davis weights by quadrature (``hd_window``): Gauss–Legendre nodes per cell, and the cells
# whose mass may be left out. Eight nodes already agree with the exact incomplete beta function
# to rounding (tests/benchmark/test_stats.py compares with scipy to 1e-12; measured ≤ 2e-14).
_NODES, _NODE_WEIGHTS = np.polynomial.legendre.leggauss(8)
_NEGLIGIBLE = 1e-22  # a cell below this mass is left out: all of them together < n × 1e-22
_LOG_2PI = math.log(2 * math.pi)


def _stirling_rest(x: float) -> float:
    """lgamma(x) − ((x − ½)·log x − x + ½·log 2π): small, so it keeps its precision where
    lgamma(x) itself (≈ 80,000 at x = 10,000) has lost four digits to its magnitude."""
    if x < 15:
        return math.lgamma(x) - ((x - 0.5) * math.log(x) - x + 0.5 * _LOG_2PI)
    x2 = x * x
    return (1 / 12 - (1 / 360 - (1 / 1260 - (1 / 1680 - 1 / (1188 * x2)) / x2) / x2) / x2) / x


def _log_beta_density(a: float, b: float):
    """log of the Beta(a, b) density, written around its mean μ so that nothing large cancels:
    (a − 1)·log(x/μ) + (b − 1)·log((1 − x)/(1 − μ)) + a constant of order one (Stirling)."""
    mu = a / (a + b)
    constant = (
        0.5 * (math.log(a + b) - math.log(mu) - math.log1p(-mu) - _LOG_2PI)
        - _stirling_rest(a)
        - _stirling_rest(b)
        + _stirling_rest(a + b)
    )

    def log_ratio(d: np.ndarray, ratio) -> np.ndarray:
        # log1p(d) is exact to rounding where d is small (x near μ: x − μ is then exact);
        # far from μ the plain ratio is. Each logarithm only where it is taken (the same
        # figures as np.where over both): nearly every cell with mass lies near μ, and the
        # second logarithm of every point was a third of this function's time. ``ratio``
        # makes the plain ratio of the points it is given, so it too is made only there.
        out = np.log1p(d)
        far = ~(np.abs(d) < 0.5)
        if far.any():
            out[far] = np.log(ratio(far))
        return out

    def log_density(x: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            left = log_ratio((x - mu) / mu, lambda far: x[far] / mu)
            right = log_ratio((mu - x) / (1 - mu), lambda far: (1 - x[far]) / (1 - mu))
        return (a - 1) * left + (b - 1) * right + constant

    return log_density


@functools.lru_cache(maxsize=8192)
def hd_window(n: int, q: float) -> tuple[int, np.ndarray]:
    """The Harrell–Davis weights of quantile q of n sorted values that carry any mass:
    (index of the first, the weights). The weights left out sum to less than 1e-17.

    Weight i is the Beta((n+1)q, (n+1)(1−q)) mass of ((i−1)/n, i/n]. Computed by eight-point
    Gauss–Legendre quadrature of the density over each cell that carries mass (the density is
    smooth there), the two end cells by the incomplete beta function (``beta_cdf``), where the
    density may have a weak singularity. Below a or b = 2 (groups under 20 for P10) all by
    ``beta_cdf``.

    Why: the continued fraction at every cell edge cost 0.3–0.7 s per (n, q) at n ≈ 9,800 (its
    iterations grow with √n), and a national group meets a hundred distinct n per window — a
    cold incremental refresh spent 78 s here; the quadrature costs about 1 ms, and only the
    cells within about ±10 standard deviations (≈ 950 of 10,000 for the median) carry mass.
    It is also more exact: the continued fraction's lgamma front factor was off by up to
    2e-11 at n ≈ 10,000, the quadrature agrees with scipy's incomplete beta to 2e-14.

    Cached: it depends only on (n, q), and a recompute meets the same group sizes again and
    again; an entry holds only the cells with mass (8 KB for n = 10,000). 8,192 entries, not
    4,096: one year's stored groups of the national world meet 5,220 distinct (n, q) (1,055
    sizes), so a worker refreshing practice after practice of one year evicted weights it
    needed again; 4,096 such entries hold 9 MB (measured 2026-11-30). The statistics worker
    computes a year's sizes at start (``recompute.warm_weights``).
    """
    return _hd_window(n, q, _REACHES)


# Where ``hd_window`` looks for the cells with mass first, in standard deviations around the mode.
_REACHES = (11, 16)


def _hd_window(n: int, q: float, reaches) -> tuple[int, np.ndarray]:
    """``hd_window``, looking for the cells with mass within each of ``reaches`` standard
    deviations around the mode in turn, then at every cell."""
    if n <= 0:
        return 0, np.empty(0)
    a, b = (n + 1) * q, (n + 1) * (1 - q)
    if min(a, b) < 2:
        weights = np.diff(beta_cdf(np.arange(n + 1) / n, a, b))
        weights.setflags(write=False)
        return 0, weights
    log_density = _log_beta_density(a, b)
    width = 1.0 / n
    mode = min(int((a - 1) / (a + b - 2) * n), n - 1)
    # Where to look: ±11, then ±16 standard deviations around the mode, or everything when
    # that does not end in negligible cells on both sides (small n, skewed q). Looking at every
    # edge cost 0.4 s of a 7 s incremental refresh at n ≈ 10,000 (300 new sizes per refresh);
    # the cells with mass reach about ±10 (n ≈ 10,000: 944 of the 1,583 cells of ±16). The
    # cells kept are the same whichever range finds them: the density has one mode, so they
    # are one run of cells around it, and a range that ends in cells left out holds all of it
    # (tests/benchmark/test_stats.py; the same bits as looking at ±16 first, as until
    # 2026-11-30, for every size to 12,000 and every quantile). Edges are made where they are
    # looked at: k / n, the same figures as in one array of all.
    spread = math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1))) * n
    for reach in [int(r * spread) + 2 for r in reaches] + [n]:
        start, stop = max(mode - reach, 0), min(mode + reach + 1, n)
        # A cell that does not hold the mode has at most its width × its larger edge density.
        at_edges = log_density(np.arange(start, stop + 1) / n)
        bound = np.maximum(at_edges[:-1], at_edges[1:]) + math.log(width)
        keep = bound > math.log(_NEGLIGIBLE)
        keep[mode - start] = True
        if (start == 0 or not keep[0]) and (stop == n or not keep[-1]):
            break
    kept = np.flatnonzero(keep) + start
    start, stop = int(kept[0]), int(kept[-1]) + 1
    weights = np.zeros(stop - start)
    inner = slice(max(start, 1), min(stop, n - 1))
    if inner.stop > inner.start:
        edges = np.arange(inner.start, inner.stop) / n
        nodes = edges[:, None] + (_NODES[None, :] + 1) * (width / 2)
        weights[inner.start - start : inner.stop - start] = (
            np.exp(log_density(nodes)) @ _NODE_WEIGHTS * (width / 2)
        )
    if start == 0:
        weights[0] = beta_cdf(np.array([width]), a, b)[0]
    if stop == n:
        weights[-1] = beta_cdf(np.array([width]), b, a)[0]
    weights.setflags(write=False)
    return start, weights


def hd_weights(n: int, q: float) -> np.ndarray:
    """Harrell–Davis weights of the n sorted values for quantile q (they sum to 1), every one:
    ``hd_window`` with the cells without mass as zeros."""
    start, inner = hd_window(n, q)
    weights = np.zeros(max(n, 0))
    weights[start : start + inner.size] = inner
    return weights


# Rows copied at a time by ``transposed``: 64 rows of 160 float64 columns (80 kB) stay in the
# core's cache while they are written out column by column.
_TRANSPOSED_ROWS = 64


def transposed(matrix: np.ndarray) -> np.ndarray:
    """A C-contiguous copy of ``matrix.T`` (the same numbers), made a block of rows at a time.

    Why: numpy copies a transposed view element by element down each column, reading a new
    cache line per number; a national window's 10,000 × 160 took 5.8 ms so against 1.6 ms in
    blocks of 64 rows (best of 15, 2026-11-30), and every refresh transposes a few dozen of
    them (each group's sort, its τ²)."""
    matrix = np.asarray(matrix)
    out = np.empty(matrix.shape[::-1], dtype=matrix.dtype)
    for start in range(0, matrix.shape[0], _TRANSPOSED_ROWS):
        stop = start + _TRANSPOSED_ROWS
        out[:, start:stop] = matrix[start:stop].T
    return out


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
    # Each column is sorted with NaN last, so its count of values is where a NaN would go: a
    # binary search per column instead of ``~np.isnan`` over every cell, 0.13 against
    # 1.7–2.2 ms a national window of 10,000 × 163 (CPU, min and median of 30, 2026-12-02).
    # The same counts (tests/benchmark/test_stats.py).
    n = np.array([column.searchsorted(np.nan) for column in ordered.T], dtype=np.intp)
    out[0] = n
    # Columns with the same number of values share their weights: one product per count.
    for count in np.unique(n):
        count = int(count)
        if count == 0:
            continue
        columns = np.flatnonzero(n == count)
        for row, (name, q) in enumerate(QUANTILES.items(), start=1):
            if count < min_n.get(name, 1):
                continue
            start, weights = hd_window(count, q)
            out[row, columns] = weights @ ordered[start : start + weights.size][:, columns]
    return out


def describe(values, min_n=None) -> dict[str, float] | None:
    """Statistics of one list of values (NaN and None left out) by name; None when nothing is
    left. Withheld statistics are absent."""
    array = np.array([np.nan if v is None else v for v in values], dtype=np.float64)
    column = describe_columns(array.reshape(-1, 1), min_n)[:, 0]
    if column[0] == 0:
        return None
    return {name: float(x) for name, x in zip(STAT_FIELDS, column, strict=True) if x == x}
