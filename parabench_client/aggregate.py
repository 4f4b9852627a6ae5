"""From checked practice records to one export of management information (parabench-mi/1.1).

Why aggregate per quarter and build the year-to-date windows from per-record quarter masks: sums
(sessions, revenue, closed episodes) of a year-to-date window are the sums of its quarters, but
distinct counts (patients, active episodes, therapists) are not, so for those every record carries
the set of quarters it appears in and each window counts the records that touch it. Nothing of a
record (id, birth date, amount, code) is copied into the export: only counts and sums leave here.
Format 1.1 adds the closed episodes in case-mix cells and the outcome measures; a 1.0 export
(`format_version=FORMAT_1_0`, for a portal that does not read 1.1 yet) is the same without them.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from parabench_client import __version__
from parabench_client.records import Records, Session
from parabench_format import codes, periods
from parabench_format.models import FIELDS_1_1, FORMAT, FORMAT_1_1, FORMATS, Export
from parabench_format.validate import consistency_problems

# What the client writes as software.name and .version (docs/example-export.json shows the same).
DEFAULT_SOFTWARE = ("parabench-client", __version__)


class ExportInconsistent(RuntimeError):
    """The built export breaks a consistency rule: a defect in this module, never the user's."""

    code = "export_inconsistent"


# --- Small helpers -------------------------------------------------------------------------------


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def working_days_between(first: date, last: date) -> int:
    """Monday–Friday days in (first, last]: the working days a patient waited."""
    if last <= first:
        return 0
    days = (last - first).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    weekday = first.weekday()
    for step in range(1, rest + 1):
        if (weekday + step) % 7 < 5:
            count += 1
    return count


def _zeros(names) -> dict[str, int]:
    return dict.fromkeys(names, 0)


def _gender_age() -> dict[str, dict[str, int]]:
    return {g: _zeros(codes.AGE_BAND_NAMES) for g in codes.GENDERS}


def _closed_side() -> dict:
    return {
        "episodes": 0,
        "sessions_total": 0,
        "sessions_histogram": [0] * (codes.SESSIONS_BINS + 1),
        "duration_days_total": 0,
        "weeks_histogram": [0] * (codes.WEEKS_BINS + 1),
        "outcome_measured": 0,
        "goals_achieved": 0,
        "end_reasons": _zeros(codes.END_REASONS),
    }


def _case_mix() -> dict:
    cell = (
        "episodes",
        "sessions_total",
        "sessions_squares_total",
        "duration_days_total",
        "duration_days_squares_total",
    )
    return {
        side: {
            group: {band: _zeros(cell) for band in codes.CASE_MIX_AGE_BAND_NAMES}
            for group in codes.DCSPH_GROUPS
        }
        for side in codes.CASE_MIX_SIDES
    }


def _outcomes() -> dict:
    measure = (
        "measured",
        "baseline_tenths_total",
        "final_tenths_total",
        "change_squares_total",
        "improved",
    )
    return {instrument: _zeros(measure) for instrument in codes.OUTCOME_INSTRUMENTS}


def _additive() -> dict:
    """The additive numbers of one quarter (summed for a year-to-date window)."""
    return {
        "case_mix": _case_mix(),
        "outcomes": _outcomes(),
        "started": 0,
        "ended": 0,
        "started_by_access_route": _zeros(codes.ACCESS_ROUTES),
        "sessions": 0,
        "no_shows": 0,
        "by_type": _zeros(codes.SESSION_TYPES),
        "by_payer": _zeros(codes.PAYERS),
        "revenue": 0,
        "revenue_by_payer": _zeros(codes.PAYERS),
        "revenue_by_insurer": _zeros(codes.INSURER_BUCKETS),
        "closed": {"chronic": _closed_side(), "non_chronic": _closed_side()},
        "waiting": {
            "episodes": 0,
            "days_total": 0,
            "within_5_working_days": 0,
            "days_histogram": [0] * (codes.WAITING_DAYS_BINS + 1),
        },
    }


def _add_into(target, source):
    """target += source, for the nested dicts/lists of `_additive()`."""
    if isinstance(target, dict):
        for key, value in source.items():
            if isinstance(value, int):
                target[key] += value
            else:
                _add_into(target[key], value)
    else:
        for index, value in enumerate(source):
            target[index] += value


def _quarter_mask(quarters) -> int:
    mask = 0
    for q in quarters:
        mask |= 1 << q
    return mask


def _mask_between(begin: date, end: date | None, quarters) -> int:
    """The quarters (q, first day, last day) that the interval begin…end (None = open) overlaps."""
    mask = 0
    for q, first, last in quarters:
        if begin <= last and (end is None or end >= first):
            mask |= 1 << q
    return mask


@dataclass(frozen=True)
class _Facts:
    """What every export of the same records needs, whatever its year: worked out once."""

    sessions_by_year: dict[int, list[Session]]
    held: dict[str, tuple[date, date, int]]  # episode → first and last session held, how many
    first_start: dict[str, date]  # patient → start of the first episode
    patient_of: dict[str, str]  # episode → patient
    concern_of: dict[str, str]  # episode → the patient's insurer concern
    # episode → (instrument, first score, last score) for each instrument scored on two days
    scores: dict[str, list[tuple[str, int, int]]]


def _facts(records: Records) -> _Facts:
    """The facts of `records`, memoised on the object.

    Why: a practice exporting several years (the demo sends four) would otherwise go through all
    sessions of all years for each export. Records are read-only once loaded; the memo also
    checks that no collection was swapped or resized since, and is rebuilt if one was.
    """
    key = tuple(
        (id(part), len(part))
        for part in (
            records.patients,
            records.episodes,
            records.sessions,
            records.therapists,
            records.measurements,
        )
    )
    memo = records.memo.get("aggregate")
    if memo is not None and memo[0] == key:
        return memo[1]
    patient_of = {e.episode_id: e.patient_id for e in records.episodes.values()}
    concern_of = {
        episode_id: records.patients[patient_id].concern
        for episode_id, patient_id in patient_of.items()
    }
    sessions_by_year: dict[int, list[Session]] = defaultdict(list)
    dates: dict[str, list[date]] = defaultdict(list)
    for s in records.sessions:
        sessions_by_year[s.date.year].append(s)
        if not s.no_show:
            dates[s.episode_id].append(s.date)
    held = {episode_id: (min(d), max(d), len(d)) for episode_id, d in dates.items()}
    first_start: dict[str, date] = {}
    for e in records.episodes.values():
        known = first_start.get(e.patient_id)
        if known is None or e.start_date < known:
            first_start[e.patient_id] = e.start_date
    facts = _Facts(
        dict(sessions_by_year), held, first_start, patient_of, concern_of, _scores(records)
    )
    records.memo["aggregate"] = (key, facts)
    return facts


def _scores(records: Records) -> dict[str, list[tuple[str, int, int]]]:
    """The first and the last score of each instrument per episode, when they lie on two days.

    Why two days: one score (or two on the intake day) measures no change; an episode with only
    that counts as measured for `outcome_measured` but not for the outcome measures.
    """
    by_pair: dict[tuple[str, str], list[tuple[date, int]]] = defaultdict(list)
    for m in records.measurements:
        by_pair[(m.episode_id, m.instrument)].append((m.date, m.score_tenths))
    scores: dict[str, list[tuple[str, int, int]]] = defaultdict(list)
    for (episode_id, instrument), dated in sorted(by_pair.items()):
        first, last = min(dated), max(dated)
        if first[0] < last[0]:
            scores[episode_id].append((instrument, first[1], last[1]))
    return dict(scores)


def _period_nl(begin: date, end: date) -> str:
    return f"{begin.strftime('%d-%m-%Y')} t/m {end.strftime('%d-%m-%Y')}"


def _default_exported_at(today: date) -> datetime:
    now = datetime.now().astimezone().replace(microsecond=0)
    if now.date() == today:
        return now
    return datetime.combine(today, time(12, 0)).astimezone()


# --- The export ----------------------------------------------------------------------------------


def build_export(
    records: Records,
    year: int,
    today: date,
    software: tuple[str, str] = DEFAULT_SOFTWARE,
    year_closed: bool = False,
    *,
    agb_code: str,
    exported_at: datetime | None = None,
    software_name: str | None = None,
    software_version: str | None = None,
    format_version: str = FORMAT,
) -> Export:
    """The export of `year` made on `today`: every quarter and year-to-date window of the allowed
    period (see parabench_format.periods.allowed_period) and a monthly trend up to `today`.

    `software_name` / `software_version`, when given, override the parts of `software`.
    `exported_at` defaults to now when `today` is today, else to midday of `today` (local time).
    Raises FutureYear or NothingToExport (Dutch `message`, English `message_en`, machine `code`)
    when the year cannot be exported on `today`. `format_version` is one of `FORMATS`.
    """
    if format_version not in FORMATS:
        raise ValueError(f"format_version must be one of {FORMATS}, not {format_version!r}")
    software = (software_name or software[0], software_version or software[1])
    begin, end = periods.allowed_period(year, today)
    n_quarters = periods.quarter_of(end)
    through = min(today, date(year, 12, 31))
    trend = periods.trend_months(year, through)
    year_begin = date(year, 1, 1)
    patients = records.patients

    facts = _facts(records)
    quarters = {q: _additive() for q in range(1, n_quarters + 1)}
    month_numbers = [
        {"sessions": 0, "no_shows": 0, "revenue_cents": 0, "episodes_started": 0} for _ in range(12)
    ]

    # Sessions of the year, one pass: the patients seen per month, and a tally of the additive
    # numbers per (month, type, payer, no-show, concern), spread over months and quarters after.
    month_patients: list[set[str]] = [set() for _ in range(12)]
    tally: dict[tuple, list[int]] = {}
    patient_of, concern_of = facts.patient_of, facts.concern_of
    for s in facts.sessions_by_year.get(year, ()):
        day = s.date
        if day > through:
            continue
        month = day.month
        payer = s.payer
        concern = "self_pay" if payer == "self_pay" else concern_of[s.episode_id]
        key = (month, s.session_type, payer, s.no_show, concern)
        counts = tally.get(key)
        if counts is None:
            counts = tally[key] = [0, 0]
        counts[0] += 1
        counts[1] += s.amount_cents
        if not s.no_show:
            month_patients[month - 1].add(patient_of[s.episode_id])
    for (month, session_type, payer, no_show, concern), (count, cents) in tally.items():
        numbers = month_numbers[month - 1]
        numbers["revenue_cents"] += cents
        numbers["no_shows" if no_show else "sessions"] += count
        q = (month - 1) // 3 + 1
        if q > n_quarters:
            continue
        numbers = quarters[q]
        numbers["revenue"] += cents
        numbers["revenue_by_payer"][payer] += cents
        numbers["revenue_by_insurer"][concern] += cents
        if no_show:
            numbers["no_shows"] += count
        else:
            numbers["sessions"] += count
            numbers["by_type"][session_type] += count
            numbers["by_payer"][payer] += count
    patient_mask: dict[str, int] = defaultdict(int)
    for month in range(1, 3 * n_quarters + 1):
        bit = 1 << ((month - 1) // 3 + 1)
        for patient_id in month_patients[month - 1]:
            patient_mask[patient_id] |= bit

    # Episodes: quarter masks for "active", additive numbers for started / ended / waiting.
    for e in records.episodes.values():
        if e.start_date.year == year and e.start_date <= through:
            month_numbers[e.start_date.month - 1]["episodes_started"] += 1
    episode_mask: dict[str, int] = {}
    held = facts.held
    quarter_days = [
        (q, periods.quarter_begin(year, q), periods.quarter_end(year, q))
        for q in range(1, n_quarters + 1)
    ]
    for e in records.episodes.values():
        if e.start_date > end or (e.end_date is not None and e.end_date < year_begin):
            continue
        open_end = e.end_date if e.end_date is not None and e.end_date <= end else None
        episode_mask[e.episode_id] = _mask_between(e.start_date, open_end, quarter_days)
        if e.start_date.year == year:
            numbers = quarters[periods.quarter_of(e.start_date)]
            numbers["started"] += 1
            numbers["started_by_access_route"][e.access_route] += 1
        first, last, count = held.get(e.episode_id, (None, None, 0))
        if (
            first is not None
            and first.year == year
            and first <= end
            and e.registration_date is not None
        ):
            waited = (first - e.registration_date).days
            waiting = quarters[periods.quarter_of(first)]["waiting"]
            waiting["episodes"] += 1
            waiting["days_total"] += waited
            waiting["days_histogram"][min(waited, codes.WAITING_DAYS_BINS)] += 1
            if working_days_between(e.registration_date, first) <= 5:
                waiting["within_5_working_days"] += 1
        if e.end_date is not None and e.end_date.year == year and e.end_date <= end:
            numbers = quarters[periods.quarter_of(e.end_date)]
            numbers["ended"] += 1
            side = numbers["closed"]["chronic" if e.chronic else "non_chronic"]
            days = (last - first).days if count else 0
            side["episodes"] += 1
            side["sessions_total"] += count
            side["sessions_histogram"][min(count, codes.SESSIONS_BINS)] += 1
            side["duration_days_total"] += days
            side["weeks_histogram"][min(days // 7, codes.WEEKS_BINS)] += 1
            side["outcome_measured"] += e.outcome_measured
            side["goals_achieved"] += bool(e.goals_achieved)
            side["end_reasons"][e.end_reason] += 1
            age = age_on(patients[e.patient_id].birth_date, year_begin)
            cell = numbers["case_mix"]["chronic" if e.chronic else "non_chronic"][e.dcsph_group][
                codes.case_mix_age_band(age)
            ]
            cell["episodes"] += 1
            cell["sessions_total"] += count
            cell["sessions_squares_total"] += count * count
            cell["duration_days_total"] += days
            cell["duration_days_squares_total"] += days * days
            for instrument, baseline, final in facts.scores.get(e.episode_id, ()):
                measure = numbers["outcomes"][instrument]
                measure["measured"] += 1
                measure["baseline_tenths_total"] += baseline
                measure["final_tenths_total"] += final
                measure["change_squares_total"] += (baseline - final) ** 2
                measure["improved"] += codes.clinically_improved(instrument, baseline, final)

    specs = periods.windows_for_period(begin, end)
    distinct = _distinct_counts(specs, records, patient_mask, episode_mask, facts.first_start)
    windows = []
    for spec, counts in zip(specs, distinct, strict=True):
        additive = _additive()
        for q in spec.quarters:
            _add_into(additive, quarters[q])
        window = _window(spec, additive, records, counts)
        if format_version == FORMAT_1_1:
            window |= {name: additive[name] for name in FIELDS_1_1}
        windows.append(window | {"id": spec.id, "begin": spec.begin, "end": spec.end})

    trend_rows = [
        {"month": m, "begin": b, "end": e, "patients": len(month_patients[m - 1])}
        | month_numbers[m - 1]
        for m, b, e in trend
    ]
    if not any(w["sessions"]["total"] for w in windows):
        raise periods.NoSessions(
            f"In de praktijkgegevens staat geen enkele zitting in {_period_nl(begin, end)}; er is "
            "niets geëxporteerd. Staan de zittingen in sessions.csv (en zijn ze niet allemaal "
            "afgekeurd)?",
            f"The practice records hold no session at all in {begin.isoformat()} to "
            f"{end.isoformat()}; nothing was exported. Are the sessions in sessions.csv (and not "
            "all rejected)?",
        )
    document = {
        "format": format_version,
        "practice": {"agb_code": agb_code},
        "software": {"name": software[0], "version": software[1]},
        "exported_at": exported_at or _default_exported_at(today),
        "period": {"begin": begin, "end": end},
        "year_closed": year_closed,
        "windows": windows,
        "trend": trend_rows,
    }
    export = Export.model_validate(document)
    problems = consistency_problems(export)
    if problems:
        raise ExportInconsistent("; ".join(f"{p.path}: {p.message_en}" for p in problems[:5]))
    return export


def _distinct_counts(specs, records, patient_mask, episode_mask, first_start) -> list[dict]:
    """Per window the distinct counts: patients (by gender × age, insurer; new) and active
    episodes (chronic, by DCSPH group and insurer), in one pass over patients and episodes.

    Why one pass: a patient's age band, gender and concern are the same in every window of the
    export (age on 1 January), so they are worked out once and added to each window it touches.
    """
    reference_day = date(specs[0].begin.year, 1, 1)
    out = []
    for spec in specs:
        out.append(
            {
                "mask": _quarter_mask(spec.quarters),
                "begin": spec.begin,
                "end": spec.end,
                "total": 0,
                "new": 0,
                "by_gender_age": _gender_age(),
                "by_insurer": _zeros(codes.INSURER_BUCKETS),
                "active": 0,
                "chronic": 0,
                "dcsph": _zeros(codes.DCSPH_GROUPS),
                "episodes_by_insurer": _zeros(codes.INSURER_BUCKETS),
            }
        )
    patients = records.patients
    for patient_id, mask in patient_mask.items():
        patient = patients[patient_id]
        band = codes.age_band(age_on(patient.birth_date, reference_day))
        cells = [c for c in out if mask & c["mask"]]
        first = first_start[patient_id]
        for c in cells:
            c["total"] += 1
            c["by_gender_age"][patient.gender][band] += 1
            c["by_insurer"][patient.concern] += 1
            if c["begin"] <= first <= c["end"]:
                c["new"] += 1
    episodes = records.episodes
    for episode_id, mask in episode_mask.items():
        e = episodes[episode_id]
        concern = patients[e.patient_id].concern
        for c in out:
            if mask & c["mask"]:
                c["active"] += 1
                c["chronic"] += e.chronic
                c["dcsph"][e.dcsph_group] += 1
                c["episodes_by_insurer"][concern] += 1
    return out


def _window(spec, additive, records, distinct) -> dict:
    therapists = 0
    fte_weighted = 0
    window_days = (spec.end - spec.begin).days + 1
    for t in records.therapists:
        first = max(spec.begin, t.start_date) if t.start_date else spec.begin
        last = min(spec.end, t.end_date) if t.end_date else spec.end
        if first > last:
            continue
        therapists += 1
        fte_weighted += t.fte_hundredths * ((last - first).days + 1)
    fte = (2 * fte_weighted + window_days) // (2 * window_days)  # rounded half up

    return {
        "patients": {
            "total": distinct["total"],
            "new": distinct["new"],
            "by_gender_age": distinct["by_gender_age"],
            "by_insurer": distinct["by_insurer"],
        },
        "episodes": {
            "active": distinct["active"],
            "started": additive["started"],
            "ended": additive["ended"],
            "chronic_active": distinct["chronic"],
            "started_by_access_route": additive["started_by_access_route"],
            "active_by_dcsph_group": distinct["dcsph"],
            "active_by_insurer": distinct["episodes_by_insurer"],
        },
        "sessions": {
            "total": additive["sessions"],
            "no_shows": additive["no_shows"],
            "by_type": additive["by_type"],
            "by_payer": additive["by_payer"],
        },
        "revenue": {
            "total_cents": additive["revenue"],
            "by_payer": additive["revenue_by_payer"],
            "by_insurer": additive["revenue_by_insurer"],
        },
        "closed_episodes": additive["closed"],
        "waiting": additive["waiting"],
        "therapists": {"count": therapists, "fte_hundredths": fte},
    }


# --- What is being sent --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExportSummary:
    agb_code: str
    period_begin: date
    period_end: date
    trend_through: date
    patients: int
    episodes: int
    sessions: int


def summarize(export: Export) -> ExportSummary:
    """The numbers a practice sees before sending: the whole period's window."""
    whole = export.windows[-1]  # the last window always spans the whole period
    return ExportSummary(
        agb_code=export.practice.agb_code,
        period_begin=export.period.begin,
        period_end=export.period.end,
        trend_through=export.trend[-1].end,
        patients=whole.patients.total,
        episodes=whole.episodes.active,
        sessions=whole.sessions.total,
    )


def summary_lines(summary: ExportSummary) -> list[str]:
    """The summary in Dutch, for the terminal."""

    def d(day: date) -> str:
        return day.strftime("%d-%m-%Y")

    return [
        f"Praktijk (AGB): {summary.agb_code}",
        f"Periode: {d(summary.period_begin)} t/m {d(summary.period_end)} "
        f"(trend t/m {d(summary.trend_through)})",
        f"Patiënten: {summary.patients}",
        f"Klachten: {summary.episodes}",
        f"Zittingen: {summary.sessions}",
        "Alleen deze tellingen en totalen worden verstuurd: geen namen, geboortedata, "
        "patiëntnummers of vrije tekst.",
    ]
