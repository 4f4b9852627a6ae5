"""Read and check the practice records: the CSV files of docs/practice-records.md.

Why a report and not the first exception: a practice (or its software supplier) must be able to fix
every bad record in one go, so every problem is collected with file, line, a code and a Dutch
message. In strict mode (the default) any error stops the export; in lenient mode the bad records,
and what depends on them (the episodes of a rejected patient, the sessions of a rejected episode),
are left out and the report says so. Warnings (an unknown insurer or performance code) never stop
anything. These records hold personal data: nothing of them is written anywhere by this module.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from parabench_format import codes

FILES = {
    "patients": ("patients.csv", ("patient_id", "gender", "birth_date", "insurer_uzovi")),
    "episodes": (
        "episodes.csv",
        (
            "episode_id",
            "patient_id",
            "registration_date",
            "start_date",
            "end_date",
            "dcsph_code",
            "chronic",
            "access_route",
            "end_reason",
            "goals_achieved",
            "outcome_measured",
        ),
    ),
    "sessions": (
        "sessions.csv",
        ("session_id", "episode_id", "date", "performance_code", "payer", "amount", "no_show"),
    ),
    "therapists": ("therapists.csv", ("therapist_id", "fte", "start_date", "end_date")),
}
# Files a folder may hold; without one the records are just as valid (and hold no such rows).
# Why optional: outcome measures came with format 1.1, and folders written before must keep loading.
OPTIONAL_FILES = {
    "measurements": ("measurements.csv", ("episode_id", "instrument", "date", "score")),
}
# Columns a file may carry; a file without them is just as valid (the value is then empty).
# Why optional: only practice software that knows its insurers' concerns can fill insurer_concern,
# and files written before the column existed must keep loading.
OPTIONAL_COLUMNS = {"patients": ("insurer_concern",)}

_AMOUNT = re.compile(r"^(\d{1,6})(?:[.,](\d{1,2}))?$")
_FTE = re.compile(r"^(\d)(?:[.,](\d{1,2}))?$")
_DUTCH_DATE = re.compile(r"^\d{1,2}-\d{1,2}-\d{4}$")
_FOUR_DIGITS = re.compile(r"^\d{4}$")
_SCORE = re.compile(r"^(\d{1,2})(?:[.,](\d))?$")
# Characters that CSV quoting, the stripping of cells or the splitting of lines could affect:
# in ASCII text without any of them, a line of a file is its cells joined by commas (_Rows._plain).
_NOT_PLAIN = ('"', " ", "\t", "\x00", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")
_CONCERN_LIST = ", ".join(codes.INSURER_CONCERNS)
_INSURED_PAYERS = frozenset(codes.PAYERS) - {"self_pay"}
MAX_FTE_HUNDREDTHS = 200
EARLIEST = date(1900, 1, 1)


# --- The records ---------------------------------------------------------------------------------


# The four kinds of record are named tuples: immutable, with fields by name, and the cheapest
# Python object to build — a large practice's sessions.csv holds hundreds of thousands of rows.
class Patient(NamedTuple):
    patient_id: str
    gender: str  # "female", "male" or "other"
    birth_date: date
    insurer_uzovi: str  # "" = unknown or self-pay
    concern: str  # insurer concern, "other" or "self_pay"


class Episode(NamedTuple):
    episode_id: str
    patient_id: str
    registration_date: date | None
    start_date: date
    end_date: date | None
    dcsph_group: str
    chronic: bool
    access_route: str
    end_reason: str | None
    goals_achieved: bool | None
    outcome_measured: bool


class Session(NamedTuple):
    session_id: str
    episode_id: str
    date: date
    session_type: str
    payer: str
    amount_cents: int
    no_show: bool


class Measurement(NamedTuple):
    episode_id: str
    instrument: str  # "nprs" or "psk"
    date: date
    score_tenths: int  # 0–100


class Therapist(NamedTuple):
    therapist_id: str
    fte_hundredths: int
    start_date: date | None
    end_date: date | None


@dataclass(frozen=True)
class RecordProblem:
    file: str
    line: int
    code: str
    message: str  # Dutch, for people
    message_en: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        kind = "fout" if self.severity == "error" else "waarschuwing"
        return f"{self.file}, regel {self.line}: {kind}: {self.message} [{self.code}]"


@dataclass
class RecordsReport:
    problems: list[RecordProblem] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)
    kept: dict[str, int] = field(default_factory=dict)

    @property
    def ordered(self) -> list[RecordProblem]:
        """Errors first, then warnings, each in file order."""
        return self.errors + self.warnings

    @property
    def errors(self) -> list[RecordProblem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[RecordProblem]:
        return [p for p in self.problems if p.severity == "warning"]

    def dropped(self) -> dict[str, int]:
        return {name: self.read.get(name, 0) - self.kept.get(name, 0) for name in self.read}

    def lines(self, limit: int | None = None) -> list[str]:
        """The report as Dutch lines, errors first; with `limit`, a count of what was left out."""
        ordered = self.ordered
        shown = ordered if limit is None else ordered[:limit]
        out = [str(p) for p in shown]
        if len(ordered) > len(shown):
            out.append(f"… en nog {len(ordered) - len(shown)} meldingen.")
        return out


@dataclass
class Records:
    patients: dict[str, Patient]
    episodes: dict[str, Episode]
    sessions: list[Session]
    therapists: list[Therapist]
    report: RecordsReport
    measurements: list[Measurement] = field(default_factory=list)
    # Derived facts that users of the records keep between calls (see aggregate._facts).
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def problems(self) -> list[RecordProblem]:
        """What was left out (errors) or noticed (warnings), errors first."""
        return self.report.ordered


class RecordsError(Exception):
    """The records cannot be used as they are; `problems` lists every problem, errors first."""

    code = "records_invalid"

    def __init__(self, report: RecordsReport):
        self.report = report
        self.message = (
            f"De praktijkgegevens bevatten {len(report.errors)} fout(en); er is niets "
            "geëxporteerd. Herstel ze, of exporteer zonder de foute regels (niet-strikt)."
        )
        self.message_en = (
            f"The practice records contain {len(report.errors)} error(s); nothing was exported. "
            "Fix them, or export without the bad lines (lenient)."
        )
        super().__init__(self.message)

    @property
    def problems(self) -> list[RecordProblem]:
        return self.report.ordered


# --- Reading -------------------------------------------------------------------------------------


class _Rows:
    """The rows of one CSV file as (line, {column: value}), after checking its header."""

    def __init__(self, folder: Path, kind: str, report: RecordsReport):
        self.name, self.required = FILES[kind] if kind in FILES else OPTIONAL_FILES[kind]
        self.optional = OPTIONAL_COLUMNS.get(kind, ())
        self.columns = (*self.required, *self.optional)
        self.path = folder / self.name
        self.report = report

    def problem(self, line: int, code: str, nl: str, en: str, severity: str = "error") -> None:
        self.report.problems.append(RecordProblem(self.name, line, code, nl, en, severity))

    def __iter__(self):
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            self.problem(
                0,
                "file_missing",
                f"Het bestand {self.name} ontbreekt in de map.",
                f"The file {self.name} is missing from the folder.",
            )
            raise RecordsError(self.report) from None
        text = self._decode(data)
        first = text.split("\n", 1)[0]
        # Dutch Excel writes "CSV (gescheiden door lijstscheidingsteken)" with semicolons.
        self.delimiter = ";" if ";" in first and "," not in first else ","
        if text.isascii() and not any(c in text for c in _NOT_PLAIN):
            lines = text.splitlines()
            if not lines or max(map(len, lines)) < csv.field_size_limit():
                yield from self._plain(lines)
                return
        yield from self._parsed(text)

    def _decode(self, data: bytes) -> str:
        """UTF-8 with or without BOM; Windows-1252 (older Excel) read with a warning."""
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            position = error.start
        line = data.count(b"\n", 0, position) + 1
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            self.problem(
                line,
                "not_utf8",
                f"{self.name} is geen UTF-8-tekst (eerste onleesbare teken op regel {line}). "
                f"Open het bestand in Excel en kies Bestand › Opslaan als › 'CSV UTF-8 "
                "(door komma's gescheiden) (*.csv)'.",
                f"{self.name} is not UTF-8 text (first unreadable character on line {line}). "
                "Open the file in Excel and choose File › Save As › 'CSV UTF-8 (Comma "
                "delimited) (*.csv)'.",
            )
            raise RecordsError(self.report) from None
        self.problem(
            line,
            "encoding_windows_1252",
            f"{self.name} is geen UTF-8 maar Windows-1252 (vanaf regel {line}); zo gelezen. "
            "Liever UTF-8: in Excel Bestand › Opslaan als › 'CSV UTF-8 (door komma's "
            "gescheiden) (*.csv)'.",
            f"{self.name} is not UTF-8 but Windows-1252 (from line {line}); read as such. "
            "Prefer UTF-8: in Excel File › Save As › 'CSV UTF-8 (Comma delimited) (*.csv)'.",
            "warning",
        )
        return text

    def _index(self, header: list[str]) -> list[int]:
        """Where each known column sits in a row; -1 (an empty cell) for an absent optional one."""
        missing = [c for c in self.required if c not in header]
        if missing:
            self.problem(
                1,
                "columns_missing",
                f"Kolommen ontbreken in de kopregel: {', '.join(missing)}.",
                f"Columns missing from the header: {', '.join(missing)}.",
            )
            raise RecordsError(self.report)
        unknown = [h for h in header if h not in self.columns]
        if unknown:
            self.problem(
                1,
                "columns_unknown",
                f"Onbekende kolommen worden genegeerd: {', '.join(unknown)}.",
                f"Unknown columns are ignored: {', '.join(unknown)}.",
                "warning",
            )
        return [header.index(c) if c in header else -1 for c in self.columns]

    def _wrong_width(self, line: int, fields: int, width: int) -> None:
        self.problem(
            line,
            "row_width",
            f"Deze regel heeft {fields} velden in plaats van {width}.",
            f"This line has {fields} fields instead of {width}.",
        )

    def _plain(self, lines: list[str]):
        """The rows of a file without quotes or blanks, where CSV is text split at commas.

        Why: the csv module and stripping every cell cost more than the checks themselves on a
        large practice's sessions.csv. Line numbers are the same as the csv module's, because
        without quotes no record spans two lines.
        """
        delimiter = self.delimiter
        header = lines[0].split(delimiter) if lines else []
        index = self._index(header)
        width = len(header)
        same_order = index == list(range(width))
        padding = [""] if -1 in index else []
        for line, text in enumerate(lines[1:], 2):
            if not text:
                continue
            row = text.split(delimiter)
            if len(row) != width:
                self._wrong_width(line, len(row), width)
                yield line, None
            elif same_order:
                yield line, row
            else:
                row += padding
                yield line, [row[i] for i in index]

    def _parsed(self, text: str):
        """The rows as the csv module reads them (quotes, blanks around cells, odd bytes)."""
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=self.delimiter)
        try:
            header = [h.strip() for h in next(reader, [])]
            index = self._index(header)
            padding = [""] if -1 in index else []
            width = len(header)
            for row in reader:
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) != width:
                    self._wrong_width(reader.line_num, len(row), width)
                    yield reader.line_num, None
                    continue
                row += padding
                yield reader.line_num, [row[i].strip() for i in index]
        except csv.Error as error:
            self.problem(
                reader.line_num,
                "csv_invalid",
                f"{self.name} is geen geldige CSV: {error}.",
                f"{self.name} is not valid CSV: {error}.",
            )
            raise RecordsError(self.report) from None


@lru_cache(maxsize=8192)
def _date(value: str) -> date | None:
    """A strict YYYY-MM-DD date, or None when it is not one (cached: records share few dates)."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _flag(value: str) -> bool | None:
    return True if value == "1" else False if value == "0" else None


def _cents(value: str) -> int | None:
    """Euro cents of an amount such as 36.53 or 36,53 (a decimal comma, as Dutch Excel writes)."""
    match = _AMOUNT.match(value)
    if match is None:
        return None
    return int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))


def _date_problem(value: str, column: str) -> tuple[str, str, str]:
    if not value:
        return "value_missing", f"{column} ontbreekt.", f"{column} is missing."
    hint_nl = hint_en = ""
    if _DUTCH_DATE.match(value):
        hint_nl = (
            " Schrijf datums als JJJJ-MM-DD (in Excel: Celeigenschappen › Aangepast › jjjj-mm-dd)."
        )
        hint_en = " Write dates as YYYY-MM-DD (in Excel: Format Cells › Custom › yyyy-mm-dd)."
    return (
        "date_invalid",
        f"{column} '{value}' is geen geldige datum (JJJJ-MM-DD).{hint_nl}",
        f"{column} '{value}' is not a valid date (YYYY-MM-DD).{hint_en}",
    )


def _flag_problem(value: str, column: str) -> tuple[str, str, str]:
    return (
        "flag_invalid",
        f"{column} moet 1 of 0 zijn, niet '{value}'.",
        f"{column} must be 1 or 0, not '{value}'.",
    )


def _unique_problem(value: str, column: str) -> tuple[str, str, str]:
    if not value:
        return "value_missing", f"{column} ontbreekt.", f"{column} is missing."
    return (
        "duplicate_id",
        f"{column} '{value}' komt al eerder voor.",
        f"{column} '{value}' occurs more than once.",
    )


class _Check:
    """Collects the problems of one row; `ok` is False after the first error."""

    __slots__ = ("rows", "line", "ok")

    def __init__(self, rows: _Rows, line: int):
        self.rows, self.line, self.ok = rows, line, True

    def error(self, code: str, nl: str, en: str) -> None:
        self.ok = False
        self.rows.problem(self.line, code, nl, en)

    def warning(self, code: str, nl: str, en: str) -> None:
        self.rows.problem(self.line, code, nl, en, "warning")

    def date(self, value: str, column: str, required: bool = True) -> date | None:
        if not value and not required:
            return None
        parsed = _date(value) if value else None
        if parsed is None or parsed < EARLIEST:
            self.error(*_date_problem(value, column))
            return None
        return parsed

    def flag(self, value: str, column: str) -> bool | None:
        parsed = _flag(value)
        if parsed is None:
            self.error(*_flag_problem(value, column))
        return parsed

    def unique(self, value: str, seen: set, column: str) -> None:
        if not value or value in seen:
            self.error(*_unique_problem(value, column))
        seen.add(value)


def _fail(check: "_Check | None", rows: _Rows, line: int, *problem: str) -> "_Check":
    check = check or _Check(rows, line)
    check.error(*problem)
    return check


def _warn(check: "_Check | None", rows: _Rows, line: int, *problem: str) -> "_Check":
    check = check or _Check(rows, line)
    check.warning(*problem)
    return check


def _read_patients(folder: Path, report: RecordsReport) -> tuple[dict[str, Patient], set[str]]:
    """The accepted patients, and every patient id seen (to tell "rejected" from "unknown")."""
    rows = _Rows(folder, "patients", report)
    seen: set[str] = set()
    patients: dict[str, Patient] = {}
    read = 0
    for line, row in rows:
        read += 1
        if row is None:
            continue
        patient_id, gender_code, birth, uzovi, concern_code = row
        check = _Check(rows, line)
        check.unique(patient_id, seen, "patient_id")
        gender = codes.GENDER_BY_RECORD_CODE.get(gender_code or "X")
        if gender is None:
            check.error(
                "gender_invalid",
                f"gender moet F, M of X zijn, niet '{gender_code}'.",
                f"gender must be F, M or X, not '{gender_code}'.",
            )
        birth_date = check.date(birth, "birth_date")
        concern = "self_pay"
        if uzovi:
            if not _FOUR_DIGITS.match(uzovi):
                check.error(
                    "uzovi_invalid",
                    f"insurer_uzovi '{uzovi}' is geen UZOVI-code.",
                    f"insurer_uzovi '{uzovi}' is not a UZOVI code.",
                )
            elif concern_code in codes.INSURER_CONCERNS:
                pass  # the concern column wins: no need to know this UZOVI code
            else:
                concern = codes.insurer_concern(uzovi)
                if concern == "other":
                    check.warning(
                        "uzovi_unknown",
                        f"UZOVI-code {uzovi} is onbekend; telt mee als 'overige verzekeraar'.",
                        f"UZOVI code {uzovi} is unknown; it counts as 'other insurer'.",
                    )
        if concern_code:
            if concern_code in codes.INSURER_CONCERNS:
                concern = concern_code
            else:
                check.error(
                    "concern_invalid",
                    f"insurer_concern '{concern_code}' is onbekend; kies uit {_CONCERN_LIST}.",
                    f"insurer_concern '{concern_code}' is unknown; choose from {_CONCERN_LIST}.",
                )
        if check.ok:
            patients[patient_id] = Patient(patient_id, gender, birth_date, uzovi, concern)
    report.read["patients"] = read
    return patients, seen


def _read_episodes(
    folder: Path, report: RecordsReport, patients: dict, patient_ids: set
) -> tuple[dict[str, Episode], set[str]]:
    rows = _Rows(folder, "episodes", report)
    seen: set[str] = set()
    episodes: dict[str, Episode] = {}
    read = 0
    known_patients = set(patients)
    for line, row in rows:
        read += 1
        if row is None:
            continue
        (
            episode_id,
            patient_id,
            registration,
            start,
            end,
            dcsph,
            chronic,
            route,
            reason,
            goals,
            outcome,
        ) = row
        check = _Check(rows, line)
        check.unique(episode_id, seen, "episode_id")
        if patient_id in known_patients:
            pass  # the usual case, checked first because it is by far the most common
        elif patient_id in patient_ids:
            check.error(
                "patient_rejected",
                f"patiënt '{patient_id}' is afgekeurd (zie patients.csv); deze klacht vervalt.",
                f"patient '{patient_id}' was rejected (see patients.csv); episode left out.",
            )
        else:
            check.error(
                "patient_unknown",
                f"patiënt '{patient_id}' staat niet in patients.csv.",
                f"patient '{patient_id}' is not in patients.csv.",
            )
        registration_date = check.date(registration, "registration_date", required=False)
        start_date = check.date(start, "start_date")
        end_date = check.date(end, "end_date", required=False)
        if registration_date and start_date and registration_date > start_date:
            check.error(
                "dates_out_of_order",
                "registration_date ligt na start_date.",
                "registration_date lies after start_date.",
            )
        if start_date and end_date and end_date < start_date:
            check.error(
                "dates_out_of_order",
                "end_date ligt voor start_date.",
                "end_date lies before start_date.",
            )
        group = codes.dcsph_group(dcsph)
        if group is None:
            check.error(
                "dcsph_unknown",
                f"DCSPH-code '{dcsph}' is onbekend.",
                f"DCSPH code '{dcsph}' is unknown.",
            )
        chronic_flag = check.flag(chronic, "chronic")
        if route not in codes.ACCESS_ROUTES:
            check.error(
                "access_route_invalid",
                f"access_route '{route}' is onbekend.",
                f"access_route '{route}' is unknown.",
            )
        goals_flag = None
        if end_date is not None or end:
            if reason not in codes.END_REASONS:
                check.error(
                    "end_reason_invalid",
                    f"end_reason '{reason}' is onbekend of ontbreekt bij een afgesloten klacht.",
                    f"end_reason '{reason}' is unknown or missing for a closed episode.",
                )
            goals_flag = check.flag(goals, "goals_achieved")
        elif reason or goals:
            check.error(
                "open_episode_closed_fields",
                "end_reason en goals_achieved horen leeg te zijn zolang de klacht open is.",
                "end_reason and goals_achieved must be empty while the episode is open.",
            )
        outcome_flag = check.flag(outcome, "outcome_measured")
        if check.ok:
            episodes[episode_id] = Episode(
                episode_id,
                patient_id,
                registration_date,
                start_date,
                end_date,
                group,
                chronic_flag,
                route,
                reason or None,
                goals_flag,
                outcome_flag,
            )
    report.read["episodes"] = read
    return episodes, seen


def _read_sessions(
    folder: Path, report: RecordsReport, episodes: dict, episode_ids: set, patients: dict
) -> list[Session]:
    """The accepted sessions. Each rule is stated once, in the order of the columns.

    Why it is still fast on hundreds of thousands of rows: the texts that repeat (dates, amounts,
    codes) are parsed once each, the episode's dates and whether its patient is insured are
    looked up once per episode, and a row without problems creates no report object.
    """
    rows = _Rows(folder, "sessions", report)
    seen: set[str] = set()
    sessions: list[Session] = []
    read = 0
    type_by_code = codes.SESSION_TYPE_BY_PERFORMANCE_CODE
    bounds = {
        episode_id: (
            e.start_date,
            e.end_date or date.max,
            patients[e.patient_id].concern != "self_pay",
        )
        for episode_id, e in episodes.items()
    }
    dates: dict[str, date | None] = {}
    cents_of: dict[str, int | None] = {}
    append, add = sessions.append, seen.add
    for line, row in rows:
        read += 1
        if row is None:
            continue
        session_id, episode_id, day, code, payer, amount, no_show = row
        check = None  # a _Check only for a row with a problem: most rows have none
        if not session_id or session_id in seen:
            check = _fail(check, rows, line, *_unique_problem(session_id, "session_id"))
        add(session_id)
        known = bounds.get(episode_id)
        if known is None:
            check = _fail(
                check,
                rows,
                line,
                *_episode_problem(episode_id, episode_ids, "deze zitting", "session"),
            )
        if day in dates:
            session_date = dates[day]
        else:
            session_date = dates[day] = _date(day) if day else None
            if session_date is not None and session_date < EARLIEST:
                session_date = dates[day] = None
        if session_date is None:
            check = _fail(check, rows, line, *_date_problem(day, "date"))
        elif known is not None:
            if session_date < known[0]:
                check = _fail(
                    check,
                    rows,
                    line,
                    "dates_out_of_order",
                    "de zitting ligt voor de start van de klacht.",
                    "the session lies before the start of its episode.",
                )
            elif session_date > known[1]:
                check = _fail(
                    check,
                    rows,
                    line,
                    "dates_out_of_order",
                    "de zitting ligt na het einde van de klacht.",
                    "the session lies after the end of its episode.",
                )
        session_type = type_by_code.get(code)
        if session_type is None:
            if _FOUR_DIGITS.match(code):
                session_type = "other"
                check = _warn(
                    check,
                    rows,
                    line,
                    "performance_code_unknown",
                    f"prestatiecode {code} staat niet in de codelijst; telt als 'overig'.",
                    f"performance code {code} is not in the code list; it counts as 'other'.",
                )
            else:
                check = _fail(
                    check,
                    rows,
                    line,
                    "performance_code_invalid",
                    f"prestatiecode '{code}' is ongeldig.",
                    f"performance code '{code}' is invalid.",
                )
        if payer not in codes.PAYERS:
            check = _fail(
                check,
                rows,
                line,
                "payer_invalid",
                f"payer '{payer}' is onbekend.",
                f"payer '{payer}' is unknown.",
            )
        elif payer != "self_pay" and known is not None and not known[2]:
            check = _fail(
                check,
                rows,
                line,
                "payer_without_insurer",
                "de zitting is gedeclareerd bij een verzekeraar, maar de patiënt heeft "
                "geen verzekeraar (insurer_uzovi en insurer_concern zijn leeg).",
                "the session is billed to an insurer, but the patient has no insurer "
                "(insurer_uzovi and insurer_concern are empty).",
            )
        if amount in cents_of:
            cents = cents_of[amount]
        else:
            cents = cents_of[amount] = _cents(amount)
        if cents is None:
            check = _fail(
                check,
                rows,
                line,
                "amount_invalid",
                f"amount '{amount}' is geen bedrag (bijv. 36.53).",
                f"amount '{amount}' is not an amount (e.g. 36.53).",
            )
        if no_show != "0" and no_show != "1":
            check = _fail(check, rows, line, *_flag_problem(no_show, "no_show"))
        if check is None or check.ok:
            append(
                Session(
                    session_id, episode_id, session_date, session_type, payer, cents, no_show == "1"
                )
            )
    report.read["sessions"] = read
    return sessions


def _read_therapists(folder: Path, report: RecordsReport) -> list[Therapist]:
    rows = _Rows(folder, "therapists", report)
    seen: set[str] = set()
    therapists: list[Therapist] = []
    read = 0
    for line, row in rows:
        read += 1
        if row is None:
            continue
        therapist_id, fte, start, end = row
        check = _Check(rows, line)
        check.unique(therapist_id, seen, "therapist_id")
        match = _FTE.match(fte)
        hundredths = 0
        if match is None:
            check.error(
                "fte_invalid",
                f"fte '{fte}' is geen getal zoals 0.8.",
                f"fte '{fte}' is not a number like 0.8.",
            )
        else:
            hundredths = int(match[1]) * 100 + int((match[2] or "0").ljust(2, "0"))
            if hundredths > MAX_FTE_HUNDREDTHS:
                check.error("fte_invalid", f"fte {fte} is groter dan 2.", f"fte {fte} exceeds 2.")
        start_date = check.date(start, "start_date", required=False)
        end_date = check.date(end, "end_date", required=False)
        if start_date and end_date and end_date < start_date:
            check.error(
                "dates_out_of_order",
                "end_date ligt voor start_date.",
                "end_date lies before start_date.",
            )
        if check.ok:
            therapists.append(Therapist(therapist_id, hundredths, start_date, end_date))
    report.read["therapists"] = read
    return therapists


def _read_measurements(folder: Path, report: RecordsReport, episodes: dict, episode_ids: set):
    """The accepted outcome measurements; none when the folder has no measurements.csv."""
    if not (folder / OPTIONAL_FILES["measurements"][0]).exists():
        return []
    rows = _Rows(folder, "measurements", report)
    seen: set[tuple[str, str, date]] = set()
    measurements: list[Measurement] = []
    read = other = 0
    for line, row in rows:
        read += 1
        if row is None:
            continue
        episode_id, instrument_code, day, score = row
        check = _Check(rows, line)
        episode = episodes.get(episode_id)
        if episode is None:
            check.error(*_episode_problem(episode_id, episode_ids, "deze meting", "measurement"))
        instrument = instrument_code.lower()
        if instrument not in codes.OUTCOME_INSTRUMENTS:
            # Another instrument the software records (e.g. a disability index): not exported.
            check.warning(
                "instrument_unknown",
                f"meetinstrument '{instrument_code}' wordt niet geëxporteerd (alleen NPRS en PSK).",
                f"instrument '{instrument_code}' is not exported (only NPRS and PSK).",
            )
            other += 1  # neither read nor left out: not a measurement this client knows
            continue
        measured = check.date(day, "date")
        if episode is not None and measured is not None:
            if measured < episode.start_date or (episode.end_date and measured > episode.end_date):
                check.error(
                    "dates_out_of_order",
                    "de meting ligt buiten de klacht (voor de start of na het einde).",
                    "the measurement lies outside its episode (before its start or after its end).",
                )
            elif (episode_id, instrument, measured) in seen:
                check.error(
                    "duplicate_measurement",
                    f"klacht '{episode_id}' heeft al een {instrument.upper()}-meting op {day}.",
                    f"episode '{episode_id}' already has a {instrument.upper()} score on {day}.",
                )
            seen.add((episode_id, instrument, measured))
        match = _SCORE.match(score)
        tenths = None if match is None else int(match[1]) * 10 + int(match[2] or 0)
        if (
            tenths is None
            or tenths > codes.OUTCOME_SCORE_MAX_TENTHS
            or (instrument == "nprs" and tenths % 10)
        ):
            whole = "een heel getal " if instrument == "nprs" else "een getal "
            check.error(
                "score_invalid",
                f"score '{score}' is geen {whole}van 0 tot en met 10.",
                f"score '{score}' is not a {'whole ' if instrument == 'nprs' else ''}number "
                "from 0 to 10.",
            )
        if check.ok:
            measurements.append(Measurement(episode_id, instrument, measured, tenths))
    report.read["measurements"] = read - other
    report.kept["measurements"] = len(measurements)
    return measurements


def _episode_problem(episode_id: str, episode_ids: set, what_nl: str, what_en: str):
    if episode_id in episode_ids:
        return (
            "episode_rejected",
            f"klacht '{episode_id}' is afgekeurd (zie episodes.csv); {what_nl} vervalt.",
            f"episode '{episode_id}' was rejected (see episodes.csv); {what_en} left out.",
        )
    return (
        "episode_unknown",
        f"klacht '{episode_id}' staat niet in episodes.csv.",
        f"episode '{episode_id}' is not in episodes.csv.",
    )


def load_records(folder: str | Path, strict: bool = True) -> Records:
    """Read and check the records folder.

    Strict (default): raises RecordsError when any record has an error, with the full report.
    Lenient: leaves out bad records and everything depending on them; the report lists them.
    A missing file or column raises RecordsError in both modes. Warnings never stop anything.
    """
    folder = Path(folder)
    report = RecordsReport()
    patients, patient_ids = _read_patients(folder, report)
    episodes, episode_ids = _read_episodes(folder, report, patients, patient_ids)
    sessions = _read_sessions(folder, report, episodes, episode_ids, patients)
    therapists = _read_therapists(folder, report)
    measurements = _read_measurements(folder, report, episodes, episode_ids)
    report.kept |= {
        "patients": len(patients),
        "episodes": len(episodes),
        "sessions": len(sessions),
        "therapists": len(therapists),
    }
    if strict and report.errors:
        raise RecordsError(report)
    return Records(patients, episodes, sessions, therapists, report, measurements)
