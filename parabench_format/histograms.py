"""Quantiles from the integer histograms of the format.

Why in the format package: the portal computes medians from the same histograms that the client
fills, and both must agree on the method. The method is Hyndman–Fan type 7 (numpy's default) on the
values the histogram stands for: with integer bins that is exact, except when a needed value lies in
the overflow bin, which then counts as its lower bound (the result is a "that many or more").
"""

from bisect import bisect_right
from collections.abc import Sequence
from itertools import accumulate
from math import floor


def _value_at(histogram: Sequence[int], rank: int) -> int:
    """The value of the `rank`-th (0-based) observation in sorted order."""
    return _value_in(list(accumulate(histogram)), rank)


def _value_in(cumulative: list[int], rank: int) -> int:
    """``_value_at`` from the running totals of the histogram (a binary search)."""
    if not 0 <= rank < (cumulative[-1] if cumulative else 0):
        raise IndexError(rank)
    return bisect_right(cumulative, rank)


def histogram_quantile(histogram: Sequence[int], p: float) -> float | None:
    """The p-quantile (0 ≤ p ≤ 1) of the observations in `histogram`; None when it is empty.

    Element i of the histogram counts observations equal to i; the last element counts the
    observations of its index or more (the overflow bin) and contributes its index as value.
    """
    cumulative = list(accumulate(histogram))
    n = cumulative[-1] if cumulative else 0
    if n == 0:
        return None
    h = (n - 1) * p
    lower = floor(h)
    fraction = h - lower
    low = _value_in(cumulative, lower)
    high = _value_in(cumulative, min(lower + 1, n - 1))
    return low + fraction * (high - low)


def histogram_median(histogram: Sequence[int]) -> float | None:
    return histogram_quantile(histogram, 0.5)


def quantile_reaches_overflow(histogram: Sequence[int], p: float) -> bool:
    """Whether the p-quantile used the overflow bin, i.e. is only a lower bound."""
    n = sum(histogram)
    if n == 0:
        return False
    h = (n - 1) * p
    lower = floor(h)
    last = len(histogram) - 1
    if _value_at(histogram, lower) == last:
        return True
    return h > lower and _value_at(histogram, min(lower + 1, n - 1)) == last
