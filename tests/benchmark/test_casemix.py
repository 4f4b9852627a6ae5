"""Case-mix indices and outcome figures: a hand-worked golden example, and an independent numpy
computation from the raw records of a generated national sample (episode by episode, where the
module only sees the export's aggregates)."""

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest

from parabench.benchmark import casemix as cm
from parabench_client.aggregate import build_export
from parabench_client.records import load_records
from parabench_client.synth import generate_records
from parabench_format import codes
from parabench_format.models import export_document

GOLDEN = Path(__file__).parents[1] / "client" / "golden" / "records"
Z = 1.959963984540054


def cell_index(side, group, band):
    return cm.CELLS.index((side, group, band))


A = cell_index("non_chronic", "spine", "age_18_44")
B = cell_index("chronic", "pelvis_leg_foot", "age_65_plus")


def cells(**by_cell):
    """A 48 × 5 matrix from per-cell lists of (sessions, days) of single episodes."""
    out = np.zeros((len(cm.CELLS), len(cm.FIELDS)))
    for name, episodes in by_cell.items():
        row = out[{"a": A, "b": B}[name]]
        for sessions, days in episodes:
            row += [1, sessions, sessions**2, days, days**2]
    return out


# --- The golden example, by hand --------------------------------------------------------------
# National rates: cell A 5 sessions per closed episode (28 days), cell B 20 (140 days).
# The practice: two episodes in A with 4 and 8 sessions, one in B with 26.
#   O = 4 + 8 + 26 = 38, E = 2 × 5 + 1 × 20 = 30, index = 38 / 30 = 1.2667.
#   Expected per episode e = 5, 5, 20; residuals x − 1.2667·e = −2.3333, 1.6667, 0.6667;
#   their squares 5.4444 + 2.7778 + 0.4444 = 8.6667.
#   Variance = n/(n−1) · 8.6667 / E² = 1.5 × 8.6667 / 900 = 0.014444, SE = √13 / 30 = 0.12019;
#   95 % interval 1.2667 ± 1.96 × 0.12019 = 1.0311 … 1.5022.
# Duration, days 20 and 40 in A and 150 in B: O = 210, E = 2 × 28 + 140 = 196, index 1.0714;
#   residuals 20 − 30, 40 − 30, 150 − 150 = −10, 10, 0: SE = √(1.5 × 200) / 196 = 0.088370.

PRACTICE = cells(a=[(4, 20), (8, 40)], b=[(26, 150)])
RATES = {
    "sessions": np.where(np.arange(len(cm.CELLS)) == A, 5.0, 20.0),
    "duration": np.where(np.arange(len(cm.CELLS)) == A, 28.0, 140.0),
}


def test_the_sessions_index_of_the_golden_example():
    index = cm.indirect_standardisation(PRACTICE, RATES["sessions"], "sessions")

    assert (index.observed, index.expected, index.n) == (38, 30, 3)
    assert index.value == pytest.approx(38 / 30)
    assert index.sd / math.sqrt(3) == pytest.approx(math.sqrt(13) / 30)
    low, high = index.interval()
    assert (round(low, 4), round(high, 4)) == (1.0311, 1.5022)


def test_the_duration_index_of_the_golden_example():
    index = cm.indirect_standardisation(PRACTICE, RATES["duration"], "duration")

    assert (index.observed, index.expected) == (210, 196)
    assert index.value == pytest.approx(210 / 196)
    assert index.sd / math.sqrt(3) == pytest.approx(math.sqrt(300) / 196)


def test_an_index_needs_a_rate_for_every_cell_it_holds_episodes_in():
    rates = RATES["sessions"].copy()
    rates[B] = np.nan
    assert cm.indirect_standardisation(PRACTICE, rates, "sessions") is None
    rates[B], rates[cell_index("chronic", "spine", "age_0_17")] = 20.0, np.nan  # an empty cell
    assert cm.indirect_standardisation(PRACTICE, rates, "sessions").value == pytest.approx(38 / 30)
    assert cm.indirect_standardisation(np.zeros_like(PRACTICE), rates, "sessions") is None


def test_one_episode_has_an_index_but_no_interval():
    index = cm.indirect_standardisation(cells(b=[(30, 10)]), RATES["sessions"], "sessions")
    assert index.value == 1.5
    assert index.sd is None and index.interval() is None


def national(*practices):
    return np.stack([cells(**p) for p in practices])


def test_a_reference_cell_needs_k_practices_and_no_dominant_one():
    # Five practices in A (with 2, 4, 6, 8, 10 sessions), only four in B.
    five = national(
        {"a": [(2, 7)], "b": [(10, 70)]},
        {"a": [(4, 7)], "b": [(30, 70)]},
        {"a": [(6, 7)], "b": [(20, 70)]},
        {"a": [(8, 7)], "b": [(40, 70)]},
        {"a": [(10, 7)]},
    )
    reference = cm.reference_rates(cm.by_field(five), k=5)

    assert reference.rates["sessions"][A] == 6.0 and reference.level[A] == 0
    # B's own cell has four practices: it takes the rate of chronic × pelvis/leg (all ages),
    # which is the same four episodes here: (10 + 30 + 20 + 40) / 4 = 25 — still only four
    # practices, so it falls to the chronic side as a whole: again only four practices: none.
    assert np.isnan(reference.rates["sessions"][B]) and reference.level[B] == -1
    # An empty cell of the non-chronic side takes that side's rate: all of A's episodes.
    empty = cell_index("non_chronic", "head_neck", "age_0_17")
    assert reference.rates["sessions"][empty] == 6.0 and reference.level[empty] == 2
    assert reference.contributors[A] == 5


def test_a_practice_with_more_than_half_of_a_cells_episodes_sends_it_to_the_coarser_rate():
    many = national(
        {"a": [(2, 7)] * 6},  # six of the cell's ten episodes
        {"a": [(4, 7)]},
        {"a": [(6, 7)]},
        {"a": [(8, 7)]},
        {"a": [(10, 7)], "b": [(1, 1)]},
    )
    reference = cm.reference_rates(cm.by_field(many), k=5)

    assert reference.level[A] == -1  # every stratum of A is dominated by the first practice


def test_published_rates_are_rounded_and_the_same_key_gives_the_same_rates():
    reference = cm.ReferenceRates(
        {"sessions": np.full(48, 7.123456), "duration": np.full(48, 43.21)},
        np.zeros(48, dtype=int),
        np.full(48, 12),
    )
    plain = cm.published_rates(reference)
    assert plain.rates["sessions"][0] == 7.1 and plain.rates["duration"][0] == 43.0
    keyed = cm.published_rates(reference, b"rows-and-secret")
    again = cm.published_rates(reference, b"rows-and-secret")
    assert np.array_equal(keyed.rates["sessions"], again.rates["sessions"])
    assert set(np.round(keyed.rates["sessions"], 6)) <= {7.1, 7.2, 7.0}


def test_the_outcomes_of_the_golden_records():
    """NPRS changes 4, 1, 1 points (tests/client/test_aggregate.py): mean 2, sd √3, 2 of 3
    improved. PSK 1.6 and 2.5: mean 2.05, sd 0.9 / √2 = 0.6364, 1 of 2 improved."""
    export = build_export(load_records(GOLDEN), 2025, dt.date(2026, 1, 15), agb_code="04123451")
    windows = export_document(export)["windows"]
    year = windows[-1]["outcomes"]

    nprs, psk = cm.outcome(year["nprs"]), cm.outcome(year["psk"])

    assert (nprs.n, nprs.mean_change) == (3, pytest.approx(2.0))
    assert nprs.sd_change == pytest.approx(math.sqrt(3))
    assert nprs.improved_share == pytest.approx(200 / 3)
    assert (psk.n, psk.mean_change, psk.improved_share) == (2, pytest.approx(2.05), 50.0)
    assert psk.sd_change == pytest.approx(0.9 / math.sqrt(2))
    assert cm.outcome(windows[2]["outcomes"]["psk"]) is None  # Q3 closed no episode


# --- Independent check: numpy on the raw records of a national sample -------------------------

TODAY = dt.date(2026, 6, 15)
PROVINCES = ("GR", "NH", "ZH", "NB", "LI", "GE", "UT", "OV", "FR", "ZE", "DR", "FL")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """Twelve practices' 2025: their records and their 1.1 exports' year windows (as in the
    exports' JSON documents)."""
    out = []
    for number, province in enumerate(PROVINCES):
        folder = tmp_path_factory.mktemp(f"practice{number}")
        generate_records(
            folder,
            seed=500 + number,
            years=range(2024, 2026),
            today=TODAY,
            patients_per_year=250,
            province=province,
        )
        records = load_records(folder)
        export = build_export(records, 2025, TODAY, agb_code=f"04{number:06d}")
        out.append((records, export_document(export)["windows"][-1]))
    return out


def closed_episodes(records):
    """Per episode closed in 2025, straight from the records: cell number, sessions, days."""
    held = {}
    for s in records.sessions:
        if not s.no_show:
            held.setdefault(s.episode_id, []).append(s.date)
    rows = []
    for e in records.episodes.values():
        if e.end_date is None or e.end_date.year != 2025:
            continue
        birth = records.patients[e.patient_id].birth_date
        age = 2025 - birth.year - ((birth.month, birth.day) > (1, 1))
        band = "age_0_17" if age < 18 else "age_18_44" if age < 45 else "age_45_64"
        band = "age_65_plus" if age >= 65 else band
        side = "chronic" if e.chronic else "non_chronic"
        dates = held.get(e.episode_id, [])
        days = (max(dates) - min(dates)).days if dates else 0
        rows.append((cm.CELLS.index((side, e.dcsph_group, band)), len(dates), days))
    return np.array(rows, dtype=np.float64)


def numpy_rates(episodes, practice, k):
    """The module's collapse rule written again on episodes: bincounts per stratum."""
    cell = episodes[:, 0].astype(int)
    strata = [cell, cell // len(codes.CASE_MIX_AGE_BAND_NAMES), cell // 24]
    sizes = [48, 12, 2]
    to_stratum = [np.arange(48), np.arange(48) // 4, np.arange(48) // 24]
    rates = {"sessions": np.full(48, np.nan), "duration": np.full(48, np.nan)}
    for ids, size, back in zip(strata, sizes, to_stratum, strict=True):
        count = np.bincount(ids, minlength=size)
        per_practice = np.zeros((practice.max() + 1, size))
        np.add.at(per_practice, (practice, ids), 1)
        contributors = (per_practice > 0).sum(axis=0)
        share = np.divide(per_practice.max(axis=0), count, where=count > 0, out=np.ones(size))
        ok = (contributors >= k) & (share <= 0.5) & (count > 0)
        for name, column in (("sessions", 1), ("duration", 2)):
            total = np.bincount(ids, weights=episodes[:, column], minlength=size)
            stratum_rate = np.where(ok, total / np.maximum(count, 1), np.nan)
            fill = np.isnan(rates[name])
            rates[name][fill] = stratum_rate[back][fill]
    return rates


def test_the_module_on_export_aggregates_agrees_with_numpy_on_the_episodes(sample):
    episodes = [closed_episodes(records) for records, _ in sample]
    practice = np.concatenate([np.full(len(e), i) for i, e in enumerate(episodes)])
    everything = np.concatenate(episodes)
    expected_rates = numpy_rates(everything, practice, k=5)

    cells = np.stack([cm.cell_matrix(w["case_mix"]) for _, w in sample])
    reference = cm.reference_rates(cm.by_field(cells), 5)
    for name in ("sessions", "duration"):
        np.testing.assert_allclose(reference.rates[name], expected_rates[name], rtol=1e-12)
    assert (reference.level >= 0).all()  # a national sample: every cell has some rate

    for (_, window), own in zip(sample, episodes, strict=True):
        for name, column in (("sessions", 1), ("duration", 2)):
            x = own[:, column]
            e = expected_rates[name][own[:, 0].astype(int)]
            theta = x.sum() / e.sum()
            n = len(x)
            se = math.sqrt(n / (n - 1) * ((x - theta * e) ** 2).sum()) / e.sum()

            index = cm.indirect_standardisation(
                cm.cell_matrix(window["case_mix"]), reference.rates[name], name
            )

            assert index.value == pytest.approx(theta, rel=1e-12)
            assert index.sd / math.sqrt(index.n) == pytest.approx(se, rel=1e-9)
            low, high = index.interval()
            assert (low, high) == pytest.approx((theta - Z * se, theta + Z * se), rel=1e-9)


def numpy_outcomes(records, instrument):
    """First and last score of each episode closed in 2025, scored on two days: change, improved."""
    closed = {
        e.episode_id
        for e in records.episodes.values()
        if e.end_date is not None and e.end_date.year == 2025
    }
    scores = {}
    for m in records.measurements:
        if m.instrument == instrument and m.episode_id in closed:
            scores.setdefault(m.episode_id, []).append((m.date, m.score_tenths / 10))
    pairs = np.array([(min(s)[1], max(s)[1]) for s in scores.values() if min(s)[0] < max(s)[0]])
    drop = pairs[:, 0] - pairs[:, 1]
    relative = np.divide(drop, pairs[:, 0], where=pairs[:, 0] > 0, out=np.zeros(len(drop)))
    if instrument == "nprs":
        improved = (drop >= 2 - 1e-9) | ((pairs[:, 0] > 0) & (relative >= 0.3 - 1e-9))
    else:
        improved = drop >= 2 - 1e-9
    return drop, improved


@pytest.mark.parametrize("instrument", ["nprs", "psk"])
def test_outcome_figures_agree_with_numpy_on_the_measurements(sample, instrument):
    for records, window in sample:
        drop, improved = numpy_outcomes(records, instrument)

        found = cm.outcome(window["outcomes"][instrument])

        assert found.n == len(drop)
        assert found.mean_change == pytest.approx(drop.mean(), rel=1e-12)
        assert found.sd_change == pytest.approx(drop.std(ddof=1), rel=1e-9)
        assert found.improved_share == pytest.approx(100 * improved.mean(), rel=1e-12)


def test_the_vectorised_indices_equal_the_index_of_each_practice():
    rng = np.random.default_rng(7)
    practices = np.zeros((60, len(cm.CELLS), len(cm.FIELDS)))
    for p in range(60):
        for c in rng.choice(len(cm.CELLS), size=5, replace=False):
            for _ in range(int(rng.integers(0, 4))):  # some practices hold one episode or none
                sessions, days = int(rng.integers(1, 40)), int(rng.integers(0, 200))
                practices[p, c] += [1, sessions, sessions**2, days, days**2]
    rates = rng.uniform(3, 30, len(cm.CELLS))
    rates[rng.choice(len(cm.CELLS), size=4, replace=False)] = np.nan  # cells without a rate
    for measure in cm.MEASURES:
        values, ns, sds = cm.indices(cm.by_field(practices), rates, measure)
        for p in range(60):
            one = cm.indirect_standardisation(practices[p], rates, measure)
            if one is None:
                assert np.isnan(values[p]) and np.isnan(sds[p])
                continue
            assert values[p] == pytest.approx(one.value) and ns[p] == one.n
            assert (np.isnan(sds[p]) and one.sd is None) or sds[p] == pytest.approx(one.sd)


def test_rates_and_indices_from_float32_fields_are_the_bits_of_float64_cells_in_practice_order():
    # What the statistics worker's cache hands out (recompute.CellsCache: field by field,
    # float32 where exact) must publish what the cells read as stored do (float64, per
    # practice): every figure the same to the bit, not merely close.
    rng = np.random.default_rng(11)
    episodes = rng.poisson(0.8, size=(400, len(cm.CELLS))) * (
        rng.random((400, len(cm.CELLS))) < 0.6
    )
    sessions = episodes * rng.integers(1, 30, size=(400, 1))  # over-dispersed: τ² > 0
    days = episodes * rng.integers(1, 400, size=(400, 1))
    practices = np.stack(
        [episodes, sessions, sessions * sessions // np.maximum(episodes, 1), days, days * days],
        axis=2,
    ).astype(np.float64)
    fields = np.ascontiguousarray(practices.transpose(2, 0, 1)).astype(np.float32)
    assert np.array_equal(fields, practices.transpose(2, 0, 1))  # exact in float32
    wide = cm.reference_rates(cm.by_field(practices), k=5)
    narrow = cm.reference_rates(fields, k=5)
    assert np.array_equal(wide.level, narrow.level)
    assert np.array_equal(wide.contributors, narrow.contributors)
    for measure in cm.MEASURES:
        assert wide.rates[measure].tobytes() == narrow.rates[measure].tobytes()
        rates = cm.published_rates(wide).rates[measure]
        expected = cm.indices(cm.by_field(practices), rates, measure)
        found = cm.indices(fields, rates, measure)
        assert all(a.tobytes() == b.tobytes() for a, b in zip(expected, found, strict=True))
        tau2 = cm.index_dispersion(cm.by_field(practices), rates, measure, 5)
        assert tau2 > 0 and cm.index_dispersion(fields, rates, measure, 5) == tau2


@pytest.mark.parametrize("block", [64, 2048])
def test_the_indices_are_the_bits_of_rates_masked_where_a_practice_has_no_episodes(
    monkeypatch, block
):
    # ``indices`` broadcasts the rates over every practice's cells, also the cells without
    # episodes (which the format keeps empty: ``cell_without_episodes``), a block of practices
    # at a time; the figures must be those of rates set to 0 there, as
    # ``indirect_standardisation`` takes them, all practices at once, to the bit.
    monkeypatch.setattr(cm, "_INDEX_BLOCK", block)
    rng = np.random.default_rng(13)
    episodes = rng.poisson(0.8, size=(300, len(cm.CELLS))) * (
        rng.random((300, len(cm.CELLS))) < 0.5
    )
    sessions = episodes * rng.integers(1, 30, size=(300, 1))
    days = episodes * rng.integers(1, 400, size=(300, 1))
    practices = np.stack(
        [episodes, sessions, sessions * sessions // np.maximum(episodes, 1), days, days * days],
        axis=2,
    ).astype(np.float64)
    rates = rng.uniform(3, 30, len(cm.CELLS))
    rates[[4, 17]] = np.nan  # cells without a rate: the practices with episodes there get none
    fields = cm.by_field(practices)
    for measure in cm.MEASURES:
        column, squares = cm.MEASURES[measure]
        n_c = fields[cm.EPISODES]
        r = np.where(n_c > 0, np.nan_to_num(rates), 0.0)
        n = n_c.sum(axis=1)
        missing = ((n_c > 0) & np.isnan(rates)).any(axis=1)
        expected = (n_c * r).sum(axis=1)
        valid = (n > 0) & ~missing & (expected > 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            theta = np.where(valid, fields[column].sum(axis=1) / expected, np.nan)
            residual = (
                fields[squares]
                - 2 * theta[:, None] * r * fields[column]
                + theta[:, None] ** 2 * n_c * r * r
            ).sum(axis=1)
            sd = np.sqrt(np.maximum(residual, 0.0) / (n - 1)) * n / expected
        sd = np.where(valid & (n >= 2), sd, np.nan)

        values, ns, sds = cm.indices(fields, rates, measure)

        assert missing.any() and valid.any()
        assert values.tobytes() == theta.tobytes()
        assert ns.tobytes() == n.tobytes()
        assert sds.tobytes() == sd.tobytes()
