"""Disclosure control: which group figures exist, from which group size, and how precisely.

The rules of docs/privacy.md ("Disclosure control") in one place, as plain functions:

- threshold: no figure at all for a group, or a KPI, with fewer than MIN_GROUP_SIZE values;
- no additive statistic (mean, total, pooled share) is computed, stored or served;
- the median from MIN_GROUP_SIZE values, quartiles from QUARTILES_MIN_N, P10/P90 from
  TAILS_MIN_N — each a Harrell–Davis estimate (``stats.py``), never one member's value;
- every stored figure is rounded to what may be published (significant digits by group size,
  never finer than the KPI's display), after a keyed dither of less than one rounding step that
  stays the same as long as the group's rows do; nothing finer is stored or served;
- group sizes are published as bands, so that a size cannot be differenced;
- a practice's position is read from the published figures only, so it tells nothing they
  do not already tell.
"""

import hashlib

import numpy as np

from parabench.benchmark import catalogue as cat
from parabench.benchmark.stats import QUANTILES, STAT_FIELDS, describe_sorted

QUARTILES_MIN_N = 10
TAILS_MIN_N = 20
# Significant digits of a published figure: fewer for small groups, whose sampling error is
# far larger than the rounding anyway (a median of 5 is uncertain by tens of percent).
DIGITS_SMALL, DIGITS_LARGE = 2, 3
# Display precision per catalogue number format: never store more digits than are shown.
FORMAT_STEPS = {"int": 1.0, "dec1": 0.1, "dec2": 0.01, "pct": 0.1, "eur": 0.01, "eur0": 1.0}


def column_floors() -> np.ndarray:
    """The display step of every statistics column (``catalogue.COLUMNS``): mix shares are %."""
    formats = {k.code: k.number_format for k in cat.KPIS}
    formats |= {
        cat.insurer_column(concern.key, measure.code): measure.number_format
        for concern in cat.INSURER_CONCERNS
        for measure in cat.INSURER_MEASURES
    }
    return np.array([FORMAT_STEPS[formats.get(column, "pct")] for column in cat.COLUMNS])


def minimum_sizes(k: int) -> dict[str, int]:
    """From how many values each quantile is computed (k = MIN_GROUP_SIZE)."""
    quartiles, tails = max(k, QUARTILES_MIN_N), max(k, TAILS_MIN_N)
    return {"median": k, "p25": quartiles, "p75": quartiles, "p10": tails, "p90": tails}


def round_published(
    values: np.ndarray, n: np.ndarray, floors: np.ndarray, dither: np.ndarray | None = None
) -> np.ndarray:
    """Round each figure to its significant digits (by the column's n), at least to ``floors``
    (the column's display step), after moving it by ``dither`` (in [-0.5, 0.5)) of that step:
    the result is then within one step of the figure. NaN stays NaN."""
    values = np.asarray(values, dtype=np.float64)
    digits = np.where(np.asarray(n) < TAILS_MIN_N, DIGITS_SMALL, DIGITS_LARGE)
    with np.errstate(divide="ignore", invalid="ignore"):
        magnitude = np.floor(np.log10(np.abs(values)))
        step = np.power(10.0, magnitude - digits + 1)
    step = np.where(np.isfinite(step), np.maximum(step, floors), floors)
    if dither is not None:
        values = values + dither * step
    rounded = np.round(values / step) * step
    # Round off the binary noise of step multiplication (0.30000000000000004 → 0.3).
    return np.where(np.isnan(values), np.nan, np.round(rounded, 10))


def dither(key: bytes, columns: int) -> np.ndarray:
    """A (quantiles × columns) dither in [-0.5, 0.5), fixed by ``key``.

    Why (the cell-key method of the ABS and ONS): rounding alone has sharp edges — a practice
    that uploads made-up exports over and over could watch a rounded median flip and find the
    exact point where it does, which is an exact equation in its peers' values. With a dither
    drawn afresh for every new set of rows (the key holds the group's row ids and a secret) each
    such probe sees a new random edge, while recomputing the same rows gives the same figures.
    """
    seed = int.from_bytes(hashlib.blake2b(key, digest_size=16).digest(), "little")
    return np.random.default_rng(seed).random((len(QUANTILES), columns)) - 0.5


def publish(ordered: np.ndarray, k: int, floors: np.ndarray, key: bytes | None = None):
    """The published statistics of a group's sorted (members × columns) matrix, as stored.

    Columns with fewer than k values keep only their n; quantiles below their minimum size are
    never computed; the rest is dithered (with ``key``) and rounded.
    """
    described = describe_sorted(ordered, minimum_sizes(k))
    n = described[0]
    described[1:, n < k] = np.nan
    noise = None if key is None else dither(key, described.shape[1])
    # The quantile rows; rows after them (the funnel's tau2) are filled and rounded by their owner.
    rows = slice(1, 1 + len(QUANTILES))
    described[rows] = round_published(
        described[rows], n[None, :], np.asarray(floors)[None, :], noise
    )
    return described


def size_band(n: int) -> tuple[int, int | None]:
    """The published size of a group of n (≥ k): a band (low, high) below 50, from 50 on
    (about, None) rounded to tens — so that sizes of groups cannot be differenced."""
    for low, high in ((5, 9), (10, 19), (20, 49)):
        if n <= high:
            return (low, high)
    return (int(round(n, -1)), None)


def band(value: float | None, stats: dict[str, float]) -> str | None:
    """Where ``value`` lies among the *published* quantiles ``stats`` (by name): "below-p25",
    "p25-median", "at-median", "above-p90", … Read from published figures only."""
    if value is None or value != value:
        return None
    names = [name for name in QUANTILES if name in stats]
    if not names:
        return None
    previous = None
    for name in names:
        if value == stats[name]:
            return f"at-{name}"
        if value < stats[name]:
            return f"below-{name}" if previous is None else f"{previous}-{name}"
        previous = name
    return f"above-{names[-1]}"


def side(value: float | None, stats: dict[str, float]) -> str | None:
    """ "below", "around" or "above" the middle of the group: outside P25–P75 when the
    quartiles are published, else on either side of the median."""
    if value is None or value != value or "median" not in stats:
        return None
    if value < stats.get("p25", stats["median"]):
        return "below"
    if value > stats.get("p75", stats["median"]):
        return "above"
    return "around"


__all__ = [
    "QUARTILES_MIN_N",
    "STAT_FIELDS",
    "TAILS_MIN_N",
    "band",
    "column_floors",
    "minimum_sizes",
    "publish",
    "round_published",
    "side",
    "size_band",
]
