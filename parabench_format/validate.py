"""The validator of parabench-mi/1 and 1.1: every problem, with its JSON path, a code, two messages.

Why one function for both sides: the client checks what it is about to send and the uploader checks
what it received with the very same rules, so a practice never sends something the portal refuses.
First pydantic checks the shape (types, bounds, unknown fields, patterns); when the shape is right,
the consistency rules between the numbers run (see docs/export-format.md, "Consistency rules").
"""

import functools
import itertools
import json
import operator
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from pydantic import BaseModel, ValidationError

from parabench_format import codes, periods
from parabench_format.models import FIELDS_1_1, FORMAT_1_1, Export, Window

# --- Problems ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str
    code: str
    message: str
    message_en: str

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "code": self.code,
            "message": self.message,
            "message_en": self.message_en,
        }


@dataclass
class ValidationReport:
    problems: list[Problem] = field(default_factory=list)
    export: Export | None = None

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict:
        return {"ok": self.ok, "problems": [p.to_dict() for p in self.problems]}


def json_path(loc: Iterable[str | int]) -> str:
    """`("windows", 2, "patients", "total")` → `$.windows[2].patients.total`."""
    path = "$"
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


# --- Pydantic's errors in Dutch ------------------------------------------------------------------

_DUTCH = {
    "missing": "Dit veld ontbreekt.",
    "extra_forbidden": "Onbekend veld: dat is in dit formaat niet toegestaan.",
    "int_type": "Hier hoort een geheel getal.",
    "int_parsing": "Hier hoort een geheel getal.",
    "int_from_float": "Hier hoort een geheel getal, zonder decimalen.",
    "bool_type": "Hier hoort true of false.",
    "string_type": "Hier hoort een tekst.",
    "string_pattern_mismatch": "Deze waarde heeft niet de vereiste vorm ({pattern}).",
    "literal_error": "Deze waarde is niet toegestaan; verwacht: {expected}.",
    "date_type": "Hier hoort een datum (JJJJ-MM-DD).",
    "date_parsing": "Dit is geen geldige datum (JJJJ-MM-DD).",
    "date_from_datetime_parsing": "Dit is geen geldige datum (JJJJ-MM-DD).",
    "date_from_datetime_inexact": "Hier hoort een datum zonder tijd.",
    "datetime_type": "Hier hoort een tijdstip (ISO 8601 met tijdzone).",
    "datetime_parsing": "Dit is geen geldig tijdstip (ISO 8601 met tijdzone).",
    "datetime_from_date_parsing": "Dit is geen geldig tijdstip (ISO 8601 met tijdzone).",
    "timezone_aware": "Het tijdstip moet een tijdzone hebben.",
    "greater_than_equal": "De waarde moet minstens {ge} zijn.",
    "less_than_equal": "De waarde mag hoogstens {le} zijn.",
    "too_short": "Deze lijst is te kort: minstens {min_length} elementen.",
    "too_long": "Deze lijst is te lang: hoogstens {max_length} elementen.",
    "list_type": "Hier hoort een lijst.",
    "model_type": "Hier hoort een object.",
    "model_attributes_type": "Hier hoort een object.",
    "dict_type": "Hier hoort een object.",
    "json_invalid": "Dit is geen geldige JSON.",
    "json_type": "Dit is geen geldige JSON.",
    "software_unknown": "Deze softwarenaam staat niet in het register van bekende praktijksoftware "
    "({registered}).",
    "software_version_invalid": "De versie moet de vorm MAJOR.MINOR of MAJOR.MINOR.PATCH hebben "
    "(hoogstens 2, 2 en 3 cijfers, zonder voorloopnullen), bijvoorbeeld 7.2 of 7.2.15.",
    "exported_at_format": "Het exportmoment moet als JJJJ-MM-DDTuu:mm:ss met een tijdzone (Z of "
    "+uu:mm) geschreven zijn, in hele seconden.",
    "year_out_of_range": "Het jaar moet {first} of later zijn.",
}


def _dutch_message(error: dict) -> str:
    template = _DUTCH.get(error["type"])
    if template is None:
        return "Deze waarde is ongeldig."
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return template.split(":")[0].split("(")[0].strip() + "."


def _shape_problems(error: ValidationError) -> list[Problem]:
    return [
        Problem(
            path=json_path(e["loc"]),
            code=e["type"],
            message=_dutch_message(e),
            message_en=e["msg"],
        )
        for e in error.errors(include_url=False)
    ]


# --- Entry point ---------------------------------------------------------------------------------


def validate_export(data: dict | bytes | str) -> ValidationReport:
    """Check an export (parsed JSON, or its bytes/text) and return every problem found.

    `report.export` holds the model when the shape is right (even if consistency rules fail).
    """
    if isinstance(data, dict):
        try:
            raw = json.dumps(data, allow_nan=False)
        except (TypeError, ValueError):
            return ValidationReport(
                [
                    Problem(
                        "$",
                        "json_invalid",
                        "Dit is geen geldige JSON.",
                        "The document cannot be written as JSON.",
                    )
                ]
            )
    else:
        raw = data
    try:
        export = Export.model_validate_json(raw)
    except ValidationError as error:
        return ValidationReport(_shape_problems(error))
    return ValidationReport(consistency_problems(export), export)


# --- Consistency rules ---------------------------------------------------------------------------


class _Collector:
    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, path: str, code: str, message: str, message_en: str) -> None:
        self.problems.append(Problem(path, code, message, message_en))

    def sum_equals(self, path: str, total: int, parts, what_nl: str, what_en: str) -> None:
        """The parts of a breakdown (its numbers, ``_values``) must add up to its total."""
        got = sum(parts)
        if got != total:
            self.add(
                path,
                "sum_mismatch",
                f"De {what_nl} tellen op tot {got}, maar het totaal is {total}.",
                f"The {what_en} add up to {got}, but the total is {total}.",
            )

    def at_most(self, path: str, value: int, limit: int, limit_path: str) -> None:
        if value > limit:
            self.add(
                path,
                "exceeds_limit",
                f"Deze waarde ({value}) mag niet groter zijn dan {limit_path} ({limit}).",
                f"This value ({value}) may not exceed {limit_path} ({limit}).",
            )


def _flat(prefix: str, value) -> Iterable[tuple[str, int]]:
    """Every integer leaf of a dumped model as (dotted path with [i] for lists, value)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flat(f"{prefix}.{key}" if prefix else key, inner)
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from _flat(f"{prefix}[{index}]", inner)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield prefix, value


# Which numbers of a window are distinct counts (not additive over quarters) and which have no
# union bound (a patient "new" in Q1–Q2 may be new in neither quarter: first episode in Q1, first
# session in Q2). Therapists' FTE is an average and takes part in neither rule.
_DISTINCT_PREFIXES = (
    "patients.",
    "episodes.active",
    "episodes.chronic_active",
    "therapists.count",
)
_NO_UNION_BOUND = ("patients.new",)
_NOT_COMPARED = ("therapists.fte_hundredths",)


def _dump(window: Window) -> dict:
    return window.model_dump(mode="python", exclude={"id", "begin", "end"})


_NOT_NUMBERS = frozenset({"id", "begin", "end"})


def _numbers(window: Window) -> list[int]:
    """The numbers of a window in the order of ``_flat`` over its dump (``_dump``), read from the
    models' own ``__dict__`` (fields in order) instead of a dump: 0.55 ms of dumping seven
    windows per upload saved. A part absent in format 1.0 (None) is left out, as the dump
    leaves it out; every window has the same shape, so the paths are computed once
    (``_layout``) and only the numbers per window."""
    out: list[int] = []
    parts = [v for k, v in vars(window).items() if k not in _NOT_NUMBERS and v is not None]
    _model_numbers(parts, out)
    return out


def _model_numbers(values, out: list[int]) -> None:
    for inner in values:
        if isinstance(inner, BaseModel):
            if _number_depth(type(inner)):  # most parts: breakdowns, the whole case mix
                out.extend(_values(inner))
            else:
                _model_numbers(vars(inner).values(), out)
        elif isinstance(inner, list):
            out.extend(inner)
        else:
            out.append(inner)


def _values(model: BaseModel):
    """The numbers of a part whose ``_number_depth`` is n, in field order: ``vars`` chained
    n - 1 levels deep, in C."""
    flat = vars(model).values()
    for _level in range(_number_depth(type(model)) - 1):
        flat = itertools.chain.from_iterable(map(dict.values, map(vars, flat)))
    return flat


@functools.cache
def _number_depth(model: type[BaseModel]) -> int:
    """1 when every field of ``model`` is a number, n + 1 when every field is a model of depth n,
    0 otherwise. The numbers of a part of depth n are taken in C, n - 1 levels of ``vars``
    chained, once the type has said so: a window's case mix (depth 4) in one go instead of 48
    cells one by one, ``_numbers`` of seven windows 183 → 150 µs an 80 KB export (asking each
    part's values their kinds before that cost 0.2 ms)."""
    fields = [info.annotation for info in model.model_fields.values()]
    if all(_is_number(annotation) for annotation in fields):
        return 1
    depths = {
        _number_depth(a) if isinstance(a, type) and issubclass(a, BaseModel) else 0 for a in fields
    }
    return 1 + depths.pop() if len(depths) == 1 and 0 not in depths else 0


def _is_number(annotation) -> bool:
    if typing.get_origin(annotation) is typing.Annotated:
        return _is_number(typing.get_args(annotation)[0])
    return annotation in (int, bool)


def consistency_problems(export: Export) -> list[Problem]:
    """Every rule between the numbers of a well-formed export (see docs/export-format.md)."""
    c = _Collector()
    _check_period(c, export)
    _check_sessions(c, export)
    specs = _check_windows(c, export)
    same_parts = _check_version(c, export)
    for index, window in enumerate(export.windows):
        _check_window(c, f"$.windows[{index}]", window)
    if specs is not None and same_parts:
        _check_across_windows(c, export)
        _check_trend(c, export)
    return c.problems


def _check_period(c: _Collector, export: Export) -> None:
    begin, end = export.period.begin, export.period.end
    for code, nl, en in periods.period_problems(begin, end, export.exported_at.date()):
        c.add("$.period", code, nl, en)


def _check_sessions(c: _Collector, export: Export) -> None:
    """An export without a single session in its period carries nothing to compare, and would
    replace a practice's real year with zeros (e.g. after every record line was rejected)."""
    if all(w.sessions.total == 0 for w in export.windows):
        whole = (export.period.begin, export.period.end)
        index = next(
            (i for i, w in enumerate(export.windows) if (w.begin, w.end) == whole),
            len(export.windows) - 1,
        )
        c.add(
            f"$.windows[{index}].sessions.total",
            "no_sessions",
            "Deze export bevat geen enkele zitting in de periode; er valt niets te vergelijken.",
            "This export holds no session at all in its period; there is nothing to compare.",
        )


def _check_windows(c: _Collector, export: Export) -> list | None:
    """Windows must be exactly every quarter and year-to-date window of the period, in order."""
    begin, end = export.period.begin, export.period.end
    if periods.period_problems(begin, end, date.max):
        return None  # the period itself is wrong; comparing windows with it says nothing new
    specs = periods.windows_for_period(begin, end)
    expected = [s.id for s in specs]
    got = [w.id for w in export.windows]
    if got != expected:
        c.add(
            "$.windows",
            "windows_mismatch",
            f"De vensters moeten precies {', '.join(expected)} zijn (in die volgorde), niet "
            f"{', '.join(got)}.",
            f"The windows must be exactly {', '.join(expected)} (in that order), not "
            f"{', '.join(got)}.",
        )
        return None
    ok = True
    for index, (spec, window) in enumerate(zip(specs, export.windows, strict=True)):
        if (window.begin, window.end) != (spec.begin, spec.end):
            ok = False
            c.add(
                f"$.windows[{index}]",
                "window_dates",
                f"Venster {spec.id} loopt van {spec.begin.isoformat()} tot en met "
                f"{spec.end.isoformat()}, niet van {window.begin.isoformat()} tot en met "
                f"{window.end.isoformat()}.",
                f"Window {spec.id} runs from {spec.begin.isoformat()} to {spec.end.isoformat()}, "
                f"not from {window.begin.isoformat()} to {window.end.isoformat()}.",
            )
    return specs if ok else None


def _check_version(c: _Collector, export: Export) -> bool:
    """Format 1.1: every window carries case_mix and outcomes; 1.0: no window does.

    Why here and not in the models: one model reads both versions, so the parts of 1.1 are
    optional in it. The codes are the ones pydantic gives for any other missing or unknown field.
    Returns whether every window has the same parts (the rules across windows need that).
    """
    ok = True
    for index, window in enumerate(export.windows):
        for name in FIELDS_1_1:
            path = f"$.windows[{index}].{name}"
            if export.format == FORMAT_1_1 and getattr(window, name) is None:
                ok = False
                c.add(
                    path,
                    "missing",
                    "Dit veld ontbreekt: het is verplicht in parabench-mi/1.1.",
                    "Field required in parabench-mi/1.1.",
                )
            elif export.format != FORMAT_1_1 and name in window.model_fields_set:
                ok = False
                c.add(
                    path,
                    "extra_forbidden",
                    f"Onbekend veld in {export.format}: het bestaat pas in parabench-mi/1.1.",
                    f"Extra field in {export.format}: it exists from parabench-mi/1.1 on.",
                )
    return ok


def _check_window(c: _Collector, path: str, w: Window) -> None:
    """The rules within one window. A breakdown's numbers are read from its model's own
    ``__dict__`` (``_values``: the fields in order, as ``model_dump`` of these flat models would
    give them, without building a dict per breakdown in the serializer)."""
    p, e, s, r = w.patients, w.episodes, w.sessions, w.revenue
    c.sum_equals(
        f"{path}.patients.by_gender_age",
        p.total,
        _values(p.by_gender_age),
        "patiënten per geslacht en leeftijd",
        "patients by gender and age",
    )
    c.sum_equals(
        f"{path}.patients.by_insurer",
        p.total,
        _values(p.by_insurer),
        "patiënten per verzekeraar",
        "patients by insurer",
    )
    c.at_most(f"{path}.patients.new", p.new, p.total, "patients.total")
    c.at_most(f"{path}.patients.total", p.total, s.total, "sessions.total")

    c.at_most(f"{path}.episodes.started", e.started, e.active, "episodes.active")
    c.at_most(f"{path}.episodes.ended", e.ended, e.active, "episodes.active")
    c.at_most(f"{path}.episodes.chronic_active", e.chronic_active, e.active, "episodes.active")
    c.sum_equals(
        f"{path}.episodes.started_by_access_route",
        e.started,
        _values(e.started_by_access_route),
        "gestarte klachten per toegangsroute",
        "started episodes by access route",
    )
    c.sum_equals(
        f"{path}.episodes.active_by_dcsph_group",
        e.active,
        _values(e.active_by_dcsph_group),
        "klachten per DCSPH-groep",
        "episodes by DCSPH group",
    )
    c.sum_equals(
        f"{path}.episodes.active_by_insurer",
        e.active,
        _values(e.active_by_insurer),
        "klachten per verzekeraar",
        "episodes by insurer",
    )

    c.sum_equals(
        f"{path}.sessions.by_type",
        s.total,
        _values(s.by_type),
        "zittingen per prestatiesoort",
        "sessions by type",
    )
    c.sum_equals(
        f"{path}.sessions.by_payer",
        s.total,
        _values(s.by_payer),
        "zittingen per betaler",
        "sessions by payer",
    )
    c.sum_equals(
        f"{path}.revenue.by_payer",
        r.total_cents,
        _values(r.by_payer),
        "omzet per betaler",
        "revenue by payer",
    )
    c.sum_equals(
        f"{path}.revenue.by_insurer",
        r.total_cents,
        _values(r.by_insurer),
        "omzet per verzekeraar",
        "revenue by insurer",
    )
    if r.by_insurer.self_pay != r.by_payer.self_pay:
        c.add(
            f"{path}.revenue.by_insurer.self_pay",
            "self_pay_mismatch",
            f"Omzet zelfbetalers per verzekeraar ({r.by_insurer.self_pay}) wijkt af van omzet "
            f"zelfbetalers per betaler ({r.by_payer.self_pay}).",
            f"Self-pay revenue by insurer ({r.by_insurer.self_pay}) differs from self-pay "
            f"revenue by payer ({r.by_payer.self_pay}).",
        )

    closed = w.closed_episodes
    closed_total = closed.chronic.episodes + closed.non_chronic.episodes
    if closed_total != e.ended:
        c.add(
            f"{path}.closed_episodes",
            "sum_mismatch",
            f"Afgesloten klachten chronisch + niet-chronisch ({closed_total}) moet gelijk zijn "
            f"aan episodes.ended ({e.ended}).",
            f"Closed episodes chronic + non-chronic ({closed_total}) must equal episodes.ended "
            f"({e.ended}).",
        )
    for side in ("chronic", "non_chronic"):
        _check_closed(c, f"{path}.closed_episodes.{side}", getattr(closed, side))
    _check_waiting(c, f"{path}.waiting", w)
    if w.case_mix is not None:
        _check_case_mix(c, f"{path}.case_mix", w)
    if w.outcomes is not None:
        for instrument in codes.OUTCOME_INSTRUMENTS:
            _check_outcome(
                c,
                f"{path}.outcomes.{instrument}",
                getattr(w.outcomes, instrument),
                closed_total,
            )
    t = w.therapists
    if t.fte_hundredths > 0 and t.count == 0:
        c.add(
            f"{path}.therapists.fte_hundredths",
            "exceeds_limit",
            "Er is fte opgegeven zonder therapeuten.",
            "FTE is given without therapists.",
        )


def _histogram_total(c: _Collector, path: str, histogram: list[int], total: int) -> None:
    got = sum(histogram)
    if got != total:
        c.add(
            path,
            "histogram_total",
            f"Het histogram telt {got} klachten, maar er zijn er {total}.",
            f"The histogram counts {got} episodes, but there are {total}.",
        )


def _histogram_sum(c: _Collector, path: str, histogram: list[int], total: int, width: int):
    """`total` must be what the histogram allows: each bin i holds values i*width … i*width+width-1;
    the overflow bin only gives a lower bound."""
    last = len(histogram) - 1
    # The filled bins times their index, picked in C: most bins of a histogram are empty (99 %
    # of an 80 KB export's 35), and the generator over every bin took 45 µs an export, this 28.
    weighted = sum(
        map(operator.mul, itertools.compress(range(last + 1), histogram), filter(None, histogram))
    )
    low = weighted * width
    high = (weighted - last * histogram[last]) * width + (width - 1) * (
        sum(histogram) - histogram[last]
    )
    if low > total or (histogram[last] == 0 and total > high):
        c.add(
            path,
            "histogram_sum",
            f"Het totaal {total} past niet bij het histogram (tussen {low} en "
            f"{'onbegrensd' if histogram[last] else high}).",
            f"The total {total} does not fit the histogram (between {low} and "
            f"{'unbounded' if histogram[last] else high}).",
        )


def _check_closed(c: _Collector, path: str, closed) -> None:
    _histogram_total(c, f"{path}.sessions_histogram", closed.sessions_histogram, closed.episodes)
    _histogram_total(c, f"{path}.weeks_histogram", closed.weeks_histogram, closed.episodes)
    _histogram_sum(c, f"{path}.sessions_total", closed.sessions_histogram, closed.sessions_total, 1)
    _histogram_sum(
        c, f"{path}.duration_days_total", closed.weeks_histogram, closed.duration_days_total, 7
    )
    c.at_most(f"{path}.outcome_measured", closed.outcome_measured, closed.episodes, "episodes")
    c.at_most(f"{path}.goals_achieved", closed.goals_achieved, closed.episodes, "episodes")
    c.sum_equals(
        f"{path}.end_reasons",
        closed.episodes,
        _values(closed.end_reasons),
        "redenen van beëindigen",
        "end reasons",
    )


def _check_case_mix(c: _Collector, path: str, w: Window) -> None:
    """The cells of each side add up to that side's closed episodes, sessions and days; a DCSPH
    group holds no more closed episodes than active ones; an empty cell has no sessions or days;
    the sums of squares are possible for the sums (Cauchy–Schwarz: (Σx)² ≤ n·Σx²)."""
    by_group = dict.fromkeys(codes.DCSPH_GROUPS, 0)
    for side in codes.CASE_MIX_SIDES:
        marginal, cells = getattr(w.closed_episodes, side), getattr(w.case_mix, side)
        episodes = sessions = days = 0
        for group in codes.DCSPH_GROUPS:
            bands = getattr(cells, group)
            for band in codes.CASE_MIX_AGE_BAND_NAMES:
                cell = getattr(bands, band)
                n, s, d = cell.episodes, cell.sessions_total, cell.duration_days_total
                episodes += n
                sessions += s
                days += d
                by_group[group] += n
                if not _cell_fits(n, s, d, cell):
                    _check_cell(c, f"{path}.{side}.{group}.{band}", cell)
        sums = {"episodes": episodes, "sessions_total": sessions, "duration_days_total": days}
        for key, got in sums.items():
            total = getattr(marginal, key)
            if got != total:
                c.add(
                    f"{path}.{side}",
                    "sum_mismatch",
                    f"De cellen tellen op tot {got} ({key}), maar closed_episodes.{side}.{key} "
                    f"is {total}.",
                    f"The cells add up to {got} ({key}), but closed_episodes.{side}.{key} is "
                    f"{total}.",
                )
    active = w.episodes.active_by_dcsph_group
    for group, closed in by_group.items():
        c.at_most(
            f"{path}.{group}",
            closed,
            getattr(active, group),
            f"episodes.active_by_dcsph_group.{group}",
        )


def _cell_fits(episodes: int, sessions: int, days: int, cell) -> bool:
    """Whether ``_check_cell`` finds nothing wrong with ``cell``: the same rules in one
    expression, so that a cell's path is written and its rules called only for a cell that
    breaks one (``_check_case_mix`` of seven windows 129 → 90 µs an 80 KB export)."""
    if episodes == 0:
        return not (sessions or days or cell.sessions_squares_total)
    sessions_squares, days_squares = cell.sessions_squares_total, cell.duration_days_squares_total
    return (
        sessions * sessions <= episodes * sessions_squares
        and sessions_squares <= sessions * sessions
        and days * days <= episodes * days_squares
        and days_squares <= days * days
    )


def _check_cell(c: _Collector, path: str, cell) -> None:
    if cell.episodes == 0:
        if cell.sessions_total or cell.duration_days_total or cell.sessions_squares_total:
            c.add(
                path,
                "cell_without_episodes",
                "Een cel zonder klachten kan geen zittingen of dagen hebben.",
                "A cell without episodes cannot have sessions or days.",
            )
        return
    for total, squares in (
        ("sessions_total", "sessions_squares_total"),
        ("duration_days_total", "duration_days_squares_total"),
    ):
        value, square = getattr(cell, total), getattr(cell, squares)
        if value * value > cell.episodes * square or square > value * value:
            c.add(
                f"{path}.{squares}",
                "cell_spread",
                f"De som van de kwadraten ({square}) past niet bij {cell.episodes} klachten met "
                f"samen {value} (tussen {-(-value * value // cell.episodes)} en {value * value}).",
                f"The sum of squares ({square}) does not fit {cell.episodes} episodes with "
                f"{value} in all (between {-(-value * value // cell.episodes)} and "
                f"{value * value}).",
            )


def _check_outcome(c: _Collector, path: str, m, closed_total: int) -> None:
    """Measured episodes are closed episodes; sums of scores of 0–10 points and of the squared
    changes must be possible for that many episodes (Cauchy–Schwarz: (Σd)² ≤ n·Σd²)."""
    c.at_most(f"{path}.measured", m.measured, closed_total, "closed episodes")
    c.at_most(f"{path}.improved", m.improved, m.measured, "measured")
    top = codes.OUTCOME_SCORE_MAX_TENTHS
    for key in ("baseline_tenths_total", "final_tenths_total"):
        c.at_most(f"{path}.{key}", getattr(m, key), top * m.measured, f"{top} × measured")
    c.at_most(
        f"{path}.change_squares_total",
        m.change_squares_total,
        top * top * m.measured,
        f"{top * top} × measured",
    )
    change = m.baseline_tenths_total - m.final_tenths_total
    if change * change > m.measured * m.change_squares_total:
        c.add(
            f"{path}.change_squares_total",
            "outcome_spread",
            f"De som van de gekwadrateerde veranderingen ({m.change_squares_total}) is te klein "
            f"voor een totale verandering van {change} bij {m.measured} klachten.",
            f"The sum of squared changes ({m.change_squares_total}) is too small for a total "
            f"change of {change} over {m.measured} episodes.",
        )


def _check_waiting(c: _Collector, path: str, w: Window) -> None:
    waiting = w.waiting
    histogram = waiting.days_histogram
    _histogram_total(c, f"{path}.days_histogram", histogram, waiting.episodes)
    _histogram_sum(c, f"{path}.days_total", histogram, waiting.days_total, 1)
    # 5 calendar days are at most 5 working days; 5 working days are at most 9 calendar days.
    low, high = sum(histogram[:6]), sum(histogram[:10])
    if not low <= waiting.within_5_working_days <= high:
        c.add(
            f"{path}.within_5_working_days",
            "histogram_sum",
            f"Binnen 5 werkdagen ({waiting.within_5_working_days}) moet tussen {low} (binnen 5 "
            f"dagen) en {high} (binnen 9 dagen) liggen.",
            f"Within 5 working days ({waiting.within_5_working_days}) must lie between {low} "
            f"(within 5 days) and {high} (within 9 days).",
        )
    c.at_most(f"{path}.episodes", waiting.episodes, w.episodes.active, "episodes.active")


_LAYOUTS: dict[int, tuple] = {}


def _layout(size: int, window: Window) -> tuple:
    """Paths of a window's numbers and which rule each follows (the indices of the distinct,
    union-bounded and additive numbers); the same for every window, so computed once per process."""
    if size not in _LAYOUTS:
        keys = [key for key, _ in _flat("", _dump(window))]
        if len(keys) != size:
            raise AssertionError("a window's numbers and its dump disagree")
        distinct = [i for i, k in enumerate(keys) if k.startswith(_DISTINCT_PREFIXES)]
        union_bound = [i for i in distinct if not keys[i].startswith(_NO_UNION_BOUND)]
        additive = [
            i
            for i, k in enumerate(keys)
            if not k.startswith(_DISTINCT_PREFIXES) and not k.startswith(_NOT_COMPARED)
        ]
        _LAYOUTS[size] = (keys, distinct, union_bound, additive)
        _PICKERS[size] = tuple(_picker(indices) for indices in (distinct, union_bound, additive))
    return _LAYOUTS[size]


_PICKERS: dict[int, tuple] = {}


def _picker(indices: list[int]):
    """A function taking the numbers at ``indices`` out of a window's numbers, as a tuple (in C)."""
    if len(indices) == 1:
        only = indices[0]
        return lambda values: (values[only],)
    return operator.itemgetter(*indices) if indices else lambda values: ()


def _check_across_windows(c: _Collector, export: Export) -> None:
    """Year-to-date windows against the quarters and shorter year-to-date windows inside them.

    Plain lists, no numpy: the validator also runs in the lean export client. The ~700 numbers
    of a window compared with at most three quarters take well under a millisecond.
    """
    numbers = [_numbers(w) for w in export.windows]
    keys, distinct, union_bound, additive = _layout(len(numbers[0]), export.windows[0])
    pick_distinct, pick_union_bound, pick_additive = _PICKERS[len(numbers[0])]
    by_id = {w.id: (i, numbers[i]) for i, w in enumerate(export.windows)}
    sums: dict[tuple, list[int]] = {}

    def sum_of(quarters: tuple) -> list[int]:
        """The quarters' numbers added up, each year-to-date sum from the one before it (one
        addition per number instead of a sum over every quarter: 0.28 → 0.08 ms an export)."""
        last = by_id[periods.QUARTER_IDS[quarters[-1] - 1]][1]
        if len(quarters) == 1:
            return last
        if quarters not in sums:
            head = sum_of(quarters[:-1])
            if len(head) != len(last):
                raise ValueError("windows of different shapes")
            sums[quarters] = list(map(operator.add, head, last))
        return sums[quarters]

    for spec in periods.windows_for_period(export.period.begin, export.period.end):
        if len(spec.quarters) < 2:
            continue
        index, values = by_id[spec.id]
        quarter_sum = sum_of(tuple(spec.quarters))
        inner_ids = [periods.QUARTER_IDS[q - 1] for q in spec.quarters]
        inner_ids += [periods.YTD_IDS[q - 1] for q in spec.quarters[1:-1]]
        # Each rule first compared whole in C (tuples of the numbers it covers); only a window
        # that breaks it is gone through number by number to name each one: 0.41 → 0.1 ms.
        for inner_id in inner_ids:
            inner = by_id[inner_id][1]
            if all(map(operator.ge, pick_distinct(values), pick_distinct(inner))):
                continue
            for k in distinct:
                if values[k] < inner[k]:
                    c.add(
                        f"$.windows[{index}].{keys[k]}",
                        "window_below_part",
                        f"In {spec.id} ({values[k]}) kan dit aantal niet kleiner zijn dan in "
                        f"{inner_id} ({inner[k]}).",
                        f"In {spec.id} ({values[k]}) this count cannot be smaller than in "
                        f"{inner_id} ({inner[k]}).",
                    )
        union_bounded = all(
            map(operator.le, pick_union_bound(values), pick_union_bound(quarter_sum))
        )
        for k in () if union_bounded else union_bound:
            if values[k] > quarter_sum[k]:
                c.add(
                    f"$.windows[{index}].{keys[k]}",
                    "window_above_quarters",
                    f"In {spec.id} ({values[k]}) kan dit aantal niet groter zijn dan de som van "
                    f"de kwartalen ({quarter_sum[k]}).",
                    f"In {spec.id} ({values[k]}) this count cannot exceed the sum of the quarters "
                    f"({quarter_sum[k]}).",
                )
        for k in () if pick_additive(values) == pick_additive(quarter_sum) else additive:
            if values[k] != quarter_sum[k]:
                c.add(
                    f"$.windows[{index}].{keys[k]}",
                    "window_not_quarter_sum",
                    f"In {spec.id} moet dit getal ({values[k]}) de som van de kwartalen zijn "
                    f"({quarter_sum[k]}).",
                    f"In {spec.id} this number ({values[k]}) must be the sum of the quarters "
                    f"({quarter_sum[k]}).",
                )


def _check_trend(c: _Collector, export: Export) -> None:
    """Monthly trend: January up to the export date; its months add up to the quarters."""
    year = export.period.begin.year
    through = min(export.exported_at.date(), date(year, 12, 31))
    expected = periods.trend_months(year, through)
    got = [(m.month, m.begin, m.end) for m in export.trend]
    if got != expected:
        last = expected[-1] if expected else None
        c.add(
            "$.trend",
            "trend_mismatch",
            f"De trend moet elke maand van januari tot en met de exportdatum bevatten "
            f"({len(expected)} maanden, de laatste tot en met "
            f"{last[2].isoformat() if last else '-'}).",
            f"The trend must hold every month from January up to the export date "
            f"({len(expected)} months, the last up to {last[2].isoformat() if last else '-'}).",
        )
        return
    for index, window in enumerate(export.windows):
        if window.id not in periods.QUARTER_IDS:
            continue
        months = [m for m in export.trend if window.begin <= m.begin <= window.end]
        pairs = (
            ("sessions", window.sessions.total, "sessions.total"),
            ("no_shows", window.sessions.no_shows, "sessions.no_shows"),
            ("revenue_cents", window.revenue.total_cents, "revenue.total_cents"),
            ("episodes_started", window.episodes.started, "episodes.started"),
        )
        for name, value, window_key in pairs:
            got_sum = sum(getattr(m, name) for m in months)
            if got_sum != value:
                c.add(
                    f"$.windows[{index}].{window_key}",
                    "trend_not_window_sum",
                    f"De maanden van {window.id} tellen op tot {got_sum} ({name}), maar het "
                    f"venster zegt {value}.",
                    f"The months of {window.id} add up to {got_sum} ({name}), but the window "
                    f"says {value}.",
                )
        monthly_patients = [m.patients for m in months]
        if monthly_patients and not (
            max(monthly_patients) <= window.patients.total <= sum(monthly_patients)
        ):
            c.add(
                f"$.windows[{index}].patients.total",
                "trend_patients",
                f"Patiënten in {window.id} ({window.patients.total}) moet tussen het grootste "
                f"maandaantal ({max(monthly_patients)}) en de som van de maanden "
                f"({sum(monthly_patients)}) liggen.",
                f"Patients in {window.id} ({window.patients.total}) must lie between the largest "
                f"month ({max(monthly_patients)}) and the sum of the months "
                f"({sum(monthly_patients)}).",
            )
