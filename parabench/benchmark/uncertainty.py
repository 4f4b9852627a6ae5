"""How sure a practice's figure is, and whether it differs from its group beyond chance.

Pure functions (standard library and numpy, no Django, no scipy: the tests check every number
against scipy and statsmodels, so the production arithmetic must not be the same code).

* **Own interval** (95 %): Wilson score for proportions, exact Poisson (chi-square / gamma
  quantiles) for counts per patient, per therapist or per fte, mean ± z·sd/√n for means whose
  spread the export's histogram carries, and for growth the Wilson interval of this year's share
  of both years' counts (two Poisson counts, conditioned on their sum).
* **Funnel limits** (95 % and 99.8 %) around the group's median θ₀ as a function of the
  denominator n: the interval a practice exactly at θ₀ with denominator n would get (the same
  method as its own interval, so limits and interval speak one language), widened by the group's
  **additive over-dispersion τ²** (Spiegelhalter 2005): half-width √(h(n)² + (z·τ)²). τ² comes
  from the DerSimonian–Laird moment estimate on z-scores winsorised at 10 % / 90 %, computed on
  the server when the group's statistics are computed; a practice only ever sees limits.
* **Verdict**: ``above`` / ``below`` only outside the 95 % limits at the practice's own n, else
  ``within`` ("binnen de normale spreiding").

Why additive τ² and not the multiplicative φ: φ multiplies the chance variance, so its limits
still shrink to θ₀ as n grows and every large practice ends up "significant" — for a practice of
20,000 sessions, chance is tiny and what remains is the real difference between practices, which
is what τ² measures. τ² keeps a floor of ± z·τ under the funnel. See ``docs/statistics.md`` §6.

KPIs without a sampling model (tariffs, revenue shares, medians read from histograms, revenue
growth) are measured exactly, not sampled: their "normal spread" is the group's own spread, the
robust standard deviation IQR / 1.349 from the published P25 and P75 (a normal distribution's
IQR is 1.349 σ). Size indicators (patients, sessions, revenue, …) have no verdict at all.
"""

import functools
import math
import operator
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from parabench.benchmark import catalogue

LEVEL = 0.95
LEVELS = (0.95, 0.998)
IQR_PER_SD = 2 * NormalDist().inv_cdf(0.75)  # 1.3490: the IQR of a normal distribution in σ
WINSOR = (0.10, 0.90)  # Spiegelhalter 2005: winsorise z-scores at the 10th and 90th percentile


# Cached: the same few quantiles are asked for again and again (every judged KPI, every point
# of a rate's funnel), and every call made a NormalDist and inverted it (a funnel's curves
# 0.217 → 0.199 ms, 293 funnels of the national data, 2026-11-29).
@functools.lru_cache(maxsize=64)
def normal_quantile(q: float) -> float:
    return NormalDist().inv_cdf(q)


def z_value(level: float) -> float:
    """The two-sided normal quantile: 1.96 for 95 %, 3.09 for 99.8 %."""
    return normal_quantile(0.5 + level / 2)


# --- Intervals -------------------------------------------------------------------------------


def wilson(x: float, n: float, level: float = LEVEL) -> tuple[float, float] | None:
    """Wilson's score interval (1927) for the proportion x / n, as fractions 0–1.

    Stays inside 0–1 and has a width at 0 % and 100 % (unlike p ± z·√(p(1−p)/n)).
    """
    if not n or n <= 0:
        return None
    z = z_value(level)
    p = min(max(x / n, 0.0), 1.0)
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * math.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
    low, high = centre - half, centre + half
    # At 0 and 1 the formula's own arithmetic gives ±1e-17 noise: the limits are exactly 0 / 1.
    return (0.0 if p == 0 else max(0.0, low), 1.0 if p == 1 else min(1.0, high))


# Near x ≈ a the series of P(a, x) takes about √(74·a) terms: 12,000 for a count of two million
# (a practice's treatment days), 1 ms term by term in Python; the exact intervals and limits of
# the Klachten tab ask for three such, of Welkom more (national data, 2026-11-30). Past
# SERIES_IN_PYTHON terms the rest is summed in numpy, in chunks, with the very same operations
# in the same order (``add.accumulate`` and ``multiply.accumulate`` run sequentially), so that
# every term and the sum are the same to the last bit (checked against the loop on 4,000 random
# (a, x) up to a = 2·10⁶; ``test_uncertainty`` holds the quantiles). Shorter series stay in
# Python: a chunk's fixed cost would be more than their terms.
# Since issue 18, session 11: from a shape of SERIES_IN_NUMPY_FROM on, where the series takes
# more than about 200 terms, all of it in numpy, the first chunk as long as √(80·a) + 64 (so
# that one chunk mostly does): the same operations in the same order from the first term, the
# same bits (checked against the loop on 3,000 random (a, x) with a from 3,000 to 3·10⁶ and at
# a = 300 … 14,000). Per series at the 2.5 % quantile, a = 3,000: 47 → 24 µs; 20,000: 120 →
# 31 µs; 200,000: 186 → 71 µs; 2·10⁶: 486 → 327 µs (Klachten computes three a page).
SERIES_IN_PYTHON = 1024
SERIES_CHUNK = 2048  # the first chunk after the Python loop; each next one twice as long
SERIES_IN_NUMPY_FROM = 500


def _lower_gamma_series(a: float, x: float) -> float:
    total = term = 1.0 / a
    ap = a
    if a < SERIES_IN_NUMPY_FROM:
        for _ in range(SERIES_IN_PYTHON):
            ap += 1
            term *= x / ap
            total += term
            if abs(term) < abs(total) * 1e-16:
                return total * math.exp(-x + a * math.log(x) - math.lgamma(a))
        done, chunk = SERIES_IN_PYTHON, SERIES_CHUNK
    else:
        done, chunk = 0, int(math.sqrt(80 * a)) + 64
    while done < 100_000:
        chunk = min(chunk, 100_000 - done)
        aps = np.add.accumulate(np.concatenate(([ap], np.ones(chunk))))[1:]
        terms = np.multiply.accumulate(np.concatenate(([term], x / aps)))[1:]
        totals = np.add.accumulate(np.concatenate(([total], terms)))[1:]
        stop = np.flatnonzero(np.abs(terms) < np.abs(totals) * 1e-16)
        if stop.size:
            total = float(totals[stop[0]])
            break
        ap, term, total = float(aps[-1]), float(terms[-1]), float(totals[-1])
        done += chunk
        chunk *= 2
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


def _upper_gamma_fraction(a: float, x: float) -> float:
    """Q(a, x) by Lentz's continued fraction (Numerical Recipes 6.2)."""
    tiny = 1e-300
    b = x + 1 - a
    c = 1 / tiny
    d = 1 / b
    h = d
    for i in range(1, 100_000):
        an = -i * (i - a)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-16:
            break
    return math.exp(-x + a * math.log(x) - math.lgamma(a)) * h


# Temme's uniform asymptotic expansion (DLMF 8.12.3–8.12.11) for a large shape a near its centre:
#   P(a, x) = ½·erfc(−η·√(a/2)) − e^(−a·η²/2) / √(2πa) · Σₖ cₖ(η) / aᵏ,
# λ = x / a, ½η² = λ − 1 − ln λ, η of the sign of λ − 1. Each row below is one cₖ's Taylor
# polynomial in η, coefficients of η⁰ … η¹¹ (c₀ begins −1/3, 1/12, −2/135: DiDonato & Morris's
# table); ``test_uncertainty`` derives them in exact fractions from DLMF 8.12.9–8.12.11 and the
# Stirling series and holds this table to them. Used for a ≥ TEMME_FROM and a·σ² < 20 with
# σ = (x − a) / a (Boost's domain for doubles: within 4.5 standard deviations, where |η| < 0.36),
# it is within 1e-13 of scipy's P and Q there (2e-14 below a = 10⁴; a 0.001 quantile's P of a
# count of 10⁶ 4e-13, the cancellation of σ − log1p(σ)), closer than the series, whose
# e^(a·ln x − x − lgamma a) loses 3e-9 at 2·10⁶: the quantiles of the 20-client mix moved by
# 1.3e-12 relative at most, the 480 pages byte-identical.
# Why: an exact interval or limit of a count is two gamma quantiles of 1–3 evaluations each, and
# the series or continued fraction of a count in the hundreds to millions (episodes, patients,
# sessions, treatment days) took 13–510 µs an evaluation (its terms grow as √a); this takes 4–8
# µs whatever a. The 1,400 distinct quantiles of 600 pages of the 20-client mix: 61 → 16 ms
# (best of 3); page_instructions --gzip: Welkom −8 %, Klachten −9 %, Verzekeraars −13 %,
# Productiviteit −9 % (issue 18, 2026-12-01).
# fmt: off
TEMME = (
    (  # c₀
        -0.3333333333333333, 0.08333333333333333, -0.014814814814814815,
        0.0011574074074074073, 0.0003527336860670194, -0.0001787551440329218,
        3.919263178522438e-05, -2.185448510679992e-06, -1.85406221071516e-06,
        8.296711340953087e-07, -1.7665952736826078e-07, 6.707853543401498e-09,
    ),
    (  # c₁
        -0.001851851851851852, -0.003472222222222222, 0.0026455026455026454,
        -0.0009902263374485596, 0.00020576131687242798, -4.018775720164609e-07,
        -1.8098550334489977e-05, 7.64916091608111e-06, -1.6120900894563446e-06,
        4.647127802807434e-09, 1.378633446915721e-07, -5.752545603517705e-08,
    ),
    (  # c₂
        0.004133597883597883, -0.0026813271604938273, 0.0007716049382716049,
        2.0093878600823047e-06, -0.0001073665322636516, 5.2923448829120125e-05,
        -1.2760635188618728e-05, 3.423578734096138e-08, 1.3721957309062934e-06,
        -6.298992138380055e-07, 1.4280614206064242e-07, -2.0477098421990866e-10,
    ),
    (  # c₃
        0.0006494341563786008, 0.00022947209362139917, -0.0004691894943952557,
        0.00026772063206283885, -7.561801671883977e-05, -2.396505113867297e-07,
        1.1082654115347302e-05, -5.6749528269915965e-06, 1.4230900732435883e-06,
        -2.7861080291528143e-11, -1.6958404091930278e-07, 8.099464905388083e-08,
    ),
    (  # c₄
        -0.0008618882909167117, 0.0007840392217200666, -0.0002990724803031902,
        -1.4638452578843418e-06, 6.641498215465122e-05, -3.968365047179435e-05,
        1.1375726970678419e-05, 2.507497226237533e-10, -1.6954149536558305e-06,
        8.907507532205309e-07, -2.292934834000805e-07, 2.956794137544049e-11,
    ),
    (  # c₅
        -0.00033679855336635813, -6.972813758365857e-05, 0.0002772753244959392,
        -0.00019932570516188847, 6.797780477937208e-05, 1.419062920643967e-07,
        -1.3594048189768693e-05, 8.018470256334202e-06, -2.291481176508095e-06,
        -3.252473551298454e-10, 3.4652846491085265e-07, -1.8447187191171344e-07,
    ),
    (  # c₆
        0.0005313079364639922, -0.0005921664373536939, 0.0002708782096718045,
        7.902353232660328e-07, -8.153969367561969e-05, 5.61168275310625e-05,
        -1.8329116582843375e-05, -3.0796134506033047e-09, 3.465155368803609e-06,
        -2.0291327396058603e-06, 5.788792863149004e-07, 2.338630673826657e-13,
    ),
)
# fmt: on
_TEMME_HORNER = tuple(tuple(reversed(row)) for row in TEMME)
TEMME_FROM = 200


def _temme(a: float, x: float) -> float | None:
    """P(a, x) by Temme's expansion, or None outside its domain (above)."""
    sigma = (x - a) / a
    if a * sigma * sigma >= 20:
        return None
    phi = sigma - math.log1p(sigma)  # λ − 1 − ln λ
    eta = math.copysign(math.sqrt(2 * phi), sigma)
    total = 0.0
    for row in reversed(_TEMME_HORNER):  # Σₖ cₖ(η) / aᵏ by Horner in 1/a, each cₖ in η
        c = 0.0
        for d in row:
            c = c * eta + d
        total = total / a + c
    tail = math.exp(-a * phi) / math.sqrt(2 * math.pi * a) * total
    return 0.5 * math.erfc(-eta * math.sqrt(a / 2)) - tail


def gamma_cdf(x: float, shape: float) -> float:
    """The regularised lower incomplete gamma function P(shape, x)."""
    if x <= 0:
        return 0.0
    if shape >= TEMME_FROM:
        found = _temme(shape, x)
        if found is not None:
            return found
    if x < shape + 1:
        return _lower_gamma_series(shape, x)
    return 1.0 - _upper_gamma_fraction(shape, x)


def gamma_ppf(q: float, shape: float) -> float:
    """The q-quantile of a Gamma(shape, 1) distribution (= χ²(q; 2·shape) / 2).

    Newton's method on P(shape, x) from the Wilson–Hilferty start, guarded by bisection.
    """
    if not 0 < q < 1 or shape <= 0:
        raise ValueError("gamma_ppf wants 0 < q < 1 and shape > 0")
    z = normal_quantile(q)
    c = 1 / (9 * shape)
    x = shape * max(1 - c + z * math.sqrt(c), 1e-3) ** 3
    low, high = 0.0, math.inf
    for _ in range(200):
        f = gamma_cdf(x, shape) - q
        if f > 0:
            high = min(high, x)
        else:
            low = max(low, x)
        density = math.exp((shape - 1) * math.log(x) - x - math.lgamma(shape)) if x > 0 else 0
        step = f / density if density > 0 else math.inf
        new = x - step
        # Converged before the bracket test: on the root itself (f = 0, a step of nothing) the
        # step lands on the bracket's end, and bisecting from there took 40 more evaluations
        # to come back to the same root (a funnel draws 192 quantiles). Newton's error after a
        # step is of the order of the step squared: a step of 1e-7 leaves about 1e-14, and
        # saves the evaluation that waiting for a step of 1e-13 costs (one in four).
        if abs(new - x) <= 1e-7 * max(x, 1e-300):
            return new
        if not low < new < high:  # Newton left the bracket: bisect (or double without a top)
            new = (low + high) / 2 if high < math.inf else 2 * x + 1
        x = new
    return x


def wilson_hilferty(q: float, shape):
    """The Wilson–Hilferty approximation of a gamma quantile, of one shape or an array of them:
    relative error below 10⁻³ from shape 50 on, 10⁻⁴ from 200, 10⁻⁵ from 1,000. Only for drawing
    curves, never for a verdict."""
    c = 1 / (9 * shape)
    return shape * (1 - c + normal_quantile(q) * np.sqrt(c)) ** 3


# A funnel's rate curves are drawn with Wilson–Hilferty from an expected count of 50 on: at most
# 7.8e-4 relative off the exact quantile there (the 99.8 % lower limit at 50; 8e-5 at 200), a
# sixth of a pixel at worst at the funnel's left end, and far less near the practice's own n
# (ten times the count). The exact quantiles of counts 50–200 had been half of a rate funnel's
# cost (0.4 of 0.9 ms a funnel; Productiviteit draws two). Verdicts and the limits at the
# practice's own n are always exact.
DRAWN_EXACT_BELOW = 50


def poisson_exact(count: float, level: float = LEVEL, exact: bool = True) -> tuple[float, float]:
    """Exact (Garwood) limits for a Poisson mean from an observed count:
    lower χ²(α/2; 2x)/2, upper χ²(1−α/2; 2x+2)/2, i.e. the gamma quantiles below.

    ``exact=False`` (drawing a funnel's curves, 96 points): Wilson–Hilferty for large counts,
    where an exact quantile costs milliseconds and the difference is far below a pixel."""
    alpha = 1 - level
    ppf = gamma_ppf if exact or count < DRAWN_EXACT_BELOW else wilson_hilferty
    low = 0.0 if count <= 0 else ppf(alpha / 2, count)
    return low, ppf(1 - alpha / 2, count + 1)


def mean_interval(mean: float, sd: float, n: float, level: float = LEVEL) -> tuple[float, float]:
    """mean ± z·sd/√n: the mean of n episodes whose spread (sd) the export's histogram gives."""
    half = z_value(level) * sd / math.sqrt(n)
    return mean - half, mean + half


# Squares of the bin values, for histogram_sd's exact integer sums (the format's histograms have
# about 100 bins; longer ones extend it).
_SQUARES = [value * value for value in range(256)]


def histogram_sd(histogram, total: float) -> float | None:
    """The standard deviation of the observations a histogram counts (element i = value i).

    The last (open) bin's observations are placed at their own mean, which the exact ``total``
    of all values gives: the real spread is then at least this large, never smaller than what
    the histogram shows. None with fewer than two observations.

    From exact integer sums of the closed bins (Σc, Σc·v, Σc·v², each one ``sum(map(...))`` in
    C): every import computes three per window, and numpy's per-call overhead on arrays this
    small made them about a third of an import's KPI computation; a Python loop over the bins
    still a quarter (2026-11-29). The deviation is then taken about the mean in floats, which
    for these histograms agrees with the two-pass sum to about 1e-15.
    """
    counts = histogram if isinstance(histogram, list) else list(histogram)
    n = sum(counts)
    if n < 2:
        return None
    last = len(counts) - 1
    if last >= len(_SQUARES):
        _SQUARES.extend(value * value for value in range(len(_SQUARES), last + 1))
    open_count = counts[last]
    closed_n = n - open_count
    closed_sum = sum(map(operator.mul, counts, range(last)))
    closed_squares = sum(map(operator.mul, counts[:last], _SQUARES))
    top = float(last)
    if open_count > 0:
        top = max(top, (total - closed_sum) / open_count)
    mean = (closed_sum + open_count * top) / n
    # Σ c·(v − mean)² over the closed bins, from the exact sums; then the open bin's share.
    square = closed_squares - 2 * mean * closed_sum + mean * mean * closed_n
    square = max(square, 0.0) + open_count * (top - mean) ** 2
    return math.sqrt(square / (n - 1))


# --- Models per KPI --------------------------------------------------------------------------


@dataclass(frozen=True)
class Model:
    """How chance works for one KPI.

    kind: ``proportion`` (stored in %, denominator = the count it is a share of), ``rate`` (a
    count per unit of ``denominator``), ``mean`` (a mean of ``denominator`` observations with
    standard deviation in column ``sd``), ``growth`` (this year's count of ``base`` against last
    year's, stored in %) or ``spread`` (no sampling model: the group's own spread).
    """

    kind: str
    denominator: str | None = None
    sd: str | None = None
    base: str | None = None


MODELS: dict[str, Model] = {
    "female_share": Model("proportion", "patients"),
    "chronic_share": Model("proportion", "episodes"),
    "direct_access_share": Model("proportion", "support.routed_new_episodes"),
    "no_show_rate": Model("proportion", "support.appointments"),
    "outcome_measure_share": Model("proportion", "support.closed_episodes"),
    "goals_achieved_share": Model("proportion", "support.closed_episodes"),
    "ended_regular_share": Model("proportion", "support.closed_episodes"),
    "waiting_within_5_share": Model("proportion", "support.waiting_episodes"),
    "episodes_per_patient": Model("rate", "patients"),
    "patients_per_therapist": Model("rate", "therapists"),
    "sessions_per_fte": Model("rate", "fte"),
    "sessions_per_episode": Model(
        "mean", "support.closed_episodes", "support.sessions_per_episode_sd"
    ),
    "sessions_per_episode_chronic": Model(
        "mean", "support.closed_episodes_chronic", "support.sessions_per_episode_chronic_sd"
    ),
    "sessions_per_episode_non_chronic": Model(
        "mean",
        "support.closed_episodes_non_chronic",
        "support.sessions_per_episode_non_chronic_sd",
    ),
    # Outcome measures (format 1.1): n = closed episodes measured at the start and at the end.
    "nprs_improved_share": Model("proportion", "support.nprs_measured"),
    "psk_improved_share": Model("proportion", "support.psk_measured"),
    "nprs_change": Model("mean", "support.nprs_measured", "support.nprs_change_sd"),
    "psk_change": Model("mean", "support.psk_measured", "support.psk_change_sd"),
    "growth_patients": Model("growth", base="patients"),
    "growth_episodes": Model("growth", base="episodes"),
    "growth_sessions": Model("growth", base="sessions"),
    "median_sessions": Model("spread"),
    "episode_weeks": Model("spread"),
    "waiting_days": Model("spread"),
    "revenue_per_session": Model("spread"),
    "revenue_per_session_contract": Model("spread"),
    "revenue_per_session_self_pay": Model("spread"),
    "revenue_per_patient": Model("spread"),
    "revenue_per_episode": Model("spread"),
    "self_pay_share": Model("spread"),
    "growth_revenue": Model("spread"),
}
# The figures per insurer follow the same rules as their practice-wide namesakes.
for _concern in catalogue.INSURER_CONCERNS:
    _column = catalogue.insurer_column
    _patients = _column(_concern.key, "patients")
    MODELS[_column(_concern.key, "episodes_per_patient")] = Model("rate", _patients)
    MODELS[_column(_concern.key, "revenue_per_patient")] = Model("spread")

# The case-mix indices (casemix.py): a mean of the closed episodes, its sd per episode computed
# with the index; not stored columns, so not in MODELS (nor in the groups' τ² rows).
INDEX_MODEL = Model("mean", "support.closed_episodes")


def model_of(code: str) -> Model | None:
    """The model of a KPI or of a case-mix index."""
    return INDEX_MODEL if code in catalogue.INDEX_BY_CODE else MODELS.get(code)


# The size indicators: how big a practice is, never better or worse, never a verdict.
SIZE_KPIS = frozenset(
    {"patients", "new_patients", "episodes", "new_episodes", "sessions", "revenue", "therapists"}
    | {"fte"}
)


def _get(values, column: str | None) -> float | None:
    if column is None:
        return None
    value = values.get(column)
    if value is None or value != value:
        return None
    return float(value)


def denominator(model: Model, value: float | None, values) -> float | None:
    """The practice's n for this model: what the KPI divides by (for growth: last year's count).

    ``values``: the practice's figures by column (KPIs and support columns).
    """
    if model.kind == "growth":
        now = _get(values, model.base)
        if now is None or value is None or value <= -100:
            return None
        return now / (1 + value / 100)
    n = _get(values, model.denominator)
    return n if n is not None and n > 0 else None


def own_interval(model: Model, value: float | None, values, level: float = LEVEL):
    """The practice's own interval for its value, in the KPI's unit; None without a model."""
    if value is None or value != value:
        return None
    return _interval(
        model.kind, value, denominator(model, value, values), _get(values, model.sd), level
    )


def interval_of(judgement: "Judgement", value: float | None, level: float = LEVEL):
    """``own_interval`` of a KPI judged without it (``judge(..., interval=False)``), from the n
    and sd its judgement carries: the same arithmetic, the same floats. For a page that shows the
    intervals of a few of the KPIs it judges (Welkom names at most three a theme)."""
    if value is None or value != value:
        return None
    return _interval(judgement.kind, value, judgement.n, judgement.sd, level)


def _interval(kind: str, value: float, n: float | None, sd: float | None, level: float):
    if kind == "proportion" and n:
        found = wilson(value / 100 * n, n, level)
        return None if found is None else (found[0] * 100, found[1] * 100)
    if kind == "rate" and n:
        count = value * n
        low, high = poisson_exact(count, level)
        return low / n, high / n
    if kind == "mean" and n:
        return None if sd is None else mean_interval(value, sd, n, level)
    if kind == "growth" and n:
        now = n * (1 + value / 100)
        found = wilson(now, now + n, level)
        return None if found is None else (_share_to_growth(found[0]), _share_to_growth(found[1]))
    return None


def _share_to_growth(share: float) -> float:
    """This year's share π of both years' counts → growth (π / (1 − π) − 1) in %."""
    if share >= 1:
        return math.inf
    return (share / (1 - share) - 1) * 100


# --- Funnel limits ---------------------------------------------------------------------------


def chance_limits(
    model: Model, target: float, n: float, level: float = LEVEL, sd=None, exact: bool = True
):
    """The interval a practice exactly at ``target`` with denominator ``n`` would get: the
    funnel's limits when the group varies by chance alone."""
    if model.kind == "proportion":
        found = wilson(target / 100 * n, n, level)
        return found[0] * 100, found[1] * 100
    if model.kind == "rate":
        low, high = poisson_exact(target * n, level, exact)
        return low / n, high / n
    if model.kind == "mean":
        return mean_interval(target, sd, n, level)
    if model.kind == "growth":
        ratio = 1 + target / 100
        found = wilson(ratio * n, n * (1 + ratio), level)
        return _share_to_growth(found[0]), _share_to_growth(found[1])
    return target, target


def limits(
    model: Model,
    target: float,
    n: float | None,
    tau2: float,
    level: float = LEVEL,
    sd=None,
    exact: bool = True,
) -> tuple[float, float] | None:
    """The funnel's limits at denominator ``n``: chance limits widened by z·τ in quadrature.

    For a ``spread`` KPI (no n) the limits are target ± z·τ.
    """
    if target is None or target != target:
        return None
    tau = math.sqrt(tau2) if tau2 and tau2 > 0 else 0.0
    z = z_value(level)
    if model.kind == "spread":
        return target - z * tau, target + z * tau
    if n is None or n <= 0 or (model.kind == "mean" and sd is None):
        return None
    low, high = chance_limits(model, target, n, level, sd, exact)
    low = target - math.hypot(target - low, z * tau)
    high = target + math.hypot(high - target, z * tau)
    if model.kind == "proportion":
        low, high = max(low, 0.0), min(high, 100.0)
    elif model.kind == "rate":
        low = max(low, 0.0)
    elif model.kind == "growth":
        low = max(low, -100.0)
    return low, high


def spread_tau2(p25: float | None, p75: float | None) -> float | None:
    """τ² of a KPI without a sampling model: the group's robust variance (IQR / 1.349)²."""
    if p25 is None or p75 is None:
        return None
    return ((p75 - p25) / IQR_PER_SD) ** 2


def dispersion(
    model: Model, values: np.ndarray, ns: np.ndarray, target: float, sds: np.ndarray | None = None
) -> float:
    """Additive over-dispersion τ² of a group (Spiegelhalter 2005, DerSimonian–Laird).

    z_i = (y_i − θ₀) / s_i with s_i² the chance variance at θ₀ (for means the member's own
    sd² / n_i); the z's winsorised at their 10th and 90th percentile; φ = Σ z² / I. When
    I·φ > I − 1 (more spread than chance), τ² = (I·φ − (I − 1)) / (Σw − Σw² / Σw) with
    w_i = 1 / s_i²; otherwise 0. Members without a value, an n or an sd are left out.
    """
    if model.kind in ("spread",) or target is None or target != target:
        return math.nan
    values = np.asarray(values, dtype=np.float64)
    ns = np.asarray(ns, dtype=np.float64)
    # A member with n = 0 (no closed episode, no patient) divides by zero: it is left out below.
    with np.errstate(invalid="ignore", divide="ignore"):
        if model.kind == "proportion":
            variance = target * (100 - target) / ns
        elif model.kind == "rate":
            variance = target / ns
        elif model.kind == "mean":
            variance = np.asarray(sds, dtype=np.float64) ** 2 / ns
        else:  # growth
            ratio = 1 + target / 100
            variance = ratio * (1 + ratio) / ns * 1e4
        keep = np.isfinite(values) & np.isfinite(variance) & (ns > 0) & (variance > 0)
    count = int(keep.sum())
    if count < 2:
        return 0.0 if count else math.nan
    y, v = values[keep], variance[keep]
    z = (y - target) / np.sqrt(v)
    low, high = np.quantile(z, WINSOR)
    z = np.clip(z, low, high)
    phi = float((z * z).sum()) / count
    if count * phi <= count - 1:
        return 0.0
    w = 1 / v
    return (count * phi - (count - 1)) / float(w.sum() - (w * w).sum() / w.sum())


def group_dispersion(matrix: np.ndarray, medians: np.ndarray) -> np.ndarray:
    """τ² of every modelled KPI of a group (NaN for the other columns), rounded to two
    significant digits: one row of the group's stored statistics.

    ``matrix``: the members' values (members × ``catalogue.COLUMNS``), ``medians`` the group's
    median per column (the target θ₀). The same arithmetic as ``dispersion`` per KPI, done for
    every KPI of the group at once (one KPI per row of KPIs × members arrays); the winsorising
    percentiles are numpy's default (type 7) interpolation, written out.

    Why at once: ``dispersion`` per KPI and group cost 75 % of a national full recompute
    (185,000 calls of a dozen small numpy operations each, np.quantile alone 0.4 ms a call);
    the same work on whole arrays costs a few numpy calls per group.
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    out = np.full(matrix.shape[1], np.nan)
    plan = _dispersion_plan()
    columns, targets = plan["columns"], np.asarray(medians, dtype=np.float64)[plan["columns"]]
    values = matrix[:, columns].T  # KPIs × members: every row contiguous
    with np.errstate(invalid="ignore", divide="ignore"):
        ns = matrix[:, plan["denominators"]].T
        growth = plan["growth"]
        ns[growth] = np.where(
            values[growth] > -100, matrix[:, plan["bases"]].T / (1 + values[growth] / 100), np.nan
        )
        target = targets[:, None]
        variance = np.empty_like(values)
        kind = plan["kind"]
        share = kind == "proportion"
        variance[share] = (target[share] * (100 - target[share])) / ns[share]
        rate = kind == "rate"
        variance[rate] = target[rate] / ns[rate]
        mean = kind == "mean"
        variance[mean] = matrix[:, plan["sds"]].T ** 2 / ns[mean]
        ratio = 1 + target[growth] / 100
        variance[growth] = ratio * (1 + ratio) / ns[growth] * 1e4
        keep = np.isfinite(values) & np.isfinite(variance) & (ns > 0) & (variance > 0)
        z = np.where(keep, (values - target) / np.sqrt(variance), np.nan)
    count = keep.sum(axis=1)
    low, high = _type7(_partitioned(z, count, WINSOR), count, WINSOR)
    clipped = np.clip(z, low[:, None], high[:, None])
    squares = np.where(keep, clipped * clipped, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        phi = squares.sum(axis=1) / count
        w = np.where(keep, 1 / variance, 0.0)
        w_sum = w.sum(axis=1)
        tau2 = (count * phi - (count - 1)) / (w_sum - (w * w).sum(axis=1) / w_sum)
    tau2 = np.where(count * phi <= count - 1, 0.0, tau2)
    tau2 = np.where(count < 2, np.where(count == 1, 0.0, np.nan), tau2)
    tau2 = np.where(np.isnan(targets), np.nan, tau2)
    out[columns] = [round_significant(float(x)) for x in tau2]
    return out


def _type7_at(count: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """Where type 7's quantile ``q`` of each row's first ``count`` sorted values lies: the
    position of the lower of its two values (the upper one is the next) and the weight of the
    upper one, by numpy's own arithmetic."""
    virtual = (count - 1) * q
    previous = np.floor(virtual)
    return np.minimum(previous.astype(np.intp), np.maximum(count - 1, 1) - 1), virtual - previous


def _partitioned(z: np.ndarray, count: np.ndarray, quantiles) -> np.ndarray:
    """``z`` with each row's values at the positions ``_type7`` reads of it (``_type7_at``)
    where sorting the row (NaN last) puts them; the other positions in no order.

    Why not sorted: the winsorising needs two quantiles of each row, and a partition at their
    positions puts there the same values as a sort (NaN last, as sort does). One position at a
    time, left to right, each partition of what lies right of the last (a position right after
    the last one is a search for the least value), not one ``np.partition`` with the four
    positions: numpy selects one position with its SIMD quickselect but several with its
    generic introselect, slower than the sort itself — a national group's 32 KPIs × 10,000
    z-scores took 7.5–8.1 ms with the four at once, 3.9–4.5 ms sorted, 2.2–3.6 ms one at a time
    (CPU, min and median of 20, three rounds, 2026-12-02; tests/benchmark/test_uncertainty.py
    holds it to the sort's limits). A row at a time: the positions depend on the row's count of
    values. Rows of fewer than two values are left as they are: ``_type7`` gives them NaN
    whatever they hold."""
    ordered = np.array(z, order="C")
    if z.shape[1] < 2:
        return ordered
    positions = [_type7_at(count, q)[0].tolist() for q in quantiles]
    for row, n in enumerate(count.tolist()):
        if n < 2:
            continue
        values = ordered[row]
        low = 0
        for at in sorted(
            {p for of_quantile in positions for p in (of_quantile[row], of_quantile[row] + 1)}
        ):
            values[low:].partition(at - low)
            low = at + 1
    return ordered


def _type7(ordered: np.ndarray, count: np.ndarray, quantiles) -> list[np.ndarray]:
    """np.quantile's default (linear, type 7) of each row's first ``count`` values (each row
    sorted, NaN last — or only at the positions read, ``_partitioned``), with numpy's own
    index and interpolation arithmetic: the same figures. Rows of fewer than two values give
    NaN (``group_dispersion`` does not use them)."""
    rows = np.arange(ordered.shape[0])
    usable = count >= 2
    if ordered.shape[1] < 2:
        return [np.full(ordered.shape[0], np.nan) for _ in quantiles]
    found = []
    for q in quantiles:
        at, gamma = _type7_at(count, q)
        a, b = ordered[rows, at], ordered[rows, at + 1]
        diff = b - a
        value = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
        found.append(np.where(usable, value, np.nan))
    return found


@functools.cache
def _dispersion_plan() -> dict:
    """The modelled KPIs' columns in ``catalogue.COLUMNS`` and where each finds its n."""
    index = catalogue.COLUMN_INDEX
    modelled = [(code, m) for code, m in MODELS.items() if m.kind != "spread"]
    kind = np.array([m.kind for _, m in modelled])
    # A growth KPI's n comes from its base (filled in by group_dispersion); its own column
    # stands in for the denominator until then.
    return {
        "columns": np.array([index[code] for code, _ in modelled], dtype=np.intp),
        "kind": kind,
        "growth": kind == "growth",
        "denominators": np.array(
            [index[m.denominator] if m.denominator else index[code] for code, m in modelled],
            dtype=np.intp,
        ),
        "bases": np.array(
            [index[m.base] for _, m in modelled if m.kind == "growth"], dtype=np.intp
        ),
        "sds": np.array([index[m.sd] for _, m in modelled if m.kind == "mean"], dtype=np.intp),
    }


def round_significant(value: float, digits: int = 2) -> float:
    """τ² is stored to two significant digits: enough for a limit, no more than needed."""
    if value is None or value != value or value == 0 or math.isinf(value):
        return value
    return round(value, digits - 1 - math.floor(math.log10(abs(value))))


def verdict(value, bounds) -> str | None:
    """``above`` / ``below`` the limits, or ``within`` them; None without limits."""
    if value is None or value != value or bounds is None:
        return None
    low, high = bounds
    if value > high:
        return "above"
    if value < low:
        return "below"
    return "within"


FUNNEL_POINTS = 48
# Two decades in FUNNEL_POINTS geometric steps: the grid of every n ≥ 10 is this row times n / 10
# (within 3e-15 of its own geomspace; 0.4 instead of 17 µs, a theme tab draws up to 8 funnels).
TWO_DECADES = np.geomspace(1.0, 100.0, FUNNEL_POINTS)


def funnel_ns(n: float) -> np.ndarray:
    """The denominators a funnel is drawn over: from n / 10 to 10·n on a log scale.

    Only the practice's own n decides the range — the group's smallest and largest denominators
    would tell the size of its smallest and largest members.
    """
    if n >= 10:
        return n / 10 * TWO_DECADES
    # Below 10 the range spans at least a factor of 2 (about 1.5 % a step): the points are
    # increasing and distinct as geomspace gives them (checked for 220,000 n in (0, 10)).
    # np.unique here sorted what was sorted, and its first call in a process imported numpy.ma
    # (18 ms; 7 M of the 35 M instructions a Productiviteit page counted, issue 18, session 13).
    low = max(n / 10, min(1.0, n))
    return np.geomspace(low, max(n * 10, low * 2), FUNNEL_POINTS)


# --- One KPI's judgement ---------------------------------------------------------------------


@dataclass(frozen=True)
class Judgement:
    """Everything the dashboard says about chance for one KPI of one practice.

    ``kind``: the model's kind, ``size`` for a size indicator, ``none`` without a model.
    ``side``: ``above`` / ``below`` the 95 % limits at the practice's own n, ``within`` them, or
    None when no limits could be drawn (no group figures, no n, a group without spread).
    """

    kind: str
    interval: tuple[float, float] | None = None
    n: float | None = None
    sd: float | None = None
    target: float | None = None
    tau2: float | None = None
    limits: dict[float, tuple[float, float]] | None = None
    side: str | None = None
    degenerate: bool = False  # the group's P25 equals its P75: no spread to place a value in


def judge(
    code: str,
    value,
    values,
    median=None,
    p25=None,
    p75=None,
    tau2=None,
    levels: tuple[float, ...] = LEVELS,
    interval: bool = True,
) -> Judgement:
    """The interval, limits and side of one KPI: ``values`` are the practice's own figures by
    column; median, P25, P75 and τ² the group's (None when the group shows nothing).

    For a page that shows less than a KPI's card: the limits at ``levels`` only (which must
    hold ``LEVEL``, the side's) and, with ``interval=False``, no own interval (None). For a rate
    each interval and each level's limits are two exact gamma quantiles; the side is the same.
    """
    if code in SIZE_KPIS:
        return Judgement("size")
    model = MODELS.get(code)
    if model is None:
        return Judgement("none")
    own = own_interval(model, value, values) if interval else None
    n = denominator(model, value, values)
    sd = _get(values, model.sd)
    degenerate = p25 is not None and p75 is not None and p25 == p75
    base = Judgement(model.kind, own, n, sd, median, None, None, None, degenerate)
    if value is None or value != value or median is None or median != median:
        return base
    if model.kind == "spread":
        # Its normal spread is the group's own: without published quartiles (a small group) or
        # with no spread at all, there is nothing to judge by.
        tau2 = spread_tau2(p25, p75)
        if degenerate or tau2 is None:
            return base
    tau2 = 0.0 if tau2 is None or tau2 != tau2 else tau2
    bounds = {level: limits(model, median, n, tau2, level, sd) for level in levels}
    if bounds[LEVEL] is None:
        return Judgement(model.kind, own, n, sd, median, tau2, None, None, degenerate)
    side = verdict(value, bounds[LEVEL])
    return Judgement(model.kind, own, n, sd, median, tau2, bounds, side, degenerate)


def funnel_curves(judgement: Judgement) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """The funnel's curves around the group median over ``funnel_ns`` of the practice's n: the
    denominators, and the lows and the highs with one row per level of ``LEVELS``; None for a
    KPI without n."""
    if judgement.limits is None or judgement.n is None or judgement.kind == "spread":
        return None
    model = Model(judgement.kind)
    ns = funnel_ns(judgement.n)
    lows, highs = _limit_curves(model, judgement.target, ns, judgement.tau2, LEVELS, judgement.sd)
    return ns, lows, highs


def _limit_curves(
    model: Model, target: float, ns: np.ndarray, tau2: float, levels: tuple[float, ...], sd
) -> tuple[np.ndarray, np.ndarray]:
    """``limits(..., exact=False)`` at every denominator of ``ns`` and every level: arrays of
    (levels × ns), the same arithmetic on arrays (Wilson, mean ± z·sd/√n, growth's Wilson).

    Why not ``limits`` per point: its 96 calls were a funnel's whole cost, and a theme tab
    draws up to 7 funnels. On arrays 0.50 → 0.22 ms per funnel (293 funnels of the national
    data, 2026-11-29); both levels in one pass (a column of z's against a row of n's) 57 → 41
    µs a proportion's funnel, numpy's cost per call being most of it. The curves are the same
    to the last bit but hypot's (a relative 7e-15), every page byte-identical.
    ``test_uncertainty`` holds each point to ``limits`` at its n.
    """
    z = np.array([[z_value(level)] for level in levels])
    tau = math.sqrt(tau2) if tau2 and tau2 > 0 else 0.0
    if model.kind == "proportion":
        low, high = _wilson_curves(target / 100 * ns, ns, z)
        low, high = low * 100, high * 100
    elif model.kind == "rate":
        curves = [_poisson_curves(target * ns, level) for level in levels]
        low, high = (np.array([curve[side] for curve in curves]) / ns for side in (0, 1))
    elif model.kind == "mean":
        half = z * sd / np.sqrt(ns)
        low, high = target - half, target + half
    else:  # growth
        ratio = 1 + target / 100
        low, high = (_shares_to_growth(s) for s in _wilson_curves(ratio * ns, ns * (1 + ratio), z))
    low = target - np.hypot(target - low, z * tau)
    high = target + np.hypot(high - target, z * tau)
    if model.kind == "proportion":
        low, high = np.maximum(low, 0.0), np.minimum(high, 100.0)
    elif model.kind == "rate":
        low = np.maximum(low, 0.0)
    elif model.kind == "growth":
        low = np.maximum(low, -100.0)
    return low, high


def _poisson_curves(counts: np.ndarray, level: float) -> tuple[np.ndarray, np.ndarray]:
    """``poisson_exact(count, level, exact=False)`` for an array of counts: Wilson–Hilferty on
    arrays where it is what is drawn, the exact quantiles one by one below DRAWN_EXACT_BELOW."""
    alpha = 1 - level
    low, high = np.empty_like(counts), np.empty_like(counts)
    drawn = counts >= DRAWN_EXACT_BELOW
    low[drawn] = wilson_hilferty(alpha / 2, counts[drawn])
    high[drawn] = wilson_hilferty(1 - alpha / 2, counts[drawn] + 1)
    for i in np.flatnonzero(~drawn).tolist():
        low[i], high[i] = poisson_exact(float(counts[i]), level, exact=False)
    return low, high


def _wilson_curves(x: np.ndarray, n: np.ndarray, z) -> tuple[np.ndarray, np.ndarray]:
    """``wilson`` for arrays of counts and denominators (all n > 0); ``z`` a number or a column
    of them (one row of the result per z)."""
    p = np.clip(x / n, 0.0, 1.0)
    z2n = z * z / n
    centre = (p + z2n / 2) / (1 + z2n)
    half = z * np.sqrt(p * (1 - p) / n + z2n / (4 * n)) / (1 + z2n)
    low = np.where(p == 0, 0.0, np.maximum(0.0, centre - half))
    return low, np.where(p == 1, 1.0, np.minimum(1.0, centre + half))


def _shares_to_growth(share: np.ndarray) -> np.ndarray:
    """``_share_to_growth`` for an array of shares."""
    with np.errstate(divide="ignore"):
        return np.where(share >= 1, math.inf, (share / (1 - share) - 1) * 100)
