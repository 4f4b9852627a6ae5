"""Case-mix adjusted indices and outcome measures (format 1.1): plain functions, numpy, no Django.

**Indirect standardisation.** A practice's closed episodes of a window lie in 48 case-mix cells
(chronic or not × DCSPH location group × age band). Its *expected* sessions are what its own cells
would take at the national rate of each cell, in the same window: E = Σ_c n_c · r_c with n_c its
episodes in cell c and r_c the national sessions per closed episode there. The index is O / E,
O its observed sessions: 1.00 = as many sessions as the national figures for its mix predict,
1.10 = 10 % more. Treatment duration (days from first to last session) the same way.

**Interval.** O / E is a ratio estimator; its variance by linearisation (the delta method, Cochran,
*Sampling Techniques* 1977 §6.3) is n/(n−1) · Σ_i (x_i − θ·e_i)² / E² over the episodes i, with x_i
an episode's sessions and e_i = r_c its expected. The sum needs no episode: per cell it is
Q_c − 2θ·r_c·S_c + θ²·n_c·r_c² with S_c and Q_c the cell's sum and sum of squares, which the export
carries. The 95 % interval is θ ± 1.96 · √variance. The reference rates count as known (a national
rate rests on thousands of episodes); what varies is the practice's own episodes. The index is
handed to the funnel and the verdict as a *mean* of n episodes with standard deviation
sd = √(Σ(x − θe)² / (n−1)) · n / E, so that sd / √n is exactly the standard error above.

**Reference rates and disclosure.** A cell's national rate is used only when at least k practices
(MIN_GROUP_SIZE) have episodes in it and no single practice holds more than half of them (a
(1, 50 %) dominance rule); otherwise the cell takes the rate of its side × location group (all
ages), and failing that its side (chronic or not). Every rate is rounded to the precision of a
published figure, after a keyed dither (``disclosure.round_published``), because a practice can
work out E from its own index. See docs/statistics.md §9 and docs/privacy.md.

**Outcome measures.** Per instrument (NPRS, PSK): the share of measured episodes that improved by
a clinically relevant amount (``parabench_format.codes.clinically_improved``; a proportion with a
Wilson interval) and the mean change first − last in points (a mean with its standard deviation
from the export's sum of squared changes). docs/statistics.md §10.
"""

import math
import operator
from dataclasses import dataclass

import numpy as np

from parabench.benchmark.disclosure import dither, round_published
from parabench.benchmark.uncertainty import (
    LEVEL,
    LEVELS,
    Judgement,
    Model,
    dispersion,
    limits,
    round_significant,
    verdict,
)
from parabench_format import codes

CELLS = tuple(
    (side, group, band)
    for side in codes.CASE_MIX_SIDES
    for group in codes.DCSPH_GROUPS
    for band in codes.CASE_MIX_AGE_BAND_NAMES
)
FIELDS = (
    "episodes",
    "sessions_total",
    "sessions_squares_total",
    "duration_days_total",
    "duration_days_squares_total",
)
EPISODES, SESSIONS, SESSIONS_SQUARES, DAYS, DAYS_SQUARES = range(len(FIELDS))
# What an index is of: the column of the sums and of their squares.
MEASURES = {"sessions": (SESSIONS, SESSIONS_SQUARES), "duration": (DAYS, DAYS_SQUARES)}
DOMINANCE = 0.5  # no practice may hold more than this share of a reference cell's episodes
RATE_FLOOR = 0.01  # reference rates are rounded to at least this (sessions or days per episode)

# Storage names (``layout.py``): a window's cells, and a window's national reference.
CELL_NAMES = tuple(
    f"{side}.{group}.{band}.{field}" for side, group, band in CELLS for field in FIELDS
)
RATE_NAMES = tuple(
    f"{measure}.{side}.{group}.{band}" for measure in MEASURES for side, group, band in CELLS
) + tuple(f"tau2.{measure}" for measure in MEASURES)
# The indices a practice sees, by measure: the crude KPI each stands beside.
CRUDE_KPIS = {"sessions": "sessions_per_episode", "duration": "episode_weeks"}

_SIDES = len(codes.CASE_MIX_SIDES)
_GROUPS = len(codes.DCSPH_GROUPS)
_BANDS = len(codes.CASE_MIX_AGE_BAND_NAMES)


# Each level of a case mix read by name, in CELLS order, one C call per object.
_SIDES_OF = operator.itemgetter(*codes.CASE_MIX_SIDES)
_GROUPS_OF = operator.itemgetter(*codes.DCSPH_GROUPS)
_BANDS_OF = operator.itemgetter(*codes.CASE_MIX_AGE_BAND_NAMES)
_FIELDS_OF = operator.itemgetter(*FIELDS)


def cell_matrix(case_mix) -> np.ndarray:
    """The 48 × 5 numbers of a window's ``case_mix`` (as in the export's JSON document), in
    CELLS order.

    Read with one ``itemgetter`` per object rather than a look-up per number: every import
    does this for seven windows, and the number-by-number loop cost 0.34 ms of an export's
    import (more than a quarter of parsing it; 0.05 ms now, 100 exports, 2026-11-30)."""
    numbers = [
        number
        for groups in _SIDES_OF(case_mix)
        for bands in _GROUPS_OF(groups)
        for cell in _BANDS_OF(bands)
        for number in _FIELDS_OF(cell)
    ]
    return np.array(numbers, dtype=np.float64).reshape(len(CELLS), len(FIELDS))


# How a row's cells are stored (``WindowValues.cells``, layout ``CELL_NAMES``): as little-endian
# uint32 when every number is a whole count below 2**32, as they are (half the bytes of float64,
# and uncompressed: the row then stays under PostgreSQL's TOAST threshold), else as float64, as
# every row was stored before. A blob's length says which (``layout.encoding``).
ENCODINGS = ("<u4", "<f8")


def pack_cells(cells) -> bytes:
    """Cells (48 × 5, or the 240 numbers in ``CELL_NAMES`` order) as stored: ``ENCODINGS``.

    Why: the first refresh after a format-1.1 import reads every counted row's cells of the
    windows the import covers; as float64 a national window's 19 MB took 48–53 ms to read
    (lz4 TOAST), as uint32 9.6 MB 31–34 ms (uncompressed), and the cache takes them without a
    check per number (median of 7, PostgreSQL 15, 2026-11-30)."""
    numbers = np.asarray(cells, dtype=np.float64).ravel()
    if ((numbers >= 0) & (numbers < 2**32) & (numbers == np.floor(numbers))).all():
        return numbers.astype("<u4").tobytes()
    return numbers.astype("<f8").tobytes()


# --- Reference rates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReferenceRates:
    """Per cell (CELLS order) the national rate of each measure, the level it was taken at
    (0 = the cell itself, 1 = its side × location group, 2 = its side, -1 = none: NaN rate) and
    how many practices contributed to it."""

    rates: dict[str, np.ndarray]
    level: np.ndarray
    contributors: np.ndarray


def by_field(practices: np.ndarray) -> np.ndarray:
    """Cells as (practices × 48 × 5) seen field by field, (5 × practices × 48): a view, no copy.
    What ``reference_rates`` and ``indices`` take."""
    cells = np.asarray(practices, dtype=np.float64).reshape(-1, len(CELLS), len(FIELDS))
    return cells.transpose(2, 0, 1)


def _strata(fields: np.ndarray) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per level — cell, side × location group, side: each practice's episodes per stratum
    (practices × strata), every field's total over the practices per stratum (strata ×
    fields), and each of the 48 cells' stratum. ``fields``: ``by_field``.

    Only the episodes are needed per practice (who contributes, who dominates); the other
    fields only as totals, so a stratum's totals are summed from the cells' totals. Per stratum
    and not broadcast back to the cells, and the four other fields never summed per practice:
    the broadcast copies cost 0.13 s of a national refresh's 0.23 s of rates, summing every
    field per practice and stratum another 0.05 s (cProfile, 10,000 practices, five windows).
    The figures are the same: every number is a whole count (the format's cells), so each sum
    is exact in any order and in float64 whatever the cells are held as (float32 where exact,
    ``recompute.CellsCache``), and a stratum's figures are what each of its cells had."""
    count = fields.shape[1]
    episodes = fields[EPISODES]
    totals = np.einsum("fpc->cf", fields, dtype=np.float64)
    cell_totals = totals.reshape(_SIDES, _GROUPS, _BANDS, len(FIELDS))
    by_group = _inner_sums(episodes.astype(np.float64).reshape(count, -1, _BANDS))
    by_side = _inner_sums(by_group.reshape(count, _SIDES, _GROUPS))
    cell = np.arange(len(CELLS))
    return [
        (episodes, totals, cell),
        (by_group, cell_totals.sum(axis=2).reshape(-1, len(FIELDS)), cell // _BANDS),
        (by_side, cell_totals.sum(axis=(1, 2)).reshape(-1, len(FIELDS)), cell // _BANDS // _GROUPS),
    ]


def _inner_sums(numbers: np.ndarray) -> np.ndarray:
    """``numbers.sum(axis=2)`` of a (practices × strata × parts) float64 array, part by part.

    Why: numpy reduces an axis of four or six numbers per stratum one short loop at a time, and
    ``sum(axis=3, dtype=np.float64)`` of the float32 cells cast them in its buffered loop too:
    3.7 against 0.64 ms for both levels of a national window (10,000 practices, best of 40,
    2026-12-02), with the practices' totals by ``einsum`` 1.7 against 2.5 ms. The same numbers:
    every one is a whole count, so each sum is exact in any order."""
    total = numbers[:, :, 0].copy()
    for part in range(1, numbers.shape[2]):
        total += numbers[:, :, part]
    return total


def reference_rates(fields: np.ndarray, k: int) -> ReferenceRates:
    """The national rate per cell from every 1.1 practice's cells of one window, held field by
    field (5 × practices × 48, ``by_field``), before rounding: a cell's own rate where at least
    ``k`` practices have episodes in it and none holds more than DOMINANCE of them, else the
    first coarser stratum that passes."""
    rates = {name: np.full(len(CELLS), np.nan) for name in MEASURES}
    level = np.full(len(CELLS), -1)
    counted = np.zeros(len(CELLS), dtype=np.int64)
    for depth, (episodes, totals, of_cell) in enumerate(_strata(fields)):
        total = totals[:, EPISODES][of_cell]
        contributors = (episodes > 0).sum(axis=0)[of_cell]
        largest = episodes.max(axis=0, initial=0).astype(np.float64)[of_cell]
        with np.errstate(invalid="ignore", divide="ignore"):
            largest = np.where(total > 0, largest / total, 1.0)
        usable = (level < 0) & (contributors >= k) & (largest <= DOMINANCE) & (total > 0)
        for name, (column, _squares) in MEASURES.items():
            sums = totals[:, column][of_cell]
            rates[name][usable] = sums[usable] / total[usable]
        level[usable] = depth
        counted[usable] = contributors[usable]
    return ReferenceRates(rates, level, counted)


def published_rates(reference: ReferenceRates, key: bytes | None = None) -> ReferenceRates:
    """The rates rounded like every published figure (significant digits by the number of
    contributing practices, at least RATE_FLOOR), after a dither fixed by ``key`` (the window's
    rows and a secret, as for the group statistics: the same rows give the same rates)."""
    noise = None if key is None else dither(key, len(MEASURES) * len(CELLS))[0]
    out = {}
    for index, (name, rate) in enumerate(reference.rates.items()):
        part = None if noise is None else noise[index * len(CELLS) : (index + 1) * len(CELLS)]
        out[name] = round_published(rate, reference.contributors, RATE_FLOOR, part)
    return ReferenceRates(out, reference.level, reference.contributors)


def rate_vector(rates: ReferenceRates, tau2: dict[str, float]) -> np.ndarray:
    """The stored vector of a window's reference (``RATE_NAMES`` order)."""
    parts = [rates.rates[name] for name in MEASURES]
    parts.append(np.array([tau2.get(name, math.nan) for name in MEASURES]))
    return np.concatenate(parts).astype(np.float64)


def unpack_rates(vector: np.ndarray) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """(rates by measure, τ² by measure) of a vector in ``RATE_NAMES`` order."""
    size = len(CELLS)
    rates = {name: vector[i * size : (i + 1) * size] for i, name in enumerate(MEASURES)}
    tau2 = {name: float(vector[len(MEASURES) * size + i]) for i, name in enumerate(MEASURES)}
    return rates, tau2


# --- The index -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Index:
    """O / E of one practice, window and measure; ``sd`` per episode (see the module docstring),
    None with fewer than two episodes."""

    observed: float
    expected: float
    value: float
    n: int
    sd: float | None

    def interval(self, z: float = 1.959963984540054) -> tuple[float, float] | None:
        if self.sd is None:
            return None
        half = z * self.sd / math.sqrt(self.n)
        return self.value - half, self.value + half


def indirect_standardisation(cells: np.ndarray, rates: np.ndarray, measure: str) -> Index | None:
    """The practice's index for ``measure`` ("sessions" or "duration") from its cells (48 × 5) and
    the reference ``rates`` of that measure; None without closed episodes, when a cell holding
    episodes has no reference rate, or when nothing is expected (E = 0)."""
    cells = np.asarray(cells, dtype=np.float64)
    column, squares = MEASURES[measure]
    n_c = cells[:, EPISODES]
    held = n_c > 0
    n = int(n_c.sum())
    if n == 0 or np.isnan(rates[held]).any():
        return None
    r = np.where(held, rates, 0.0)
    observed = float(cells[:, column].sum())
    expected = float((n_c * r).sum())
    if expected <= 0:
        return None
    theta = observed / expected
    residual = (cells[:, squares] - 2 * theta * r * cells[:, column] + theta**2 * n_c * r * r).sum()
    sd = None
    if n >= 2:
        sd = math.sqrt(max(float(residual), 0.0) / (n - 1)) * n / expected
    return Index(observed, expected, theta, n, sd)


# --- Outcome measures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """One instrument's figures of a window: improved share (%), mean change first − last in
    points and its standard deviation (None below two measured episodes), n measured."""

    n: int
    improved_share: float
    mean_change: float
    sd_change: float | None


def outcome(measure) -> Outcome | None:
    """The figures of one instrument of a window's ``outcomes`` (as in the export's JSON
    document); None when no episode was measured."""
    n = measure["measured"]
    if n == 0:
        return None
    change = (measure["baseline_tenths_total"] - measure["final_tenths_total"]) / 10
    mean = change / n
    sd = None
    if n >= 2:
        squares = measure["change_squares_total"] / 100
        sd = math.sqrt(max(squares - n * mean * mean, 0.0) / (n - 1))
    return Outcome(n, 100 * measure["improved"] / n, mean, sd)


# --- The national spread of the indices (the funnel's τ²) --------------------------------------


# Practices ``indices`` computes at a time: its (practices × cells) temporaries are 0.8 MB
# instead of 3.8 MB each nationally, and stay in the core's cache between its operations:
# 7.5 against 9.9 ms a call (median of 80, national window, 2026-11-30).
_INDEX_BLOCK = 2048


def indices(fields: np.ndarray, rates: np.ndarray, measure: str):
    """Every practice's index (``_block_indices``), a block of practices at a time: each
    practice's figures are its own cells' alone, so the same numbers whatever the blocks."""
    count = fields.shape[1]
    if count <= _INDEX_BLOCK:
        return _block_indices(fields, rates, measure)
    theta, n, sd = (np.empty(count) for _ in range(3))
    for start in range(0, count, _INDEX_BLOCK):
        part = slice(start, start + _INDEX_BLOCK)
        theta[part], n[part], sd[part] = _block_indices(fields[:, part], rates, measure)
    return theta, n, sd


def _block_indices(fields: np.ndarray, rates: np.ndarray, measure: str):
    """Every practice's index at once (vectorised ``indirect_standardisation``): arrays of
    value, n and sd per practice, NaN where it has no index (or, for sd, fewer than two
    episodes). What the refresh needs for τ² at national scale (10,000 practices in
    milliseconds instead of a Python loop).

    ``fields``: the cells field by field (5 × practices × 48, ``by_field``), as float64 or as
    float32 where that is exact (``recompute.CellsCache``): each (practices × cells) operand is
    then one contiguous array, not every fifth number of one.

    The same numbers bit for bit whatever the layout or the type: every operation is float64
    (float32 widens exactly), the sums over cells of the counts are exact (whole counts), and
    the sums of products run over float64 arrays made here, alike in both cases. Measured at
    national scale (10,000 practices, best of 30): 6.5 ms a call on the cache's float32
    fields against 9.6 ms on float64 cells in practice order, as it took them before, ten
    calls a refresh with cells (2026-11-30)."""
    column, squares = MEASURES[measure]
    n_c = fields[EPISODES]
    n = n_c.sum(axis=1, dtype=np.float64)
    # Only the cells without a rate are looked at per practice (usually none: every cell has
    # one at some level), and the rates are one row broadcast over the practices, not a
    # (practices × cells) copy with 0 where a practice has no episodes: a cell without
    # episodes has no sessions, days or squares either (the format's rule
    # ``cell_without_episodes``), so each of its terms below is 0 either way — the same
    # numbers. 8.3 against 10.4 ms a call (best of 80, national window, 2026-11-30).
    unrated = np.isnan(rates)
    missing = (n_c[:, unrated] > 0).any(axis=1)
    r = np.nan_to_num(rates)
    observed = fields[column].sum(axis=1, dtype=np.float64)
    # The (practices × cells) terms in two buffers, operation by operation in the order of
    # Q − 2θ·r·S + θ²·n·r·r (the same numbers, bit for bit), instead of a new array per
    # operation: eleven 3.8 MB temporaries per call, ten calls a refresh with cells.
    term = np.multiply(n_c, r)
    expected = term.sum(axis=1)
    valid = (n > 0) & ~missing & (expected > 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        theta = np.where(valid, observed / expected, np.nan)
        residual = np.multiply(2 * theta[:, None], r[None, :])
        residual *= fields[column]
        np.subtract(fields[squares], residual, out=residual)
        np.multiply(theta[:, None] ** 2, n_c, out=term)
        term *= r
        term *= r
        residual += term
        residual = residual.sum(axis=1)
        sd = np.sqrt(np.maximum(residual, 0.0) / (n - 1)) * n / expected
    sd = np.where(valid & (n >= 2), sd, np.nan)
    return theta, n, sd


def index_dispersion(fields: np.ndarray, rates: np.ndarray, measure: str, k: int) -> float:
    """τ² of the practices' indices around 1 (the national expectation), as for every mean
    (``uncertainty.dispersion``: winsorised z-scores, DerSimonian–Laird), rounded to two
    significant digits; NaN when fewer than ``k`` practices have an index with a spread.
    ``fields``: the practices' cells field by field (``by_field``)."""
    values, ns, sds = indices(fields, rates, measure)
    keep = np.isfinite(sds) & (sds > 0)
    if keep.sum() < k:
        return math.nan
    return round_significant(dispersion(Model("mean"), values[keep], ns[keep], 1.0, sds[keep]))


def judge_index(index: Index, tau2: float | None):
    """The interval, funnel limits and side of an index (``uncertainty.Judgement``): a mean of
    n episodes with the index's sd, around the national expectation 1 (the target in every
    group: the rates are national), widened by the national τ² of the indices."""
    model = Model("mean")
    interval = index.interval()
    tau2 = 0.0 if tau2 is None or tau2 != tau2 else tau2
    if index.sd is None:
        return Judgement("mean", None, index.n, None, 1.0, tau2)
    bounds = {level: limits(model, 1.0, index.n, tau2, level, index.sd) for level in LEVELS}
    side = verdict(index.value, bounds[LEVEL])
    return Judgement("mean", interval, index.n, index.sd, 1.0, tau2, bounds, side)
