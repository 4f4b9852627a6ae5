"""The synthetic records: reproducible, clean, and near the national references of domain.md §4."""

import datetime as dt
import filecmp

import pytest

from parabench_client.aggregate import build_export
from parabench_client.cli import main
from parabench_client.records import load_records
from parabench_client.synth import (
    NATIONAL_CONCERNS,
    PROVINCE_WEIGHTS,
    PROVINCES,
    generate_records,
    practice_size,
)
from parabench_format import histogram_median
from parabench_format.codes import AGE_BAND_NAMES, CONCERN_BY_UZOVI, INSURER_CONCERNS

TODAY = dt.date(2026, 6, 15)
FILES = ("patients.csv", "episodes.csv", "sessions.csv", "therapists.csv", "measurements.csv")


def generate(folder, seed, province="ZH", patients=200, years=range(2024, 2027)):
    return generate_records(
        folder, seed=seed, years=years, today=TODAY, patients_per_year=patients, province=province
    )


def test_the_same_seed_gives_the_same_files_byte_for_byte(tmp_path):
    generate(tmp_path / "a", seed=3)
    generate(tmp_path / "b", seed=3)
    generate(tmp_path / "c", seed=4)

    assert all(filecmp.cmp(tmp_path / "a" / f, tmp_path / "b" / f, shallow=False) for f in FILES)
    assert not filecmp.cmp(tmp_path / "a" / "sessions.csv", tmp_path / "c" / "sessions.csv")


@pytest.mark.parametrize(
    ("seed", "province", "patients"),
    [(1, "GR", 120), (2, "LI", 300), (3, None, 80), (4, "NH", 900)],
)
def test_every_generated_folder_loads_strictly_without_any_problem(
    tmp_path, seed, province, patients
):
    generate(tmp_path, seed=seed, province=province, patients=patients)

    records = load_records(tmp_path, strict=True)

    assert records.problems == []
    assert records.sessions and records.episodes and records.therapists


def test_records_stop_at_today_and_the_current_year_is_partial(tmp_path):
    generate(tmp_path, seed=5)

    records = load_records(tmp_path)

    assert max(s.date for s in records.sessions) <= TODAY
    assert max(s.date for s in records.sessions) >= TODAY - dt.timedelta(days=7)


def test_the_command_writes_the_four_files_and_says_how_much(tmp_path, capsys, client_config):
    out = tmp_path / "records"
    arguments = ["synth", "--out", str(out), "--year-from", "2025", "--year-to", "2026"]

    assert main([*arguments, "--seed", "9", "--size", "small", "--today", "2026-06-15"]) == 0

    assert sorted(p.name for p in out.iterdir()) == sorted(FILES)
    assert "Synthetische praktijkgegevens geschreven in" in capsys.readouterr().out


def test_the_command_refuses_an_unknown_province(tmp_path, capsys, client_config):
    arguments = ["synth", "--out", str(tmp_path), "--year-from", "2025", "--year-to", "2026"]

    assert main([*arguments, "--province", "XX"]) == 2

    assert "Onbekende provincie 'XX'" in capsys.readouterr().err


def test_practice_sizes_vary_around_a_typical_parabench_practice():
    sizes = [practice_size(seed) for seed in range(400)]

    assert 700 <= sum(sizes) / len(sizes) <= 1000
    assert min(sizes) < 400 and max(sizes) > 1500
    assert practice_size(1, "large") == 2000


@pytest.fixture(scope="module")
def national(tmp_path_factory):
    """The 2025 exports of 16 practices across the country, summed as one big sample.

    Three years of history before 2025, as in the demo: long (chronic) treatments need years to
    reach their steady share of the active and closed episodes."""
    provinces = ("GR", "FR", "DR", "OV", "FL", "GE", "UT", "NH", "ZH", "ZE", "NB", "LI")
    exports = []
    for seed in range(16):
        folder = tmp_path_factory.mktemp(f"practice{seed}")
        province = provinces[seed % 12]
        generate(folder, seed=100 + seed, province=province, patients=400, years=range(2023, 2026))
        records = load_records(folder)
        exports.append(build_export(records, 2025, TODAY, agb_code=f"04{seed:06d}"))
    return [next(w for w in e.windows if w.id == "Q1-Q4") for e in exports]


def share(part, whole):
    return part / whole


def total(windows, getter):
    return sum(getter(w) for w in windows)


def test_the_patient_mix_is_near_the_national_references(national):
    patients = total(national, lambda w: w.patients.total)
    female = total(national, lambda w: sum(w.patients.by_gender_age.female.model_dump().values()))
    midpoints = dict(zip(AGE_BAND_NAMES, (9, 23.5, 34.5, 44.5, 54.5, 64.5, 74.5, 85), strict=True))
    age_sum = 0.0
    for window in national:
        for gender in ("female", "male", "other"):
            bands = getattr(window.patients.by_gender_age, gender).model_dump()
            age_sum += sum(midpoints[band] * count for band, count in bands.items())

    assert 0.55 <= share(female, patients) <= 0.63
    assert 46 <= age_sum / patients <= 54
    assert 1.1 <= share(total(national, lambda w: w.episodes.active), patients) <= 1.35


def test_the_episode_mix_is_near_the_national_references(national):
    active = total(national, lambda w: w.episodes.active)
    started = total(national, lambda w: w.episodes.started)
    routes = [w.episodes.started_by_access_route for w in national]
    direct = sum(r.direct for r in routes)
    specialist = sum(r.specialist for r in routes)
    spine = total(national, lambda w: w.episodes.active_by_dcsph_group.spine)

    assert 0.12 <= share(total(national, lambda w: w.episodes.chronic_active), active) <= 0.22
    assert 0.66 <= share(direct, started) <= 0.80
    assert 0.35 <= share(specialist, started - direct) <= 0.50
    assert 0.35 <= share(spine, active) <= 0.45


def test_sessions_per_episode_are_skewed_like_the_national_figures(national):
    chronic = [w.closed_episodes.chronic for w in national]
    non_chronic = [w.closed_episodes.non_chronic for w in national]
    closed = sum(c.episodes for c in chronic + non_chronic)
    sessions = sum(c.sessions_total for c in chronic + non_chronic)
    histograms = [c.sessions_histogram for c in chronic + non_chronic]
    histogram = [sum(bins) for bins in zip(*histograms, strict=True)]

    assert 9 <= sessions / closed <= 13.5
    assert 4 <= histogram_median(histogram) <= 6
    assert sum(c.sessions_total for c in chronic) / sum(c.episodes for c in chronic) >= 25
    assert (
        5.5
        <= sum(c.sessions_total for c in non_chronic) / sum(c.episodes for c in non_chronic)
        <= 10
    )


def test_quality_figures_are_near_the_national_references(national):
    sides = [
        s for w in national for s in (w.closed_episodes.chronic, w.closed_episodes.non_chronic)
    ]
    closed = sum(s.episodes for s in sides)
    waiting = total(national, lambda w: w.waiting.episodes)

    assert 0.76 <= share(sum(s.goals_achieved for s in sides), closed) <= 0.86
    assert 0.79 <= share(sum(s.end_reasons.regular for s in sides), closed) <= 0.89
    assert 0.40 <= share(sum(s.outcome_measured for s in sides), closed) <= 0.60
    assert share(total(national, lambda w: w.waiting.within_5_working_days), waiting) >= 0.75


def test_session_types_tariffs_and_no_shows_are_near_the_national_references(national):
    sessions = total(national, lambda w: w.sessions.total)
    regular = total(national, lambda w: w.sessions.by_type.regular)
    contract_cents = total(
        national, lambda w: w.revenue.by_payer.basic + w.revenue.by_payer.supplementary
    )
    contract_sessions = total(
        national, lambda w: w.sessions.by_payer.basic + w.sessions.by_payer.supplementary
    )
    self_pay_cents = total(national, lambda w: w.revenue.by_payer.self_pay)
    self_pay_sessions = total(national, lambda w: w.sessions.by_payer.self_pay)
    revenue = total(national, lambda w: w.revenue.total_cents)

    assert 0.64 <= share(regular, sessions) <= 0.74
    assert 34.5 <= contract_cents / contract_sessions / 100 <= 38.5
    assert 42.5 <= self_pay_cents / self_pay_sessions / 100 <= 50
    assert 0.10 <= share(self_pay_cents, revenue) <= 0.22
    assert 0 < total(national, lambda w: w.sessions.no_shows) < 0.05 * sessions
    assert all(w.therapists.count >= 1 and w.therapists.fte_hundredths > 0 for w in national)


def test_every_insured_patient_has_a_concern_and_only_confirmed_uzovi_codes(tmp_path):
    generate(tmp_path, seed=6, province="GE", patients=400)
    lines = (tmp_path / "patients.csv").read_text(encoding="utf-8").splitlines()
    rows = [line.split(",") for line in lines[1:]]

    assert lines[0] == "patient_id,gender,birth_date,insurer_uzovi,insurer_concern"
    assert all(concern in INSURER_CONCERNS for _, _, _, _, concern in rows if concern)
    assert all(CONCERN_BY_UZOVI[uzovi] == concern for _, _, _, uzovi, concern in rows if uzovi)
    assert all(concern for _, _, _, uzovi, concern in rows if uzovi)
    # concerns without a confirmed UZOVI code are written by concern alone
    assert {"cz", "menzis"} <= {concern for _, _, _, uzovi, concern in rows if not uzovi}


@pytest.fixture(scope="module")
def by_province(tmp_path_factory):
    """Patients per insurer bucket in 2025, for two practices in every province."""
    counts = {}
    for index, province in enumerate(PROVINCES):
        mix = dict.fromkeys((*INSURER_CONCERNS, "self_pay"), 0)
        for seed in (200 + index, 300 + index):
            folder = tmp_path_factory.mktemp(f"{province}{seed}")
            generate(folder, seed=seed, province=province, patients=300, years=range(2025, 2026))
            window = build_export(load_records(folder), 2025, TODAY, agb_code="04123451")
            for bucket, count in window.windows[-1].patients.by_insurer.model_dump().items():
                mix[bucket] += count
        counts[province] = mix
    return counts


def test_the_pooled_insurer_mix_is_near_the_national_market_shares(by_province):
    """Each province weighted by its population, as the demo dataset places its practices."""
    weight = dict(zip(PROVINCES, PROVINCE_WEIGHTS, strict=True))
    pooled = dict.fromkeys(NATIONAL_CONCERNS, 0.0)
    self_pay = other = 0.0
    for province, mix in by_province.items():
        patients = sum(mix.values())
        for concern in pooled:
            pooled[concern] += weight[province] * mix[concern] / patients
        self_pay += weight[province] * mix["self_pay"] / patients
        other += weight[province] * mix["other"] / patients
    population = sum(PROVINCE_WEIGHTS)
    insured = (population - self_pay) / population
    national = sum(NATIONAL_CONCERNS.values())

    for concern, share in NATIONAL_CONCERNS.items():
        expected = share / national * insured
        assert pooled[concern] / population == pytest.approx(expected, rel=0.15, abs=0.006)
    assert other == 0
    assert self_pay / population < 0.03


def test_the_insurer_mix_follows_the_region(by_province):
    def leader(province):
        mix = by_province[province]
        return max(NATIONAL_CONCERNS, key=mix.get)

    assert leader("GR") == "menzis"
    assert {leader("ZE"), leader("NB"), leader("LI")} <= {"cz", "vgz"}
    assert {leader("NH"), leader("UT"), leader("FR")} == {"achmea"}
    assert by_province["OV"]["menzis"] > by_province["ZH"]["menzis"]
    assert by_province["LI"]["vgz"] > by_province["NH"]["vgz"]


def test_practices_differ_in_how_long_new_patients_wait(national):
    """The waiting-time KPI (median days from registration to first session) must vary between
    practices, or it says nothing (it once was 4.0 days for every practice)."""
    medians = [histogram_median(w.waiting.days_histogram) for w in national]
    assert len(set(medians)) >= 4
    assert max(medians) - min(medians) >= 3
    within = [w.waiting.within_5_working_days / w.waiting.episodes for w in national]
    assert max(within) - min(within) >= 0.15


def cell_mean(windows, side, band=None, group=None):
    """Sessions per closed episode over the matching case-mix cells of all windows."""
    episodes = sessions = 0
    for window in windows:
        for group_name, bands in getattr(window.case_mix, side).model_dump().items():
            for band_name, cell in bands.items():
                if band in (None, band_name) and group in (None, group_name):
                    episodes += cell["episodes"]
                    sessions += cell["sessions_total"]
    return sessions / episodes


def test_case_mix_changes_the_length_of_treatments(national):
    """Chronic longer; older patients and generalised complaints longer: what adjustment is for."""
    assert cell_mean(national, "chronic") > 3 * cell_mean(national, "non_chronic")
    assert cell_mean(national, "non_chronic", band="age_65_plus") > 1.15 * cell_mean(
        national, "non_chronic", band="age_18_44"
    )
    assert cell_mean(national, "non_chronic", group="generalised") > 1.15 * cell_mean(
        national, "non_chronic", group="head_neck"
    )


def test_practices_lean_towards_their_own_age_mix(national):
    elderly = []
    for window in national:
        cells = window.case_mix.model_dump()
        closed = sum(c["episodes"] for s in cells.values() for g in s.values() for c in g.values())
        old = sum(g["age_65_plus"]["episodes"] for s in cells.values() for g in s.values())
        elderly.append(old / closed)
    assert max(elderly) - min(elderly) > 0.12


def test_outcomes_improve_like_physiotherapy_patients_do(national):
    for instrument, first_mean in (("nprs", 6.0), ("psk", 6.8)):
        measures = [getattr(w.outcomes, instrument) for w in national]
        measured = sum(m.measured for m in measures)
        closed = sum(w.episodes.ended for w in national)
        change = sum(m.baseline_tenths_total - m.final_tenths_total for m in measures) / 10
        improved = sum(m.improved for m in measures)

        assert 0.25 <= measured / closed <= 0.55  # about half use a measure, some closed at once
        first = sum(m.baseline_tenths_total for m in measures) / 10 / measured
        assert abs(first - first_mean) < 0.4
        assert 1.5 <= change / measured <= 3.5
        assert 0.45 <= improved / measured <= 0.8
