"""Plausibility checks: numbers that are allowed but unlikely, reported as warnings.

An export that passes the format can still be odd (60 sessions per episode, a € 400 tariff). Such
an export is imported anyway — refusing it would hide a real practice's data — but the practice
sees what looks wrong, like DHIS2's data-quality feedback. Thresholds are far outside the national
references of the domain brief (≈ 11 sessions per episode, ≈ € 37 per session).
"""

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from pydantic import BaseModel

from parabench.uploads import storage
from parabench.uploads.models import Import
from parabench_format.models import document_date

MAX_SESSIONS_PER_EPISODE = 40
MAX_TARIFF_CENTS = 150_00
MIN_TARIFF_CENTS = 10_00
MAX_NO_SHOW_SHARE = 0.25
MAX_EPISODES_PER_PATIENT = 3
# A full-time therapist treats some 60–90 sessions a week (3 an hour); more than 120 a week over a
# quarter of 13 weeks usually means FTE is missing for some therapists.
MAX_SESSIONS_PER_FTE_PER_QUARTER = 13 * 120
# A new export of a year with less than half the sessions of the one it replaces: usually data
# that went missing (a year closed and cleaned up, a filter in the practice software).
MIN_SESSIONS_KEPT_SHARE = 0.5


def _warning(path: str, code: str, message: str, message_en: str) -> dict:
    return {"path": path, "code": code, "message": message, "message_en": message_en}


def _euro(cents: float, decimal: str = ",") -> str:
    return f"€ {cents / 100:.2f}".replace(".", decimal)


def plausibility_warnings(document: dict) -> list[dict]:
    """Warnings about the whole period (its longest window), each with the JSON path it is about.
    ``document``: the export's JSON document (``parabench_format.models.export_document`` of a
    validated model)."""
    index, window, days = max(
        (
            (index, window, (document_date(window["end"]) - document_date(window["begin"])).days)
            for index, window in enumerate(document["windows"])
        ),
        key=lambda found: found[2],
    )
    path = f"$.windows[{index}]"
    quarters = max(1, round(days / 91))
    warnings = []
    sessions = window["sessions"]["total"]
    closed = window["closed_episodes"]
    chronic, non_chronic = closed["chronic"], closed["non_chronic"]
    closed_episodes = chronic["episodes"] + non_chronic["episodes"]
    closed_sessions = chronic["sessions_total"] + non_chronic["sessions_total"]

    if sessions == 0:
        warnings.append(
            _warning(
                f"{path}.sessions.total",
                "no_sessions",
                _("Er zijn in deze periode geen zittingen geëxporteerd."),
                "No sessions were exported for this period.",
            )
        )
    if closed_episodes and closed_sessions / closed_episodes > MAX_SESSIONS_PER_EPISODE:
        average = closed_sessions / closed_episodes
        warnings.append(
            _warning(
                f"{path}.closed_episodes",
                "sessions_per_episode_high",
                _(
                    "Gemiddeld %(average).1f zittingen per afgesloten klacht; landelijk is dat "
                    "ongeveer 11. Controleer of klachten op tijd worden afgesloten."
                )
                % {"average": average},
                f"On average {average:.1f} sessions per closed episode; the national figure is "
                "about 11. Check that episodes are closed in time.",
            )
        )
    if sessions:
        tariff = window["revenue"]["total_cents"] / sessions
        if tariff > MAX_TARIFF_CENTS:
            warnings.append(
                _warning(
                    f"{path}.revenue.total_cents",
                    "tariff_high",
                    _(
                        "De gemiddelde opbrengst per zitting is %(tariff)s; dat is meer dan "
                        "%(limit)s. Staan bedragen in centen?"
                    )
                    % {"tariff": _euro(tariff), "limit": _euro(MAX_TARIFF_CENTS)},
                    f"The average revenue per session is {_euro(tariff, '.')}, more than "
                    f"{_euro(MAX_TARIFF_CENTS, '.')}. Are amounts in cents?",
                )
            )
        elif tariff < MIN_TARIFF_CENTS:
            warnings.append(
                _warning(
                    f"{path}.revenue.total_cents",
                    "tariff_low",
                    _(
                        "De gemiddelde opbrengst per zitting is %(tariff)s; dat is minder dan "
                        "%(limit)s. Ontbreken er declaraties?"
                    )
                    % {"tariff": _euro(tariff), "limit": _euro(MIN_TARIFF_CENTS)},
                    f"The average revenue per session is {_euro(tariff, '.')}, less than "
                    f"{_euro(MIN_TARIFF_CENTS, '.')}. Are claims missing?",
                )
            )
    therapists = window["therapists"]
    if sessions and therapists["count"] == 0:
        warnings.append(
            _warning(
                f"{path}.therapists.count",
                "no_therapists",
                _("Er zijn zittingen maar geen therapeuten geëxporteerd."),
                "Sessions were exported but no therapists.",
            )
        )
    elif therapists["fte_hundredths"]:
        per_fte = sessions / (therapists["fte_hundredths"] / 100) / quarters
        if per_fte > MAX_SESSIONS_PER_FTE_PER_QUARTER:
            warnings.append(
                _warning(
                    f"{path}.therapists.fte_hundredths",
                    "sessions_per_fte_high",
                    _(
                        "Ruim %(per_fte)d zittingen per fte per kwartaal is veel. Is de fte van "
                        "alle therapeuten meegeteld?"
                    )
                    % {"per_fte": per_fte},
                    f"More than {per_fte:.0f} sessions per FTE per quarter is a lot. Is the FTE "
                    "of every therapist included?",
                )
            )
    attended, no_shows = sessions, window["sessions"]["no_shows"]
    if attended + no_shows and no_shows / (attended + no_shows) > MAX_NO_SHOW_SHARE:
        share = 100 * no_shows / (attended + no_shows)
        warnings.append(
            _warning(
                f"{path}.sessions.no_shows",
                "no_shows_high",
                _("%(share).0f%% van de afspraken is niet nagekomen; dat is ongebruikelijk veel.")
                % {"share": share},
                f"{share:.0f}% of appointments were missed; that is unusually many.",
            )
        )
    patients = window["patients"]["total"]
    active = window["episodes"]["active"]
    if patients and active / patients > MAX_EPISODES_PER_PATIENT:
        ratio = active / patients
        warnings.append(
            _warning(
                f"{path}.episodes.active",
                "episodes_per_patient_high",
                _("Gemiddeld %(ratio).1f klachten per patiënt; landelijk is dat ongeveer 1,2.")
                % {"ratio": ratio},
                f"On average {ratio:.1f} episodes per patient; the national figure is about 1.2.",
            )
        )
    return warnings


class _Sessions(BaseModel):
    total: int


class _WindowSessions(BaseModel):
    begin: date
    end: date
    sessions: _Sessions


class PreviousExport(BaseModel):
    """What the comparison reads of the body of an export a new one replaces, when its
    ``Import.window_sessions`` is not known: each window's period and sessions. That export was
    validated in full when it was accepted and imported; parsing only these fields (pydantic skips
    the rest) costs a fraction of a full ``Export`` parse (0.2–0.4×, 70 KB exports, 2026-11-29)."""

    windows: list[_WindowSessions]


def window_sessions(document: dict) -> list[list]:
    """What a later export of the same year is compared with (``Import.window_sessions``): per
    window its first day, last day (ISO) and sessions. ``document``: the export's JSON document,
    or the ``model_dump(mode="json")`` of a ``PreviousExport``."""
    return [[_iso(w["begin"]), _iso(w["end"]), w["sessions"]["total"]] for w in document["windows"]]


def _iso(text: str) -> str:
    return document_date(text).isoformat()


def _sessions_by_period(stored: list[list]) -> dict[tuple[date, date], int]:
    return {
        (date.fromisoformat(begin), date.fromisoformat(end)): total for begin, end, total in stored
    }


def _stored_window_sessions(previous: Import) -> list[list] | None:
    """``previous.window_sessions``, or read from its body when not known; None when neither."""
    if previous.window_sessions is not None:
        return previous.window_sessions
    try:
        previous_export = PreviousExport.model_validate_json(storage.stored_body(previous))
        return window_sessions(previous_export.model_dump(mode="json"))
    except (OSError, ValueError):
        return None  # its body is gone or no longer reads: no comparison


def previous_exports(imports) -> dict[int, tuple[Import, dict[tuple[date, date], int]]]:
    """Per import (by id) the export of the same practice and year that counted before it
    arrived, if any, with its sessions per window period: one query for all of them. Imports of
    one batch compare with what counted before the batch, not with each other."""
    current = Import.objects.filter(
        practice_id__in={imp.practice_id for imp in imports},
        year__in={imp.year for imp in imports},
        status=Import.Status.IMPORTED,
        is_current=True,
    ).exclude(pk__in=[imp.pk for imp in imports])
    by_key = {(previous.practice_id, previous.year): previous for previous in current}
    sessions: dict[int, dict | None] = {}
    found = {}
    for imp in imports:
        previous = by_key.get((imp.practice_id, imp.year))
        if previous is None:
            continue
        if previous.pk not in sessions:
            stored = _stored_window_sessions(previous)
            sessions[previous.pk] = None if stored is None else _sessions_by_period(stored)
        if sessions[previous.pk] is not None:
            found[imp.pk] = (previous, sessions[previous.pk])
    return found


def sessions_drop_warnings(
    sessions: list[list], previous: Import, earlier: dict[tuple[date, date], int]
) -> list:
    """A warning when the sessions of the longest window both exports share fell by more than
    half: the export is imported (it may be right) but marked in the Dashboards list.
    ``sessions``: the new export's ``window_sessions``; ``earlier``: the previous export's
    sessions by window period (``previous_exports``)."""
    windows = [
        (index, date.fromisoformat(begin), date.fromisoformat(end), total)
        for index, (begin, end, total) in enumerate(sessions)
    ]
    shared = [
        (index, begin, end, now, earlier[(begin, end)])
        for index, begin, end, now in windows
        if (begin, end) in earlier
    ]
    if not shared:
        return []
    index, begin, end, now, then = max(shared, key=lambda item: item[2] - item[1])
    if not then or now >= MIN_SESSIONS_KEPT_SHARE * then:
        return []
    values = {
        "begin": date_format(begin, "d-m-Y"),
        "end": date_format(end, "d-m-Y"),
        "now": now,
        "then": then,
        "number": previous.pk,
    }
    return [
        _warning(
            f"$.windows[{index}].sessions.total",
            "sessions_dropped",
            _(
                "Van %(begin)s t/m %(end)s bevat deze export %(now)d zittingen, de vorige export "
                "van dit jaar (import %(number)d) %(then)d: minder dan de helft. Ontbreken er "
                "gegevens, bijvoorbeeld na het afsluiten of opschonen van het jaar? Deze export "
                "telt nu mee; stuur zo nodig een volledige export opnieuw."
            )
            % values,
            "From {begin} to {end} this export holds {now} sessions, the previous export of "
            "this year (import {number}) {then}: less than half. Is data missing, for example "
            "after the year was closed or cleaned up? This export counts now; send a complete "
            "export again if needed.".format(**values),
        )
    ]


def import_warnings(batch) -> dict[int, list[dict]]:
    """Every warning of each ``(imp, warnings, sessions)`` — its ``plausibility_warnings`` and
    ``window_sessions`` — by import id: about the export itself, and against the one it
    replaces."""
    previous = previous_exports([imp for imp, _, _ in batch])
    found = {}
    for imp, own, sessions in batch:
        warnings = list(own)
        if imp.pk in previous:
            warnings += sessions_drop_warnings(sessions, *previous[imp.pk])
        found[imp.pk] = warnings
    return found
