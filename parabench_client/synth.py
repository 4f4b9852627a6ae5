"""Synthetic practice records for tests and the demo, drawn around the national values.

Why synthetic and not anonymised real data: real records are personal data and never leave a
practice. The generator writes the same four CSV files any practice software would
(docs/practice-records.md), so the whole path — reading, aggregating, exporting, sending,
importing, comparing — runs on it unchanged.

Each practice gets its own profile (female share, chronic share, direct access, tariffs, …)
drawn around the national references of the domain brief §4/§5, so peers differ the way real
practices do; within a practice, episodes and sessions are drawn from that profile. Sessions per
episode are skewed (lognormal): non-chronic median ≈ 5 (mean ≈ 8), chronic ≈ 36, ≈ 10 on average;
about one session in 1½ weeks (closer together at the start), so a treatment lasts ≈ 6 weeks at
the median. ≈ 9 % of new episodes are chronic, which makes ≈ 15 % of the episodes active in a year
(chronic ones run longer). Checked against the brief on 32 generated practices (2025, 400
patients a year, with the case-mix effects below): chronic share 15.7 %, treatment duration median
6 weeks, 10.8 sessions per closed episode (chronic 40.0, non-chronic 8.4), median 5 sessions, goals
achieved 83 %; NPRS 75.9 % clinically improved (mean −2.6 points), PSK 62.0 % (−2.4).
Case mix (format 1.1): how many sessions an episode gets also depends on its body region and the
patient's age (CASE_MIX_SESSIONS below: older patients and generalised, leg and thorax complaints
longer, children and head/neck shorter), practices lean towards their own age and region mix, and
each practice has its own way of working (a factor on every treatment's length) — so a practice
with many elderly chronic patients has a high crude average but an ordinary adjusted index, which
is what the case-mix adjustment is for. Outcome measures: for episodes whose outcome_measured is 1,
an NPRS and (mostly) a PSK at the first session, and again at the last one when the episode is
closed; chronic and older patients improve less, and practices differ. These draws come from
streams of their own (seeded "mix-…" and "outcome-…"), so every other draw stays as it was.
One seed gives the same files, byte for byte. Everything runs on plain ``random.Random`` and date
ordinals, which keeps a practice-year of ≈ 10,000 sessions well under a second.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

from parabench_format import codes

PROVINCES = ("GR", "FR", "DR", "OV", "FL", "GE", "UT", "NH", "ZH", "ZE", "NB", "LI")
# Rough share of the population per province: where practices (and demo practices) are.
PROVINCE_WEIGHTS = (3.4, 3.7, 2.8, 6.6, 2.5, 12.0, 7.8, 16.4, 21.3, 2.2, 14.6, 6.3)

SIZES = {"small": 350, "medium": 850, "large": 2000}
TYPICAL_PATIENTS = 850

# Insurer concerns: national share of insured (domain brief §5) and a regional tilt per province
# (CZ/VGZ lead in the south, Menzis in Groningen and the east, Achmea in the north-west/middle).
# The tilts only say where a concern is stronger; REGIONAL_CONCERNS rescales them so that the
# provinces, weighted by population, add up to the national shares again.
NATIONAL_CONCERNS = {
    "achmea": 29.3,
    "vgz": 23.6,
    "cz": 20.7,
    "menzis": 11.5,
    "dsw": 4.3,
    "asr": 3.1,
    "zorg_en_zekerheid": 3.1,
    "onvz": 2.4,
    "salland": 1.0,
    "caresq": 0.9,
}
REGIONAL_TILT = {
    "GR": {"menzis": 4.5, "achmea": 0.8, "cz": 0.4, "vgz": 0.6},
    "FR": {"achmea": 1.8, "menzis": 1.2, "cz": 0.4, "vgz": 0.6},
    "DR": {"menzis": 2.2, "achmea": 1.3, "cz": 0.4},
    "OV": {"menzis": 3.0, "salland": 5.0, "achmea": 0.8, "cz": 0.5},
    "FL": {"achmea": 1.3},
    "GE": {"menzis": 1.8, "vgz": 1.2, "cz": 0.7},
    "UT": {"achmea": 1.4},
    "NH": {"achmea": 1.5, "cz": 0.7, "vgz": 0.8},
    "ZH": {"dsw": 2.5, "zorg_en_zekerheid": 2.0, "achmea": 1.1},
    "ZE": {"cz": 2.2, "achmea": 0.6},
    "NB": {"cz": 1.6, "vgz": 1.6, "achmea": 0.5, "menzis": 0.4},
    "LI": {"cz": 1.7, "vgz": 1.7, "achmea": 0.4, "menzis": 0.3},
}


def _regional_concerns(rounds: int = 50) -> dict[str, dict[str, float]]:
    """Share of each concern per province: national × tilt, fitted to the national shares.

    Why fitted: a tilt towards Menzis in the north-east must be paid for elsewhere, or the country
    as a whole would hold more Menzis patients than Menzis has insured. Iterative proportional
    fitting alternates between scaling each concern to its national share (over the provinces,
    weighted by population) and scaling each province to 100 %.
    """
    total = sum(NATIONAL_CONCERNS.values())
    national = {c: share / total for c, share in NATIONAL_CONCERNS.items()}
    weights = dict(zip(PROVINCES, PROVINCE_WEIGHTS, strict=True))
    population = sum(PROVINCE_WEIGHTS)
    shares = {
        p: {c: national[c] * REGIONAL_TILT.get(p, {}).get(c, 1.0) for c in national}
        for p in PROVINCES
    }
    for _ in range(rounds):
        for c in national:
            mean = sum(weights[p] * shares[p][c] for p in PROVINCES) / population
            for p in PROVINCES:
                shares[p][c] *= national[c] / mean
        for p in PROVINCES:
            row = sum(shares[p].values())
            shares[p] = {c: value / row for c, value in shares[p].items()}
    return shares


REGIONAL_CONCERNS = _regional_concerns()
SELF_PAY_PATIENTS = 0.012  # no insurer on file: the patient pays every session himself

# Age bands of patients at their first episode (mean age ≈ 50).
AGE_BANDS = ((0, 17, 8), (18, 29, 12), (30, 39, 13), (40, 49, 15), (50, 59, 18), (60, 69, 16),
             (70, 79, 12), (80, 95, 6))  # fmt: skip
CHRONIC_AGE_FACTOR = ((17, 0.5), (49, 0.7), (69, 1.2), (200, 1.7))

# DCSPH: body-location codes per location group, their weights, and some pathology codes.
DCSPH_LOCATIONS = (
    (("10", "11", "12", "13", "14", "15", "16", "17"), 6),  # head and neck
    (("20", "21", "22", "23", "24", "25", "26"), 5),  # thorax and abdomen
    (("30", "31", "32", "33", "34", "35", "36", "39"), 40),  # spine
    (("40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "52", "59"), 23),  # arm
    (("60", "61", "62", "63", "64", "70", "71", "72", "75", "76", "79"), 23),  # leg
    (("90", "91", "92", "93"), 3),  # generalised
)
DCSPH_PATHOLOGIES = ("00", "01", "02", "05", "06", "11", "13", "14", "15", "17", "19", "21",
                     "24", "29", "32", "38", "40", "41", "45", "48", "49", "70", "71")  # fmt: skip


def _mix_mean() -> float:
    """The national mean of the case-mix factors, over the national age and location weights."""
    total = sum(weight for _, _, weight in AGE_BANDS)
    ages = sum(weight * AGE_SESSIONS[codes.case_mix_age_band((low + high) // 2)]
               for low, high, weight in AGE_BANDS) / total  # fmt: skip
    weights = sum(weight for _, weight in DCSPH_LOCATIONS)
    regions = sum(weight * REGION_SESSIONS[codes.dcsph_group(location[0] + "00")]
                  for location, weight in DCSPH_LOCATIONS) / weights  # fmt: skip
    return ages * regions


DIRECT_TREND, DIRECT_YEAR = 0.01, 2024  # direct access grew ≈ 1 point a year: 71 % → 74 %
REFERRAL_ROUTES = (("gp", 50), ("specialist", 42), ("other", 8))
END_REASONS = (("regular", 84), ("patient_stopped", 8), ("referred", 4), ("other", 4))
SUPPLEMENTARY_COVER = ((0, 5), (9, 9), (12, 15), (18, 26), (27, 24), (1000, 21))

# Tariff per session type relative to a regular session.
CODE_FACTOR = {"1000": 1.0, "1001": 1.25, "1002": 1.15, "1100": 1.1, "1864": 1.35,
               "1870": 1.35, "1871": 1.55, "1920": 0.7}  # fmt: skip
CONTRACT_TARIFF = 34.9  # regular session 2024 → ≈ € 36.53 average over all contract sessions
SELF_PAY_TARIFF = 40.5  # regular 2024 → ≈ € 46 over all self-pay sessions (intakes, home visits)
TARIFF_YEAR = 2024
TARIFF_INDEXATION = 0.02

PATIENT_HEADER = ("patient_id", "gender", "birth_date", "insurer_uzovi", "insurer_concern")
EPISODE_HEADER = ("episode_id", "patient_id", "registration_date", "start_date", "end_date",
                  "dcsph_code", "chronic", "access_route", "end_reason", "goals_achieved",
                  "outcome_measured")  # fmt: skip
SESSION_HEADER = ("session_id", "episode_id", "date", "performance_code", "payer", "amount",
                  "no_show")  # fmt: skip
THERAPIST_HEADER = ("therapist_id", "fte", "start_date", "end_date")
MEASUREMENT_HEADER = ("episode_id", "instrument", "date", "score")

# Case mix: sessions of an episode relative to the national average, by DCSPH location group and
# by case-mix age band, scaled so the country as a whole keeps its average (≈ 1 over the weights).
REGION_SESSIONS = {
    "head_neck": 0.85,
    "thorax_abdomen": 1.2,
    "spine": 0.95,
    "shoulder_arm_hand": 1.0,
    "pelvis_leg_foot": 1.1,
    "generalised": 1.3,
}
AGE_SESSIONS = {"age_0_17": 0.8, "age_18_44": 0.9, "age_45_64": 1.0, "age_65_plus": 1.2}
_MIX_MEAN = _mix_mean()


@dataclass(frozen=True)
class Totals:
    patients: int
    episodes: int
    sessions: int
    therapists: int


@dataclass
class Profile:
    """What makes this practice itself: its shares and tariffs around the national values."""

    province: str
    female: float
    chronic: float
    direct: float
    outcome: float
    goals_if_regular: float
    regular_end: float
    no_show: float
    paediatric: bool
    growth: float
    sessions_per_fte: float
    contract_tariff: dict
    self_pay_tariff: float
    concerns: list
    concern_weights: list
    # How long this practice makes new patients wait, as a multiple of the national spread
    # (1 = typical): practices differ, so the waiting-time KPIs have something to compare.
    waiting: float = 1.0
    # Case mix: the practice's age-band and DCSPH-location weights, its own factor on the length
    # of every treatment, and how much its patients improve beyond what their mix predicts.
    age_weights: tuple = tuple(weight for _, _, weight in AGE_BANDS)
    locations: tuple = DCSPH_LOCATIONS
    sessions_factor: float = 1.0
    outcome_effect: float = 0.0


def _clamp(value: float, low: float, high: float) -> float:
    return min(high, max(low, value))


def practice_size(seed: int, size: str | None = None) -> int:
    """Patients per year: the named size, or a typical ParaBench practice drawn from the seed."""
    if size:
        return SIZES[size]
    rng = random.Random(f"size-{seed}")
    return int(_clamp(round(math.exp(rng.gauss(math.log(760), 0.45))), 150, 5000))


def concern_codes() -> dict[str, list[str]]:
    """UZOVI codes per concern, taken from the format's own table (one source of truth).

    Only confirmed codes are written; a patient of a concern without one gets an empty
    insurer_uzovi and the concern in insurer_concern, as practice software that knows the concern
    would write it (docs/practice-records.md). No UZOVI code is ever made up here.
    """
    by_concern: dict[str, list[str]] = {}
    for uzovi, concern in sorted(codes.CONCERN_BY_UZOVI.items()):
        by_concern.setdefault(concern, []).append(uzovi)
    return by_concern


def _profile(rng: random.Random, province: str | None) -> Profile:
    province = province or rng.choices(PROVINCES, PROVINCE_WEIGHTS)[0]
    regional = REGIONAL_CONCERNS[province]
    concerns = list(NATIONAL_CONCERNS)
    weights = [regional[c] * _clamp(rng.gauss(1.0, 0.15), 0.5, 1.5) for c in concerns]
    contract = {c: CONTRACT_TARIFF * _clamp(rng.gauss(1.0, 0.03), 0.9, 1.1) for c in concerns}
    return Profile(
        province=province,
        female=_clamp(rng.gauss(0.59, 0.03), 0.45, 0.72),
        chronic=_clamp(rng.gauss(0.088, 0.022), 0.03, 0.22),
        direct=_clamp(rng.gauss(0.72, 0.06), 0.45, 0.92),
        outcome=_clamp(rng.gauss(0.50, 0.12), 0.1, 0.95),
        goals_if_regular=_clamp(rng.gauss(0.92, 0.03), 0.75, 0.99),
        regular_end=_clamp(rng.gauss(0.84, 0.04), 0.65, 0.95),
        no_show=_clamp(rng.gauss(0.025, 0.01), 0.002, 0.07),
        paediatric=rng.random() < 0.35,
        growth=_clamp(rng.gauss(0.03, 0.07), -0.15, 0.25),
        sessions_per_fte=_clamp(rng.gauss(4800, 600), 3200, 6500),
        contract_tariff=contract,
        self_pay_tariff=SELF_PAY_TARIFF * _clamp(rng.gauss(1.0, 0.05), 0.85, 1.2),
        concerns=concerns,
        concern_weights=weights,
    )


class _Writer:
    """Accumulates rows as tuples of text; sessions, by far the most, as finished CSV lines."""

    def __init__(self):
        self.patients: list[tuple] = []
        self.episodes: list[tuple] = []
        self.sessions: list[str] = []
        self.therapists: list[tuple] = []
        self.measurements: list[tuple] = []
        self.amounts: dict[tuple[float, str, int], str] = {}  # (tariff, code, year) → "36.53"


_ISO_CACHE: dict[int, str] = {}
_YEAR_CACHE: dict[int, int] = {}


def _year(ordinal: int) -> int:
    year = _YEAR_CACHE.get(ordinal)
    if year is None:
        year = _YEAR_CACHE[ordinal] = dt.date.fromordinal(ordinal).year
    return year


def _iso(ordinal: int | None) -> str:
    if ordinal is None:
        return ""
    text = _ISO_CACHE.get(ordinal)
    if text is None:
        text = _ISO_CACHE[ordinal] = dt.date.fromordinal(ordinal).isoformat()
    return text


def _workday(ordinal: int) -> int:
    """Move a Saturday or Sunday to the next Monday (ordinal 1 is a Monday)."""
    weekday = (ordinal - 1) % 7
    return ordinal + (7 - weekday if weekday >= 5 else 0)


def _pick(rng: random.Random, table) -> str:
    total = sum(weight for _, weight in table)
    point = rng.random() * total
    for value, weight in table:
        point -= weight
        if point < 0:
            return value
    return table[-1][0]


def _sessions_count(rng: random.Random, chronic: bool) -> int:
    if chronic:
        return int(_clamp(round(rng.lognormvariate(math.log(36), 0.7)), 3, 150))
    return int(_clamp(round(rng.lognormvariate(math.log(4.8), 1.12)), 1, 80))


def _waiting_workdays(rng: random.Random, level: float = 1.0) -> int:
    roll = rng.random()
    if roll < 0.70:
        days = rng.randint(0, 3)
    elif roll < 0.87:
        days = rng.randint(4, 5)
    else:
        days = rng.randint(6, 25)
    return round(days * level)


def _case_mix(seed, profile: Profile) -> None:
    """The practice's own mix and way of working, from a stream of its own: older or younger
    patients (a tilt over the age bands), a third of practices with a speciality (one location
    group twice as common), treatments 0.75–1.35 × the usual length, outcomes ± a point."""
    rng = random.Random(f"mix-{seed}")
    tilt = _clamp(rng.gauss(0.0, 0.35), -0.8, 0.8)
    profile.age_weights = tuple(
        weight * math.exp(tilt * (index - 3.5) / 3.5)
        for index, (_, _, weight) in enumerate(AGE_BANDS)
    )
    speciality = rng.randrange(len(DCSPH_LOCATIONS)) if rng.random() < 0.35 else None
    profile.locations = tuple(
        (codes_, weight * (2.0 if index == speciality else 1.0))
        for index, (codes_, weight) in enumerate(DCSPH_LOCATIONS)
    )
    profile.sessions_factor = _clamp(rng.lognormvariate(0.0, 0.12), 0.75, 1.35)
    profile.outcome_effect = _clamp(rng.gauss(0.0, 0.5), -1.2, 1.2)


def _waiting_level(seed) -> float:
    """The practice's waiting level, from its own random stream (the main stream, and with it
    every other synthetic figure, stays as it was): median 1, most practices 0.5–2."""
    return _clamp(random.Random(f"wait-{seed}").lognormvariate(0.0, 0.5), 0.3, 3.0)


def _minus_workdays(ordinal: int, workdays: int) -> int:
    weeks, rest = divmod(workdays, 5)
    ordinal -= weeks * 7
    while rest:
        ordinal -= 1
        if (ordinal - 1) % 7 < 5:
            rest -= 1
    return ordinal


def generate_records(
    folder: Path,
    *,
    seed: int,
    years: range,
    today: dt.date,
    patients_per_year: int,
    province: str | None,
) -> Totals:
    """Write the four CSV files for ``years`` (up to ``today``) into ``folder``.

    The year before the first year is generated too, so that the first quarter already has
    treatments that started earlier, as in a real practice.
    """
    rng = random.Random(seed)
    profile = _profile(rng, province.upper() if province else None)
    profile.waiting = _waiting_level(seed)
    _case_mix(seed, profile)
    outcome_rng = random.Random(f"outcome-{seed}")
    rows = _Writer()
    first, last = years[0], years[-1]
    data_end = min(dt.date(last, 12, 31), today).toordinal()
    codes_by_concern = concern_codes()

    # (id, birth ordinal, gender, uzovi, concern, supplementary cover); "" concern = self-pay
    pool: list[tuple[str, int, str, str, str, int]] = []
    cover_used: dict[tuple[str, int], int] = {}
    counters = {"patient": 0, "episode": 0, "session": 0}
    expected_sessions = 0.0

    def new_patient(start: int) -> tuple:
        counters["patient"] += 1
        patient_id = f"P{counters['patient']:06d}"
        low, high, _ = AGE_BANDS[_band_index(rng, profile.age_weights)]
        age = rng.randint(low, high)
        birth = start - int(age * 365.25) - rng.randint(0, 364)
        roll = rng.random()
        gender = "F" if roll < profile.female else ("X" if roll > 0.996 else "M")
        uzovi = concern = ""
        if rng.random() >= SELF_PAY_PATIENTS:
            concern = rng.choices(profile.concerns, profile.concern_weights)[0]
            known = codes_by_concern.get(concern)
            uzovi = rng.choice(known) if known else ""
        cover = int(_pick(rng, SUPPLEMENTARY_COVER))
        patient = (patient_id, birth, gender, uzovi, concern, cover)
        rows.patients.append((patient_id, gender, _iso(birth), uzovi, concern))
        pool.append(patient)
        return patient

    for year in range(first - 1, last + 1):
        year_begin = dt.date(year, 1, 1).toordinal()
        year_end = dt.date(year, 12, 31).toordinal()
        if year_begin > data_end:
            break
        fraction = (year_end - year_begin + 1) / 365.0
        size = patients_per_year * (1 + profile.growth) ** (year - first)
        starters = int(round(size * 0.86 * fraction * _clamp(rng.gauss(1.0, 0.03), 0.9, 1.1)))
        span = year_end - year_begin + 1
        for _ in range(starters):
            start = _workday(year_begin + rng.randrange(span))
            if start > data_end:
                continue
            returning = pool and rng.random() < 0.22
            patient = pool[rng.randrange(len(pool))] if returning else new_patient(start)
            episodes_this_year = 1 + (rng.random() < 0.2) + (rng.random() < 0.04)
            for _k in range(episodes_this_year):
                if start > min(year_end, data_end):
                    break
                expected_sessions += _episode(
                    rng, profile, rows, counters, cover_used, patient, start, data_end, outcome_rng
                )
                start = _workday(start + rng.randint(40, 200))

    therapist_fte = expected_sessions / max(1, last - first + 1.5) / profile.sessions_per_fte
    _therapists(rng, rows, therapist_fte, first, data_end)
    _write(Path(folder), rows)
    return Totals(len(rows.patients), len(rows.episodes), len(rows.sessions), len(rows.therapists))


def _band_index(rng: random.Random, weights) -> int:
    point = rng.random() * sum(weights)
    for index, weight in enumerate(weights):
        point -= weight
        if point < 0:
            return index
    return len(weights) - 1


def _episode(
    rng, profile: Profile, rows: _Writer, counters, cover_used, patient, start, data_end, outcomes
):
    """One episode, its sessions and its outcome measures; returns how many sessions took place."""
    patient_id, birth, _gender, _uzovi, concern, cover = patient
    age = (start - birth) // 365
    factor = next(f for limit, f in CHRONIC_AGE_FACTOR if age <= limit) / 1.056
    chronic = rng.random() < profile.chronic * factor
    direct = rng.random() < profile.direct + DIRECT_TREND * (_year(start) - DIRECT_YEAR)
    route = "direct" if direct else _pick(rng, REFERRAL_ROUTES)
    locations = _pick(rng, profile.locations)
    dcsph = rng.choice(locations) + rng.choice(DCSPH_PATHOLOGIES)
    registration = _minus_workdays(start, _waiting_workdays(rng, profile.waiting))

    at_home = rng.random() < (0.5 if age >= 75 else 0.15 if age >= 65 else 0.04)
    institution = not at_home and rng.random() < (0.25 if age >= 80 else 0.03)
    paediatric = profile.paediatric and age < 18
    regular_code = (
        "1001" if at_home else "1002" if institution else "1100" if paediatric else "1000"
    )
    intake_code = "1864" if direct else ("1871" if at_home else "1870")

    group = codes.dcsph_group(dcsph)
    band = codes.case_mix_age_band(age)
    mix = REGION_SESSIONS[group] * AGE_SESSIONS[band] * profile.sessions_factor / _MIX_MEAN
    planned = max(1, round(_sessions_count(rng, chronic) * mix))
    gap = _clamp(rng.lognormvariate(math.log(12), 0.6), 2, 35)
    counters["episode"] += 1
    episode_id = f"E{counters['episode']:07d}"
    day = start
    held = 0
    last_day = start
    completed = True
    contract = profile.contract_tariff.get(concern, CONTRACT_TARIFF)
    self_pay_tariff = profile.self_pay_tariff
    no_show_share = profile.no_show
    # Why so much by hand: this loop writes every session row (≈ 60,000 for a typical practice
    # over four years), so who pays, the move off weekends and the tariffs are inlined here, and
    # amounts are formatted once per (tariff, code, year). The draws from `rng` and their order
    # are exactly those of the plain version, so a seed still gives the same files.
    random_ = rng.random
    session_lines = rows.sessions
    amount_text = rows.amounts
    iso_text = _ISO_CACHE
    session_number = counters["session"]
    year = year_last = 0
    basic_from = 20 if chronic and age >= 18 else planned
    basic_until = 18 if age < 18 else 0
    cover_key = cover_used_year = None
    used = 0
    for index in range(planned):
        if day > data_end:
            completed = False
            break
        if day > year_last:
            year = _year(day)
            year_last = dt.date(year, 12, 31).toordinal()
        code = intake_code if index == 0 else regular_code
        if index and code == "1000" and random_() < 0.07:
            code = "1920"
        iso = iso_text.get(day) or _iso(day)
        session_number += 1
        if random_() < no_show_share and index:
            if random_() < 0.5:
                key = (self_pay_tariff, "no_show", year)
                amount = amount_text.get(key)
                if amount is None:
                    factor_year = (1 + TARIFF_INDEXATION) ** (year - TARIFF_YEAR)
                    amount = amount_text[key] = f"{self_pay_tariff * factor_year * 0.8:.2f}"
            else:
                amount = "0"
            session_lines.append(
                f"S{session_number:08d},{episode_id},{iso},{code},self_pay,{amount},1"
            )
        else:
            # Who pays: nobody insured → the patient; chronic adults from the 21st session and
            # children up to the 18th → basic insurance; else the supplementary cover of this
            # calendar year (sessions per year, shared by the patient's episodes) → the patient.
            if not concern:
                payer = "self_pay"
            elif index >= basic_from or index < basic_until:
                payer = "basic"
            else:
                if cover_used_year != year:
                    if cover_key is not None:
                        cover_used[cover_key] = used
                    cover_key, cover_used_year = (patient_id, year), year
                    used = cover_used.get(cover_key, 0)
                if used < cover:
                    used += 1
                    payer = "supplementary"
                else:
                    payer = "self_pay"
            tariff = self_pay_tariff if payer == "self_pay" else contract
            key = (tariff, code, year)
            amount = amount_text.get(key)
            if amount is None:
                factor_year = (1 + TARIFF_INDEXATION) ** (year - TARIFF_YEAR)
                amount = amount_text[key] = f"{tariff * CODE_FACTOR[code] * factor_year:.2f}"
            session_lines.append(
                f"S{session_number:08d},{episode_id},{iso},{code},{payer},{amount},0"
            )
            held += 1
        last_day = day
        step = gap * (0.8 if index < 3 else 1.0) * (0.5 + random_())
        rounded = round(step)
        day += rounded if rounded > 1 else 1
        weekday = (day - 1) % 7  # ordinal 1 is a Monday: move a weekend day to Monday
        if weekday >= 5:
            day += 7 - weekday
    if cover_key is not None:
        cover_used[cover_key] = used
    counters["session"] = session_number

    # Closed once the last session lies two weeks back; later ones may still get a session.
    if completed and last_day + 14 <= data_end:
        regular = rng.random() < profile.regular_end
        reason = "regular" if regular else _pick(rng, END_REASONS[1:])
        goals = rng.random() < (profile.goals_if_regular if regular else 0.23)
        end, reason_text, goals_text = _iso(last_day), reason, "1" if goals else "0"
    else:
        end, reason_text, goals_text = "", "", ""
    outcome = "1" if rng.random() < profile.outcome else "0"
    if outcome == "1":
        closed_on = last_day if end else None
        _measurements(outcomes, profile, rows, episode_id, start, closed_on, chronic, age)
    rows.episodes.append(
        (
            episode_id,
            patient_id,
            _iso(registration),
            _iso(start),
            end,
            dcsph,
            "1" if chronic else "0",
            route,
            reason_text,
            goals_text,
            outcome,
        )  # fmt: skip
    )
    return held


def _measurements(rng, profile: Profile, rows: _Writer, episode_id, start, end, chronic, age):
    """NPRS (and in four of five episodes PSK) at the first session and, for a closed episode
    that lasted beyond its first day, at the last. Chronic and older patients improve less."""
    expected = (
        3.0 - (1.4 if chronic else 0.0) - (0.5 if age >= 65 else 0.0) + profile.outcome_effect
    )
    instruments = ("NPRS", "PSK") if rng.random() < 0.8 else ("NPRS",)
    for instrument in instruments:
        if instrument == "NPRS":
            first = round(_clamp(rng.gauss(6.0, 1.8), 1, 10))
            last = round(_clamp(first - rng.gauss(expected, 1.8), 0, 10))
            scores = (str(first), str(last))
        else:
            first = round(_clamp(rng.gauss(6.8, 1.4), 1, 10), 1)
            last = round(_clamp(first - rng.gauss(expected * 0.9, 1.6), 0, 10), 1)
            scores = (f"{first:.1f}", f"{last:.1f}")
        rows.measurements.append((episode_id, instrument, _iso(start), scores[0]))
        if end is not None and end > start:
            rows.measurements.append((episode_id, instrument, _iso(end), scores[1]))


def _therapists(rng, rows: _Writer, fte_needed: float, first_year: int, data_end: int) -> None:
    choices = (0.4, 0.5, 0.6, 0.7, 0.8, 0.8, 0.9, 1.0, 1.0)
    total = 0.0
    number = 0
    while total < max(0.4, fte_needed):
        fte = rng.choice(choices)
        number += 1
        rows.therapists.append((f"T{number:03d}", f"{fte:.1f}", "", ""))
        total += fte
    # Staff changes: one therapist left during the period, one joined.
    span_begin = dt.date(first_year, 1, 1).toordinal()
    if data_end - span_begin > 200:
        number += 1
        left = span_begin + rng.randrange(data_end - span_begin)
        rows.therapists.append((f"T{number:03d}", "0.6", "", _iso(left)))
        number += 1
        joined = span_begin + rng.randrange(data_end - span_begin)
        rows.therapists.append((f"T{number:03d}", "0.5", _iso(joined), ""))


def _write(folder: Path, rows: _Writer) -> None:
    """The five files, as csv.writer would write them.

    Why plain joins: every field is an id, a code, a date or an amount — never a comma, quote or
    line break — so csv quoting never applies and joining gives the same bytes, faster.
    """
    folder.mkdir(parents=True, exist_ok=True)
    for name, header, lines in (
        ("patients.csv", PATIENT_HEADER, map(",".join, rows.patients)),
        ("episodes.csv", EPISODE_HEADER, map(",".join, rows.episodes)),
        ("sessions.csv", SESSION_HEADER, rows.sessions),
        ("therapists.csv", THERAPIST_HEADER, map(",".join, rows.therapists)),
        ("measurements.csv", MEASUREMENT_HEADER, map(",".join, rows.measurements)),
    ):
        with open(folder / name, "w", encoding="utf-8", newline="") as stream:
            text = "\n".join(lines)
            stream.write(",".join(header) + "\n" + (text + "\n" if text else ""))
