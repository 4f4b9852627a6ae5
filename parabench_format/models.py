"""The export format parabench-mi/1 and 1.1 as pydantic models: one definition for both sides.

Why so strict: an export leaves the practice, so the format itself must make it impossible to
carry patient data. Unknown fields are refused, there is no free text (the only strings are an
AGB code, a software name from a registry, a version of at most seven digits and an export moment
in whole seconds), every count is a bounded non-negative integer and money is whole euro cents.
Consistency between the numbers is checked by `parabench_format.validate`, which also turns every
problem into a JSON path and a Dutch message.
"""

import json
import re
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Final, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    WithJsonSchema,
    model_serializer,
)
from pydantic_core import PydanticCustomError

from parabench_format import codes
from parabench_format.periods import FIRST_YEAR

# 1.1 adds case-mix cells and outcome measures to every window and changes nothing else: a 1.0
# export ("parabench-mi/1", the name it has always had) stays valid and keeps its figures.
FORMAT_1_0: Final = "parabench-mi/1"
FORMAT_1_1: Final = "parabench-mi/1.1"
FORMATS: Final = (FORMAT_1_0, FORMAT_1_1)
FORMAT: Final = FORMAT_1_1  # what the reference client writes
# The parts of a window that only 1.1 has (validate.py: required in 1.1, refused in 1.0).
FIELDS_1_1: Final = ("case_mix", "outcomes")

MAX_COUNT: Final = 10_000_000
MAX_CENTS: Final = 100_000_000_000  # € 1 000 000 000,00
MAX_DAYS_TOTAL: Final = 1_000_000_000
MAX_FTE_HUNDREDTHS: Final = 100_000  # 1 000 FTE
MAX_TENTHS_TOTAL: Final = MAX_COUNT * 100  # a sum of scores 0–10 in tenths over MAX_COUNT episodes
MAX_SQUARES_TOTAL: Final = MAX_COUNT * 100 * 100
MAX_CELL_SQUARES: Final = 10**15  # below 2⁵³: exact as a JSON number in every language

Count = Annotated[int, Field(ge=0, le=MAX_COUNT)]
Cents = Annotated[int, Field(ge=0, le=MAX_CENTS)]
DaysTotal = Annotated[int, Field(ge=0, le=MAX_DAYS_TOTAL)]
CellSquares = Annotated[int, Field(ge=0, le=MAX_CELL_SQUARES)]

WindowId = Literal["Q1", "Q2", "Q3", "Q4", "Q1-Q2", "Q1-Q3", "Q1-Q4"]

# --- Fields that are text: held so tightly that nothing can be smuggled in them -----------------
# Why: raw export bodies are stored, so any free text in them would persist. The software name
# comes from a registry (data, shipped with this package), the version has at most 2+2+3 digits
# without leading zeros (no room for a BSN of 9 digits or a date of 8), the export moment is whole
# seconds (a fraction could carry digits) and the years lie in 2000 … the present.

REGISTRY_PATH: Final = Path(__file__).parent / "data" / "software-names.json"
SOFTWARE_NAMES: Final = tuple(
    entry["name"] for entry in json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))["names"]
)
SOFTWARE_VERSION_PATTERN: Final = r"^(0|[1-9][0-9]?)\.(0|[1-9][0-9]?)(\.(0|[1-9][0-9]{0,2}))?$"
EXPORTED_AT_PATTERN: Final = (
    r"^2[0-9]{3}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(Z|[+-][0-9]{2}:[0-9]{2})$"
)
YEAR_DATE_PATTERN: Final = r"^2[0-9]{3}-[0-9]{2}-[0-9]{2}$"


def _registered_name(value: str) -> str:
    if value not in SOFTWARE_NAMES:
        raise PydanticCustomError(
            "software_unknown",
            "Software name is not in the registry of known practice software: {registered}.",
            {"registered": ", ".join(SOFTWARE_NAMES)},
        )
    return value


def _tight_version(value: str) -> str:
    if not re.fullmatch(SOFTWARE_VERSION_PATTERN, value):
        raise PydanticCustomError(
            "software_version_invalid",
            "Version must be MAJOR.MINOR or MAJOR.MINOR.PATCH (at most 2, 2 and 3 digits, no "
            "leading zeros), e.g. 7.2 or 7.2.15.",
        )
    return value


def _whole_seconds(value):
    """Refuse a fraction of a second (or any other spelling) before the time is parsed.

    A string that passes the pattern is parsed here: strict mode takes no text for a datetime
    once a validator has seen it, only the parsed value.
    """
    if isinstance(value, str):
        if re.fullmatch(EXPORTED_AT_PATTERN, value):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                return value  # not a real moment (month 13): the datetime check names it
    elif not (isinstance(value, datetime) and value.microsecond != 0):
        return value
    raise PydanticCustomError(
        "exported_at_format",
        "The export moment must be written as YYYY-MM-DDThh:mm:ss with a time zone (Z or "
        "+hh:mm), in whole seconds.",
    )


def _from_first_year(value: date) -> date:
    if value.year < FIRST_YEAR:
        raise PydanticCustomError(
            "year_out_of_range", "The year must be {first} or later.", {"first": FIRST_YEAR}
        )
    return value


SoftwareName = Annotated[
    str,
    AfterValidator(_registered_name),
    WithJsonSchema({"type": "string", "enum": list(SOFTWARE_NAMES)}),
]
SoftwareVersion = Annotated[
    str,
    AfterValidator(_tight_version),
    WithJsonSchema({"type": "string", "pattern": SOFTWARE_VERSION_PATTERN, "maxLength": 9}),
]
ExportedAt = Annotated[
    AwareDatetime,
    BeforeValidator(_whole_seconds),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": EXPORTED_AT_PATTERN}),
]
PeriodDate = Annotated[
    date,
    AfterValidator(_from_first_year),
    WithJsonSchema({"type": "string", "format": "date", "pattern": YEAR_DATE_PATTERN}),
]


def _histogram(bins: int, description: str):
    return Annotated[
        list[Count],
        Field(min_length=bins + 1, max_length=bins + 1, description=description),
    ]


SessionsHistogram = _histogram(
    codes.SESSIONS_BINS,
    f"Element i = closed episodes with exactly i sessions; the last element "
    f"(index {codes.SESSIONS_BINS}) = {codes.SESSIONS_BINS} or more.",
)
WeeksHistogram = _histogram(
    codes.WEEKS_BINS,
    f"Element i = closed episodes lasting i whole weeks (last minus first session); the last "
    f"element (index {codes.WEEKS_BINS}) = {codes.WEEKS_BINS} weeks or more.",
)
WaitingHistogram = _histogram(
    codes.WAITING_DAYS_BINS,
    f"Element i = episodes with i days from registration to first session; the last element "
    f"(index {codes.WAITING_DAYS_BINS}) = {codes.WAITING_DAYS_BINS} days or more.",
)


class Strict(BaseModel):
    """Base of every part: unknown fields refused, no type coercion, immutable."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


# --- Small fixed breakdowns ----------------------------------------------------------------------


class AgeBands(Strict):
    """Distinct patients per age band (age in whole years on 1 January of the export year)."""

    age_0_17: Count
    age_18_29: Count
    age_30_39: Count
    age_40_49: Count
    age_50_59: Count
    age_60_69: Count
    age_70_79: Count
    age_80_plus: Count


class GenderAge(Strict):
    female: AgeBands
    male: AgeBands
    other: AgeBands


class InsurerCounts(Strict):
    """Counts per insurer concern; `other` = an insurer not in the code list, `self_pay` = none."""

    achmea: Count
    vgz: Count
    cz: Count
    menzis: Count
    dsw: Count
    asr: Count
    zorg_en_zekerheid: Count
    onvz: Count
    salland: Count
    caresq: Count
    other: Count
    self_pay: Count


class InsurerCents(Strict):
    """Revenue per insurer concern in euro cents; `self_pay` = revenue paid by patients."""

    achmea: Cents
    vgz: Cents
    cz: Cents
    menzis: Cents
    dsw: Cents
    asr: Cents
    zorg_en_zekerheid: Cents
    onvz: Cents
    salland: Cents
    caresq: Cents
    other: Cents
    self_pay: Cents


class AccessRoutes(Strict):
    direct: Count
    gp: Count
    specialist: Count
    other: Count


class DcsphGroups(Strict):
    head_neck: Count
    thorax_abdomen: Count
    spine: Count
    shoulder_arm_hand: Count
    pelvis_leg_foot: Count
    generalised: Count


class EndReasons(Strict):
    regular: Count
    patient_stopped: Count
    referred: Count
    other: Count


class SessionTypes(Strict):
    regular: Count
    at_home: Count
    institution: Count
    paediatric: Count
    screening_intake: Count
    intake_referral: Count
    telephone: Count
    group: Count
    manual_therapy: Count
    oedema: Count
    pelvic: Count
    other: Count


class PayerCounts(Strict):
    basic: Count
    supplementary: Count
    self_pay: Count


class PayerCents(Strict):
    basic: Cents
    supplementary: Cents
    self_pay: Cents


# --- The parts of a window -----------------------------------------------------------------------


class Patients(Strict):
    """Distinct patients with at least one session (not a no-show) in the window."""

    total: Count
    new: Count = Field(
        description="Patients counted in `total` whose first episode ever starts in the window."
    )
    by_gender_age: GenderAge
    by_insurer: InsurerCounts


class Episodes(Strict):
    active: Count = Field(description="Episodes whose start…end overlaps the window.")
    started: Count = Field(description="Episodes whose start date lies in the window.")
    ended: Count = Field(description="Episodes whose end date lies in the window (closed).")
    chronic_active: Count = Field(description="Active episodes under the chronic list.")
    started_by_access_route: AccessRoutes
    active_by_dcsph_group: DcsphGroups
    active_by_insurer: InsurerCounts


class Sessions(Strict):
    total: Count = Field(description="Sessions in the window that took place (no-shows excluded).")
    no_shows: Count
    by_type: SessionTypes
    by_payer: PayerCounts


class Revenue(Strict):
    """Billed amounts of every session row in the window (a billed no-show included)."""

    total_cents: Cents
    by_payer: PayerCents
    by_insurer: InsurerCents


class ClosedEpisodes(Strict):
    """Episodes that ended in the window, for one side of the chronic split."""

    episodes: Count
    sessions_total: Count = Field(description="All sessions of these episodes (also earlier).")
    sessions_histogram: SessionsHistogram
    duration_days_total: DaysTotal = Field(description="Sum of last minus first session, in days.")
    weeks_histogram: WeeksHistogram
    outcome_measured: Count
    goals_achieved: Count
    end_reasons: EndReasons


class ClosedSplit(Strict):
    chronic: ClosedEpisodes
    non_chronic: ClosedEpisodes


class Waiting(Strict):
    """Registration to first session, for episodes whose first session lies in the window."""

    episodes: Count
    days_total: DaysTotal
    within_5_working_days: Count
    days_histogram: WaitingHistogram


class Therapists(Strict):
    count: Count = Field(description="Therapists employed on at least one day of the window.")
    fte_hundredths: Annotated[int, Field(ge=0, le=MAX_FTE_HUNDREDTHS)] = Field(
        description="Average FTE over the window's days, in hundredths (520 = 5.20 FTE)."
    )


# --- Case mix and outcomes (format 1.1) -----------------------------------------------------------


class CaseMixCell(Strict):
    """Closed episodes of the window in one cell: chronic or not × DCSPH group × age band."""

    episodes: Count
    sessions_total: Count = Field(description="All sessions of these episodes (also earlier).")
    sessions_squares_total: CellSquares = Field(
        description="Sum over these episodes of (sessions)², for the spread."
    )
    duration_days_total: DaysTotal = Field(description="Sum of last minus first session, in days.")
    duration_days_squares_total: CellSquares = Field(
        description="Sum over these episodes of (last minus first session in days)²."
    )


class CaseMixAges(Strict):
    """Age in whole years on 1 January of the export year, as for the patients."""

    age_0_17: CaseMixCell
    age_18_44: CaseMixCell
    age_45_64: CaseMixCell
    age_65_plus: CaseMixCell


class CaseMixGroups(Strict):
    """By the DCSPH location group of the episode (the first digit of its code)."""

    head_neck: CaseMixAges
    thorax_abdomen: CaseMixAges
    spine: CaseMixAges
    shoulder_arm_hand: CaseMixAges
    pelvis_leg_foot: CaseMixAges
    generalised: CaseMixAges


class CaseMix(Strict):
    """The window's closed episodes in case-mix cells; each side adds up to closed_episodes."""

    chronic: CaseMixGroups
    non_chronic: CaseMixGroups


class OutcomeMeasure(Strict):
    """Closed episodes of the window with a first and a last score of one instrument.

    Scores are in tenths of a point (0–100); change = first − last, so improvement is positive.
    """

    measured: Count = Field(
        description="Closed episodes with at least two scores of this instrument on different days."
    )
    baseline_tenths_total: Annotated[int, Field(ge=0, le=MAX_TENTHS_TOTAL)] = Field(
        description="Sum of the first scores, in tenths."
    )
    final_tenths_total: Annotated[int, Field(ge=0, le=MAX_TENTHS_TOTAL)] = Field(
        description="Sum of the last scores, in tenths."
    )
    change_squares_total: Annotated[int, Field(ge=0, le=MAX_SQUARES_TOTAL)] = Field(
        description="Sum of (first − last)² in tenths², for the spread of the change."
    )
    improved: Count = Field(
        description="Of the measured, those improved by a clinically relevant amount (NPRS: "
        "≥ 2 points or ≥ 30 %; PSK: ≥ 2 points)."
    )


class Outcomes(Strict):
    nprs: OutcomeMeasure
    psk: OutcomeMeasure


class Window(Strict):
    id: WindowId
    begin: date
    end: date
    patients: Patients
    episodes: Episodes
    sessions: Sessions
    revenue: Revenue
    closed_episodes: ClosedSplit
    waiting: Waiting
    therapists: Therapists
    # Format 1.1 only: None in a 1.0 export, and then left out when written (never null: a 1.0
    # reader refuses any field it does not know).
    case_mix: CaseMix | None = None
    outcomes: Outcomes | None = None

    @model_serializer(mode="wrap")
    def _without_absent_parts(self, handler):
        data = handler(self)
        for name in FIELDS_1_1:
            if data.get(name, 0) is None:
                del data[name]
        return data


class TrendMonth(Strict):
    month: Annotated[int, Field(ge=1, le=12)]
    begin: date
    end: date
    patients: Count
    episodes_started: Count
    sessions: Count
    no_shows: Count
    revenue_cents: Cents


# --- The document --------------------------------------------------------------------------------


class Practice(Strict):
    agb_code: Annotated[str, Field(pattern=r"^[0-9]{8}$")]


class Software(Strict):
    name: SoftwareName
    version: SoftwareVersion


class Period(Strict):
    begin: PeriodDate
    end: PeriodDate


class Export(Strict):
    """One export: one practice, one calendar year (or its first quarters)."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        title="ParaBench management information export (parabench-mi/1 and parabench-mi/1.1)",
    )

    format: Literal["parabench-mi/1", "parabench-mi/1.1"]
    practice: Practice
    software: Software
    exported_at: ExportedAt
    period: Period
    year_closed: bool
    windows: Annotated[list[Window], Field(min_length=1, max_length=7)]
    trend: Annotated[list[TrendMonth], Field(min_length=1, max_length=12)]

    @property
    def has_case_mix(self) -> bool:
        """A 1.1 export: every window carries case-mix cells and outcome measures."""
        return self.format == FORMAT_1_1 and all(w.case_mix is not None for w in self.windows)


# --- The document as read after validation -------------------------------------------------------


def export_document(export: Export) -> dict:
    """A validated export as its JSON document: what the readers of an export take (the
    portal's import reads an accepted body as such a document, without building the models
    again). Parts a 1.0 export does not have are absent, as in its JSON."""
    return export.model_dump(mode="json")


_DATE: Final = TypeAdapter(date, config=ConfigDict(strict=True))


def document_date(text: str) -> date:
    """A date of an export's document (a window's or the period's begin or end), read as the
    models read it: besides YYYY-MM-DD pydantic takes a date written as Unix seconds
    ("1704067200"), and an export so written is valid (1 µs a date)."""
    return _DATE.validate_strings(text)
