"""Intervals and funnel limits against independent references: scipy (tests only) and hand work."""

import math
import warnings
from fractions import Fraction

import numpy as np
import pytest
from scipy import stats

from parabench.benchmark import uncertainty as u

PROPORTION = u.MODELS["goals_achieved_share"]
RATE = u.MODELS["episodes_per_patient"]
MEAN = u.MODELS["sessions_per_episode"]
GROWTH = u.MODELS["growth_patients"]
SPREAD = u.MODELS["revenue_per_session"]


def scipy_wilson(x, n, level=0.95):
    found = stats.binomtest(x, n).proportion_ci(confidence_level=level, method="wilson")
    return found.low, found.high


@pytest.mark.parametrize(
    "x,n",
    [(0, 1), (1, 1), (0, 5), (5, 5), (1, 3), (0, 30), (30, 30), (19, 30), (62, 100), (7, 2000)],
)
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_wilson_matches_scipy_also_at_0_and_100_percent(x, n, level):
    got = u.wilson(x, n, level)
    want = scipy_wilson(x, n, level)
    assert got == pytest.approx(want, abs=1e-12)


def test_wilson_of_19_in_30_is_the_issues_44_to_77_percent():
    # Hand-worked: p = 0.6333, z = 1.96: centre (0.6333 + 0.0640) / 1.1280 = 0.6182,
    # half 1.96·√(0.2322/30 + 0.00107) / 1.1280 = 0.1631 → 45.5 % … 78.1 %: 62 % of 30 episodes
    # is "anywhere between about 44 % and 77 %".
    low, high = u.wilson(19, 30)
    assert round(low * 100, 1) == 45.5 and round(high * 100, 1) == 78.1


def test_wilson_has_no_interval_without_a_denominator():
    assert u.wilson(0, 0) is None


@pytest.mark.parametrize("shape", [0.3, 1, 2, 7.5, 30, 999.5, 20_000, 150_000])
@pytest.mark.parametrize("q", [0.001, 0.025, 0.5, 0.975, 0.999])
def test_gamma_quantiles_match_scipy(shape, q):
    assert u.gamma_ppf(q, shape) == pytest.approx(stats.gamma.ppf(q, shape), rel=1e-10)


@pytest.mark.parametrize("shape", [0.3, 2, 7.5, 30, 120, 199])
@pytest.mark.parametrize("q", [0.001, 0.025, 0.975, 0.999])
def test_a_gamma_quantile_takes_a_few_evaluations_even_when_newton_lands_on_the_root(
    monkeypatch, shape, q
):
    """At q = 0.975 and shape 2 Newton's third step lands exactly on the root (f = 0); before
    the fix that step counted as leaving the bracket and bisection took 44 evaluations to come
    back. A funnel draws 192 of these quantiles per KPI, so the count is what a page costs."""
    evaluations = []
    cdf = u.gamma_cdf
    monkeypatch.setattr(u, "gamma_cdf", lambda x, a: evaluations.append(x) or cdf(x, a))
    found = u.gamma_ppf(q, shape)
    assert found == pytest.approx(stats.gamma.ppf(q, shape), rel=1e-10)
    assert len(evaluations) <= 10


@pytest.mark.parametrize("count", [0, 1, 2, 10, 57, 1234, 25_000])
@pytest.mark.parametrize("level", [0.95, 0.998])
def test_exact_poisson_limits_are_the_chi_square_ones(count, level):
    alpha = 1 - level
    low = 0.0 if count == 0 else stats.chi2.ppf(alpha / 2, 2 * count) / 2
    high = stats.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2
    assert u.poisson_exact(count, level) == pytest.approx((low, high), rel=1e-10)


def test_exact_poisson_limits_of_0_and_1_by_hand():
    # Textbook values (Garwood 1936): 0 → 0 … 3.689; 1 → 0.0253 … 5.572.
    assert u.poisson_exact(0) == pytest.approx((0.0, 3.6889), abs=1e-4)
    assert u.poisson_exact(1) == pytest.approx((0.0253, 5.5716), abs=1e-4)


def test_histogram_sd_is_the_sample_sd_of_the_observations():
    histogram = [0, 3, 5, 0, 2, 1]  # values 1,1,1,2×5,4,4,5
    observations = np.repeat(np.arange(6), histogram)
    assert u.histogram_sd(histogram, observations.sum()) == pytest.approx(
        np.std(observations, ddof=1), rel=1e-12
    )


def test_histogram_sd_puts_the_open_bin_at_its_own_mean():
    # Last bin "5 or more" holds two episodes with 7 and 9 sessions: total 1+2+7+9 = 19.
    histogram = [0, 1, 1, 0, 0, 2]
    got = u.histogram_sd(histogram, 19)
    assert got == pytest.approx(np.std([1, 2, 8, 8], ddof=1), rel=1e-12)
    assert got < np.std([1, 2, 7, 9], ddof=1)  # a lower bound of the true spread


def test_a_mean_interval_is_the_normal_one():
    low, high = u.mean_interval(10.0, 6.0, 36)
    z = stats.norm.ppf(0.975)
    assert (low, high) == pytest.approx((10 - z, 10 + z), rel=1e-12)


def test_the_own_interval_of_a_proportion_uses_its_own_denominator():
    values = {"support.closed_episodes": 30.0}
    low, high = u.own_interval(PROPORTION, 19 / 30 * 100, values)
    want = scipy_wilson(19, 30)
    assert (low, high) == pytest.approx((want[0] * 100, want[1] * 100), abs=1e-9)


def test_the_own_interval_of_a_rate_is_exact_poisson_over_its_exposure():
    values = {"patients": 800.0}
    low, high = u.own_interval(RATE, 960 / 800, values)
    want = (stats.chi2.ppf(0.025, 1920) / 2 / 800, stats.chi2.ppf(0.975, 1922) / 2 / 800)
    assert (low, high) == pytest.approx(want, rel=1e-9)


def test_the_own_interval_of_growth_conditions_on_both_years_counts():
    # 800 patients last year, 880 now: this year's share of 1,680 is binomial (two Poisson
    # counts conditioned on their sum); growth = π / (1 − π) − 1.
    values = {"patients": 880.0}
    low, high = u.own_interval(GROWTH, 10.0, values)
    share = scipy_wilson(880, 1680)
    want = tuple((p / (1 - p) - 1) * 100 for p in share)
    assert (low, high) == pytest.approx(want, rel=1e-9)
    assert low < 10 < high


def test_funnel_limits_without_over_dispersion_are_the_interval_at_the_target():
    low, high = u.limits(PROPORTION, 50.0, 30, 0.0)
    want = scipy_wilson(15, 30)
    assert (low, high) == pytest.approx((want[0] * 100, want[1] * 100), abs=1e-9)


def test_funnel_limits_at_a_target_of_100_percent_keep_a_width():
    low, high = u.limits(PROPORTION, 100.0, 30, 0.0)
    assert high == 100.0 and low == pytest.approx(30 / (30 + stats.norm.ppf(0.975) ** 2) * 100)
    low0, high0 = u.limits(PROPORTION, 0.0, 30, 0.0)
    assert low0 == 0.0 and high0 == pytest.approx(100 - low)


def test_funnel_limits_narrow_with_n_and_the_998_limits_are_wider():
    widths = [np.subtract(*reversed(u.limits(PROPORTION, 80.0, n, 0.0))) for n in (10, 100, 1000)]
    assert widths[0] > widths[1] > widths[2]
    for n in (10, 100, 1000):
        low95, high95 = u.limits(PROPORTION, 80.0, n, 0.0, 0.95)
        low998, high998 = u.limits(PROPORTION, 80.0, n, 0.0, 0.998)
        assert low998 < low95 < 80 < high95 < high998


def test_over_dispersion_keeps_a_floor_of_z_tau_under_the_funnel():
    tau2 = 25.0  # τ = 5 percentage points
    low, high = u.limits(PROPORTION, 80.0, 10_000_000, tau2)
    z = stats.norm.ppf(0.975)
    assert (low, high) == pytest.approx((80 - z * 5, 80 + z * 5), abs=0.01)
    # At small n the chance half-width and z·τ add in quadrature.
    chance = u.limits(PROPORTION, 80.0, 30, 0.0)
    wide = u.limits(PROPORTION, 80.0, 30, tau2)
    assert 80 - wide[0] == pytest.approx(math.hypot(80 - chance[0], z * 5))


def test_rate_limits_are_exact_poisson_at_the_expected_count():
    low, high = u.limits(RATE, 1.2, 50, 0.0)
    assert (low * 50, high * 50) == pytest.approx(
        (stats.gamma.ppf(0.025, 60), stats.gamma.ppf(0.975, 61)), rel=1e-9
    )


def test_a_spread_kpi_has_the_groups_robust_spread_as_limits():
    tau2 = u.spread_tau2(35.0, 38.0)
    assert math.sqrt(tau2) == pytest.approx(3 / (stats.norm.ppf(0.75) * 2))
    low, high = u.limits(SPREAD, 36.5, None, tau2)
    assert high - 36.5 == pytest.approx(stats.norm.ppf(0.975) * math.sqrt(tau2))


def reference_tau2(y, n, target):
    """Spiegelhalter (2005), written out independently: winsorise z at the 10th/90th percentile
    (scipy's percentile), φ = mean z², τ² = (Iφ − (I − 1)) / (Σw − Σw²/Σw)."""
    s2 = [target * (100 - target) / k for k in n]
    z = [(yi - target) / math.sqrt(v) for yi, v in zip(y, s2, strict=True)]
    low, high = stats.scoreatpercentile(z, 10), stats.scoreatpercentile(z, 90)
    zw = [min(max(zi, low), high) for zi in z]
    count = len(zw)
    phi = sum(zi * zi for zi in zw) / count
    if count * phi <= count - 1:
        return 0.0
    w = [1 / v for v in s2]
    return (count * phi - (count - 1)) / (sum(w) - sum(wi * wi for wi in w) / sum(w))


def test_dispersion_matches_an_independent_reference():
    y = np.array([62.0, 81.0, 77.5, 90.0, 70.0, 85.0, 79.0, 55.0, 88.0, 83.0, 74.0, 80.0])
    n = np.array([30, 120, 80, 400, 60, 150, 200, 45, 300, 90, 110, 75], dtype=float)
    target = float(np.median(y))
    got = u.dispersion(PROPORTION, y, n, target)
    assert got > 0
    assert got == pytest.approx(reference_tau2(y, n, target), rel=1e-12)


def test_a_member_without_a_denominator_is_left_out_quietly():
    """A practice with no closed episode has n = 0: no "divide by zero" warning in the worker's
    output at every recompute, and the same τ² as without it."""
    y = np.array([62.0, 81.0, 77.5, 90.0, 70.0, 85.0, 79.0, 55.0, 88.0, 83.0, 74.0, 80.0])
    n = np.array([30, 120, 80, 400, 60, 150, 200, 45, 300, 90, 110, 75], dtype=float)
    target = float(np.median(y))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for model in (PROPORTION, RATE):
            got = u.dispersion(model, np.append(y, 70.0), np.append(n, 0.0), target)
            assert got == u.dispersion(model, y, n, target)


def test_dispersion_is_zero_when_the_group_varies_by_chance_alone():
    rng = np.random.default_rng(7)
    n = rng.integers(20, 400, size=200).astype(float)
    y = rng.binomial(n.astype(int), 0.8) / n * 100
    assert u.dispersion(PROPORTION, y, n, 80.0) < 1.0  # percentage points², near zero


def test_dispersion_finds_a_known_between_practice_spread():
    rng = np.random.default_rng(11)
    n = rng.integers(50, 500, size=2000).astype(float)
    true = np.clip(rng.normal(0.8, 0.05, size=n.size), 0, 1)  # τ = 5 points
    y = rng.binomial(n.astype(int), true) / n * 100
    target = float(np.median(y))
    got = u.dispersion(PROPORTION, y, n, target)
    # Winsorising at 10 %/90 % is meant to stop outliers from widening the funnel; its price is a
    # known downward bias on a well-behaved group (here ≈ 14 for a true 25; docs/statistics.md).
    assert 10 < got < 25
    assert got == pytest.approx(reference_tau2(y, n, target), rel=1e-9)


def test_62_percent_of_30_is_within_chance_but_of_3000_it_is_not():
    """The issue's example: the same 62 % against a median of 75 %."""
    small = u.judge("goals_achieved_share", 62.0, {"support.closed_episodes": 30.0}, 75.0, 70, 80)
    large = u.judge("goals_achieved_share", 62.0, {"support.closed_episodes": 3000.0}, 75.0, 70, 80)
    assert small.side == "within"
    assert large.side == "below"
    # The old rule (below P25 → worse) called both the same.
    assert all(62.0 < 70 for _ in (small, large))


def test_size_indicators_are_never_judged():
    judgement = u.judge("patients", 829.0, {}, 800.0, 600.0, 1000.0, 0.0)
    assert judgement.kind == "size" and judgement.side is None and judgement.limits is None


def test_a_spread_kpi_of_a_group_without_spread_has_no_side_but_says_so():
    judgement = u.judge("waiting_days", 6.0, {}, 4.0, 4.0, 4.0, None)
    assert judgement.degenerate and judgement.side is None


def test_the_funnel_range_comes_from_the_practices_own_n_only():
    ns = u.funnel_ns(200)
    assert ns[0] == pytest.approx(20) and ns[-1] == pytest.approx(2000)
    # From n = 10 on one stored row of two decades, scaled: the geometric grid of n's own range.
    for n in (10.0, 37.3, 200.0, 9_876.5, 2.5e6):
        want = np.geomspace(n / 10, n * 10, u.FUNNEL_POINTS)
        assert u.funnel_ns(n) == pytest.approx(want, rel=1e-14)
    assert len(u.funnel_ns(0.5)) == u.FUNNEL_POINTS and u.funnel_ns(0.5)[0] == 0.5
    # Below 10 from geomspace itself: every point a new one, increasing (the chart's x axis).
    for n in (0.01, 0.5, 1.0, 2.7, 9.99):
        ns = u.funnel_ns(n)
        assert len(ns) == u.FUNNEL_POINTS and (np.diff(ns) > 0).all()


def test_tau2_is_stored_to_two_significant_digits():
    assert u.round_significant(12.3456) == 12.0
    assert u.round_significant(0.0012345) == 0.0012
    assert u.round_significant(0.0) == 0.0


def test_group_dispersion_fills_only_the_modelled_kpis_of_a_member_matrix():
    from parabench.benchmark.catalogue import COLUMN_INDEX, COLUMNS

    rng = np.random.default_rng(3)
    members = 40
    matrix = np.full((members, len(COLUMNS)), np.nan)
    closed = rng.integers(20, 300, size=members).astype(float)
    matrix[:, COLUMN_INDEX["support.closed_episodes"]] = closed
    share = rng.binomial(closed.astype(int), rng.uniform(0.6, 0.95, members)) / closed * 100
    matrix[:, COLUMN_INDEX["goals_achieved_share"]] = share
    with warnings.catch_warnings():  # the columns nobody filled have no median: NaN, fine
        warnings.simplefilter("ignore", RuntimeWarning)
        medians = np.nanmedian(matrix, axis=0)
    row = u.group_dispersion(matrix, medians)
    column = COLUMN_INDEX["goals_achieved_share"]
    want = u.dispersion(PROPORTION, share, closed, medians[column])
    assert row[column] == u.round_significant(want) and want > 0
    assert np.isnan(row[COLUMN_INDEX["revenue_per_session"]])  # a spread KPI: none stored
    assert np.isnan(row[COLUMN_INDEX["patients"]])  # a size indicator: none


def _dispersion_by_kpi(matrix, medians):
    """τ² one KPI at a time with ``dispersion``, the definition ``group_dispersion`` follows."""
    from parabench.benchmark.catalogue import COLUMN_INDEX as index

    out = np.full(matrix.shape[1], np.nan)
    for code, model in u.MODELS.items():
        if model.kind == "spread":
            continue
        values = matrix[:, index[code]]
        if model.kind == "growth":
            with np.errstate(invalid="ignore", divide="ignore"):
                base = matrix[:, index[model.base]]
                ns = np.where(values > -100, base / (1 + values / 100), np.nan)
        else:
            ns = matrix[:, index[model.denominator]]
        sds = matrix[:, index[model.sd]] if model.sd else None
        target = medians[index[code]]
        out[index[code]] = u.round_significant(u.dispersion(model, values, ns, target, sds))
    return out


@pytest.mark.parametrize("members", [1, 2, 3, 5, 9, 20, 57, 400])
def test_group_dispersion_gives_every_kpi_the_figure_of_dispersion_alone(members):
    """Every modelled KPI at once gives what ``dispersion`` gives per KPI, to the last digit:
    with values missing, denominators of 0, members out of range and a KPI without a median."""
    from parabench.benchmark.catalogue import COLUMNS

    rng = np.random.default_rng(members)
    matrix = rng.lognormal(3, 1, size=(members, len(COLUMNS)))
    matrix[rng.random(matrix.shape) < 0.1] = np.nan
    matrix[rng.random(matrix.shape) < 0.05] = 0.0
    matrix[rng.random(matrix.shape) < 0.02] = -150.0  # a growth below −100 % has no n
    with warnings.catch_warnings():  # a column without any value has no median: NaN, fine
        warnings.simplefilter("ignore", RuntimeWarning)
        medians = np.nanmedian(matrix, axis=0)
    medians[::7] = np.nan
    want = _dispersion_by_kpi(matrix, medians)
    got = u.group_dispersion(matrix, medians)
    assert np.array_equal(got, want, equal_nan=True)
    assert np.isfinite(got).any() or members < 3


@pytest.mark.parametrize("members", [1, 2, 3, 10, 101, 1000, 10_000])
@pytest.mark.parametrize("ties", [False, True])
def test_the_winsorising_limits_of_partitioned_rows_are_those_of_sorted_rows(members, ties):
    """``_partitioned`` instead of a sort: the same limits to the last bit, whatever each row's
    count of values (NaN at random, rows without any value or with one), with many equal
    values or none, up to a national group's size."""
    rng = np.random.default_rng(members)
    z = rng.standard_normal((40, members))
    if ties:  # a few distinct values per row, zeros among them
        z = np.round(z * 2) / 2
    z[rng.random(z.shape) < rng.random((40, 1))] = np.nan
    z[0] = np.nan
    z[1, 1:] = np.nan
    count = np.isfinite(z).sum(axis=1)
    want = u._type7(np.sort(z, axis=1), count, u.WINSOR)
    got = u._type7(u._partitioned(z, count, u.WINSOR), count, u.WINSOR)
    for a, b in zip(got, want, strict=True):
        assert a.tobytes() == b.tobytes()


def test_a_spread_kpi_without_published_quartiles_is_not_judged():
    """A group of 5–9 publishes only its median: no spread, so no 'beyond the spread' either."""
    judgement = u.judge("revenue_per_session", 39.0, {}, 36.5, None, None, None)
    assert judgement.side is None and judgement.limits is None


@pytest.mark.parametrize(
    ("code", "value", "values"),
    [
        ("sessions_per_fte", 2400.0, {"fte": 4.5}),
        ("sessions_per_fte", 1200.0, {"fte": 0.8}),
        ("episodes_per_patient", 1.6, {"patients": 40}),
        ("goals_achieved_share", 62.0, {"support.closed_episodes": 30.0}),
        ("revenue_per_session", 39.0, {}),
    ],
)
def test_a_judgement_for_the_side_alone_has_the_same_side_and_95_limits(code, value, values):
    """Welkom and Verzekeraars judge without what they do not show (the 99.8 % limits, the own
    interval); what they do show must be what the full judgement says."""
    median = {"sessions_per_fte": 2350.0, "episodes_per_patient": 1.3}.get(code, 50.0)
    full = u.judge(code, value, values, median, median * 0.9, median * 1.1, 0.0)
    for interval in (True, False):
        part = u.judge(
            code,
            value,
            values,
            median,
            median * 0.9,
            median * 1.1,
            0.0,
            levels=(u.LEVEL,),
            interval=interval,
        )
        assert part.side == full.side and part.side is not None
        assert part.limits == {u.LEVEL: full.limits[u.LEVEL]}
        assert part.interval == (full.interval if interval else None)


def test_a_drawn_funnel_of_a_large_count_is_within_a_ten_thousandth_of_the_exact_limits():
    judgement = u.judge("sessions_per_fte", 2400.0, {"fte": 4.5}, 2350.0, 2000.0, 2600.0, 0.0)
    ns, lows, highs = u.funnel_curves(judgement)
    model = u.MODELS["sessions_per_fte"]
    outer = u.LEVELS.index(0.998)
    for i, n in enumerate(ns.tolist()):
        exact = u.limits(model, 2350.0, n, 0.0, 0.998)
        drawn = (lows[outer][i], highs[outer][i])
        assert drawn == pytest.approx(exact, rel=1e-4)
    # The verdict itself always uses the exact limits.
    assert judgement.limits[0.95] == u.limits(model, 2350.0, 4.5, 0.0, 0.95)


@pytest.mark.parametrize(
    "code,value,values,median,tau2",
    [
        ("goals_achieved_share", 62.0, {"support.closed_episodes": 30}, 55.0, 16.0),
        ("goals_achieved_share", 100.0, {"support.closed_episodes": 12}, 100.0, 0.0),
        ("goals_achieved_share", 0.0, {"support.closed_episodes": 12}, 0.0, 4.0),
        ("episodes_per_patient", 1.4, {"patients": 40}, 1.3, 0.01),
        ("episodes_per_patient", 1.4, {"patients": 900}, 1.3, 0.0),
        (
            "sessions_per_episode",
            9.5,
            {"support.closed_episodes": 80, "support.sessions_per_episode_sd": 4.0},
            8.0,
            0.5,
        ),
        ("growth_patients", 4.0, {"patients": 520}, 2.0, 9.0),
        ("growth_patients", -60.0, {"patients": 3}, 1.0, 0.0),
    ],
)
def test_a_drawn_funnel_is_the_limits_at_each_of_its_denominators(
    code, value, values, median, tau2
):
    """The curves are computed on arrays at once (``_limit_curves``); each point is what
    ``limits`` gives at that n (a last-bit difference of hypot at most)."""
    judgement = u.judge(code, value, values, median, median - 1, median + 1, tau2)
    ns, lows, highs = u.funnel_curves(judgement)
    for row, level in enumerate(u.LEVELS):
        for i, n in enumerate(ns.tolist()):
            want = u.limits(
                u.MODELS[code], median, n, judgement.tau2, level, judgement.sd, exact=False
            )
            drawn = (lows[row][i], highs[row][i])
            assert drawn == pytest.approx(want, rel=1e-12, abs=1e-12)


def test_a_rate_funnel_is_drawn_within_a_thousandth_of_the_exact_limits():
    """Its curves use Wilson–Hilferty from an expected count of 50 on (``DRAWN_EXACT_BELOW``),
    the exact quantiles below; the verdict's limits are always exact."""
    counts = np.concatenate(([0.0], np.geomspace(0.2, 20_000, 240)))
    for level in u.LEVELS:
        low, high = u._poisson_curves(counts, level)
        for count, drawn in zip(counts.tolist(), zip(low, high, strict=True), strict=True):
            exact = u.poisson_exact(count, level)
            if count < u.DRAWN_EXACT_BELOW:
                assert drawn == exact
            else:
                assert drawn == pytest.approx(exact, rel=8e-4)


def test_no_production_module_imports_scipy():
    """scipy is the tests' independent reference; the portal computes without it."""
    from pathlib import Path

    import parabench

    root = Path(parabench.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "import scipy" in path.read_text() or "from scipy" in path.read_text()
    ]
    assert offenders == []


def _series_term_by_term(a: float, x: float) -> float:
    """The lower gamma series one term at a time in Python, as it was first written."""
    total = term = 1.0 / a
    ap = a
    for _ in range(100_000):
        ap += 1
        term *= x / ap
        total += term
        if abs(term) < abs(total) * 1e-16:
            break
    return total * math.exp(-x + a * math.log(x) - math.lgamma(a))


@pytest.mark.parametrize("a", [3.5, 120.0, 499.0, 500.0, 3_000.0, 20_000.0, 2.4e5, 2.1e6])
def test_the_lower_gamma_series_in_numpy_gives_the_same_bits_as_term_by_term(a):
    """``_lower_gamma_series`` sums in numpy from the first term for large shapes (and past
    1,024 terms for small ones): the same operations in the same order, the same float."""
    for share in (0.5, 0.9, 0.97, 0.99, 0.999, 1.0):
        x = a * share
        assert u._lower_gamma_series(a, x) == _series_term_by_term(a, x)


@pytest.mark.parametrize("code", sorted(u.MODELS))
def test_an_interval_left_out_of_a_judgement_is_the_same_when_asked_for_later(code):
    """Welkom judges without own intervals and asks for the few it names (verdicts.named)."""
    model = u.MODELS[code]
    values = {column: 40.0 for column in (model.denominator, model.sd, model.base) if column}
    value = 12.5
    full = u.judge(code, value, values, 10.0, 8.0, 14.0, 0.5)
    bare = u.judge(code, value, values, 10.0, 8.0, 14.0, 0.5, interval=False)
    assert bare.interval is None
    assert u.interval_of(bare, value) == full.interval
    if model.kind != "spread":
        assert full.interval is not None


# --- Temme's expansion (``uncertainty.TEMME``), derived here in exact fractions --------------


def _mul(a: list, b: list, n: int) -> list:
    """The first n coefficients of the product of two power series."""
    return [
        sum(a[i] * b[k - i] for i in range(k + 1) if i < len(a) and k - i < len(b))
        for k in range(n)
    ]


def _reciprocal(a: list, n: int) -> list:
    out = [1 / a[0]]
    for k in range(1, n):
        out.append(-sum(a[i] * out[k - i] for i in range(1, min(k, len(a) - 1) + 1)) / a[0])
    return out


def _stirling(count: int) -> list:
    """g_k of Γ(z) ~ √(2π) z^(z−½) e^(−z) Σ g_k / z^k (DLMF 5.11.3): the exponential of the
    Bernoulli series Σ B_2m / (2m (2m−1) z^(2m−1)), in w = 1/z."""
    bernoulli = [Fraction(1)]
    for n in range(1, count + 2):
        bernoulli.append(-sum(math.comb(n + 1, k) * bernoulli[k] for k in range(n)) / (n + 1))
    exponent = [Fraction(0)] * count
    for m in range(1, count):
        if 2 * m - 1 < count:
            exponent[2 * m - 1] = bernoulli[2 * m] / (2 * m * (2 * m - 1))
    g = [Fraction(1)]  # exp(s) by g' = s' g
    for k in range(1, count):
        g.append(sum(j * exponent[j] * g[k - j] for j in range(1, k + 1)) / k)
    return g


def _temme_coefficients(rows: int, terms: int) -> list[list[Fraction]]:
    """The Taylor coefficients in η of c_0 … c_(rows−1) (DLMF 8.12.9–8.12.11), exactly.

    λ − 1 = μ(η) from ½η² = μ − ln(1 + μ): η = μ·√G(μ), G = Σ 2(−1)^m μ^m / (m + 2), reverted
    by Lagrange. c_0 = 1/μ − 1/η, c_k = (1/η)·c_(k−1)' + (−1)^k g_k / μ; each step's poles at
    η = 0 cancel (asserted), and each step uses two more terms of the one before."""
    n = terms + 2 * rows
    g_series = [Fraction(2 * (-1) ** m, m + 2) for m in range(n + 1)]
    root = [Fraction(1)]  # √G
    for k in range(1, n + 1):
        root.append((g_series[k] - sum(root[i] * root[k - i] for i in range(1, k))) / 2)
    inverse_root = _reciprocal(root, n + 1)
    mu, power = [Fraction(0)], [Fraction(1)]
    for m in range(1, n + 1):
        power = _mul(power, inverse_root, n + 1)
        mu.append(power[m - 1] / m)
    over_mu = _reciprocal(mu[1:], n)  # η/μ
    g = _stirling(rows + 1)
    found = [[over_mu[j + 1] for j in range(n - 1)]]
    for k in range(1, rows):
        before, sign = found[-1], (-1) ** k
        assert before[1] + sign * g[k] == 0  # the pole at η = 0 cancels
        found.append(
            [(j + 2) * before[j + 2] + sign * g[k] * over_mu[j + 1] for j in range(len(before) - 2)]
        )
    return [row[:terms] for row in found]


def test_temme_s_table_is_the_coefficients_derived_from_their_definition():
    rows, terms = len(u.TEMME), len(u.TEMME[0])
    derived = _temme_coefficients(rows, terms)
    assert derived[0][:3] == [Fraction(-1, 3), Fraction(1, 12), Fraction(-2, 135)]
    assert derived[1][:2] == [Fraction(-1, 540), Fraction(-1, 288)]
    assert [tuple(float(d) for d in row) for row in derived] == list(u.TEMME)


@pytest.mark.parametrize("a", [200.0, 201.5, 999.5, 20_000.0, 150_000.0, 2.1e6])
def test_the_incomplete_gamma_of_a_large_shape_is_temme_s_within_4_5_sds_and_matches_scipy(a):
    """Temme's expansion within 4.5 standard deviations (a·σ² < 20): P against scipy relative
    below the centre, 1 − P above; beyond, the series and the continued fraction as before
    (scipy itself drifts there: 3e-4 off at −5 sd of 2.1·10⁶, where both agree to 3e-9)."""
    from scipy import special

    for sds in np.linspace(-4.4, 4.4, 45):
        x = a + sds * math.sqrt(a)
        p = u.gamma_cdf(x, a)
        assert p == u._temme(a, x)
        if x < a:
            assert p == pytest.approx(special.gammainc(a, x), rel=1e-11)
        else:
            assert 1 - p == pytest.approx(special.gammaincc(a, x), rel=1e-11, abs=1e-15)
    below, above = a - 4.5 * math.sqrt(a), a + 4.5 * math.sqrt(a)
    assert u._temme(a, below) is None and u._temme(a, above) is None
    assert u.gamma_cdf(below, a) == u._lower_gamma_series(a, below)
    assert u.gamma_cdf(above, a) == 1 - u._upper_gamma_fraction(a, above)
