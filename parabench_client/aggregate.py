"""From checked practice records to one export of management information (parabench-mi/1).

Why aggregate per quarter and build the year-to-date windows from per-record quarter masks: sums
(sessions, revenue, closed episodes) of a year-to-date window are the sums of its quarters, but
distinct counts (patients, active episodes, therapists) are not, so for those every record carries
the set of quarters it appears in and each window counts the records that touch it. Nothing of a
record (id, birth date, amount, code) is copied into the export: only counts and sums leave here.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time

from parabench_client.records import Records
from parabench_format import codes, periods
from parabench_format.models import Export
from parabench_format.validate import consistency_problems

DEFAULT_SOFTWARE = ("ParaBench-client", "0.1.0")


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


def _additive() -> dict:
    """The additive numbers of one quarter (summed for a year-to-date window)."""
    return {
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


def _mask_between(begin: date, end: date | None, year: int, last_quarter: int) -> int:
    """Quarters 1…last_quarter of `year` that the interval begin…end (None = open) overlaps."""
    mask = 0
    for q in range(1, last_quarter + 1):
        if begin <= periods.quarter_end(year, q) and (
            end is None or end >= periods.quarter_begin(year, q)
        ):
            mask |= 1 << q
    return mask


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
) -> Export:
    """The export of `year` made on `today`: every quarter and year-to-date window of the allowed
    period (see parabench_format.periods.allowed_period) and a monthly trend up to `today`.

    `software_name` / `software_version`, when given, override the parts of `software`.
    `exported_at` defaults to now when `today` is today, else to midday of `today` (local time).
    Raises FutureYear or NothingToExport (Dutch `message`, English `message_en`, machine `code`)
    when the year cannot be exported on `today`.
    """
    software = (software_name or software[0], software_version or software[1])
    begin, end = periods.allowed_period(year, today)
    n_quarters = periods.quarter_of(end)
    through = min(today, date(year, 12, 31))
    trend = periods.trend_months(year, through)
    year_begin = date(year, 1, 1)

    quarters = {q: _additive() for q in range(1, n_quarters + 1)}
    patient_mask: dict[str, int] = defaultdict(int)
    month_patients = [set() for _ in range(12)]
    month_numbers = [
        {"sessions": 0, "no_shows": 0, "revenue_cents": 0, "episodes_started": 0} for _ in range(12)
    ]
    patients, episodes = records.patients, records.episodes

    # Sessions: one pass. Per episode, the dates of the sessions that took place (for closed
    # episodes and waiting times), over all years.
    episode_session_dates: dict[str, list[date]] = defaultdict(list)
    for s in records.sessions:
        if not s.no_show:
            episode_session_dates[s.episode_id].append(s.date)
        day = s.date
        if day.year != year or day > through:
            continue
        month = month_numbers[day.month - 1]
        episode = episodes[s.episode_id]
        concern = "self_pay" if s.payer == "self_pay" else patients[episode.patient_id].concern
        month["revenue_cents"] += s.amount_cents
        if s.no_show:
            month["no_shows"] += 1
        else:
            month["sessions"] += 1
            month_patients[day.month - 1].add(episode.patient_id)
        q = (day.month - 1) // 3 + 1
        if q > n_quarters:
            continue
        numbers = quarters[q]
        numbers["revenue"] += s.amount_cents
        numbers["revenue_by_payer"][s.payer] += s.amount_cents
        numbers["revenue_by_insurer"][concern] += s.amount_cents
        if s.no_show:
            numbers["no_shows"] += 1
        else:
            numbers["sessions"] += 1
            numbers["by_type"][s.session_type] += 1
            numbers["by_payer"][s.payer] += 1
            patient_mask[episode.patient_id] |= 1 << q

    # Episodes: quarter masks for "active", additive numbers for started / ended / waiting.
    first_episode_start: dict[str, date] = {}
    for e in episodes.values():
        known = first_episode_start.get(e.patient_id)
        if known is None or e.start_date < known:
            first_episode_start[e.patient_id] = e.start_date
        if e.start_date.year == year and e.start_date <= through:
            month_numbers[e.start_date.month - 1]["episodes_started"] += 1
    episode_mask: dict[str, int] = {}
    for e in episodes.values():
        if e.start_date > end or (e.end_date is not None and e.end_date < year_begin):
            continue
        open_end = e.end_date if e.end_date is not None and e.end_date <= end else None
        episode_mask[e.episode_id] = _mask_between(e.start_date, open_end, year, n_quarters)
        if e.start_date.year == year:
            numbers = quarters[periods.quarter_of(e.start_date)]
            numbers["started"] += 1
            numbers["started_by_access_route"][e.access_route] += 1
        dates = episode_session_dates.get(e.episode_id)
        if dates:
            first = min(dates)
            if first.year == year and first <= end and e.registration_date is not None:
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
            count = len(dates) if dates else 0
            days = (max(dates) - min(dates)).days if dates else 0
            side["episodes"] += 1
            side["sessions_total"] += count
            side["sessions_histogram"][min(count, codes.SESSIONS_BINS)] += 1
            side["duration_days_total"] += days
            side["weeks_histogram"][min(days // 7, codes.WEEKS_BINS)] += 1
            side["outcome_measured"] += e.outcome_measured
            side["goals_achieved"] += bool(e.goals_achieved)
            side["end_reasons"][e.end_reason] += 1

    windows = []
    for spec in periods.windows_for_period(begin, end):
        wmask = _quarter_mask(spec.quarters)
        additive = _additive()
        for q in spec.quarters:
            _add_into(additive, quarters[q])
        windows.append(
            _window(spec, wmask, additive, records, patient_mask, episode_mask, first_episode_start)
            | {"id": spec.id, "begin": spec.begin, "end": spec.end}
        )

    trend_rows = [
        {"month": m, "begin": b, "end": e, "patients": len(month_patients[m - 1])}
        | month_numbers[m - 1]
        for m, b, e in trend
    ]
    document = {
        "format": "parabench-mi/1",
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


def _window(spec, wmask, additive, records, patient_mask, episode_mask, first_start) -> dict:
    year = spec.begin.year
    reference_day = date(year, 1, 1)
    gender_age = _gender_age()
    by_insurer = _zeros(codes.INSURER_BUCKETS)
    total = new = 0
    for patient_id, mask in patient_mask.items():
        if not mask & wmask:
            continue
        patient = records.patients[patient_id]
        total += 1
        band = codes.age_band(age_on(patient.birth_date, reference_day))
        gender_age[patient.gender][band] += 1
        by_insurer[patient.concern] += 1
        if spec.begin <= first_start[patient_id] <= spec.end:
            new += 1

    active = chronic = 0
    dcsph = _zeros(codes.DCSPH_GROUPS)
    episodes_by_insurer = _zeros(codes.INSURER_BUCKETS)
    for episode_id, mask in episode_mask.items():
        if not mask & wmask:
            continue
        e = records.episodes[episode_id]
        active += 1
        chronic += e.chronic
        dcsph[e.dcsph_group] += 1
        episodes_by_insurer[records.patients[e.patient_id].concern] += 1

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
            "total": total,
            "new": new,
            "by_gender_age": gender_age,
            "by_insurer": by_insurer,
        },
        "episodes": {
            "active": active,
            "started": additive["started"],
            "ended": additive["ended"],
            "chronic_active": chronic,
            "started_by_access_route": additive["started_by_access_route"],
            "active_by_dcsph_group": dcsph,
            "active_by_insurer": episodes_by_insurer,
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
